// Record a note on a person of a deal: a dated fact (at: the instant it was written),
// with its author (by). Notes are never edited; a note taken back is withdrawn
// (note_withdraw.cypher), and stays in the history before that instant.
MATCH (d:Deal {key: $deal_key})
MATCH (s:Stakeholder {key: $stakeholder_key})
CREATE (n:Note {key: $key, ws: $ws, id: $id, deal_key: d.key, stakeholder_id: s.id,
                at: $at, by: $by, text: $text, recorded: timestamp()})
RETURN n.id AS id
