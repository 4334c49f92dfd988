// Delete a stakeholder with all their facts (memberships, influence and reporting lines)
// and take their id off the interactions that list them (whose fingerprint h becomes
// 'edited': re-sending such an interaction as it was is then an update, not a no-op).
// With $keep_committee_members nothing is deleted when the person has sat on a
// committee (seats > 0: their history would change; the caller erases them instead).
// The edited interactions and a tombstone of the person tell the changes feed. When the
// person goes, the deals they sat on, and those of people they had lines with, get arev
// (analysis-input revision), so their kept analysis results are known stale; every kept
// advice whose warm paths read them (and may name them) is deleted.
// MEMBER_FACT always ends on a Deal: the pattern comprehensions leave the label out,
// which FalkorDB 4.16 otherwise checks with a scan (influence lines wrote ~3x slower).
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
MATCH (s:Stakeholder {key: $key})
OPTIONAL MATCH (s)-[seat:MEMBER_FACT]->(:Deal)
WITH rev, s, count(seat) AS seats
WITH rev, s, seats, seats = 0 OR NOT $keep_committee_members AS free,
     [(s)-[:MEMBER_FACT]->(x) | x] +
     [(s)-[:INFLUENCE_FACT|REPORTS_FACT]-(:Stakeholder)-[:MEMBER_FACT]->(x) | x] AS touched,
     [(s)-[:ADVICE_INPUT]->(adv) | adv] AS advised
FOREACH (d IN CASE WHEN free THEN touched ELSE [] END | SET d.arev = rev)
FOREACH (x IN CASE WHEN free THEN advised ELSE [] END | DETACH DELETE x)
FOREACH (x IN CASE WHEN free THEN [s] ELSE [] END | DETACH DELETE x)
WITH rev, seats, free
OPTIONAL MATCH (i:Interaction {ws: $ws})
WHERE free AND $id IN i.stakeholder_ids
WITH rev, seats, free, collect(i) AS listed
FOREACH (x IN listed |
  SET x.stakeholder_ids = [y IN x.stakeholder_ids WHERE y <> $id], x.h = 'edited',
      x.changed_rev = rev, x.changed_at = timestamp())
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  MERGE (t:Tombstone {key: $ws + $sep + 'stakeholder:' + $id + $sep})
  SET t.ws = $ws, t.entity = 'stakeholder', t.id = $id, t.changed_rev = rev,
      t.changed_at = timestamp())
RETURN CASE WHEN free THEN 1 ELSE 0 END AS deleted, seats
