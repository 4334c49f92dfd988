// One row per deal of $deal_keys: its properties and its members up to $as_of, each as
// [id, account_id, name, title, email, facts], facts holding every membership fact of
// that stakeholder on the deal up to $as_of as [at, seq, state] (state: the fact's
// full state as compact JSON, one value to parse instead of six).
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})
OPTIONAL MATCH (s:Stakeholder)-[f:MEMBER_FACT]->(d)
WHERE f.at <= $as_of
WITH d, s, collect([f.at, f.seq, f.state]) AS facts
WITH d, collect([s.id, s.account_id, s.name, s.title, s.email, facts]) AS members
RETURN d.id AS deal_id, properties(d) AS deal, members
