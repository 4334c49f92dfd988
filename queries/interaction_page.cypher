// A page of one deal's interactions up to $as_of, oldest first (by at, then id), after
// the position ($after_at, $after_id) of the previous page (null: from the start);
// $updated_since (epoch ms, optional): only those written since then. One withdrawn by
// $as_of is left out (see interaction_withdraw.cypher).
MATCH (i:Interaction {deal_key: $deal_key})
WHERE i.at <= $as_of AND (i.withdrawn_at IS NULL OR i.withdrawn_at > $as_of)
  AND ($updated_since IS NULL OR coalesce(i.changed_at, 0) >= $updated_since)
  AND ($after_at IS NULL OR i.at > $after_at OR (i.at = $after_at AND i.id > $after_id))
WITH i.at AS at, i.id AS id, i
ORDER BY at, id
LIMIT $limit
RETURN properties(i) AS props
