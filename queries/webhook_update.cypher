// Change a subscription's settings if it is still the version the caller read
// ($expect: its version; null: whichever). Re-enabling it forgets its failures. The
// test and the write are one statement, so two writers holding one version cannot
// both win.
MATCH (w:Webhook {key: $key})
WHERE w.deleted_at IS NULL
WITH w, ($expect IS NULL OR w.version = $expect) AS ok
SET w.url = CASE WHEN ok THEN $url ELSE w.url END,
    w.events = CASE WHEN ok THEN $events ELSE w.events END,
    w.owner_email = CASE WHEN ok THEN $owner_email ELSE w.owner_email END,
    w.description = CASE WHEN ok THEN $description ELSE w.description END,
    w.failing_since = CASE WHEN ok AND $active AND NOT w.active THEN null
                           ELSE w.failing_since END,
    w.disabled_at = CASE WHEN ok AND $active THEN null ELSE w.disabled_at END,
    w.disabled_reason = CASE WHEN ok AND $active THEN null ELSE w.disabled_reason END,
    w.active = CASE WHEN ok THEN $active ELSE w.active END,
    w.updated_at = CASE WHEN ok THEN $now ELSE w.updated_at END,
    w.version = CASE WHEN ok THEN w.version + 1 ELSE w.version END
RETURN ok, properties(w) AS props
