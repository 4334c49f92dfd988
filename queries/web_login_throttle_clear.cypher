// A successful sign-in clears the account's failure count.
MATCH (t:LoginThrottle {key: $key})
DELETE t
RETURN count(*) AS deleted
