// Upsert interactions (keyed by id). The team members present ($team_members: the
// chunk's distinct e-mails) are added first when unknown. Same rules as
// account_upsert.cypher.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $team_members AS member
MERGE (tm:TeamMember {key: member.key})
ON CREATE SET tm.ws = $ws, tm.email = member.email
WITH count(tm) AS known
UNWIND $rows AS row
MATCH (:Deal {key: row.deal_key})
MERGE (i:Interaction {key: row.key})
WITH row, i,
     CASE WHEN i.h IS NULL THEN 'created'
          WHEN i.h = row.props.h THEN 'unchanged'
          ELSE 'updated' END AS outcome
FOREACH (_ IN CASE WHEN outcome = 'unchanged' THEN [] ELSE [1] END | SET i = row.props)
RETURN outcome, count(*) AS n
