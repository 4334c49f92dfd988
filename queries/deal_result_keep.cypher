// Keep analysis results: per row the deal's key, the workspace revision the result was
// computed from (rev), the instant it answers for (at) and its due time, the engine tag,
// the body (JSON) and the compact columns every portfolio view reads without parsing
// bodies: the flags (JSON, worst first), the worst severity's weight, the support share,
// trend and trend delta, and the weekly support sparkline (JSON). One statement, so a
// crash leaves each result old or new, never a mix. A result never replaces one of a
// later revision (a slower process finishing late), unless the engine differs. Results
// are not facts: keeping one does not bump the workspace revision. A deal deleted
// meanwhile gets no result (the MATCH). Nor does a deal written after the result's
// revision (arev > rev): such a result is stale before it is kept, and it may have been
// computed before a data-protection erasure that has since deleted every kept result
// naming the person (stakeholder_results_forget.cypher sets arev on those deals), so
// keeping it would store the erased name again.
UNWIND $rows AS row
MATCH (d:Deal {key: row.key})
WHERE coalesce(d.arev, 0) <= row.rev
MERGE (r:DealResult {key: row.key})
ON CREATE SET r.ws = $ws
WITH r, row
WHERE r.rev IS NULL OR r.rev <= row.rev OR r.engine <> row.engine
SET r.rev = row.rev, r.at = row.at, r.due = row.due, r.engine = row.engine, r.body = row.body,
    r.flags = row.flags, r.worst = row.worst, r.share = row.share, r.trend = row.trend,
    r.tdelta = row.tdelta, r.spark = row.spark
RETURN count(*) AS n
