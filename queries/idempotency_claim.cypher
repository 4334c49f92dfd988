// Claim an Idempotency-Key before running its request, so concurrent requests with the
// same key run once. Ours when the record is new, expired (its 24 h are over), or still
// running under a claim older than $stale_before (that process died). A record that is
// not ours comes back for the caller to replay (done), to refuse as in progress
// (running) or as reused for another request (its fingerprint differs). The SET before
// the test takes the node's write lock on Neo4j; FalkorDB runs each query atomically.
MERGE (r:IdempotencyKey {key: $key})
ON CREATE SET r.ws = $ws, r.state = 'new'
SET r.touched_at = $now
WITH r,
     r.state = 'new' OR r.expires_at < $now
     OR (r.state = 'running' AND r.claimed_at < $stale_before) AS ours
SET r.fingerprint = CASE WHEN ours THEN $fingerprint ELSE r.fingerprint END,
    r.state = CASE WHEN ours THEN 'running' ELSE r.state END,
    r.claimed_by = CASE WHEN ours THEN $run_id ELSE r.claimed_by END,
    r.claimed_at = CASE WHEN ours THEN $now ELSE r.claimed_at END,
    r.expires_at = CASE WHEN ours THEN $expires_at ELSE r.expires_at END,
    r.status = CASE WHEN ours THEN null ELSE r.status END,
    r.headers = CASE WHEN ours THEN null ELSE r.headers END,
    r.body = CASE WHEN ours THEN null ELSE r.body END
RETURN ours, r.state AS state, r.fingerprint AS fingerprint, r.status AS status,
       r.headers AS headers, r.body AS body
