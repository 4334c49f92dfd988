// The fingerprint (h) of every account, deal, stakeholder and interaction of a
// workspace, so that a large re-import writes only the records whose values changed.
// One string per node, "kind<$sep>id<$sep>h" (a re-import reads some 500,000).
// A withdrawn interaction is no record any more (a re-import writes it anew).
// Deal and Interaction have a ws index; accounts and stakeholders are read by label.
MATCH (n:Account)
WHERE n.ws = $ws
RETURN 'account' + $sep + n.id + $sep + n.h AS node
UNION ALL
MATCH (n:Deal {ws: $ws})
RETURN 'deal' + $sep + n.id + $sep + n.h AS node
UNION ALL
MATCH (n:Stakeholder)
WHERE n.ws = $ws
RETURN 'stakeholder' + $sep + n.id + $sep + n.h AS node
UNION ALL
MATCH (n:Interaction {ws: $ws})
WHERE n.withdrawn_at IS NULL
RETURN 'interaction' + $sep + n.id + $sep + n.h AS node
