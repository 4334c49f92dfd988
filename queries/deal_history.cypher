// The history of each deal of $deal_keys up to $as_of, in one round trip (the as-of
// snapshot and the fleet scan both read through it). Three parts, told apart by `part`:
//   members       per deal (id = deal id, deal = its properties): items = one
//                 [person, facts] per stakeholder with a membership fact up to $as_of;
//                 person = their packed JSON [id, account_id, name, title, email],
//                 facts = their packed "at<sep>seq<sep>state" strings;
//   lines         per such stakeholder (id = stakeholder id): items = their influence (I)
//                 and reporting (R) facts up to $as_of, packed
//                 "kind<sep>at<sep>seq<sep>state<sep>target_id" strings; the store
//                 keeps, per deal, those whose target sat on the same deal;
//   interactions  per deal (id = deal id): items = [packed, stakeholder_ids] per
//                 interaction up to $as_of (not withdrawn by then), packed = JSON [id, at, channel,
//                 team_member_emails, summary, next_step_at].
// Everything travels as `packed` properties built when written (see the write queries
// and repository.py): every value returned costs, and a fleet scan reads some 300 per
// deal.
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})
OPTIONAL MATCH (s:Stakeholder)-[f:MEMBER_FACT]->(d)
WHERE f.at <= $as_of
WITH d, s, collect(f.packed) AS facts
WITH d, collect([s.packed, facts]) AS members
RETURN 'members' AS part, d.id AS id, properties(d) AS deal, members AS items
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[f:MEMBER_FACT]-(s:Stakeholder)
WHERE f.at <= $as_of
WITH DISTINCT s
MATCH (s)-[l:INFLUENCE_FACT|REPORTS_FACT]->(:Stakeholder)
WHERE l.at <= $as_of
WITH s, collect(l.packed) AS facts
RETURN 'lines' AS part, s.id AS id, null AS deal, facts AS items
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
WHERE i.at <= $as_of AND (i.withdrawn_at IS NULL OR i.withdrawn_at > $as_of)
WITH i.deal_id AS deal_id, collect([i.packed, i.stakeholder_ids]) AS interactions
RETURN 'interactions' AS part, deal_id AS id, null AS deal, interactions AS items
