// FalkorDB's version of deal_history_compact.cypher: the same facts, decoded by
// graphsvc/store/compact_wire.py into the same columns. The differences spare the
// client a Python object per item (at 10,000 deals: replies ~0.8 -> ~0.2 s of the
// client's CPU, members numbered without hashing their ids) and the server a string
// per fact (its CPU for the scan's replies ~3.0 -> ~2.0 s, measured in /proc):
// * every part is a few strings, one per field, each field's values joined by $sep with
//   FalkorDB's string.join (Neo4j has no such function without APOC; FalkorDB's reduce
//   over strings garbled text, string.join does not: tests/store/test_fact_chunks.py
//   decodes both files on FalkorDB and compares them fact for fact). Parallel joins
//   rather than one string per item: concatenating an item's fields cost the server
//   ~0.3 s more CPU per 10,000-deal scan (2.3 s against 2.0 s) and saved the client
//   nothing. The membership facts come one row per deal, so no fact carries its deal;
// * deals are named by their index in $deal_keys and people by their node id (id(),
//   stable within one query), numbers the client maps with array lookups; a line's
//   target by the id already in its packed string (no second node to read).
// Separators cannot occur inside a field: ids are printable, the packed facts are JSON
// (which escapes control characters) or numbers.
//   deals         as in the shared file (a row per deal);
//   members       a row per deal with facts: a = the packed "at<sep>seq<sep>state" of
//                 each of its membership facts, b = the deal's index, c = each fact's
//                 person (node id);
//   people        a = every member's packed JSON, c = their node ids;
//   lines         a = the packed "kind<sep>at<sep>seq<sep>state<sep>target id" of every
//                 line fact a member drew, c = each fact's source (node id);
//   interactions  a = every interaction's packed JSON, b = its deal's index, c = its
//                 withdrawn_at, d = its stakeholder ids joined with $ids_sep.
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})
RETURN 'deals' AS part, d.id AS a, properties(d) AS b, null AS c, null AS d
UNION ALL
UNWIND range(0, size($deal_keys) - 1) AS k
WITH k, $deal_keys[k] AS deal_key
MATCH (:Deal {key: deal_key})<-[f:MEMBER_FACT]-(s:Stakeholder)
WITH k, string.join(collect(f.packed), $sep) AS facts,
     string.join(collect(toString(id(s))), $sep) AS nodes
RETURN 'members' AS part, facts AS a, k AS b, nodes AS c, null AS d
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
RETURN 'people' AS part, string.join(collect(s.packed), $sep) AS a, null AS b,
       string.join(collect(toString(id(s))), $sep) AS c, null AS d
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
MATCH (s)-[l:INFLUENCE_FACT|REPORTS_FACT]->()
RETURN 'lines' AS part, string.join(collect(l.packed), $sep) AS a, null AS b,
       string.join(collect(toString(id(s))), $sep) AS c, null AS d
UNION ALL
UNWIND range(0, size($deal_keys) - 1) AS k
WITH k, $deal_keys[k] AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
RETURN 'interactions' AS part, string.join(collect(i.packed), $sep) AS a,
       string.join(collect(toString(k)), $sep) AS b,
       string.join(collect(toString(coalesce(i.withdrawn_at, $never))), $sep) AS c,
       string.join(collect(string.join(coalesce(i.stakeholder_ids, []), $ids_sep)), $sep) AS d
