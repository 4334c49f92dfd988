// Upsert stakeholders, keeping their one WORKS_AT relation on the account of row.props
// (moved when it changes). Same rules as account_upsert.cypher. A change sets arev on
// every deal the person sits on: results name people, so kept ones are then stale.
// MEMBER_FACT always ends on a Deal: the pattern comprehensions leave the label out,
// which FalkorDB 4.16 otherwise checks with a scan (influence lines wrote ~3x slower).
// Who wrote it (row.author: an API key's name, a user, import:<file>) is kept outside the
// values: updated_by on every change, created_by and created_at when it is created.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (acc:Account {key: row.account_key})
MERGE (s:Stakeholder {key: row.key})
WITH rev, acc, row, s, s.account_key AS previous_account_key,
     s.created_by AS first_by, s.created_at AS first_at,
     CASE WHEN row.expect IS NOT NULL AND coalesce(s.h, '') <> row.expect
            THEN 'precondition_failed'
          WHEN s.h IS NULL THEN 'created'
          WHEN s.h = row.props.h THEN 'unchanged'
          ELSE 'updated' END AS outcome
FOREACH (_ IN CASE WHEN outcome IN ['unchanged', 'precondition_failed'] THEN [] ELSE [1] END |
  SET s = row.props
  SET s.created_by = CASE WHEN outcome = 'created' THEN row.author ELSE first_by END,
      s.created_at = CASE WHEN outcome = 'created' THEN timestamp() ELSE first_at END,
      s.updated_by = row.author
  SET s.changed_rev = rev, s.changed_at = timestamp())
WITH rev, acc, row, s, previous_account_key, outcome,
     [(s)-[:MEMBER_FACT]->(x) | x] AS seats, [(s)-[:ADVICE_INPUT]->(adv) | adv] AS advised
FOREACH (d IN CASE WHEN outcome = 'updated' THEN seats ELSE [] END | SET d.arev = rev)
// Kept advice that read the person (their name is in its warm paths' hops) is stale too.
FOREACH (x IN CASE WHEN outcome = 'updated' THEN advised ELSE [] END | SET x.wrev = rev)
WITH acc, row, s, outcome,
     CASE WHEN outcome <> 'precondition_failed' AND previous_account_key <> row.props.account_key
            THEN previous_account_key END
       AS moved_from
OPTIONAL MATCH (prev:Account {key: moved_from})
OPTIONAL MATCH (s)-[stale:WORKS_AT]->(prev)
DELETE stale
FOREACH (_ IN CASE WHEN outcome = 'created' OR moved_from IS NOT NULL THEN [1] ELSE [] END |
  CREATE (s)-[:WORKS_AT]->(acc))
FOREACH (_ IN CASE WHEN outcome = 'precondition_failed' AND s.h IS NULL THEN [1] ELSE [] END |
  DELETE s)
RETURN outcome, count(*) AS n, collect(row.props.id) AS ids
