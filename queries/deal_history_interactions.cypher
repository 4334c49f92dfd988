// The interactions of each deal of $deal_keys up to $as_of, oldest first.
UNWIND $deal_keys AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
WHERE i.at <= $as_of
RETURN i.deal_id AS deal_id, i.id AS id, i.at AS at, i.channel AS channel,
       i.stakeholder_ids AS stakeholder_ids, i.team_member_emails AS team_member_emails,
       i.summary AS summary, i.next_step_at AS next_step_at
ORDER BY at, id
