// name: exposed_to
// description: Everyone exposed to a rival family on a date, best first, read from the derived exposures ("what does Meta's deal do to everyone?"): the organizations whose indirect competitor links (see indirect_links) lead to the family of the given organization.
// param: org_id organization (required) an organization of the rival family, e.g. "meta" (a member counts for its family's root)
// param: as_of date (default: today) only links holding on this date
// param: max_intermediaries int (default: 2) organizations allowed between the exposed organization and the rival's holding (0 to 3)
// param: limit int (default: 100) at most this many exposed organizations, best first
// label: org_id Rival
// label: as_of As of
// label: max_intermediaries Organizations allowed in between
// label: limit At most this many organizations
// returns: org_id, org (the exposed organization), org_is_lab, rival_id, rival, kind, holder, intermediaries, paths, score, since, until (null when open), explanation, sources
// example: :param org_id => 'meta'
// example: :param as_of => date('2025-06-15')
// example: :param max_intermediaries => 2
// example: :param limit => 100
WITH date($as_of) AS asOf, $max_intermediaries AS m
MATCH (s:DerivedState {name: 'exposure'})
// The family root of the organization asked about, on the date (itself when it has no owner).
OPTIONAL MATCH (f:FamilyMember {org_id: $org_id})
WHERE f.valid_from <= asOf < f.valid_to AND f.born <= s.generation < f.died
WITH s, asOf, m, coalesce(f.root_id, $org_id) AS rivalId
MATCH (e:Exposure {rival_id: rivalId}) USING INDEX e:Exposure(rival_id)
WHERE e.valid_from <= asOf < e.valid_to AND e.scores[m] > 0
  AND e.born <= s.generation < e.died
RETURN e.org_id AS org_id, e.org_name AS org, e.org_is_lab AS org_is_lab, e.rival_id AS rival_id, e.rival_name AS rival,
       e.kinds[m] AS kind, e.holders[m] AS holder,
       [x IN split(e.intermediaries[m], '\u001F') WHERE x <> ''] AS intermediaries,
       e.paths[m] AS paths, e.scores[m] AS score,
       CASE WHEN e.span_from[m] > date('0001-01-01') THEN e.span_from[m] END AS since,
       CASE WHEN e.span_to[m] < date('9999-12-31') THEN e.span_to[m] END AS until,
       e.explanations[m] AS explanation, split(e.sources[m], '\u001F') AS sources
ORDER BY score DESC, org
LIMIT $limit
