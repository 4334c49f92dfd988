// Every fact of each deal of $deal_keys, in few rows of flat lists (the cold fleet scan
// and the kept results read through it, see graphsvc/store/compact.py). Facts travel as
// their `packed` strings (built when written); the reader drops facts after its instant
// itself (comparing `at` on the server costs more than the few future-dated facts it
// would save). Five parts, told apart by `part`; every list of a row is parallel (the
// k-th items belong together):
//   deals         one row per deal: a = its id, b = its properties;
//   members       one row: a fact per membership fact of the chunk's deals, a = the deal
//                 id, b = the person's id, c = the packed "at<sep>seq<sep>state";
//   people        one row: a person per member, a = the id, b = their packed JSON [id,
//                 account_id, name, title, email];
//   lines         one row: a fact per line drawn by a member, a = the source's id, b =
//                 the packed "kind<sep>at<sep>seq<sep>state<sep>target_id" of influence
//                 (I) and reporting (R) facts;
//   interactions  one row: a = the deal id, b = the packed JSON [id, at, channel,
//                 team_member_emails, summary, next_step_at], c = the stakeholder ids,
//                 d = withdrawn_at (interaction_withdraw.cypher), $never while it is in
//                 effect; the reader drops it from that instant on.
// Flat lists rather than a row per deal or per person, and no map per row: the reply is
// a few long lists of strings, which the reader splits and converts a whole list at a
// time. (Facts are not joined into one string on the server: FalkorDB 4.16's reduce
// over strings returned garbled text for a few people in a 500-deal chunk.)
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})
RETURN 'deals' AS part, d.id AS a, properties(d) AS b, null AS c, null AS d
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})<-[f:MEMBER_FACT]-(s:Stakeholder)
RETURN 'members' AS part, collect(d.id + $sep + s.id + $sep + f.packed) AS a, null AS b,
       null AS c, null AS d
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
RETURN 'people' AS part, collect(s.packed) AS a, null AS b, null AS c, null AS d
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
MATCH (s)-[l:INFLUENCE_FACT|REPORTS_FACT]->(:Stakeholder)
RETURN 'lines' AS part, collect(s.id + $sep + l.packed) AS a, null AS b, null AS c, null AS d
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
RETURN 'interactions' AS part, collect(i.deal_id) AS a, collect(i.packed) AS b,
       collect(coalesce(i.stakeholder_ids, [])) AS c,
       collect(coalesce(i.withdrawn_at, $never)) AS d
