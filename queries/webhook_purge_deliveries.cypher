// Retention: delete a batch of deliveries that ended (delivered or given up) before
// $cutoff, with their delivery log (attempt n of a delivery is keyed by its key and n);
// pending ones have no done_at and are never taken. $wss: only these workspaces (null:
// every one). Idempotent: a repeat finds less.
MATCH (d:WebhookDelivery)
WHERE d.done_at < $cutoff AND ($wss IS NULL OR d.ws IN $wss)
WITH d
LIMIT $limit
WITH d, [n IN range(1, coalesce(d.attempts, 0)) | d.key + $sep + toString(n)] AS logged
OPTIONAL MATCH (a:WebhookAttempt)
WHERE a.key IN logged
DETACH DELETE a
WITH DISTINCT d
DETACH DELETE d
RETURN count(*) AS purged
