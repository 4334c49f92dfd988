// The data-protection erasure of a person: every kept advice whose warm-path search read
// them (ADVICE_INPUT: the deals they sat on, and every deal whose paths could pass
// through them) is deleted, so no stored advice keeps their old name. It is computed
// again when next asked for, from the erased record.
MATCH (:Stakeholder {key: $key})-[:ADVICE_INPUT]->(a:DealAdvice)
DETACH DELETE a
RETURN count(*) AS forgotten
