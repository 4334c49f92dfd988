// Record reporting line facts (stakeholder a reports to manager b; state = [active, 1.0]):
// starts, changes and ends; at most one row per pair per statement. Same rules as
// membership_record.cypher; packed = "kind<$sep>at<$sep>seq<$sep>state<$sep>target_id".
// A recorded fact sets arev (analysis-input revision) on every deal either person sits
// on, in the same statement: their kept analysis results are then known stale.
// It also sets wrev on the kept advice (warm paths) of any deal that read either person.
// A row may carry expect (a conditional write, one row): the pair's version tag (the
// greatest seq of its facts, as text) that must still be current, or '' for "no
// membership/line in effect as last recorded" (If-None-Match: *); otherwise nothing is
// recorded and the row counts 'precondition_failed'. tags: each row's version tag after
// the statement.
// MEMBER_FACT always ends on a Deal: the pattern comprehensions leave the label out,
// which FalkorDB 4.16 otherwise checks with a scan (influence lines wrote ~3x slower).
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (a:Stakeholder {key: row.source_key})
MATCH (b:Stakeholder {key: row.target_key})
OPTIONAL MATCH (a)-[f:REPORTS_FACT]->(b)
WITH rev, row, a, b, collect(f) AS facts
WITH rev, row, a, b,
     reduce(best = null, x IN facts |
       CASE WHEN x.at <= row.at AND (best IS NULL OR x.at > best.at OR
                                     (x.at = best.at AND x.seq > best.seq))
            THEN x ELSE best END) AS last,
     reduce(best = null, x IN facts |
       CASE WHEN best IS NULL OR x.at > best.at OR (x.at = best.at AND x.seq > best.seq)
            THEN x ELSE best END) AS latest,
     reduce(top = 0, x IN facts | CASE WHEN x.seq > top THEN x.seq ELSE top END) AS top
WITH rev, row, a, b, last, top,
     row.expect IS NOT NULL AND
       CASE WHEN row.expect = '' THEN coalesce(latest.active, false)
            ELSE toString(top) <> row.expect END AS refused
WITH rev, row, a, b, top, refused,
     [(a)-[:MEMBER_FACT]->(d) | d] + [(b)-[:MEMBER_FACT]->(d) | d] AS touched,
     [(a)-[:ADVICE_INPUT]->(x) | x] + [(b)-[:ADVICE_INPUT]->(x) | x] AS advised,
     CASE WHEN refused THEN 'precondition_failed'
          WHEN last IS NOT NULL AND last.state = row.state THEN 'unchanged'
          WHEN last IS NOT NULL AND last.active THEN 'updated'
          WHEN row.active THEN 'created'
          ELSE 'unchanged' END AS outcome,
     refused OR (last IS NOT NULL AND last.at = row.at AND last.state = row.state)
       AS kept
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END |
  CREATE (a)-[:REPORTS_FACT {at: row.at, seq: rev * 1000000 + row.i, recorded: timestamp(),
    by: row.by, active: row.active, state: row.state,
    packed: 'R' + $sep + toString(row.at) + $sep + toString(rev * 1000000 + row.i) + $sep +
            row.state + $sep + b.id}]->(b))
FOREACH (d IN CASE WHEN kept THEN [] ELSE touched END | SET d.arev = rev)
// Kept advice whose warm-path search read either person (ADVICE_INPUT, written with
// the advice: deal_advice_keep.cypher) is stale too, on whatever deal it is.
FOREACH (x IN CASE WHEN kept THEN [] ELSE advised END | SET x.wrev = rev)
RETURN outcome, count(*) AS n,
       collect(CASE WHEN kept THEN top ELSE rev * 1000000 + row.i END) AS tags
