// Withdraw a note of the deal $deal_key from $at on (an undo, or DELETE on the API): it
// is no longer shown as of $at or later, and is still shown as of any earlier instant. A
// note already withdrawn keeps its first withdrawal.
MATCH (n:Note {key: $key})
WHERE n.deal_key = $deal_key
WITH n, n.withdrawn_at IS NULL AS open
SET n.withdrawn_at = CASE WHEN open THEN $at ELSE n.withdrawn_at END,
    n.withdrawn_by = CASE WHEN open THEN $by ELSE n.withdrawn_by END
RETURN sum(CASE WHEN open THEN 1 ELSE 0 END) AS withdrawn
