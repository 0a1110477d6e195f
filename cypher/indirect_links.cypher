// name: indirect_links
// description: Indirect competitor links, ranked and explained, read from the derived exposures: A depends on X (X supplies A, partners with A, invested in A or A invested in X) and a rival's family holds X (owns it, invested in it, partners with it, or employs a person who led it), or the family that controls X backs a rival (vendor-side).
// param: org_id organization (default: null) the organization A to start from, e.g. "openai"; empty for every lab
// param: as_of date (default: today) only links holding on this date
// param: max_intermediaries int (default: 2) organizations allowed between A and the rival's holding (0 to 3)
// param: limit int (default: 50) at most this many links, best first
// label: org_id Organization
// label: as_of As of
// label: max_intermediaries Organizations allowed in between
// label: limit At most this many links
// returns: org_id, org, rival_id, rival, rival_labs, kind (control, stake, partnership, people or vendor-side), holder, intermediaries, paths (distinct first dependency and holder pairs), score, since and until (the link's interval around as_of; null when open), explanation, sources, path_nodes and path_relationships (the best chain)
// example: :param org_id => 'openai'
// example: :param as_of => date('2025-06-15')
// example: :param max_intermediaries => 2
// example: :param limit => 50
WITH date($as_of) AS asOf, $max_intermediaries AS m
MATCH (s:DerivedState {name: 'exposure'})
// One organization's links by its index, or every lab's; only the visible generation's pieces.
// Each branch seeks its index (a null key reads nothing), so one organization never scans every lab's.
CALL (s, asOf, m) {
    MATCH (e:Exposure {org_id: $org_id}) USING INDEX e:Exposure(org_id)
    WHERE e.valid_from <= asOf < e.valid_to AND e.scores[m] > 0
      AND e.born <= s.generation < e.died
    RETURN e
  UNION
    MATCH (e:Exposure) USING INDEX e:Exposure(lab_rank)
    WHERE e.lab_rank >= CASE WHEN $org_id IS NULL THEN 0 END AND e.valid_from <= asOf < e.valid_to AND e.scores[m] > 0
      AND e.born <= s.generation < e.died
    RETURN e
}
WITH e, m ORDER BY e.scores[m] DESC, e.org_name, e.rival_name LIMIT $limit
// The best chain, for drawing: its nodes ('o:' organizations, 'p:' people) and relationships.
CALL (e, m) {
    UNWIND split(e.best_nodes[m], '\u001F') AS ref
    OPTIONAL MATCH (o:Organization {id: substring(ref, 2)}) WHERE left(ref, 2) = 'o:'
    OPTIONAL MATCH (f:Facility {id: substring(ref, 2)}) WHERE left(ref, 2) = 'o:'
    OPTIONAL MATCH (p:Person {id: substring(ref, 2)}) WHERE left(ref, 2) = 'p:'
    RETURN collect(coalesce(o, f, p)) AS nodes
}
CALL (e, m, nodes) {
    UNWIND [x IN split(e.best_rels[m], '\u001F') WHERE x <> '' | split(x, '\u001E')] AS ref
    WITH ref, nodes[toInteger(ref[0])] AS x, nodes[toInteger(ref[1])] AS y
    MATCH (x)-[r]->(y) WHERE type(r) = ref[2] AND r.id = ref[3]
    RETURN collect(r) AS rels
}
RETURN e.org_id AS org_id, e.org_name AS org, e.rival_id AS rival_id, e.rival_name AS rival, e.rival_labs AS rival_labs,
       e.kinds[m] AS kind, e.holders[m] AS holder,
       [x IN split(e.intermediaries[m], '\u001F') WHERE x <> ''] AS intermediaries,
       e.paths[m] AS paths, e.scores[m] AS score,
       CASE WHEN e.span_from[m] > date('0001-01-01') THEN e.span_from[m] END AS since,
       CASE WHEN e.span_to[m] < date('9999-12-31') THEN e.span_to[m] END AS until,
       e.explanations[m] AS explanation, split(e.sources[m], '\u001F') AS sources,
       nodes AS path_nodes, rels AS path_relationships
ORDER BY score DESC, org, rival
