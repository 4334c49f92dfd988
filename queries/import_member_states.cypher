// The membership facts of the given deals recorded up to $at: what an import of a CRM
// export compares with, to record only the differences. One string per fact,
// "deal_id<$sep>stakeholder_id<$sep>packed" (packed: see membership_record.cypher),
// since a large export compares some 300,000 facts and every value returned costs.
// The caller keeps the latest fact of each pair (largest at, then seq).
UNWIND $deal_keys AS deal_key
MATCH (s:Stakeholder)-[f:MEMBER_FACT]->(d:Deal {key: deal_key})
WHERE f.at <= $at
RETURN d.id + $sep + s.id + $sep + f.packed AS fact
