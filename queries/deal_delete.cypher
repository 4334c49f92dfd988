// Delete a deal with what hangs only on it: its membership facts, its interactions
// (withdrawn ones too), the notes on its people and its kept analysis result and advice.
// A tombstone per deleted deal, interaction and note (changed_rev: this write's workspace
// revision) tells the changes feed.
MERGE (w:Workspace {ws: $ws})
SET w.lock = true
WITH w
SET w.rev = coalesce(w.rev, 0) + 1
WITH w.rev AS rev
MATCH (d:Deal {key: $key})
// Kept advice (warm paths) of other deals that read a person of its interactions is
// stale (wrev): those meetings no longer count. The key '' names nobody.
OPTIONAL MATCH (met:Interaction {deal_key: $key})
UNWIND [sid IN coalesce(met.stakeholder_ids, []) | $ws + $sep + sid + $sep] + [''] AS person_key
OPTIONAL MATCH (:Stakeholder {key: person_key})-[:ADVICE_INPUT]->(x)
FOREACH (y IN CASE WHEN x IS NULL THEN [] ELSE [x] END | SET y.wrev = rev)
WITH rev, d, count(x) AS marked
OPTIONAL MATCH (i:Interaction {deal_key: $key})
WITH rev, d, d.id AS deal_id, collect(i) AS interactions
// A withdrawn interaction goes too, but its tombstone was written when it was withdrawn.
WITH rev, d, deal_id, interactions,
     [x IN interactions WHERE x.withdrawn_at IS NULL | x.id] AS interaction_ids
FOREACH (x IN interactions | DETACH DELETE x)
WITH rev, d, deal_id, interaction_ids
OPTIONAL MATCH (n:Note {deal_key: $key})
WITH rev, d, deal_id, interaction_ids, collect(n) AS notes
// Likewise a withdrawn note's tombstone was written when it was withdrawn.
WITH rev, d, deal_id, interaction_ids, notes,
     [x IN notes WHERE x.withdrawn_at IS NULL | x.id] AS note_ids
FOREACH (x IN notes | DELETE x)
WITH rev, d, deal_id, interaction_ids, note_ids
OPTIONAL MATCH (r:DealResult {key: $key})
FOREACH (x IN CASE WHEN r IS NULL THEN [] ELSE [r] END | DELETE x)
WITH rev, d, deal_id, interaction_ids, note_ids
OPTIONAL MATCH (advice:DealAdvice {key: $key})
FOREACH (x IN CASE WHEN advice IS NULL THEN [] ELSE [advice] END | DETACH DELETE x)
WITH rev, d, deal_id, interaction_ids, note_ids
DETACH DELETE d
WITH rev, [['deal', deal_id]] + [x IN interaction_ids | ['interaction', x]] +
     [x IN note_ids | ['note', x]] AS gone
FOREACH (entry IN gone |
  MERGE (t:Tombstone {key: $ws + $sep + entry[0] + ':' + entry[1] + $sep})
  SET t.ws = $ws, t.entity = entry[0], t.id = entry[1], t.changed_rev = rev,
      t.changed_at = timestamp())
RETURN count(*) AS deleted
