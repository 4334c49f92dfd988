// Every open deal of a workspace with the revision of its analysis inputs (arev: the last
// write that could change its analysis) and its kept result (revision, due time, engine,
// body), if any. A result is fresh when rev >= arev, its engine is the running one and the
// instant asked for is in [at, due).
MATCH (d:Deal {ws: $ws})
WHERE d.status = 'open'
OPTIONAL MATCH (r:DealResult {key: d.key})
RETURN d.id AS id, coalesce(d.arev, 0) AS arev, r.rev AS rev, r.at AS at, r.due AS due,
       r.engine AS engine, r.body AS body
