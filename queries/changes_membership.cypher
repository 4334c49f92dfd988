// The MEMBER_FACT facts of a workspace recorded after the feed position ($rev, $entity,
// $id), in feed order (revision, then the pair's key "parent<$sep>id"): every recorded
// fact is one entry, an ending one (active false) marked deleted. A fact's revision is
// its seq without the row index (seq = revision * 1e6 + index).
MATCH (a:Stakeholder {ws: $ws})-[f:MEMBER_FACT]->(b:Deal)
WITH toInteger(f.seq / 1000000) AS rev, b.id AS parent, a.id AS id, f.recorded AS at,
     NOT f.active AS deleted
WITH rev, parent, id, at, deleted, parent + $sep + id AS pair
WHERE rev > $rev OR (rev = $rev AND ('membership' > $entity OR ('membership' = $entity AND pair > $id)))
RETURN rev, parent, id, at, deleted, pair
ORDER BY rev, pair
LIMIT $limit
