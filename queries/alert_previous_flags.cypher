// For each owner, the deals and flag codes of their latest e-mail sent before a week.
MATCH (e:AlertEmail {ws: $workspace, kind: 'owner', status: 'sent'})
WHERE e.week_no < $week_no
WITH e.recipient AS owner, max(e.week_no) AS last_week_no
MATCH (f:AlertDealFlags {ws: $workspace, owner: owner, week_no: last_week_no})
RETURN owner, f.week AS week, f.deal_id AS deal_id, f.deal_name AS deal_name,
       f.flag_codes AS flag_codes
ORDER BY owner, deal_id
