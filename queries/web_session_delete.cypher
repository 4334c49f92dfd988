// Sign one session out.
MATCH (s:WebSession {hash: $hash})
DELETE s
RETURN count(*) AS deleted
