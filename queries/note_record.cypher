// Record a note on a person of a deal: a dated fact (at: the instant it was written),
// with its author (by). Notes are never edited; a note taken back is withdrawn
// (note_withdraw.cypher), and stays in the history before that instant. The write takes
// the next workspace revision (changed_rev), so the changes feed lists the note and an
// open deal page sees its revision move.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
MATCH (d:Deal {key: $deal_key})
MATCH (s:Stakeholder {key: $stakeholder_key})
CREATE (n:Note {key: $key, ws: $ws, id: $id, deal_key: d.key, stakeholder_id: s.id,
                at: $at, by: $by, text: $text, recorded: timestamp(), changed_rev: rev,
                changed_at: timestamp()})
RETURN n.id AS id
