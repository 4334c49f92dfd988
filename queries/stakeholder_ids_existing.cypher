// Which of $keys (workspace and id) are stakeholders: reference checks before a write.
UNWIND $keys AS key
MATCH (n:Stakeholder {key: key})
RETURN n.id AS id
