// One deal's kept advice (forecast, next best contacts, warm paths), if any, with what
// decides whether it is fresh: the deal's analysis-input revision (arev: its committee,
// lines and interactions), the revision of the last write around it that its warm paths
// read (wrev: deal_advice_keep.cypher), and the revision, instant, due time and engine it
// was computed with. No row: no such deal.
MATCH (d:Deal {key: $key})
OPTIONAL MATCH (a:DealAdvice {key: $key})
RETURN coalesce(d.arev, 0) AS arev, coalesce(a.wrev, 0) AS wrev, a.rev AS rev, a.at AS at,
       a.due AS due, a.engine AS engine, a.body AS body
