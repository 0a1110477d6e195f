// name: timeline
// description: Dated events of one organization or person, or of the whole graph: every relationship (positions included; SOURCED_FROM excluded) that touches it gives a 'started' event on its since date and an 'ended' event on its until date; unknown dates give no event. One row per event, oldest first.
// param: entity_id string (default: null) an organization's or a person's id, e.g. "scale-ai"; empty for the whole graph
// param: as_of date (default: today) only events dated on or before this date (a later date shows planned ends)
// param: limit int (default: 500) at most this many events, oldest first
// returns: date, date_text (as written: YYYY, YYYY-MM or YYYY-MM-DD), event ('started' or 'ended'), type, from_id, from_name, to_id, to_name, detail, status, rel_id, sources
// example: :param entity_id => 'scale-ai'
// example: :param as_of => date('2025-12-31')
// example: :param limit => 500
WITH date($as_of) AS asOf
// Whole graph, first pass: the relationships whose first event (since, or until when since is unknown) is
// earliest, a bounded top list (ordering every event of the graph by all the keys held them all in memory).
// A relationship's events never come before its first. So when at least `limit` of the kept ones start
// before the last kept start, every event up to the limit's last one is theirs, ties included, and the
// graph is not read again; otherwise the limit's last event falls on that last start, which bounds a
// second read. One entity's events are few: no cutoff (null).
CALL (asOf) {
    WITH 1 AS whole WHERE $entity_id IS NULL
    MATCH ()-[r]->()
    WHERE NOT r:SOURCED_FROM
    WITH r, CASE WHEN r.since <= asOf THEN r.since WHEN r.since IS NULL AND r.until <= asOf THEN r.until END AS first
    WHERE first IS NOT NULL
    WITH r, first ORDER BY first LIMIT 2 * $limit + 1
    RETURN collect(r) AS early, collect(first) AS firsts
}
WITH asOf, early, firsts,
     size(firsts) <= 2 * $limit OR size([d IN firsts WHERE d < last(firsts)]) >= $limit AS complete
WITH asOf, early, complete, CASE WHEN NOT complete THEN last(firsts) END AS lastDate
// Then the events up to that date, in the full order.
CALL (early, complete) {
    // One entity (an organization and a person may share an id): its relationships, each once.
    CALL () {
        MATCH (n:Organization {id: $entity_id}) RETURN n
      UNION
        MATCH (n:Person {id: $entity_id}) RETURN n
    }
    MATCH (n)-[r]-()
    WHERE NOT r:SOURCED_FROM
    RETURN DISTINCT r
  UNION ALL
    // The whole graph, from the first pass's list.
    WITH early WHERE $entity_id IS NULL AND complete
    UNWIND early AS r
    RETURN r
  UNION ALL
    // The whole graph when more relationships than the list holds start on the limit's last date: read again.
    WITH 1 AS whole WHERE $entity_id IS NULL AND NOT complete
    MATCH ()-[r]->()
    WHERE NOT r:SOURCED_FROM
    RETURN r
}
WITH asOf, lastDate, r, startNode(r) AS a, endNode(r) AS b
UNWIND [e IN [{event: 'started', date: r.since, text: r.since_text}, {event: 'ended', date: r.until, text: r.until_text}]
        WHERE e.date IS NOT NULL AND e.date <= asOf AND (lastDate IS NULL OR e.date <= lastDate)] AS e
RETURN e.date AS date, e.text AS date_text, e.event AS event, type(r) AS type,
       a.id AS from_id, a.name AS from_name, b.id AS to_id, b.name AS to_name,
       CASE type(r)
         WHEN 'HOLDS_POSITION' THEN coalesce(r.title, r.kind) + CASE WHEN r.title IS NOT NULL THEN ' (' + r.kind + ')' ELSE '' END
         WHEN 'INVESTED_IN' THEN coalesce(r.round, 'investment')
              + CASE WHEN r.stake_percent IS NOT NULL THEN ', ' + toString(CASE WHEN r.stake_percent = toInteger(r.stake_percent) THEN toInteger(r.stake_percent) ELSE r.stake_percent END) + '%' ELSE '' END
              + CASE WHEN r.amount IS NULL THEN ''
                     WHEN r.amount >= 1e9 THEN ', ' + coalesce(r.currency + ' ', '') + toString(round(r.amount / 1e9, 1)) + 'B'
                     ELSE ', ' + coalesce(r.currency + ' ', '') + toString(round(r.amount / 1e6, 1)) + 'M' END
         WHEN 'ACQUIRED_BY' THEN 'acquisition'
              + CASE WHEN r.amount IS NULL THEN ''
                     WHEN r.amount >= 1e9 THEN ', ' + coalesce(r.currency + ' ', '') + toString(round(r.amount / 1e9, 1)) + 'B'
                     ELSE ', ' + coalesce(r.currency + ' ', '') + toString(round(r.amount / 1e6, 1)) + 'M' END
         ELSE coalesce(r.service, r.kind, '')
       END AS detail,
       r.status AS status, r.id AS rel_id, coalesce(r.sources, []) AS sources
ORDER BY date, event, type, toLower(from_name), from_id, toLower(to_name), to_id, rel_id
LIMIT $limit
