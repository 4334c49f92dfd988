// Upsert accounts. $rows = [{key, props}]; props holds every stored property, h
// among them (a fingerprint of the values), so the same values again are 'unchanged'.
// row.expect (optional) makes the row conditional: the stored h must equal it ('' = the
// node must not exist), else the row is 'precondition_failed' and nothing is written (a
// node the MERGE made for it is deleted again). ids: the ids of each outcome (batches
// answer per item). A created or updated node gets changed_rev (the workspace revision of
// this write) and changed_at: the changes feed lists them.
// Who wrote it (row.author: an API key's name, a user, import:<file>) is kept outside the
// values: updated_by on every change, created_by and created_at when it is created.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MERGE (a:Account {key: row.key})
WITH rev, row, a,
     a.created_by AS first_by, a.created_at AS first_at,
     CASE WHEN row.expect IS NOT NULL AND coalesce(a.h, '') <> row.expect
            THEN 'precondition_failed'
          WHEN a.h IS NULL THEN 'created'
          WHEN a.h = row.props.h THEN 'unchanged'
          ELSE 'updated' END AS outcome
FOREACH (_ IN CASE WHEN outcome IN ['unchanged', 'precondition_failed'] THEN [] ELSE [1] END |
  SET a = row.props
  SET a.created_by = CASE WHEN outcome = 'created' THEN row.author ELSE first_by END,
      a.created_at = CASE WHEN outcome = 'created' THEN timestamp() ELSE first_at END,
      a.updated_by = row.author
  SET a.changed_rev = rev, a.changed_at = timestamp())
FOREACH (_ IN CASE WHEN outcome = 'precondition_failed' AND a.h IS NULL THEN [1] ELSE [] END |
  DELETE a)
RETURN outcome, count(*) AS n, collect(row.props.id) AS ids
