// Claim the workspace's background rebuild of kept analysis results: one process at a
// time across every process of the store. The lease lives on the Workspace node, whose
// write lock (SET w.lock first, as every write does) serialises two claims; it is free
// when nobody holds it, when the claimant holds it already, or when its holder stopped
// renewing it (until < now: the process died). A claim resets the progress counters.
MATCH (w:Workspace {ws: $ws})
SET w.lock = true
WITH w, (w.rebuild_owner IS NULL OR w.rebuild_owner = $owner
         OR coalesce(w.rebuild_until, 0) < $now) AS free
SET w.rebuild_owner = CASE WHEN free THEN $owner ELSE w.rebuild_owner END,
    w.rebuild_until = CASE WHEN free THEN $until ELSE w.rebuild_until END,
    w.rebuild_started = CASE WHEN free THEN $now ELSE w.rebuild_started END,
    w.rebuild_done = CASE WHEN free THEN 0 ELSE w.rebuild_done END,
    w.rebuild_total = CASE WHEN free THEN $total ELSE w.rebuild_total END
RETURN free AS claimed
