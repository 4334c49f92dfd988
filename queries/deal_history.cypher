// The history of each deal of $deal_keys up to $as_of, in one round trip (the as-of
// snapshot and the fleet scan both read through it). Three parts, told apart by `part`:
//   members       per deal (id = deal id, deal = its properties): items = one
//                 [id, account_id, name, title, email, facts] per stakeholder with a
//                 membership fact up to $as_of, facts = "at<$sep>seq<$sep>state" strings
//                 (state: the fact's full state as compact JSON);
//   lines         per such stakeholder (id = stakeholder id): items = their influence (I)
//                 and reporting (R) facts up to $as_of as
//                 "kind<$sep>at<$sep>seq<$sep>state<$sep>target_id" strings; the store
//                 keeps, per deal, those whose target sat on the same deal;
//   interactions  per deal (id = deal id): items = [id, at, channel, stakeholder_ids,
//                 team_member_emails, summary, next_step_at] up to $as_of.
// Facts travel as one string each because every value returned costs, and a fleet scan
// reads some 200 facts per deal; ids never contain $sep.
UNWIND $deal_keys AS deal_key
MATCH (d:Deal {key: deal_key})
OPTIONAL MATCH (s:Stakeholder)-[f:MEMBER_FACT]->(d)
WHERE f.at <= $as_of
WITH d, s, collect(toString(f.at) + $sep + toString(f.seq) + $sep + f.state) AS facts
WITH d, collect([s.id, s.account_id, s.name, s.title, s.email, facts]) AS members
RETURN 'members' AS part, d.id AS id, properties(d) AS deal, members AS items
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (:Deal {key: deal_key})<-[f:MEMBER_FACT]-(s:Stakeholder)
WHERE f.at <= $as_of
WITH DISTINCT s
MATCH (s)-[l:INFLUENCE_FACT|REPORTS_FACT]->(t:Stakeholder)
WHERE l.at <= $as_of
WITH s, collect(CASE type(l) WHEN 'REPORTS_FACT' THEN 'R' ELSE 'I' END + $sep +
                toString(l.at) + $sep + toString(l.seq) + $sep + l.state + $sep + t.id)
       AS facts
RETURN 'lines' AS part, s.id AS id, null AS deal, facts AS items
UNION ALL
UNWIND $deal_keys AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
WHERE i.at <= $as_of
WITH i.deal_id AS deal_id,
     collect([i.id, i.at, i.channel, i.stakeholder_ids, i.team_member_emails, i.summary,
              i.next_step_at]) AS interactions
RETURN 'interactions' AS part, deal_id AS id, null AS deal, interactions AS items
