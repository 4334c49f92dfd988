// Disable the subscriptions of a workspace that have failed since $cutoff or earlier;
// their owners are told by the next step (webhook_unnotified), until it is done.
MATCH (w:Webhook {ws: $ws})
WHERE w.active = true AND w.failing_since IS NOT NULL AND w.failing_since <= $cutoff
SET w.active = false, w.disabled_at = $now, w.disabled_reason = $reason,
    w.notified_at = null, w.version = w.version + 1
RETURN w.id AS id
