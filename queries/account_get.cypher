// One account by $key (workspace and id), as a plain property map.
MATCH (n:Account {key: $key})
RETURN properties(n) AS props
