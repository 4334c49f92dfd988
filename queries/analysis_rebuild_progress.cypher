// Publish a background rebuild's progress and renew its lease, if the caller still holds
// it (it answers nothing otherwise: another process took over an expired lease).
MATCH (w:Workspace {ws: $ws})
WHERE w.rebuild_owner = $owner
SET w.rebuild_done = $done, w.rebuild_total = $total, w.rebuild_until = $until
RETURN true AS held
