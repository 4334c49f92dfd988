// The REPORTS_FACT facts of a workspace recorded after the feed position ($rev, $entity,
// $id), in feed order (revision, then the pair's key "parent<$sep>id"): every recorded
// fact is one entry, an ending one (active false) marked deleted. A fact's revision is
// its seq without the row index (seq = revision * 1e6 + index).
MATCH (a:Stakeholder {ws: $ws})-[f:REPORTS_FACT]->(b:Stakeholder)
WITH toInteger(f.seq / 1000000) AS rev, a.id AS parent, b.id AS id, f.recorded AS at,
     NOT f.active AS deleted
WITH rev, parent, id, at, deleted, parent + $sep + id AS pair
WHERE rev > $rev OR (rev = $rev AND ('reporting_line' > $entity OR ('reporting_line' = $entity AND pair > $id)))
RETURN rev, parent, id, at, deleted, pair
ORDER BY rev, pair
LIMIT $limit
