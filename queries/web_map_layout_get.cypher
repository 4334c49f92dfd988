// The map layout kept for a deal (chosen layout and dragged positions as JSON).
MATCH (m:WebMapLayout {key: $key})
RETURN m.layout AS layout, m.positions AS positions
