// The workspaces whose evented states the worker keeps (those it has recorded a
// baseline for).
MATCH (b:WebhookWorkspace)
RETURN b.ws AS ws
