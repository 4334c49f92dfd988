// Take or renew the delivery lease: ours when nobody holds it, we do, or its holder let
// it expire. Several API processes call it; exactly one delivers. The SET before the
// test takes the node's write lock on Neo4j; FalkorDB runs each query atomically.
// gen counts the takings by a new holder: the fencing token each delivery's claim
// carries (webhook_delivery_claim), so a holder that lost the lease sends nothing more.
MERGE (l:WebhookLease {name: $name})
ON CREATE SET l.expires_at = 0, l.gen = 0
SET l.touched_at = $now
WITH l, (l.holder IS NULL OR l.holder = $holder OR l.expires_at < $now) AS ours,
     (l.holder IS NULL OR l.holder <> $holder OR l.expires_at < $now) AS taken
SET l.gen = CASE WHEN ours AND taken THEN coalesce(l.gen, 0) + 1 ELSE coalesce(l.gen, 0) END,
    l.holder = CASE WHEN ours THEN $holder ELSE l.holder END,
    l.expires_at = CASE WHEN ours THEN $expires_at ELSE l.expires_at END
RETURN ours, l.holder AS holder, l.expires_at AS expires_at, l.gen AS gen
