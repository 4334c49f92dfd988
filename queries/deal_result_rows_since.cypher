// The compact kept results (as deal_result_rows.cypher) of the workspace's deals whose
// analysis inputs changed after revision $since (arev > $since: every write that can
// change a deal's analysis, its columns or its status sets it), open or not, with their
// status: what a reader holding every row as of $since needs to be current again.
MATCH (d:Deal {ws: $ws})
WHERE coalesce(d.arev, 0) > $since
OPTIONAL MATCH (r:DealResult {key: d.key})
RETURN d.id AS id, d.status AS status, coalesce(d.arev, 0) AS arev, r.rev AS rev,
       r.at AS at, r.due AS due, r.engine AS engine, r.flags AS flags, r.worst AS worst,
       r.share AS share, r.trend AS trend, r.tdelta AS tdelta, r.spark AS spark,
       d.name AS name, d.owner_email AS owner_email, d.amount AS amount,
       d.currency AS currency, d.stage AS stage, d.close_date AS close_date,
       d.account_id AS account_id
