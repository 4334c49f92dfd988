// Every influence and reporting fact up to $as_of leaving one of $keys (committee
// members), state being [active, strength] as compact JSON; the store keeps, per deal,
// the facts whose target sat on the same deal.
UNWIND $keys AS key
MATCH (s:Stakeholder {key: key})-[f:INFLUENCE_FACT|REPORTS_FACT]->(t:Stakeholder)
WHERE f.at <= $as_of
RETURN type(f) = 'REPORTS_FACT' AS reporting, s.id AS source_id, t.id AS target_id,
       f.at AS at, f.seq AS seq, f.state AS state
