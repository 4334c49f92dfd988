// Every membership fact of one stakeholder up to $as_of with the deal it is about; the
// store keeps the deals whose latest fact is active.
MATCH (s:Stakeholder {key: $key})-[f:MEMBER_FACT]->(d:Deal)
WHERE f.at <= $as_of
RETURN d.id AS deal_id, f.at AS at, f.seq AS seq, f.active AS active, properties(d) AS props
