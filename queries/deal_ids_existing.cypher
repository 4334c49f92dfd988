// Which of $keys (workspace and id) are deals: reference checks before a write.
UNWIND $keys AS key
MATCH (n:Deal {key: key})
RETURN n.id AS id
