// Record one event that belongs to no deal (import.completed) with a delivery to every
// active subscription of its type; nothing at all when no subscription wants it.
MATCH (w:Webhook {ws: $ws})
WHERE w.active = true AND $event.type IN w.events
WITH collect(w) AS hooks
WHERE size(hooks) > 0
MERGE (ev:WebhookEvent {key: $event.id})
ON CREATE SET ev.ws = $ws, ev.id = $event.id, ev.type = $event.type,
              ev.created = $event.created, ev.pos = $event.pos, ev.body = $event.body
WITH hooks
UNWIND hooks AS w
MERGE (d:WebhookDelivery {key: w.key + $sep + $event.id})
ON CREATE SET d.ws = $ws, d.webhook_key = w.key, d.webhook_id = w.id,
              d.event_id = $event.id, d.type = $event.type, d.lane = $event.lane,
              d.created = $event.created, d.pos = $event.pos, d.status = 'pending',
              d.pending_ws = $ws, d.attempts = 0, d.next_at = $event.created,
              d.first_at = $event.created
RETURN count(d) AS deliveries
