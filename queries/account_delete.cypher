// Delete an account with its stakeholders (their influence/reporting facts go with them,
// and their ids leave the interactions listing them) unless a deal is on the account or
// one of its stakeholders sits on a deal: then nothing is deleted and the counts tell
// the caller why (the store answers 409 Conflict). Tombstones of the account and its
// stakeholders, and the edited interactions, tell the changes feed.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
MATCH (a:Account {key: $key})
OPTIONAL MATCH (a)<-[:FOR_ACCOUNT]-(d:Deal)
WITH rev, a, count(d) AS deals
OPTIONAL MATCH (a)<-[:WORKS_AT]-(s:Stakeholder)
OPTIONAL MATCH (s)-[seat:MEMBER_FACT]->(:Deal)
WITH rev, a, a.id AS account_id, deals, collect(DISTINCT s) AS staff, count(seat) AS seats
WITH rev, a, account_id, deals, seats, staff, [x IN staff | x.id] AS staff_ids,
     deals = 0 AND seats = 0 AS free
FOREACH (x IN CASE WHEN free THEN staff + [a] ELSE [] END | DETACH DELETE x)
WITH rev, account_id, deals, seats, staff_ids, free
FOREACH (entry IN CASE WHEN free
                    THEN [['account', account_id]] + [x IN staff_ids | ['stakeholder', x]]
                    ELSE [] END |
  MERGE (t:Tombstone {key: $ws + $sep + entry[0] + ':' + entry[1] + $sep})
  SET t.ws = $ws, t.entity = entry[0], t.id = entry[1], t.changed_rev = rev,
      t.changed_at = timestamp())
WITH rev, deals, seats, staff_ids, free
OPTIONAL MATCH (i:Interaction {ws: $ws})
WHERE free AND any(sid IN i.stakeholder_ids WHERE sid IN staff_ids)
WITH rev, deals, seats, staff_ids, collect(i) AS listed
FOREACH (x IN listed |
  SET x.stakeholder_ids = [sid IN x.stakeholder_ids WHERE NOT sid IN staff_ids],
      x.h = 'edited', x.changed_rev = rev, x.changed_at = timestamp())
RETURN deals, seats
