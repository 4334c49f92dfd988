// Upsert deals, keeping their one FOR_ACCOUNT relation on the account of row.props
// (moved when it changes). Same rules as account_upsert.cypher. A change sets the deal's
// arev (analysis-input revision): its kept analysis result is then known stale.
// Who wrote it (row.author: an API key's name, a user, import:<file>) is kept outside the
// values: updated_by on every change, created_by and created_at when it is created.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (acc:Account {key: row.account_key})
MERGE (d:Deal {key: row.key})
WITH rev, acc, row, d, d.account_key AS previous_account_key,
     d.created_by AS first_by, d.created_at AS first_at,
     CASE WHEN row.expect IS NOT NULL AND coalesce(d.h, '') <> row.expect
            THEN 'precondition_failed'
          WHEN d.h IS NULL THEN 'created'
          WHEN d.h = row.props.h THEN 'unchanged'
          ELSE 'updated' END AS outcome
FOREACH (_ IN CASE WHEN outcome IN ['unchanged', 'precondition_failed'] THEN [] ELSE [1] END |
  SET d = row.props
  SET d.created_by = CASE WHEN outcome = 'created' THEN row.author ELSE first_by END,
      d.created_at = CASE WHEN outcome = 'created' THEN timestamp() ELSE first_at END,
      d.updated_by = row.author
  SET d.changed_rev = rev, d.changed_at = timestamp(), d.arev = rev)
WITH acc, row, d, outcome,
     CASE WHEN outcome <> 'precondition_failed' AND previous_account_key <> row.props.account_key
            THEN previous_account_key END
       AS moved_from
OPTIONAL MATCH (prev:Account {key: moved_from})
OPTIONAL MATCH (d)-[stale:FOR_ACCOUNT]->(prev)
DELETE stale
FOREACH (_ IN CASE WHEN outcome = 'created' OR moved_from IS NOT NULL THEN [1] ELSE [] END |
  CREATE (d)-[:FOR_ACCOUNT]->(acc))
FOREACH (_ IN CASE WHEN outcome = 'precondition_failed' AND d.h IS NULL THEN [1] ELSE [] END |
  DELETE d)
RETURN outcome, count(*) AS n, collect(row.props.id) AS ids
