// A workspace's background rebuild: who holds it (null: none), until when the lease
// holds, when it started and finished, and its progress.
MATCH (w:Workspace {ws: $ws})
RETURN w.rebuild_owner AS owner, w.rebuild_until AS until, w.rebuild_started AS started,
       w.rebuild_finished AS finished, w.rebuild_done AS done, w.rebuild_total AS total
