// The signed facts of a deal, for its change log: membership facts, the influence and
// reporting facts of the people on it, and its interactions, each with who made it
// (by: a user, an API key's name, an import) and when it was recorded, and each
// withdrawal of an interaction (kind 'withdrawal', by whom and when), and the deal
// record's last change (kind 'deal': state = [stage, amount, currency, created?]).
// Unsigned facts (written before authors were kept) are left out.
MATCH (s:Stakeholder)-[f:MEMBER_FACT]->(:Deal {key: $deal_key})
WHERE f.by IS NOT NULL
RETURN 'member' AS kind, s.id AS source_id, null AS target_id, f.at AS at,
       f.recorded AS recorded, f.by AS by, f.state AS state
UNION ALL
MATCH (:Deal {key: $deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
MATCH (s)-[f:INFLUENCE_FACT]->(t:Stakeholder)
WHERE f.by IS NOT NULL
RETURN 'influence' AS kind, s.id AS source_id, t.id AS target_id, f.at AS at,
       f.recorded AS recorded, f.by AS by, f.state AS state
UNION ALL
MATCH (:Deal {key: $deal_key})<-[:MEMBER_FACT]-(s:Stakeholder)
WITH DISTINCT s
MATCH (s)-[f:REPORTS_FACT]->(t:Stakeholder)
WHERE f.by IS NOT NULL
RETURN 'reporting' AS kind, s.id AS source_id, t.id AS target_id, f.at AS at,
       f.recorded AS recorded, f.by AS by, f.state AS state
UNION ALL
MATCH (i:Interaction {deal_key: $deal_key})
WHERE i.recorded_by IS NOT NULL
RETURN 'interaction' AS kind, i.id AS source_id, null AS target_id, i.at AS at,
       coalesce(i.changed_at, i.at) AS recorded, i.recorded_by AS by, i.channel AS state
UNION ALL
MATCH (i:Interaction {deal_key: $deal_key})
WHERE i.withdrawn_by IS NOT NULL
RETURN 'withdrawal' AS kind, i.id AS source_id, null AS target_id, i.at AS at,
       i.withdrawn_at AS recorded, i.withdrawn_by AS by, i.channel AS state
UNION ALL
MATCH (d:Deal {key: $deal_key})
WHERE d.updated_by IS NOT NULL
RETURN 'deal' AS kind, d.id AS source_id, null AS target_id, d.changed_at AS at,
       d.changed_at AS recorded, d.updated_by AS by,
       [d.stage, d.amount, d.currency, d.created_at = d.changed_at] AS state
