// Record one delivery attempt: its log entry, the delivery's new state (delivered,
// pending with its next try, or failed: given up) and the subscription's health
// (failing_since: the first failure since its last success). Only the attempt the
// worker read ($attempt - 1 attempts before it) is recorded, once. done_at (when it
// ended) is what the retention purge goes by; the claim of the attempt is let go.
MATCH (d:WebhookDelivery {key: $key})
WHERE d.status = 'pending' AND d.attempts = $attempt - 1
SET d.attempts = $attempt, d.status = $status, d.next_at = $next_at, d.last_at = $at,
    d.last_status_code = $status_code, d.claim = null, d.claim_until = null,
    d.pending_ws = CASE WHEN $status = 'pending' THEN d.ws ELSE null END,
    d.done_at = CASE WHEN $status = 'pending' THEN null ELSE $at END
MERGE (a:WebhookAttempt {key: d.key + $sep + toString($attempt)})
ON CREATE SET a.ws = d.ws, a.webhook_key = d.webhook_key, a.delivery_key = d.key,
              a.event_id = d.event_id, a.type = d.type, a.attempt = $attempt,
              a.at = $at, a.status_code = $status_code, a.duration_ms = $duration_ms,
              a.error = $error, a.ok = $ok, a.outcome = $status
WITH d
MATCH (w:Webhook {key: d.webhook_key})
SET w.failing_since = CASE WHEN $ok THEN null ELSE coalesce(w.failing_since, $at) END,
    w.last_success_at = CASE WHEN $ok THEN $at ELSE w.last_success_at END
RETURN count(w) AS recorded
