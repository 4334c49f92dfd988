// The compact kept results of a workspace's open deals, in one reply: per deal its
// analysis-input revision (arev), the kept result's revision, instant, due time and
// engine (freshness, as in deal_result_status.cypher), the compact columns the risk list
// and the portfolio show (flags as JSON, worst severity weight, share, trend, sparkline)
// and the deal's own columns. No bodies: nothing per row is parsed but two short JSON
// strings, so the reply stays cheap at 10,000 deals.
MATCH (d:Deal {ws: $ws})
WHERE d.status = 'open'
OPTIONAL MATCH (r:DealResult {key: d.key})
RETURN d.id AS id, coalesce(d.arev, 0) AS arev, r.rev AS rev, r.at AS at, r.due AS due,
       r.engine AS engine, r.flags AS flags, r.worst AS worst, r.share AS share,
       r.trend AS trend, r.tdelta AS tdelta, r.spark AS spark, d.name AS name,
       d.owner_email AS owner_email, d.amount AS amount, d.currency AS currency,
       d.stage AS stage, d.close_date AS close_date, d.account_id AS account_id
