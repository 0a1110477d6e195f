// name: ownership
// description: An organization's direct and effective owners on a date, from the derived ownership facts: stakes (INVESTED_IN with a stake_percent) and family edges (SUBSIDIARY_OF, ACQUIRED_BY: 100%) multiplied along each chain of owners and summed over chains (50% of 60% is 30%), capped at 100%, chains of at most 4 edges.
// param: org_id organization (required) the organization owned, e.g. "scale-ai"
// param: as_of date (default: today) only stakes holding on this date
// param: limit int (default: 100) at most this many owners, largest first
// label: org_id Organization owned
// label: as_of As of
// label: limit At most this many owners
// returns: owner_id, owner, effective_percent, direct_percent (null when it holds only through others), chains (each chain of owners with its share), since, until (of this share; null when open), sources
// example: :param org_id => 'scale-ai'
// example: :param as_of => date('2025-06-15')
// example: :param limit => 100
WITH date($as_of) AS asOf
MATCH (s:DerivedState {name: 'exposure'})
MATCH (w:Ownership {owned_id: $org_id}) USING INDEX w:Ownership(owned_id)
WHERE w.valid_from <= asOf < w.valid_to
  AND w.born <= s.generation < w.died
RETURN w.owner_id AS owner_id, w.owner_name AS owner, w.effective_percent AS effective_percent,
       w.direct_percent AS direct_percent, w.chains AS chains,
       CASE WHEN w.valid_from > date('0001-01-01') THEN w.valid_from END AS since,
       CASE WHEN w.valid_to < date('9999-12-31') THEN w.valid_to END AS until,
       w.sources AS sources
ORDER BY effective_percent DESC, owner
LIMIT $limit
