// The ids of the workspace's deals deleted after revision $since (their tombstones).
MATCH (t:Tombstone {ws: $ws})
WHERE t.entity = 'deal' AND t.changed_rev > $since
RETURN t.id AS id
