// Keep a deal's map layout; null keeps the stored part.
MERGE (m:WebMapLayout {key: $key})
SET m.layout = coalesce($layout, m.layout, 'network'),
    m.positions = coalesce($positions, m.positions, '{}'),
    m.updated_at = $now, m.updated_by = $by
RETURN m.layout AS layout, m.positions AS positions
