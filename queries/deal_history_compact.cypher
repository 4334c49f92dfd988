// Every fact of each deal of $deal_keys, in few rows (the cold fleet scan and the kept
// results read through it, see graphsvc/store/compact.py). Facts travel as their
// `packed` strings (built when written); the reader drops facts after its instant
// itself (comparing `at` on the server costs more than the few future-dated facts it
// would save). Three parts, told apart by `part`:
//   members       one row per deal (id = deal id, deal = its properties): items = one
//                 [person, facts] per person with a membership fact; person = their
//                 packed JSON [id, account_id, name, title, email], facts = their packed
//                 "at<sep>seq<sep>state" strings;
//   lines         one row for the whole chunk: items = one [id, facts] per such person
//                 with a line; facts = their packed
//                 "kind<sep>at<sep>seq<sep>state<sep>target_id" influence (I) and
//                 reporting (R) facts;
//   interactions  one row per deal with interactions (id = deal id): items = [packed,
//                 stakeholder_ids, withdrawn_at] per interaction, packed = JSON [id,
//                 at, channel, team_member_emails, summary, next_step_at]; withdrawn_at
//                 (interaction_withdraw.cypher) is null while it is in effect, and the
//                 reader drops it from that instant on, as it drops later facts.
// (Facts are not joined into one string per person on the server: FalkorDB 4.16's
// reduce over strings returned garbled text for a few people in a 500-deal chunk.)
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})
OPTIONAL MATCH (s:Stakeholder)-[f:MEMBER_FACT]->(d)
WITH d, s, collect(f.packed) AS facts
RETURN 'members' AS part, d.id AS id, properties(d) AS deal, collect([s.packed, facts]) AS items
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
MATCH (s)-[l:INFLUENCE_FACT|REPORTS_FACT]->(:Stakeholder)
WITH s, collect(l.packed) AS facts
RETURN 'lines' AS part, null AS id, null AS deal, collect([s.id, facts]) AS items
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
WITH i.deal_id AS deal_id, collect([i.packed, i.stakeholder_ids, i.withdrawn_at]) AS interactions
RETURN 'interactions' AS part, deal_id AS id, null AS deal, interactions AS items
