// Keep one deal's full analysis (with the whole ranking) beside its per-deal result:
// the workspace revision it was computed from, the instant it answers for, its due time,
// the engine tag and the body (JSON). One statement: a crash leaves the old or the new
// one. An analysis of an older revision never replaces a newer one, unless the engine
// differs; a deal deleted meanwhile gets none (the MATCH), nor does a deal written after
// the analysis's revision (arev > rev: stale already, and possibly computed before an
// erasure that has deleted the results naming the person, see deal_result_keep.cypher).
MATCH (d:Deal {key: $key})
WHERE coalesce(d.arev, 0) <= $rev
MERGE (r:DealResult {key: $key})
ON CREATE SET r.ws = $ws
WITH r
WHERE r.frev IS NULL OR r.frev <= $rev OR r.fengine <> $engine
SET r.frev = $rev, r.fat = $at, r.fdue = $due, r.fengine = $engine, r.full = $body
RETURN count(*) AS n
