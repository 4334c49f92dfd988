// Send an event to a subscription again (redeliver): its delivery is pending from now,
// with a new retry window, whatever became of it before. The event is held from now
// on, so the retention purge counts its age from the redelivery.
MATCH (d:WebhookDelivery {key: $key})
SET d.status = 'pending', d.pending_ws = d.ws, d.next_at = $now, d.first_at = $now,
    d.done_at = null
WITH d
MATCH (e:WebhookEvent {key: d.event_id})
SET e.held_at = $now
RETURN d.event_id AS event_id, d.type AS type, d.attempts AS attempts
