// The reporting facts of the given stakeholders (as subordinates) recorded up to $at:
// what an import of a CRM export compares with. The caller keeps the latest fact of
// each pair (largest at, then seq).
UNWIND $stakeholder_keys AS stakeholder_key
MATCH (s:Stakeholder {key: stakeholder_key})-[f:REPORTS_FACT]->(m:Stakeholder)
WHERE f.at <= $at
RETURN s.id AS stakeholder_id, m.id AS manager_id, f.at AS at, f.seq AS seq,
       f.active AS active
