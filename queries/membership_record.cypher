// Record membership facts (joins, changes, ends) of stakeholder a on deal b, each with
// who made it (by: a user, an API key's name, an import; absent when unknown), at most one
// row per pair per statement. A fact is {at, seq, recorded, active, state, packed}: state
// is the full membership as compact JSON [active, role, stance, ally, influence_rating,
// self_weight], compared to tell a repeat; packed = "at<$sep>seq<$sep>state" is what the
// history read returns (built once here rather than on every read).
// Idempotent: a fact is not recorded when the latest fact at exactly its instant has
// the same state. Any other fact is recorded, even one equal to the state in effect
// (counted 'unchanged'): facts may arrive out of order, and a change recorded later at
// an earlier instant must not swallow it. seq = workspace revision * 1e6 + row index is
// unique in the workspace and orders facts of one instant (the later write wins); facts
// are CREATEd, never merged, so concurrent writers cannot fold two changes into one.
// A recorded fact sets the deal's arev (analysis-input revision) to this revision in the
// same statement, so a kept analysis result older than it is known stale (results.py).
// (OPTIONAL MATCH + collect, not a pattern comprehension: FalkorDB 4.16 evaluated the
// latter wrongly in this query, seeing no earlier facts.)
// A row may carry expect (a conditional write, one row): the pair's version tag (the
// greatest seq of its facts, as text) that must still be current, or '' for "no
// membership/line in effect as last recorded" (If-None-Match: *); otherwise nothing is
// recorded and the row counts 'precondition_failed'. tags: each row's version tag after
// the statement.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (a:Stakeholder {key: row.stakeholder_key})
MATCH (b:Deal {key: row.deal_key})
OPTIONAL MATCH (a)-[f:MEMBER_FACT]->(b)
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
     CASE WHEN refused THEN 'precondition_failed'
          WHEN last IS NOT NULL AND last.state = row.state THEN 'unchanged'
          WHEN last IS NOT NULL AND last.active THEN 'updated'
          WHEN row.active THEN 'created'
          ELSE 'unchanged' END AS outcome,
     refused OR (last IS NOT NULL AND last.at = row.at AND last.state = row.state)
       AS kept
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END |
  SET b.arev = rev
  CREATE (a)-[:MEMBER_FACT {at: row.at, seq: rev * 1000000 + row.i, recorded: timestamp(),
    by: row.by, active: row.active, state: row.state,
    packed: toString(row.at) + $sep + toString(rev * 1000000 + row.i) + $sep +
            row.state}]->(b))
RETURN outcome, count(*) AS n,
       collect(CASE WHEN kept THEN top ELSE rev * 1000000 + row.i END) AS tags
