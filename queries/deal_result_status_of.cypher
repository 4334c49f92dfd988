// As deal_result_status.cypher, of the open deals among the given keys only: for a
// reader that knows which deals may have changed (the webhook worker's round after a
// write reads the deals written since the revision it last evented, not all of them).
UNWIND $keys AS key
MATCH (d:Deal {key: key})
WHERE d.status = 'open'
OPTIONAL MATCH (r:DealResult {key: d.key})
RETURN d.id AS id, coalesce(d.arev, 0) AS arev, r.rev AS rev, r.at AS at, r.due AS due,
       r.engine AS engine
