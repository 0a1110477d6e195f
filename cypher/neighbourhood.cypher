// name: neighbourhood
// description: The relationships around one organization or person, up to 3 hops out, as they stood on a date (the app's network view).
// param: entity_id entity (required) the id of an organization or person, e.g. "scale-ai"
// param: hops int (default: 1) how far out to go (1 to 3)
// param: as_of date (default: today) only relationships valid on this date
// param: include_ended bool (default: false) also show relationships that had ended by as_of (never ones not yet started)
// param: limit int (default: 300) at most this many relationships, the most connected first
// label: entity_id Organization or person
// label: hops Hops out
// label: as_of As of
// label: include_ended Include ended relationships
// label: limit At most this many relationships
// returns: one row per relationship: from_id, from_name, from_labels, type, to_id, to_name, to_labels, status, since, until, sources, confidence, rel_id, total (relationships before the limit), props (the relationship's own terms, once: kind, title, round, stake_percent, amount, currency, service, quantity, unit, value; its caption and detail are worded from them by graph.wording)
// example: :param entity_id => 'scale-ai'
// example: :param hops => 1
// example: :param as_of => date('2025-06-15')
// example: :param include_ended => false
// example: :param limit => 300
OPTIONAL MATCH (org:Organization {id: $entity_id})
OPTIONAL MATCH (person:Person {id: $entity_id})
OPTIONAL MATCH (facility:Facility {id: $entity_id})
WITH coalesce(org, person, facility) AS focus, date($as_of) AS asOf
WHERE focus IS NOT NULL
// Rings of neighbours, each capped so that a hub cannot explode the view (the search stops at the cap).
CALL (focus, asOf) {
    MATCH (focus)-[r]-(n) WHERE (n:Organization OR n:Person OR n:Facility)
      AND r.valid_from <= asOf AND ($include_ended OR asOf < r.valid_to)
    WITH DISTINCT n LIMIT $limit
    RETURN collect(n) AS ring1
}
CALL (ring1, asOf) {
    UNWIND CASE WHEN $hops >= 2 THEN ring1 ELSE [] END AS m
    MATCH (m)-[r]-(n) WHERE (n:Organization OR n:Person OR n:Facility)
      AND r.valid_from <= asOf AND ($include_ended OR asOf < r.valid_to)
    WITH DISTINCT n LIMIT $limit
    RETURN collect(n) AS ring2
}
CALL (ring2, asOf) {
    UNWIND CASE WHEN $hops >= 3 THEN ring2 ELSE [] END AS m
    MATCH (m)-[r]-(n) WHERE (n:Organization OR n:Person OR n:Facility)
      AND r.valid_from <= asOf AND ($include_ended OR asOf < r.valid_to)
    WITH DISTINCT n LIMIT $limit
    RETURN collect(n) AS ring3
}
WITH asOf, [focus] + ring1 + ring2 + ring3 AS members
UNWIND members AS a
WITH asOf, members, a
MATCH (a)-[r]->(b) WHERE b IN members
WITH asOf, a, r, b WHERE type(r) <> 'SOURCED_FROM'
  AND r.valid_from <= asOf AND ($include_ended OR asOf < r.valid_to)
WITH DISTINCT a, r, b
WITH a, r, b, COUNT { (a)--() } + COUNT { (b)--() } AS weight
ORDER BY weight DESC, r.id
WITH collect({a: a, r: r, b: b}) AS all_rels
WITH all_rels, size(all_rels) AS total
UNWIND all_rels[..$limit] AS e
WITH e.a AS a, e.r AS r, e.b AS b, total
RETURN a.id AS from_id, a.name AS from_name, labels(a) AS from_labels, type(r) AS type,
       b.id AS to_id, b.name AS to_name, labels(b) AS to_labels,
       r.status AS status, r.since_text AS since, r.until_text AS until,
       r.sources AS sources, r.confidence AS confidence, r.id AS rel_id, total,
       r {.kind, .title, .round, .stake_percent, .amount, .currency, .service, .quantity, .unit, .value} AS props
