// Sign a user out everywhere: every session of the e-mail goes.
MATCH (s:WebSession {email: $email})
DELETE s
RETURN count(*) AS deleted
