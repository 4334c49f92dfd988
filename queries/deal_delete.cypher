// Delete a deal with what hangs only on it: its membership facts and its interactions.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w
MATCH (d:Deal {key: $key})
OPTIONAL MATCH (i:Interaction {deal_key: $key})
WITH d, collect(i) AS interactions
FOREACH (x IN interactions | DETACH DELETE x)
DETACH DELETE d
RETURN count(*) AS deleted
