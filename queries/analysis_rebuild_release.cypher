// End a background rebuild: the lease is released and the finishing instant kept (the
// counters stay, for the status).
MATCH (w:Workspace {ws: $ws})
WHERE w.rebuild_owner = $owner
SET w.rebuild_owner = null, w.rebuild_until = null, w.rebuild_finished = $now,
    w.rebuild_done = $done
RETURN true AS released
