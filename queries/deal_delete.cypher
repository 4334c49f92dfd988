// Delete a deal with what hangs only on it: its membership facts, its interactions and its
// kept analysis result.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w
MATCH (d:Deal {key: $key})
OPTIONAL MATCH (i:Interaction {deal_key: $key})
WITH d, collect(i) AS interactions
FOREACH (x IN interactions | DETACH DELETE x)
WITH d
OPTIONAL MATCH (r:DealResult {key: $key})
FOREACH (x IN CASE WHEN r IS NULL THEN [] ELSE [r] END | DELETE x)
WITH d
DETACH DELETE d
RETURN count(*) AS deleted
