// A page of the ids of a workspace's open deals, ordered by id, after $after (the fleet
// scan pages through them).
MATCH (d:Deal {ws: $ws})
WHERE d.status = 'open' AND ($after IS NULL OR d.id > $after)
WITH d.id AS id
ORDER BY id
LIMIT $limit
RETURN id
