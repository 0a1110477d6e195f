// name: date_range
// description: The first and last dates on any relationship (the bounds of the app's as-of slider).
// returns: first, last
MATCH ()-[r]->() WHERE r.since IS NOT NULL OR r.until IS NOT NULL
RETURN min(coalesce(r.since, r.until)) AS first, max(coalesce(r.until, r.since)) AS last
