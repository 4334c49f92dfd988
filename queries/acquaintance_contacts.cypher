// Warm paths: which team members met which of $ids, on which deal, how often and last,
// up to $as_of (interactions of every deal of the workspace, but not those withdrawn by
// then), and the first such interaction after $as_of (next_at; meetings 0 when all are
// after it): when the paths may change without a write. (A later withdrawal is a write:
// it marks the kept advice that read its people stale, see interaction_withdraw.)
MATCH (i:Interaction {ws: $ws})
WHERE i.withdrawn_at IS NULL OR i.withdrawn_at > $as_of
UNWIND i.stakeholder_ids AS sid
WITH i, sid
WHERE sid IN $ids
UNWIND i.team_member_emails AS email
RETURN email, sid AS stakeholder_id, i.deal_id AS deal_id,
       sum(CASE WHEN i.at <= $as_of THEN 1 ELSE 0 END) AS meetings,
       max(CASE WHEN i.at <= $as_of THEN i.at END) AS last_at,
       min(CASE WHEN i.at > $as_of THEN i.at END) AS next_at
