// The notes of a deal in effect as of $as_of (written by then, not withdrawn by then),
// newest first.
MATCH (n:Note {deal_key: $deal_key})
WHERE n.at <= $as_of AND (n.withdrawn_at IS NULL OR n.withdrawn_at > $as_of)
RETURN n.id AS id, n.stakeholder_id AS stakeholder_id, n.at AS at, n.by AS by,
       n.text AS text
ORDER BY n.at DESC, n.id DESC
LIMIT $limit
