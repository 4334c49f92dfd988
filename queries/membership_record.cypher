// Record membership facts (joins, changes, ends) of stakeholder a on deal b, at most one
// row per pair per statement. A fact equal to the state in effect at its instant is not
// recorded again (idempotent re-imports); ending what is not in effect records nothing.
// seq = revision * 1e6 + row index orders facts of one instant (the later write wins),
// and every fact is CREATEd with its own fid: concurrent writers never merge away each
// other's changes.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (a:Stakeholder {key: row.stakeholder_key})
MATCH (b:Deal {key: row.deal_key})
OPTIONAL MATCH (a)-[f:MEMBER_FACT]->(b)
WHERE f.at <= row.at
WITH rev, row, a, b, collect(f) AS facts
WITH rev, row, a, b,
     reduce(best = null, x IN facts |
       CASE WHEN best IS NULL OR x.at > best.at OR (x.at = best.at AND x.seq > best.seq)
            THEN x ELSE best END) AS last
WITH rev, row, a, b,
     CASE WHEN last IS NULL THEN 'new'
          WHEN last.state = row.state THEN 'unchanged'
          WHEN last.active THEN 'updated'
          ELSE 'new' END AS change
WITH rev, row, a, b,
     CASE WHEN change = 'new' AND NOT row.active THEN 'unchanged' ELSE change END AS outcome
FOREACH (_ IN CASE WHEN outcome = 'unchanged' THEN [] ELSE [1] END |
  CREATE (a)-[:MEMBER_FACT {fid: row.fid, at: row.at, seq: rev * 1000000 + row.i,
    recorded: timestamp(), state: row.state, active: row.active, role: row.role,
    stance: row.stance, ally: row.ally, rating: row.rating,
    self_weight: row.self_weight}]->(b))
RETURN CASE outcome WHEN 'new' THEN 'created' ELSE outcome END AS outcome, count(*) AS n
