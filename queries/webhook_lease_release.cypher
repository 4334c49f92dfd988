// Give the delivery lease up (at shutdown) if we hold it, so another process takes it
// at once instead of after it expires.
MATCH (l:WebhookLease {name: $name})
WHERE l.holder = $holder
SET l.holder = null, l.expires_at = 0
RETURN count(l) AS released
