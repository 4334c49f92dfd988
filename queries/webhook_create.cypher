// Create a webhook subscription (a repeated write of the same id changes nothing).
// version counts the writes of its settings: the API's ETag.
MERGE (w:Webhook {key: $key})
ON CREATE SET w.ws = $ws, w.id = $id, w.url = $url, w.events = $events,
              w.secret = $secret, w.owner_email = $owner_email,
              w.description = $description, w.active = true, w.version = 1,
              w.created_at = $now, w.updated_at = $now, w.created_by = $created_by
RETURN properties(w) AS props
