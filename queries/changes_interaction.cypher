// The interactions of a workspace changed after the feed position ($rev, $entity, $id),
// in feed order (revision, then id); records written before the feed existed count as
// revision 0. A withdrawn one is told by its tombstone (interaction_withdraw.cypher).
MATCH (n:Interaction {ws: $ws})
WHERE n.withdrawn_at IS NULL
WITH coalesce(n.changed_rev, 0) AS rev, n.id AS id, n.changed_at AS at
WHERE rev > $rev OR (rev = $rev AND ('interaction' > $entity OR ('interaction' = $entity AND id > $id)))
RETURN rev, id, at
ORDER BY rev, id
LIMIT $limit
