// Sign the membership facts the deal page recorded on a deal at $at with their author
// (the web user's e-mail); a fact already signed keeps its author.
MATCH (a:Stakeholder)-[f:MEMBER_FACT]->(d:Deal {key: $deal_key})
WHERE f.at = $at AND f.by IS NULL
SET f.by = $by
RETURN count(f) AS signed
