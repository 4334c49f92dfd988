// Every note about one person of workspace $ws (stakeholder $id), on any deal, withdrawn
// ones included (a subject-access export shows everything held), oldest first.
MATCH (n:Note {stakeholder_id: $id})
WHERE n.ws = $ws
MATCH (d:Deal {key: n.deal_key})
RETURN n.id AS id, d.id AS deal_id, n.stakeholder_id AS stakeholder_id, n.at AS at,
       n.by AS by, n.text AS text, n.withdrawn_at AS withdrawn_at,
       n.withdrawn_by AS withdrawn_by
ORDER BY n.at, n.id
