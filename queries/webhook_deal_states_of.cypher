// What was last evented of the given deals (by key), as webhook_deal_states.cypher: the
// round after a write compares only the deals that may have changed.
UNWIND $keys AS key
MATCH (s:WebhookDealState {key: key})
RETURN s.deal_id AS deal_id, s.gen AS gen, s.flags AS flags, s.bucket AS bucket,
       s.dm AS dm, s.status AS status
