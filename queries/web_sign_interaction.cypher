// Sign an interaction logged on the deal page with its author (the web user's e-mail).
MATCH (i:Interaction {key: $key})
SET i.recorded_by = coalesce(i.recorded_by, $by)
RETURN count(i) AS signed
