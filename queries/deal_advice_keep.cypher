// Keep one deal's advice: the workspace revision it was computed from, the instant it
// answers for, its due time, the engine tag and the body (JSON), and an ADVICE_INPUT
// line from every person its warm-path search read ($watched: stakeholder keys), so that
// a later line, interaction or name change of any of them sets wrev here (the writes'
// own statements) and the advice is known stale.
// One statement: a crash leaves the old or the new advice with its lines. Advice of an
// older revision never replaces a newer one, unless the engine differs; a deal deleted
// meanwhile gets none (the MATCH). When the workspace was written after $rev, a write
// around a person not watched before may be missed: the lines are kept but no body (the
// next read computes it again), which also keeps an erased name out of the store.
MATCH (d:Deal {key: $key})
MATCH (w:Workspace {ws: $ws})
MERGE (a:DealAdvice {key: $key})
ON CREATE SET a.ws = $ws
WITH a, w
WHERE a.rev IS NULL OR a.rev <= $rev OR a.engine <> $engine
SET a.rev = $rev, a.at = $at, a.due = $due, a.engine = $engine,
    a.body = CASE WHEN w.rev > $rev THEN null ELSE $body END
WITH a
OPTIONAL MATCH (gone:Stakeholder)-[old:ADVICE_INPUT]->(a)
WHERE NOT gone.key IN $watched
DELETE old
WITH a, count(old) AS dropped
UNWIND $watched AS person_key
MATCH (s:Stakeholder {key: person_key})
MERGE (s)-[:ADVICE_INPUT]->(a)
RETURN count(*) AS n
