// What was last evented of each deal of a workspace: its flag codes, support bucket,
// top decision-maker, status (open, won, lost; deleted) and the generation the next
// events of the deal are numbered by.
MATCH (s:WebhookDealState {ws: $ws})
RETURN s.deal_id AS deal_id, s.gen AS gen, s.flags AS flags, s.bucket AS bucket,
       s.dm AS dm, s.status AS status
