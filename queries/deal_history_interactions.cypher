// The interactions of each deal of $deal_keys up to $as_of (and not withdrawn by then,
// see interaction_withdraw.cypher), oldest first; packed is the
// JSON [id, at, channel, team_member_emails, summary, next_step_at].
UNWIND $deal_keys AS deal_key
MATCH (i:Interaction {deal_key: deal_key})
WHERE i.at <= $as_of AND (i.withdrawn_at IS NULL OR i.withdrawn_at > $as_of)
RETURN i.deal_id AS deal_id, i.packed AS packed, i.stakeholder_ids AS stakeholder_ids
ORDER BY i.at, i.id
