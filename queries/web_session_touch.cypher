// Note a session's latest use (the idle expiry counts from it).
MATCH (s:WebSession {hash: $hash})
SET s.seen_at = $now
RETURN s.seen_at AS seen_at
