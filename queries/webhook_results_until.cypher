// Until when the workspace's open deals' kept results hold without a write: the
// earliest due time among them (null: no open deal, or one without a kept result,
// which the caller reads as "now"). Read after the results were brought up to date,
// so an idle worker round can tell, without reading every deal, that nothing changed.
MATCH (d:Deal {ws: $ws})
WHERE d.status = 'open'
OPTIONAL MATCH (r:DealResult {key: d.key})
RETURN min(coalesce(r.due, 0)) AS until, count(d) AS open_deals
