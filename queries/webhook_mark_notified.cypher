// The owner of a disabled subscription has been told (its disabling of $disabled_at).
MATCH (w:Webhook {key: $key})
WHERE w.disabled_at = $disabled_at
SET w.notified_at = $now
RETURN count(w) AS marked
