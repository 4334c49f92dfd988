// The reporting facts of the given stakeholders (as subordinates) recorded up to $at:
// what an import of a CRM export compares with. One string per fact,
// "stakeholder_id<$sep>packed" (packed: "R<$sep>at<$sep>seq<$sep>state<$sep>manager_id",
// see reporting_record.cypher). The caller keeps the latest fact of each pair.
UNWIND $stakeholder_keys AS stakeholder_key
MATCH (s:Stakeholder {key: stakeholder_key})-[f:REPORTS_FACT]->(:Stakeholder)
WHERE f.at <= $at
RETURN s.id + $sep + f.packed AS fact
