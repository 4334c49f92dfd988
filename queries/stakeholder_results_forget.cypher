// The data-protection erasure of a person: the kept analysis results of every deal that
// can name them (the deals they sat on, and those of the people they had lines with, whose
// warm paths may pass through them) are deleted, so no stored result keeps their old
// name; each is analysed again when next read, from the erased record.
// MEMBER_FACT always ends on a Deal: the pattern comprehensions leave the label out,
// which FalkorDB 4.16 otherwise checks with a scan (influence lines wrote ~3x slower).
// Those deals' arev is set to the workspace's revision (the erasure's own, or later) in
// the same statement: a writer that read any of them before the erasure (its revision
// is older) is then refused when it comes to keep its result (deal_result_keep*.cypher),
// so no result computed from the old name is kept after this.
MATCH (s:Stakeholder {key: $key})
MATCH (w:Workspace {ws: s.ws})
WITH w, [(s)-[:MEMBER_FACT]->(x) | x] +
     [(s)-[:INFLUENCE_FACT|REPORTS_FACT]-(:Stakeholder)-[:MEMBER_FACT]->(x) | x]
     AS deals
FOREACH (x IN deals | SET x.arev = w.rev)
WITH [x IN deals | x.key] AS keys
UNWIND keys AS key
WITH DISTINCT key
MATCH (r:DealResult {key: key})
DETACH DELETE r
RETURN count(*) AS forgotten
