// The data-protection erasure of a person (stakeholder $id of workspace $ws): the text of
// every note about them is replaced by $erased. The note stays as a dated, signed
// tombstone (who wrote it and when), so the history keeps its shape.
MATCH (n:Note {stakeholder_id: $id})
WHERE n.ws = $ws
SET n.text = $erased, n.erased_at = timestamp()
RETURN count(n) AS erased
