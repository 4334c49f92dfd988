// The notes of a workspace changed after the feed position ($rev, $entity, $id), in feed
// order (revision, then id): written, or blanked by an erasure; notes written before the
// feed listed them count as revision 0. A withdrawn one is told by its tombstone
// (note_withdraw.cypher). Each comes with its deal's id (parent), where a client reads it.
MATCH (n:Note {ws: $ws})
WHERE n.withdrawn_at IS NULL
WITH coalesce(n.changed_rev, 0) AS rev, n.id AS id, n.changed_at AS at, n.deal_key AS deal_key
WHERE rev > $rev OR (rev = $rev AND ('note' > $entity OR ('note' = $entity AND id > $id)))
WITH rev, id, at, deal_key
ORDER BY rev, id
LIMIT $limit
OPTIONAL MATCH (d:Deal {key: deal_key})
RETURN rev, id, at, d.id AS parent
ORDER BY rev, id
