// Claim one attempt of a delivery just before it is sent: only while the lease is still
// ours at the generation we took it ($gen, the fencing token) and unexpired, and only if
// the delivery is still pending at the attempt we read and not claimed by another
// holder whose claim still runs. The claim renews the lease. A holder whose lease was
// taken over mid-tick gets no row and sends nothing. The SETs before the tests take
// the nodes' write locks on Neo4j; FalkorDB runs each query atomically.
MATCH (l:WebhookLease {name: $name})
SET l.touched_at = $now
WITH l
WHERE l.holder = $holder AND l.gen = $gen AND l.expires_at >= $now
MATCH (d:WebhookDelivery {key: $key})
SET d.claim_seen = $now
WITH l, d
WHERE d.status = 'pending' AND d.attempts = $attempts
  AND (d.claim IS NULL OR d.claim = $token OR d.claim_until < $now)
SET l.expires_at = $expires_at, d.claim = $token, d.claim_until = $expires_at
RETURN d.key AS key
