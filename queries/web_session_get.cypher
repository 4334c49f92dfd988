// A session by the sha256 of its cookie value, with its user (one round trip).
MATCH (s:WebSession {hash: $hash})
OPTIONAL MATCH (u:WebUser {email: s.email})
RETURN s.email AS email, s.csrf AS csrf, s.created_at AS created_at, s.seen_at AS seen_at,
       u.name AS name, u.roles AS roles, u.disabled AS disabled
