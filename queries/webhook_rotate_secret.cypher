// Rotate a subscription's signing secret if it is still the version the caller read
// ($expect: its version; null: whichever): the new secret signs from now on, and the
// old one too until $old_expires_at (deliveries carry both signatures meanwhile). A
// secret rotated out earlier and still running is replaced by this one.
MATCH (w:Webhook {key: $key})
WHERE w.deleted_at IS NULL
WITH w, ($expect IS NULL OR w.version = $expect) AS ok
SET w.old_secret = CASE WHEN ok THEN w.secret ELSE w.old_secret END,
    w.old_secret_expires_at = CASE WHEN ok THEN $old_expires_at
                                   ELSE w.old_secret_expires_at END,
    w.secret = CASE WHEN ok THEN $secret ELSE w.secret END,
    w.rotated_at = CASE WHEN ok THEN $now ELSE w.rotated_at END,
    w.updated_at = CASE WHEN ok THEN $now ELSE w.updated_at END,
    w.version = CASE WHEN ok THEN w.version + 1 ELSE w.version END
RETURN ok, properties(w) AS props
