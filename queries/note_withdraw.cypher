// Withdraw a note from $at on (an undo): it is no longer shown as of $at or later, and
// is still shown as of any earlier instant. A note already withdrawn keeps its first
// withdrawal.
MATCH (n:Note {key: $key})
WITH n, n.withdrawn_at IS NULL AS open
SET n.withdrawn_at = CASE WHEN open THEN $at ELSE n.withdrawn_at END,
    n.withdrawn_by = CASE WHEN open THEN $by ELSE n.withdrawn_by END
RETURN sum(CASE WHEN open THEN 1 ELSE 0 END) AS withdrawn
