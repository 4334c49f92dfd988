// The records of a workspace deleted after the feed position ($rev, $entity, $id), in
// feed order (revision, entity, id).
MATCH (t:Tombstone {ws: $ws})
WITH t.changed_rev AS rev, t.entity AS entity, t.id AS id, t.changed_at AS at
WHERE rev > $rev OR (rev = $rev AND (entity > $entity OR (entity = $entity AND id > $id)))
RETURN rev, entity, id, at
ORDER BY rev, entity, id
LIMIT $limit
