"""Deal maps: rendering lives in the top-level ``visual`` package; links and routes here."""
