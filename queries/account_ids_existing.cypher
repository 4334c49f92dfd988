// Which of $keys (workspace and id) are accounts: reference checks before a write.
UNWIND $keys AS key
MATCH (n:Account {key: key})
RETURN n.id AS id
