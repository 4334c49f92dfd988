// The stakeholders of a workspace changed after the feed position ($rev, $entity, $id),
// in feed order (revision, then id); records written before the feed existed count as
// revision 0.
MATCH (n:Stakeholder {ws: $ws})
WITH coalesce(n.changed_rev, 0) AS rev, n.id AS id, n.changed_at AS at
WHERE rev > $rev OR (rev = $rev AND ('stakeholder' > $entity OR ('stakeholder' = $entity AND id > $id)))
RETURN rev, id, at
ORDER BY rev, id
LIMIT $limit
