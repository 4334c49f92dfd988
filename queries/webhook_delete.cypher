// Delete a subscription if it is still the version the caller read ($expect; null:
// whichever). The node stays, marked deleted and inactive, so its delivery log keeps
// its history; nothing is delivered for it any more.
MATCH (w:Webhook {key: $key})
WHERE w.deleted_at IS NULL
WITH w, ($expect IS NULL OR w.version = $expect) AS ok
SET w.deleted_at = CASE WHEN ok THEN $now ELSE w.deleted_at END,
    w.active = CASE WHEN ok THEN false ELSE w.active END,
    w.version = CASE WHEN ok THEN w.version + 1 ELSE w.version END
RETURN ok
