// Use a sign-in link once: the first redeemer marks it used in the same statement, so
// a second use (even a concurrent one) finds it used.
MATCH (l:WebSignInLink {hash: $hash})
WITH l, l.used_at IS NULL AND l.expires_at > $now AS usable
SET l.used_at = coalesce(l.used_at, $now)
RETURN l.email AS email, usable
