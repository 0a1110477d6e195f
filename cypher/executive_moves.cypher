// name: executive_moves
// description: People who held a position at one organization and later started one at another, by a date: one row per person and (from, to) pair. A position at the first organization counts when it started before the new one (or, start unknown, ended by the time the new one started); 'moved' when every such position had ended by the new start, 'overlapping' when one was still held.
// param: org_id organization (default: null) only moves from or to this organization's id, e.g. "scale-ai"; empty for every move
// param: as_of date (default: today) only moves whose new position started on or before this date
// param: limit int (default: 200) at most this many moves, the most recent first
// label: org_id Organization
// label: as_of As of
// label: limit At most this many moves
// returns: person_id, person, from_id, from_org, from_titles, from_since, from_until (empty while one is still held), to_id, to_org, to_titles, to_since, move ('moved' or 'overlapping'), rel_ids, sources
// example: :param org_id => 'scale-ai'
// example: :param as_of => date('2025-12-31')
// example: :param limit => 200
WITH date($as_of) AS asOf
// The people to look at: those who held a position at the organization (found from its id, through
// the index), or everyone when no organization is given.
CALL () {
    MATCH (:Organization {id: $org_id})<-[:HOLDS_POSITION]-(p:Person)
    RETURN DISTINCT p
  UNION
    MATCH (p:Person) WHERE $org_id IS NULL
    RETURN p
}
MATCH (p)-[r2:HOLDS_POSITION]->(b:Organization)
WHERE r2.since IS NOT NULL AND r2.since <= asOf
MATCH (p)-[r1:HOLDS_POSITION]->(a:Organization)
WHERE a <> b
  AND ($org_id IS NULL OR a.id = $org_id OR b.id = $org_id)
  AND ((r1.since IS NOT NULL AND r1.since < r2.since)
       OR (r1.since IS NULL AND r1.until IS NOT NULL AND r1.until <= r2.since))
// The move's date: the first start at the new organization after a start at the old one.
WITH p, a, b, min(r2.since) AS toSince, collect(DISTINCT r2) AS tos
// Only the moves kept are described (their old positions read again): the most recent first.
ORDER BY toSince DESC, toLower(p.name), p.id, toLower(a.name), a.id, b.id
LIMIT $limit
// The old organization's positions held before that date.
CALL (p, a, toSince) {
    MATCH (p)-[r1:HOLDS_POSITION]->(a)
    WHERE (r1.since IS NOT NULL AND r1.since < toSince) OR (r1.since IS NULL AND r1.until IS NOT NULL AND r1.until <= toSince)
    WITH r1 ORDER BY r1.since, r1.id
    RETURN collect(r1) AS froms
}
WITH p, a, b, froms, tos, toSince,
     [r IN froms WHERE (r.until IS NULL AND r.status <> 'ended') OR r.until > toSince] AS stillHeld
RETURN p.id AS person_id, p.name AS person,
       a.id AS from_id, a.name AS from_org,
       COLLECT { UNWIND froms AS r RETURN DISTINCT coalesce(r.title, r.kind) AS t } AS from_titles,
       reduce(m = null, r IN froms | CASE WHEN r.since IS NOT NULL AND (m IS NULL OR r.since < m.since) THEN r ELSE m END).since_text AS from_since,
       CASE WHEN size([r IN froms WHERE r.until IS NULL]) > 0 THEN null
            ELSE reduce(m = null, r IN froms | CASE WHEN m IS NULL OR r.until > m.until THEN r ELSE m END).until_text END AS from_until,
       b.id AS to_id, b.name AS to_org,
       COLLECT { UNWIND tos AS r WITH r ORDER BY r.since, r.id RETURN DISTINCT coalesce(r.title, r.kind) AS t } AS to_titles,
       [r IN tos WHERE r.since = toSince][0].since_text AS to_since,
       CASE WHEN size(stillHeld) > 0 THEN 'overlapping' ELSE 'moved' END AS move,
       COLLECT { UNWIND froms + tos AS r RETURN DISTINCT r.id AS id ORDER BY id } AS rel_ids,
       COLLECT { UNWIND froms + tos AS r UNWIND coalesce(r.sources, []) AS s RETURN DISTINCT s ORDER BY s } AS sources
ORDER BY toSince DESC, toLower(person), person_id, toLower(from_org), from_id, to_id
LIMIT $limit
