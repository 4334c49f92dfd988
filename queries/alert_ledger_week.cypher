// Every alert e-mail recorded for one workspace and ISO week.
MATCH (e:AlertEmail {ws: $workspace, week: $week})
RETURN e.kind AS kind, e.recipient AS recipient, e.message_id AS message_id,
       e.status AS status, e.detail AS detail, e.sent_at AS sent_at,
       e.updated_at AS updated_at, e.deal_count AS deal_count
ORDER BY kind, recipient
