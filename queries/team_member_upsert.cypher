// Upsert team members (our side), keyed by workspace and e-mail. Same rules as
// account_upsert.cypher.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MERGE (m:TeamMember {key: row.key})
WITH row, m,
     CASE WHEN m.h IS NULL THEN 'created'
          WHEN m.h = row.props.h THEN 'unchanged'
          ELSE 'updated' END AS outcome
FOREACH (_ IN CASE WHEN outcome = 'unchanged' THEN [] ELSE [1] END | SET m = row.props)
RETURN outcome, count(*) AS n
