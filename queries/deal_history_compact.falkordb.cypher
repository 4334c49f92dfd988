// FalkorDB's version of deal_history_compact.cypher (same parts, same rows once
// decoded by graphsvc/store/compact.py): every list of a part is returned joined into
// ONE string with $sep, by FalkorDB's string.join (Neo4j has no such function without
// APOC). A list of 40,000 strings costs the client one object per item and the server
// one reply item each; one string costs one of each: at 10,000 deals the client's
// share of the replies goes from ~0.8 s to ~0.1 s of CPU and the server's time halves.
// (FalkorDB's reduce over strings garbled text; string.join does not: the read is
// compared with the per-fact read on every test run, tests/store/test_compact_read.py.)
// The separators cannot occur inside a field: ids are printable, the packed facts are
// JSON (which escapes control characters) or numbers.
//   deals         as in the shared file (a row per deal);
//   members       a = "deal<sep>person<sep>at<sep>seq<sep>state" of every fact, joined;
//   people        a = every member's packed JSON, joined;
//   lines         a = "source<sep>kind<sep>at<sep>seq<sep>state<sep>target", joined;
//   interactions  a = "deal<sep>withdrawn_at<sep>ids<sep>packed" of every interaction,
//                 joined, where ids are its stakeholder ids joined with $ids_sep.
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})
RETURN 'deals' AS part, d.id AS a, properties(d) AS b
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})<-[f:MEMBER_FACT]-(s:Stakeholder)
RETURN 'members' AS part, string.join(collect(d.id + $sep + s.id + $sep + f.packed), $sep) AS a,
       null AS b
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
RETURN 'people' AS part, string.join(collect(s.packed), $sep) AS a, null AS b
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
MATCH (s)-[l:INFLUENCE_FACT|REPORTS_FACT]->(:Stakeholder)
RETURN 'lines' AS part, string.join(collect(s.id + $sep + l.packed), $sep) AS a, null AS b
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
RETURN 'interactions' AS part,
       string.join(collect(i.deal_id + $sep + toString(coalesce(i.withdrawn_at, $never)) + $sep
                           + string.join(coalesce(i.stakeholder_ids, []), $ids_sep) + $sep
                           + i.packed), $sep) AS a,
       null AS b
