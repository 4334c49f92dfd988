// The kept-result rows of the given deals ($keys), as deal_result_rows_since.cypher
// returns them (with the deal's status): a view that left deals to the background reads
// them again on the next request (graphsvc/analysis/results.py).
UNWIND $keys AS key
MATCH (d:Deal {key: key})
OPTIONAL MATCH (r:DealResult {key: d.key})
RETURN d.id AS id, d.status AS status, coalesce(d.arev, 0) AS arev, r.rev AS rev,
       r.at AS at, r.due AS due, r.engine AS engine, r.flags AS flags, r.worst AS worst,
       r.share AS share, r.trend AS trend, r.tdelta AS tdelta, r.spark AS spark,
       d.name AS name, d.owner_email AS owner_email, d.amount AS amount,
       d.currency AS currency, d.stage AS stage, d.close_date AS close_date,
       d.account_id AS account_id
