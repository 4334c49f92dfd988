// Withdraw a note of the deal $deal_key from $at on (an undo, or DELETE on the API): it
// is no longer shown as of $at or later, and is still shown as of any earlier instant. A
// note already withdrawn keeps its first withdrawal. A withdrawal takes the next
// workspace revision (changed_rev, so an open deal page sees it) and leaves a tombstone
// for the changes feed, as a withdrawn interaction does (interaction_withdraw.cypher).
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
MATCH (n:Note {key: $key})
WHERE n.deal_key = $deal_key
WITH rev, n, n.withdrawn_at IS NULL AS open
FOREACH (x IN CASE WHEN open THEN [n] ELSE [] END |
  SET x.withdrawn_at = $at, x.withdrawn_by = $by, x.changed_rev = rev,
      x.changed_at = timestamp()
  MERGE (t:Tombstone {key: $ws + $sep + 'note:' + $id + $sep})
  SET t.ws = $ws, t.entity = 'note', t.id = $id, t.changed_rev = rev,
      t.changed_at = timestamp())
RETURN sum(CASE WHEN open THEN 1 ELSE 0 END) AS withdrawn
