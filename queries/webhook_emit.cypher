// Raise a batch of deals' events and advance what was evented of each deal, in one
// statement: the deal's state moves from generation dl.gen to dl.gen + 1 only if it is
// still at dl.gen (a repeat, or another worker that got there first, changes nothing),
// and its events (ids derived from the deal, generation and change) and their
// deliveries to every active subscription of the event's type are written with it.
// All or nothing, so a crash can neither lose nor duplicate an event.
UNWIND $deals AS dl
MERGE (s:WebhookDealState {key: dl.key})
ON CREATE SET s.ws = $ws, s.deal_id = dl.deal_id, s.gen = 0
WITH s, dl, coalesce(s.gen, 0) = dl.gen AS ours
SET s.flags = CASE WHEN ours THEN dl.flags ELSE s.flags END,
    s.bucket = CASE WHEN ours THEN dl.bucket ELSE s.bucket END,
    s.dm = CASE WHEN ours THEN dl.dm ELSE s.dm END,
    s.status = CASE WHEN ours THEN dl.status ELSE s.status END,
    s.rev = CASE WHEN ours THEN dl.rev ELSE s.rev END,
    s.updated_at = CASE WHEN ours THEN $now ELSE s.updated_at END,
    s.gen = CASE WHEN ours THEN dl.gen + 1 ELSE s.gen END
WITH dl, ours
UNWIND CASE WHEN ours THEN dl.events ELSE [] END AS e
MERGE (ev:WebhookEvent {key: e.id})
ON CREATE SET ev.ws = $ws, ev.id = e.id, ev.type = e.type, ev.deal_id = dl.deal_id,
              ev.created = e.created, ev.pos = e.pos, ev.body = e.body
WITH e
MATCH (w:Webhook {ws: $ws})
WHERE w.active = true AND e.type IN w.events
MERGE (d:WebhookDelivery {key: w.key + $sep + e.id})
ON CREATE SET d.ws = $ws, d.webhook_key = w.key, d.webhook_id = w.id, d.event_id = e.id,
              d.type = e.type, d.lane = e.lane, d.created = e.created, d.pos = e.pos,
              d.status = 'pending', d.pending_ws = $ws, d.attempts = 0,
              d.next_at = e.created, d.first_at = e.created
RETURN count(d) AS deliveries
