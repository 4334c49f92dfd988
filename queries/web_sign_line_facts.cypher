// Sign the influence and reporting facts the deal page recorded at $at between people
// of the deal ($keys) with their author; a fact already signed keeps its author.
UNWIND $keys AS k
MATCH (a:Stakeholder {key: k})-[f:INFLUENCE_FACT|REPORTS_FACT]->(b:Stakeholder)
WHERE f.at = $at AND f.by IS NULL
SET f.by = $by
RETURN count(f) AS signed
