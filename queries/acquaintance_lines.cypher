// Warm paths: every influence and reporting fact that touches one of $keys
// (stakeholders), in either direction, with both ends' ids and names; state is
// [active, strength] as compact JSON, as in deal_history_lines. Future-dated facts too:
// the analysis folds them as of its instant, and the first one after it is when the
// paths may change without a write (the kept advice's due time).
UNWIND $keys AS key
MATCH (s:Stakeholder {key: key})-[f:INFLUENCE_FACT|REPORTS_FACT]-(o:Stakeholder)
RETURN type(f) = 'REPORTS_FACT' AS reporting, startNode(f).id AS source_id,
       endNode(f).id AS target_id, f.at AS at, f.seq AS seq, f.state AS state,
       s.id AS near_id, s.name AS near_name, o.id AS far_id, o.name AS far_name
