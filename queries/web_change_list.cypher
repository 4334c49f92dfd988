// The latest entries of a deal's change log, newest first.
MATCH (c:WebChange {deal_key: $deal_key})
RETURN c.key AS key, c.at AS at, c.actor AS actor, c.action AS action,
       c.summary AS summary, c.undo AS undo, c.undone_by AS undone_by, c.seq AS seq
ORDER BY c.seq DESC
LIMIT $limit
