// One interaction by $key (workspace and the caller's id), as a plain property map.
MATCH (i:Interaction {key: $key})
RETURN properties(i) AS props
