// name: changes_between
// description: What changed in the graph between two dates: every relationship (positions included; SOURCED_FROM excluded) whose since date falls in the window gives a 'started' change, and whose until date falls in it an 'ended' change. Both ends are included; a partial date counts as the first day of its period ('2025-06' is 2025-06-01). One row per change, oldest first.
// param: from_date date (required) first day of the window, e.g. 2025-06-01
// param: to_date date (default: today) last day of the window
// param: limit int (default: 1000) at most this many changes, oldest first
// label: from_date From
// label: to_date To
// label: limit At most this many changes
// returns: date, date_text (as written), change ('started' or 'ended'), type, from_id, from_name, to_id, to_name, detail, status, rel_id, sources
// example: :param from_date => date('2025-06-01')
// example: :param to_date => date('2025-06-30')
// example: :param limit => 1000
WITH date($from_date) AS fromDate, date($to_date) AS toDate
CALL (fromDate, toDate) {
    MATCH (a)-[r]->(b)
    WHERE NOT r:SOURCED_FROM AND r.since >= fromDate AND r.since <= toDate
    RETURN 'started' AS change, r.since AS date, r.since_text AS date_text, r, a, b
  UNION ALL
    MATCH (a)-[r]->(b)
    WHERE NOT r:SOURCED_FROM AND r.until >= fromDate AND r.until <= toDate
    RETURN 'ended' AS change, r.until AS date, r.until_text AS date_text, r, a, b
}
RETURN date, date_text, change, type(r) AS type,
       a.id AS from_id, a.name AS from_name, b.id AS to_id, b.name AS to_name, r.detail AS detail,
       r.status AS status, r.id AS rel_id, coalesce(r.sources, []) AS sources
ORDER BY date, change, type, toLower(from_name), from_id, toLower(to_name), to_id, rel_id
LIMIT $limit
