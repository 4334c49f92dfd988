// The workspace's deals whose analysis inputs, columns or status were written after
// revision $since (arev > $since: every such write sets it), with their status, and the
// deals deleted after it (their tombstones, status 'deleted'): every deal whose kept
// result or openness may differ from what the webhook worker evented at $since.
MATCH (d:Deal {ws: $ws})
WHERE coalesce(d.arev, 0) > $since
RETURN d.id AS id, d.status AS status
UNION ALL
MATCH (t:Tombstone {ws: $ws})
WHERE t.entity = 'deal' AND t.changed_rev > $since
RETURN t.id AS id, 'deleted' AS status
