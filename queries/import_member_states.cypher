// Every membership fact of the workspace's deals: what an import of a CRM export
// compares with, to record only the differences. One string per fact,
// "deal_id<$sep>stakeholder_id<$sep>packed" (packed: "at<$sep>seq<$sep>state", see
// membership_record.cypher), since a large export compares some 300,000 facts and every
// value returned costs. Read for the whole workspace, before the export is parsed: the
// caller keeps the facts of the export's deals up to its instant, and of each pair the
// latest (largest at, then seq). Anchored on the deals' ws index.
MATCH (d:Deal {ws: $ws})<-[f:MEMBER_FACT]-(s:Stakeholder)
RETURN d.id + $sep + s.id + $sep + f.packed AS fact
