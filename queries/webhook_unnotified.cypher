// Subscriptions disabled for failing whose owner has not been told yet.
MATCH (w:Webhook {ws: $ws})
WHERE w.active = false AND w.disabled_at IS NOT NULL AND w.notified_at IS NULL
  AND w.deleted_at IS NULL
RETURN properties(w) AS props
