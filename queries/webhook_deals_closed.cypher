// Of the deals that were evented open and are open no more (by key), those that still
// exist: a won or lost one raises deal.closed; one missing was deleted.
UNWIND $keys AS key
MATCH (d:Deal {key: key})
RETURN d.id AS id, properties(d) AS props
