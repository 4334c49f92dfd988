// A page of a subscription's delivery log, newest attempt first, after the position
// ($after_at, $after_key) of the previous page (null: from the newest).
MATCH (a:WebhookAttempt {webhook_key: $webhook_key})
WHERE $after_at IS NULL OR a.at < $after_at OR (a.at = $after_at AND a.key < $after_key)
WITH a
ORDER BY a.at DESC, a.key DESC
LIMIT $limit
OPTIONAL MATCH (d:WebhookDelivery {key: a.delivery_key})
RETURN properties(a) AS props, d.status AS delivery_status
