// Forget a workspace's baseline when it has no active subscription left: the next
// first subscription starts from the deals as they are then, not from old states.
MATCH (b:WebhookWorkspace {ws: $ws})
DELETE b
RETURN count(*) AS cleared
