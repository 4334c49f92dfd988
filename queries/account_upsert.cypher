// Upsert accounts. $rows = [{key, props}]; props holds every stored property, h
// among them (a fingerprint of the values), so the same values again are 'unchanged'.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MERGE (a:Account {key: row.key})
WITH row, a,
     CASE WHEN a.h IS NULL THEN 'created'
          WHEN a.h = row.props.h THEN 'unchanged'
          ELSE 'updated' END AS outcome
FOREACH (_ IN CASE WHEN outcome = 'unchanged' THEN [] ELSE [1] END | SET a = row.props)
RETURN outcome, count(*) AS n
