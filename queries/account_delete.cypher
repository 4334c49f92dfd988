// Delete an account with its stakeholders (and their influence/reporting facts) unless
// a deal is on the account or one of its stakeholders sits on a deal: then nothing is
// deleted and the counts tell the caller why (the store answers 409 Conflict).
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
FOREACH (x IN CASE WHEN deals = 0 AND seats = 0 THEN staff + [a] ELSE [] END |
  DETACH DELETE x)
RETURN deals, seats
