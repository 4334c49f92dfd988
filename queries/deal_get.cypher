// One deal by $key (workspace and id), as a plain property map.
MATCH (n:Deal {key: $key})
RETURN properties(n) AS props
