// Every open deal of a workspace with the revision of its analysis inputs (arev: the last
// write that could change its analysis) and its kept result's revision, instant, due time
// and engine, if any. A result is fresh when rev >= arev, its engine is the running one
// and the instant asked for is in [at, due). Bodies are read apart (deal_result_bodies),
// only those a process has not parsed yet: the reply stays small at 10,000 deals.
MATCH (d:Deal {ws: $ws})
WHERE d.status = 'open'
OPTIONAL MATCH (r:DealResult {key: d.key})
RETURN d.id AS id, coalesce(d.arev, 0) AS arev, r.rev AS rev, r.at AS at, r.due AS due,
       r.engine AS engine
