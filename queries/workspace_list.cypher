// Every workspace the store knows, one row each (sorted by the caller): those holding
// data (their Workspace node carries the write counter) and those an API key names.
MATCH (w:Workspace)
RETURN w.ws AS ws
UNION
MATCH (k:ApiKey)
RETURN k.workspace AS ws
