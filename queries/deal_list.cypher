// A page of a workspace's deals ordered by id, after the cursor id $after; the filters
// are optional (null matches all); $updated_since (epoch ms): changed since then.
MATCH (d:Deal {ws: $ws})
WHERE ($owner IS NULL OR d.owner_email = $owner)
  AND ($status IS NULL OR d.status = $status)
  AND ($account_id IS NULL OR d.account_id = $account_id)
  AND ($after IS NULL OR d.id > $after)
  AND ($updated_since IS NULL OR coalesce(d.changed_at, 0) >= $updated_since)
WITH d.id AS id, d
ORDER BY id
LIMIT $limit
RETURN id, properties(d) AS props
