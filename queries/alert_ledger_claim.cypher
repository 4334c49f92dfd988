// Claim one week's e-mail for a run before sending it, so two runs at once (the
// scheduler and a manual send) never both send it. Ours when the e-mail is new, or
// pending and unclaimed (an earlier attempt failed), or pending under a claim older
// than $stale_before (that run died). The SET before the test takes the node's write
// lock on Neo4j; FalkorDB runs each query atomically anyway.
MERGE (e:AlertEmail {key: $key})
ON CREATE SET e.ws = $workspace, e.kind = $kind, e.recipient = $recipient,
              e.week = $week, e.week_no = $week_no, e.week_key = $week_key,
              e.flags_key = $flags_key, e.status = 'pending', e.deal_count = 0
SET e.touched_at = $now
WITH e,
     e.status = 'pending'
     AND (e.claimed_by IS NULL OR e.claimed_by = $run_id OR e.claimed_at < $stale_before)
     AS ours
SET e.claimed_by = CASE WHEN ours THEN $run_id ELSE e.claimed_by END,
    e.claimed_at = CASE WHEN ours THEN $now ELSE e.claimed_at END,
    e.message_id = CASE WHEN ours THEN $message_id ELSE e.message_id END,
    e.updated_at = CASE WHEN ours THEN $now ELSE e.updated_at END
RETURN ours, e.status AS status, e.claimed_by AS claimed_by
