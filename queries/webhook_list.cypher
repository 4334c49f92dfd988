// A workspace's webhook subscriptions, oldest first (deleted ones left out).
MATCH (w:Webhook {ws: $ws})
WHERE w.deleted_at IS NULL
WITH w
ORDER BY w.created_at, w.id
RETURN properties(w) AS props
