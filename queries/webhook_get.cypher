// One webhook subscription of a workspace by its key (deleted ones are gone).
MATCH (w:Webhook {key: $key})
WHERE w.deleted_at IS NULL
RETURN properties(w) AS props
