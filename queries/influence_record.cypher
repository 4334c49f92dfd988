// Record influence line facts (stakeholder a sways stakeholder b): starts, changes of strength,
// ends; at most one row per pair per statement. Same rules as membership_record.cypher.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
UNWIND $rows AS row
MATCH (a:Stakeholder {key: row.source_key})
MATCH (b:Stakeholder {key: row.target_key})
OPTIONAL MATCH (a)-[f:INFLUENCE_FACT]->(b)
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
  CREATE (a)-[:INFLUENCE_FACT {fid: row.fid, at: row.at, seq: rev * 1000000 + row.i,
    recorded: timestamp(), state: row.state, active: row.active,
    strength: row.strength}]->(b))
RETURN CASE outcome WHEN 'new' THEN 'created' ELSE outcome END AS outcome, count(*) AS n
