// Keep the response of a claimed Idempotency-Key for replay ($body null: not kept, the
// response carried a secret). Only the claim's own run may record it.
MATCH (r:IdempotencyKey {key: $key})
WHERE r.claimed_by = $run_id AND r.state = 'running'
SET r.state = 'done', r.status = $status, r.headers = $headers, r.body = $body,
    r.claimed_by = null
RETURN count(r) AS recorded
