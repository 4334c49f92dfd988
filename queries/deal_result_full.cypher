// One deal's kept full analysis (with the whole ranking), if any, with what decides
// whether it is fresh: the deal's analysis-input revision (arev), and the revision,
// instant, due time and engine the full analysis was computed with (as for the per-deal
// results of deal_result_status.cypher). No row: no such deal.
MATCH (d:Deal {key: $key})
OPTIONAL MATCH (r:DealResult {key: $key})
RETURN coalesce(d.arev, 0) AS arev, r.frev AS rev, r.fat AS at, r.fdue AS due,
       r.fengine AS engine, r.full AS body
