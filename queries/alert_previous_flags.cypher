// For each owner, the deals and flag codes of their latest e-mail sent before a week.
MATCH (e:AlertEmail {ws: $workspace})
WHERE e.kind = 'owner' AND e.status = 'sent' AND e.week_no < $week_no
WITH e
ORDER BY e.week_no DESC
WITH e.recipient AS owner, collect(e)[0] AS last
MATCH (f:AlertDealFlags {email_key: last.flags_key})
RETURN owner, last.week AS week, f.deal_id AS deal_id, f.deal_name AS deal_name,
       f.flag_codes AS flag_codes
ORDER BY owner, deal_id
