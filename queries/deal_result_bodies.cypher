// The kept result bodies (JSON) of the deals whose keys are given, with the revision and
// instants they belong to (a reader checks them against what it decided was fresh).
UNWIND $keys AS key
MATCH (r:DealResult {key: key})
RETURN r.key AS key, r.rev AS rev, r.at AS at, r.due AS due, r.engine AS engine,
       r.body AS body
