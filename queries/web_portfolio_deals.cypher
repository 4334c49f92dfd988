// The open deals of a workspace with their account's name: the portfolio page's
// columns that the analysis does not carry (account, stage, close date, currency).
MATCH (d:Deal {ws: $ws})
WHERE d.status = 'open'
OPTIONAL MATCH (a:Account {key: d.account_key})
RETURN d.id AS id, d.name AS name, d.account_id AS account_id, a.name AS account_name,
       d.owner_email AS owner_email, d.amount AS amount, d.currency AS currency,
       d.stage AS stage, d.close_date AS close_date
ORDER BY id
