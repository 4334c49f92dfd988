// An import is about to write: record it, with the id its import.completed event will
// have, before its first write. The import removes the record once its event is
// recorded (webhook_import_end); a record its process left behind (it died between the
// import's writes and the event's) is turned into the event by the delivery worker.
MERGE (i:WebhookImport {key: $key})
ON CREATE SET i.ws = $ws, i.event_id = $event_id, i.format = $format,
              i.started_at = $now, i.holder = $holder
RETURN i.event_id AS event_id
