// Withdraw one interaction by $key (a DELETE, or an undo on the deal page): history is
// never erased, so the node stays, dated and signed (withdrawn_at: $at, withdrawn_by:
// $by), and every reader of interactions counts it only as of instants before $at. Its
// key moves aside (key + sep + 'withdrawn:' + rev): reading it by id is then a 404, and
// writing the same id again (a PUT, a re-import) creates a new interaction. A tombstone
// tells the changes feed; its deal's arev (analysis-input revision) is set, so its kept
// analysis result is known stale (a contact that no longer counts can raise a flag).
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
SET i.key = $key + $sep + 'withdrawn:' + toString(rev), i.withdrawn_at = $at,
    i.withdrawn_by = $by
WITH rev, count(*) AS withdrawn
MERGE (t:Tombstone {key: $ws + $sep + 'interaction:' + $id + $sep})
SET t.ws = $ws, t.entity = 'interaction', t.id = $id, t.changed_rev = rev,
    t.changed_at = timestamp()
RETURN withdrawn
