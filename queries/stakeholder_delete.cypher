// Delete a stakeholder with all their facts (memberships, influence and reporting lines)
// and take their id off the interactions that list them (whose fingerprint h becomes
// 'edited': re-sending such an interaction as it was is then an update, not a no-op).
// The deals they sat on, and those of people they had lines with, get arev (analysis-input
// revision) set first, so their kept analysis results are known stale.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w
MATCH (s:Stakeholder {key: $key})
WITH w, s,
     [(s)-[:MEMBER_FACT]->(x:Deal) | x] +
     [(s)-[:INFLUENCE_FACT|REPORTS_FACT]-(:Stakeholder)-[:MEMBER_FACT]->(x:Deal) | x] AS touched
FOREACH (d IN touched | SET d.arev = w.rev)
DETACH DELETE s
WITH count(*) AS deleted
OPTIONAL MATCH (i:Interaction {ws: $ws})
WHERE deleted > 0 AND $id IN i.stakeholder_ids
WITH deleted, collect(i) AS listed
FOREACH (x IN listed |
  SET x.stakeholder_ids = [y IN x.stakeholder_ids WHERE y <> $id], x.h = 'edited')
RETURN deleted
