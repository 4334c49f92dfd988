// Give up a claim whose request failed on our side (5xx) or was not run (401, 429), so a
// retry with the same Idempotency-Key runs it.
MATCH (r:IdempotencyKey {key: $key})
WHERE r.claimed_by = $run_id AND r.state = 'running'
DELETE r
RETURN count(*) AS released
