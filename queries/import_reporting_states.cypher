// Every reporting fact of the workspace's stakeholders (as subordinates): what an import
// of a CRM export compares with. One string per fact, "stakeholder_id<$sep>packed"
// (packed: "R<$sep>at<$sep>seq<$sep>state<$sep>manager_id", see reporting_record.cypher).
// Read for the whole workspace, before the export is parsed: the caller keeps the facts
// of the exported contacts up to the export's instant, and of each pair the latest.
MATCH (s:Stakeholder {ws: $ws})-[f:REPORTS_FACT]->(:Stakeholder)
RETURN s.id + $sep + f.packed AS fact
