// The workspaces with at least one active webhook subscription: those the delivery
// worker raises events for.
MATCH (w:Webhook)
WHERE w.active = true
RETURN DISTINCT w.ws AS ws
