// name: entity_facts
// description: Everything recorded about one organization or person: each relationship with its dates, status, detail and sources (joined to their publisher, title, date and url).
// param: entity_id string (required) the id of an organization or person, e.g. "scale-ai"
// returns: one row per relationship: direction, type, other_id, other_name, other_labels, status, since, until, detail, amount, currency, stake_percent, note, confidence, rel_id, sources (list of {id, publisher, title, date, url})
// example: :param entity_id => 'scale-ai'
MATCH (e {id: $entity_id}) WHERE e:Organization OR e:Person OR e:Facility
MATCH (e)-[r]-(other) WHERE type(r) <> 'SOURCED_FROM'
CALL (r) {
    UNWIND coalesce(r.sources, []) AS source_id
    OPTIONAL MATCH (s:Source {id: source_id})
    RETURN collect({id: source_id, publisher: s.publisher, title: s.title, date: s.date_text, url: s.url}) AS sources
}
RETURN CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction, type(r) AS type,
       other.id AS other_id, other.name AS other_name, labels(other) AS other_labels,
       r.status AS status, r.since_text AS since, r.until_text AS until,
       r.detail AS detail,
       r.amount AS amount, r.currency AS currency, r.stake_percent AS stake_percent, r.note AS note,
       r.confidence AS confidence, r.id AS rel_id, sources
ORDER BY coalesce(r.since, r.until, date('1900-01-01')) DESC, type, other_name, rel_id
