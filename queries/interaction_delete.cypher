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
DETACH DELETE i
WITH rev, count(*) AS deleted
MERGE (t:Tombstone {key: $ws + $sep + 'interaction:' + $id + $sep})
SET t.ws = $ws, t.entity = 'interaction', t.id = $id, t.changed_rev = rev,
    t.changed_at = timestamp()
RETURN deleted
