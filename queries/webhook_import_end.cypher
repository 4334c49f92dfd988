// The import's event is recorded (or the import failed before writing): its record
// goes. A repeat finds nothing.
MATCH (i:WebhookImport {key: $key})
DELETE i
RETURN count(*) AS ended
