// One entry of a deal's change log: who did what on the deal page, when; undo holds
// the JSON of the facts that take the change back.
MERGE (w:Workspace {ws: $ws})
SET w.rev = coalesce(w.rev, 0) + 1
WITH w
CREATE (c:WebChange {ws: $ws, key: $key, deal_key: $deal_key, at: $at, actor: $actor,
                     action: $action, summary: $summary, undo: $undo, seq: w.rev})
RETURN c.key AS key, c.seq AS seq
