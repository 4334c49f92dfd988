// A one-time sign-in link, stored by the sha256 of its token.
CREATE (l:WebSignInLink {hash: $hash, email: $email, expires_at: $expires_at,
                         created_at: $now})
RETURN l.hash AS hash
