// The membership facts of the given deals recorded up to $at: what an import of a CRM
// export compares with, to record only the differences. The caller keeps the latest
// fact of each pair (largest at, then seq).
UNWIND $deal_keys AS deal_key
MATCH (s:Stakeholder)-[f:MEMBER_FACT]->(d:Deal {key: deal_key})
WHERE f.at <= $at
RETURN d.id AS deal_id, s.id AS stakeholder_id, f.at AS at, f.seq AS seq, f.state AS state
