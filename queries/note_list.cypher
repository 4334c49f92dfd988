// The notes of a deal in effect as of $as_of (written by then, not withdrawn by then),
// newest first; only those on $stakeholder_id when it is not null.
MATCH (n:Note {deal_key: $deal_key})
WHERE n.at <= $as_of AND (n.withdrawn_at IS NULL OR n.withdrawn_at > $as_of)
  AND ($stakeholder_id IS NULL OR n.stakeholder_id = $stakeholder_id)
RETURN n.id AS id, n.stakeholder_id AS stakeholder_id, n.at AS at, n.by AS by,
       n.text AS text, n.withdrawn_at AS withdrawn_at, n.withdrawn_by AS withdrawn_by
ORDER BY n.at DESC, n.id DESC
LIMIT $limit
