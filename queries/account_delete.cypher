// Delete an account with its stakeholders (their influence/reporting facts go with them,
// and their ids leave the interactions listing them) unless a deal is on the account or
// one of its stakeholders sits on a deal: then nothing is deleted and the counts tell
// the caller why (the store answers 409 Conflict).
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w
MATCH (a:Account {key: $key})
OPTIONAL MATCH (a)<-[:FOR_ACCOUNT]-(d:Deal)
WITH a, count(d) AS deals
OPTIONAL MATCH (a)<-[:WORKS_AT]-(s:Stakeholder)
OPTIONAL MATCH (s)-[seat:MEMBER_FACT]->(:Deal)
WITH a, deals, collect(DISTINCT s) AS staff, count(seat) AS seats
WITH a, deals, seats, staff, [x IN staff | x.id] AS staff_ids,
     deals = 0 AND seats = 0 AS free
FOREACH (x IN CASE WHEN free THEN staff + [a] ELSE [] END | DETACH DELETE x)
WITH deals, seats, staff_ids, free
OPTIONAL MATCH (i:Interaction {ws: $ws})
WHERE free AND any(sid IN i.stakeholder_ids WHERE sid IN staff_ids)
WITH deals, seats, staff_ids, collect(i) AS listed
FOREACH (x IN listed |
  SET x.stakeholder_ids = [sid IN x.stakeholder_ids WHERE NOT sid IN staff_ids],
      x.h = 'edited')
RETURN deals, seats
