// Retention: delete a batch of events raised (and last redelivered) before $cutoff
// that no delivery refers to any more (theirs were purged, or nobody subscribed to
// them). $cutoff lies a retry window before the deliveries' cutoff, so the events of
// a batch have had their deliveries purged already. $wss: only these workspaces
// (null: every one).
MATCH (e:WebhookEvent)
WHERE e.created < $cutoff AND coalesce(e.held_at, 0) < $cutoff
  AND ($wss IS NULL OR e.ws IN $wss)
WITH e
LIMIT $limit
OPTIONAL MATCH (d:WebhookDelivery {event_id: e.key})
WITH e, count(d) AS wanted
WHERE wanted = 0
DETACH DELETE e
RETURN count(*) AS purged
