// Imports that started before $cutoff and are still recorded: their process died
// before recording their import.completed event. $wss: only these workspaces (null:
// every one).
MATCH (i:WebhookImport)
WHERE i.started_at < $cutoff AND ($wss IS NULL OR i.ws IN $wss)
RETURN i.key AS key, i.ws AS ws, i.event_id AS event_id, i.format AS format,
       i.started_at AS started_at
ORDER BY i.started_at
LIMIT $limit
