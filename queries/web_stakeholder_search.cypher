// People of a workspace whose name contains $text (case-insensitive): "add someone
// already known" on the deal page. At most $limit, by name.
MATCH (s:Stakeholder {ws: $ws})
WHERE toLower(s.name) CONTAINS $text
RETURN s.id AS id, s.name AS name, s.title AS title, s.account_id AS account_id
ORDER BY name, id
LIMIT $limit
