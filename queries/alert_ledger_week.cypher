// Every alert e-mail recorded for one workspace and ISO week (week_key = ws + week).
MATCH (e:AlertEmail {week_key: $week_key})
RETURN e.kind AS kind, e.recipient AS recipient, e.message_id AS message_id,
       e.status AS status, e.detail AS detail, e.sent_at AS sent_at,
       e.updated_at AS updated_at, e.deal_count AS deal_count
ORDER BY kind, recipient
