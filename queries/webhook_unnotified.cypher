// Subscriptions disabled for failing whose owner has not been told yet, in every
// workspace (one whose last subscription was disabled has no active one left).
MATCH (w:Webhook)
WHERE w.active = false AND w.disabled_at IS NOT NULL AND w.notified_at IS NULL
  AND w.deleted_at IS NULL
RETURN properties(w) AS props
