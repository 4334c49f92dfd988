// A signed-in session, stored by the sha256 of its cookie value (the value itself is
// never stored). csrf is the session's anti-forgery token.
CREATE (s:WebSession {hash: $hash, email: $email, csrf: $csrf, created_at: $now,
                      seen_at: $now, address: $address})
RETURN s.hash AS hash
