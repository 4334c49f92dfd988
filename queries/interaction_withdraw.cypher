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
SET i.key = $key + $sep + 'withdrawn:' + toString(rev), i.withdrawn_at = $at,
    i.withdrawn_by = $by
WITH rev, count(*) AS withdrawn
MERGE (t:Tombstone {key: $ws + $sep + 'interaction:' + $id + $sep})
SET t.ws = $ws, t.entity = 'interaction', t.id = $id, t.changed_rev = rev,
    t.changed_at = timestamp()
RETURN withdrawn
