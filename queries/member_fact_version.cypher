// The MEMBER_FACT facts of one pair (a, b): their instants, sequence numbers and states, from
// which the pair's version tag (the greatest seq) and its state as last recorded are
// taken (store/pair_facts.py).
MATCH (a:Stakeholder {key: $source_key})-[f:MEMBER_FACT]->(b:Deal {key: $target_key})
RETURN f.at AS at, f.seq AS seq, f.state AS state
