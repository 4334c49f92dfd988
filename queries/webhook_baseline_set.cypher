// Mark a workspace's evented states as recorded (after the baseline was written).
MERGE (b:WebhookWorkspace {ws: $ws})
ON CREATE SET b.baseline_at = $now
RETURN b.baseline_at AS baseline_at
