// The data-protection erasure of a person: the kept analysis results of every deal that
// can name them (the deals they sat on, and those of the people they had lines with, whose
// warm paths may pass through them) are deleted, so no stored result keeps their old
// name. The erasure's upsert has already set those deals' arev, so each is analysed again
// when next read, from the erased record.
// MEMBER_FACT always ends on a Deal: the pattern comprehensions leave the label out,
// which FalkorDB 4.16 otherwise checks with a scan (influence lines wrote ~3x slower).
MATCH (s:Stakeholder {key: $key})
WITH [(s)-[:MEMBER_FACT]->(x) | x.key] +
     [(s)-[:INFLUENCE_FACT|REPORTS_FACT]-(:Stakeholder)-[:MEMBER_FACT]->(x) | x.key]
     AS keys
UNWIND keys AS key
WITH DISTINCT key
MATCH (r:DealResult {key: key})
DETACH DELETE r
RETURN count(*) AS forgotten
