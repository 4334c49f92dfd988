// Failed sign-ins counted against throttle keys (accounts and addresses).
UNWIND $keys AS key
MATCH (t:LoginThrottle {key: key})
RETURN t.key AS key, t.count AS count, t.started AS started
