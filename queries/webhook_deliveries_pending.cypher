// The pending deliveries of a workspace's active subscriptions, oldest event first
// (per deal, the worker sends only the oldest one), with what sending them needs: the
// secret, and the rotated-out one while it still signs ($now before its expiry).
MATCH (d:WebhookDelivery {pending_ws: $ws})
MATCH (w:Webhook {key: d.webhook_key})
WHERE w.active = true
MATCH (e:WebhookEvent {key: d.event_id})
WITH d, w, e
ORDER BY d.created, d.pos, d.event_id
LIMIT $limit
RETURN d.key AS key, d.webhook_key AS webhook_key, d.lane AS lane, d.event_id AS event_id,
       d.type AS type, d.next_at AS next_at, d.attempts AS attempts,
       d.first_at AS first_at, w.url AS url, w.secret AS secret, e.body AS body,
       CASE WHEN w.old_secret_expires_at > $now THEN w.old_secret END AS old_secret
