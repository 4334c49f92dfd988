// Forget up to $limit Idempotency-Key records whose time is over.
MATCH (r:IdempotencyKey)
WHERE r.expires_at < $now
WITH r
LIMIT $limit
DELETE r
RETURN count(*) AS purged
