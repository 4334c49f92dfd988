// The fingerprint (h) of every account, deal, stakeholder and interaction of a
// workspace, so that a large re-import writes only the records whose values changed.
// Deal and Interaction have a ws index; accounts and stakeholders are read by label.
MATCH (n:Account)
WHERE n.ws = $ws
RETURN 'account' AS kind, n.id AS id, n.h AS h
UNION ALL
MATCH (n:Deal {ws: $ws})
RETURN 'deal' AS kind, n.id AS id, n.h AS h
UNION ALL
MATCH (n:Stakeholder)
WHERE n.ws = $ws
RETURN 'stakeholder' AS kind, n.id AS id, n.h AS h
UNION ALL
MATCH (n:Interaction {ws: $ws})
RETURN 'interaction' AS kind, n.id AS id, n.h AS h
