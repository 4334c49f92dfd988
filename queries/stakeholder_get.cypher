// One stakeholder by $key (workspace and id), as a plain property map.
MATCH (n:Stakeholder {key: $key})
RETURN properties(n) AS props
