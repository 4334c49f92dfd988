// Mark a change as taken back (once: a second undo of it finds it undone).
MATCH (c:WebChange {key: $key})
WITH c, c.undone_by IS NULL AS first
SET c.undone_by = coalesce(c.undone_by, $actor)
RETURN first
