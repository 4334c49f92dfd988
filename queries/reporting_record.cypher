// Record reporting line facts (stakeholder a reports to manager b; state = [active, 1.0]):
// starts, changes and ends; at most one row per pair per statement. Same rules as
// membership_record.cypher; packed = "kind<$sep>at<$sep>seq<$sep>state<$sep>target_id".
// A recorded fact sets arev (analysis-input revision) on every deal either person sits
// on, in the same statement: their kept analysis results are then known stale.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (a:Stakeholder {key: row.source_key})
MATCH (b:Stakeholder {key: row.target_key})
OPTIONAL MATCH (a)-[f:REPORTS_FACT]->(b)
WHERE f.at <= row.at
WITH rev, row, a, b, collect(f) AS facts
WITH rev, row, a, b,
     reduce(best = null, x IN facts |
       CASE WHEN best IS NULL OR x.at > best.at OR (x.at = best.at AND x.seq > best.seq)
            THEN x ELSE best END) AS last
WITH rev, row, a, b,
     [(a)-[:MEMBER_FACT]->(d:Deal) | d] + [(b)-[:MEMBER_FACT]->(d:Deal) | d] AS touched,
     CASE WHEN last IS NOT NULL AND last.state = row.state THEN 'unchanged'
          WHEN last IS NOT NULL AND last.active THEN 'updated'
          WHEN row.active THEN 'created'
          ELSE 'unchanged' END AS outcome,
     last IS NOT NULL AND last.at = row.at AND last.state = row.state AS repeated
FOREACH (_ IN CASE WHEN repeated THEN [] ELSE [1] END |
  CREATE (a)-[:REPORTS_FACT {at: row.at, seq: rev * 1000000 + row.i, recorded: timestamp(),
    by: row.by, active: row.active, state: row.state,
    packed: 'R' + $sep + toString(row.at) + $sep + toString(rev * 1000000 + row.i) + $sep +
            row.state + $sep + b.id}]->(b))
FOREACH (d IN CASE WHEN repeated THEN [] ELSE touched END | SET d.arev = rev)
RETURN outcome, count(*) AS n
