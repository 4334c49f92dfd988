// Upsert interactions (keyed by id). The team members present ($team_members: the
// chunk's distinct e-mails) are added first when unknown. Same rules as
// account_upsert.cypher (row.expect included). A change sets arev (analysis-input
// revision) on its deal (and on the deal it moved from): kept analysis results of those
// are then known stale; so is the kept advice that read any of its people (below).
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $team_members AS member
MERGE (tm:TeamMember {key: member.key})
ON CREATE SET tm.ws = $ws, tm.email = member.email
WITH count(tm) AS known
// Who met whom is part of every warm path: kept advice whose search read a person of a
// changed interaction (its people before and after) is stale (wrev), on any deal.
MATCH (w:Workspace {ws: $ws})
WITH w.rev AS rev
UNWIND $rows AS row
OPTIONAL MATCH (old:Interaction {key: row.key})
WITH rev, row, old
WHERE old IS NULL OR old.h <> row.props.h
UNWIND [sid IN coalesce(row.props.stakeholder_ids, []) + coalesce(old.stakeholder_ids, []) |
        $ws + $sep + sid + $sep] AS person_key
MATCH (:Stakeholder {key: person_key})-[:ADVICE_INPUT]->(x)
SET x.wrev = rev
WITH count(x) AS marked
// Read again: an aggregation grouped by rev would give no row for no team members.
MATCH (w:Workspace {ws: $ws})
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (deal:Deal {key: row.deal_key})
MERGE (i:Interaction {key: row.key})
WITH rev, row, i, deal, i.deal_key AS previous_deal_key,
     CASE WHEN row.expect IS NOT NULL AND coalesce(i.h, '') <> row.expect
            THEN 'precondition_failed'
          WHEN i.h IS NULL THEN 'created'
          WHEN i.h = row.props.h THEN 'unchanged'
          ELSE 'updated' END AS outcome
FOREACH (_ IN CASE WHEN outcome IN ['unchanged', 'precondition_failed'] THEN [] ELSE [1] END |
  SET i = row.props
  SET i.changed_rev = rev, i.changed_at = timestamp()
  SET deal.arev = rev)
FOREACH (_ IN CASE WHEN outcome = 'precondition_failed' AND i.h IS NULL THEN [1] ELSE [] END |
  DELETE i)
WITH rev, row, outcome,
     CASE WHEN outcome = 'updated' AND previous_deal_key <> row.deal_key
          THEN previous_deal_key END AS moved_from
OPTIONAL MATCH (prev:Deal {key: moved_from})
FOREACH (d IN CASE WHEN prev IS NULL THEN [] ELSE [prev] END | SET d.arev = rev)
RETURN outcome, count(*) AS n, collect(row.props.id) AS ids
