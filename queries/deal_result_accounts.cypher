// The names of a workspace's accounts, by id: the portfolio shows them beside the kept
// per-deal results (one small reply instead of a join per deal).
MATCH (a:Account {ws: $ws})
RETURN a.id AS id, a.name AS name
