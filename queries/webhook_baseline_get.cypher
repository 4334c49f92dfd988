// Whether the worker has recorded a workspace's first evented states (its baseline:
// what was true before anyone subscribed raises no event).
MATCH (b:WebhookWorkspace {ws: $ws})
RETURN b.baseline_at AS baseline_at
