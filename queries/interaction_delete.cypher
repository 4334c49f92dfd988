// Delete one interaction by $key (it hangs on nothing else), leaving a tombstone for the
// changes feed. Its deal's arev (analysis-input revision) is set: its kept analysis
// result is then known stale (a contact that no longer counts can raise a flag).
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
MATCH (i:Interaction {key: $key})
OPTIONAL MATCH (deal:Deal {key: i.deal_key})
FOREACH (d IN CASE WHEN deal IS NULL THEN [] ELSE [deal] END | SET d.arev = rev)
// Kept advice whose warm-path search read one of its people is stale too (wrev); the
// key '' names nobody, so the interaction's row stays when none is watched.
WITH rev, i
UNWIND [sid IN coalesce(i.stakeholder_ids, []) | $ws + $sep + sid + $sep] + [''] AS person_key
OPTIONAL MATCH (:Stakeholder {key: person_key})-[:ADVICE_INPUT]->(x)
FOREACH (y IN CASE WHEN x IS NULL THEN [] ELSE [x] END | SET y.wrev = rev)
WITH rev, i, count(x) AS marked
DETACH DELETE i
WITH rev, count(*) AS deleted
MERGE (t:Tombstone {key: $ws + $sep + 'interaction:' + $id + $sep})
SET t.ws = $ws, t.entity = 'interaction', t.id = $id, t.changed_rev = rev,
    t.changed_at = timestamp()
RETURN deleted
