// Send an event to a subscription again (redeliver): its delivery is pending from now,
// with a new retry window, whatever became of it before.
MATCH (d:WebhookDelivery {key: $key})
SET d.status = 'pending', d.pending_ws = d.ws, d.next_at = $now, d.first_at = $now
RETURN d.event_id AS event_id, d.type AS type, d.attempts AS attempts
