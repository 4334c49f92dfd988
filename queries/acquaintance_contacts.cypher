// Warm paths: which team members met which of $ids, on which deal, how often, up to
// $as_of (interactions of every deal of the workspace, but not those withdrawn by then).
MATCH (i:Interaction {ws: $ws})
WHERE i.at <= $as_of AND (i.withdrawn_at IS NULL OR i.withdrawn_at > $as_of)
UNWIND i.stakeholder_ids AS sid
WITH i, sid
WHERE sid IN $ids
UNWIND i.team_member_emails AS email
RETURN email, sid AS stakeholder_id, i.deal_id AS deal_id, count(*) AS meetings,
       max(i.at) AS last_at
