// name: timeline
// description: Dated events of one organization or person, or of the whole graph: every relationship (positions included; SOURCED_FROM excluded) that touches it gives a 'started' event on its since date and an 'ended' event on its until date; unknown dates give no event. One row per event, oldest first.
// param: entity_id entity (default: null) an organization's or a person's id, e.g. "scale-ai"; empty for the whole graph
// param: as_of date (default: today) only events dated on or before this date (a later date shows planned ends)
// param: limit int (default: 500) at most this many events, oldest first
// label: entity_id Organization or person
// label: as_of Up to
// label: limit At most this many events
// returns: date, date_text (as written: YYYY, YYYY-MM or YYYY-MM-DD), event ('started' or 'ended'), type, from_id, from_name, to_id, to_name, detail, status, rel_id, sources
// example: :param entity_id => 'scale-ai'
// example: :param as_of => date('2025-12-31')
// example: :param limit => 500
WITH date($as_of) AS asOf
// Whole graph, first pass: the date by which `limit` relationships have had their first event (since, or until
// when since is unknown). A relationship's events never come before its first, so the `limit` earliest events
// all fall on or before that date, and only relationships that start by then can have them (with fewer first
// events than the limit, every relationship may have one of them: no cutoff). Only the date is
// kept: a list of relationships carried into every row of the second pass counted against the transaction's
// memory once per row. One entity's events are few: no cutoff (null).
CALL (asOf) {
    WITH 1 AS whole WHERE $entity_id IS NULL
    MATCH ()-[r]->()
    WHERE NOT r:SOURCED_FROM
    WITH CASE WHEN r.since <= asOf THEN r.since WHEN r.since IS NULL AND r.until <= asOf THEN r.until END AS first
    WHERE first IS NOT NULL
    WITH first ORDER BY first LIMIT $limit
    // Fewer first events than the limit: no cutoff, since later end events may still be within it.
    RETURN CASE WHEN count(first) = $limit THEN max(first) END AS lastDate, count(first) AS starts
}
// Then the events up to that date, in the full order.
CALL (asOf, lastDate, starts) {
    // One entity (an organization and a person may share an id): its relationships, each once.
    CALL () {
        MATCH (n:Organization {id: $entity_id}) RETURN n
      UNION
        MATCH (n:Person {id: $entity_id}) RETURN n
      UNION
        MATCH (n:Facility {id: $entity_id}) RETURN n
    }
    MATCH (n)-[r]-()
    WHERE NOT r:SOURCED_FROM
    RETURN DISTINCT r
  UNION ALL
    // The whole graph, read again when anything started by as_of: only relationships that start by the cutoff
    // (ties on it included) are kept, so their other dates are read for these few only.
    WITH coalesce(lastDate, asOf) AS cutoff WHERE $entity_id IS NULL AND starts > 0
    MATCH ()-[r]->()
    WHERE NOT r:SOURCED_FROM AND (r.since <= cutoff OR (r.since IS NULL AND r.until <= cutoff))
    RETURN r
}
WITH asOf, lastDate, r, startNode(r) AS a, endNode(r) AS b
UNWIND [e IN [{event: 'started', date: r.since, text: r.since_text}, {event: 'ended', date: r.until, text: r.until_text}]
        WHERE e.date IS NOT NULL AND e.date <= asOf AND (lastDate IS NULL OR e.date <= lastDate)] AS e
RETURN e.date AS date, e.text AS date_text, e.event AS event, type(r) AS type,
       a.id AS from_id, a.name AS from_name, b.id AS to_id, b.name AS to_name, r.detail AS detail,
       r.status AS status, r.id AS rel_id, coalesce(r.sources, []) AS sources
ORDER BY date, event, type, toLower(from_name), from_id, toLower(to_name), to_id, rel_id
LIMIT $limit
