// One note of the deal $deal_key by $key, when it is in effect now (not withdrawn).
MATCH (n:Note {key: $key})
WHERE n.deal_key = $deal_key AND n.withdrawn_at IS NULL
RETURN n.id AS id, n.stakeholder_id AS stakeholder_id, n.at AS at, n.by AS by,
       n.text AS text, n.withdrawn_at AS withdrawn_at, n.withdrawn_by AS withdrawn_by
