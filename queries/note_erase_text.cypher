// The data-protection erasure of a person (stakeholder $id of workspace $ws): the text of
// every note about them is replaced by $erased. The note stays as a dated, signed
// tombstone (who wrote it and when), so the history keeps its shape. The blanking takes
// the next workspace revision (changed_rev): the changes feed lists the notes again, so a
// CRM that pulled their text replaces it, and open deal pages redraw.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
MATCH (n:Note {stakeholder_id: $id})
WHERE n.ws = $ws
SET n.text = $erased, n.erased_at = timestamp(), n.changed_rev = rev,
    n.changed_at = timestamp()
RETURN count(n) AS erased
