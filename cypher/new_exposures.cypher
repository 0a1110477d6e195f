// name: new_exposures
// description: Indirect competitor links that started or ended between two dates (both included), for one organization or every organization, newest first, each with the facts that made it start or end; read from the derived exposures. A link starts on the first day it holds after a day it did not, and ends on the first day it no longer holds.
// param: org_id organization (default: null) only links from this organization, e.g. "openai"; empty for every organization
// param: from_date date (required) first day of the window, e.g. 2025-06-01
// param: to_date date (default: today) last day of the window
// param: max_intermediaries int (default: 2) organizations allowed between A and the rival's holding (0 to 3)
// param: limit int (default: 500) at most this many changes, newest first
// label: org_id Organization
// label: from_date From
// label: to_date To
// label: max_intermediaries Organizations allowed in between
// label: limit At most this many changes
// returns: date, change ('started' or 'ended'), org_id, org, rival_id, rival, kind, score (while it held), cause (the facts that started or ended on that date), explanation (the link as it stood), sources
// example: :param org_id => 'openai'
// example: :param from_date => date('2025-06-01')
// example: :param to_date => date('2025-06-30')
// example: :param max_intermediaries => 2
// example: :param limit => 500
WITH date($from_date) AS fromDate, date($to_date) AS toDate, $max_intermediaries AS m
MATCH (s:DerivedState {name: 'exposure'})
// One organization's pieces by its index; else those that start or end a link in the window, by date.
CALL (fromDate, toDate, m) {
    MATCH (e:Exposure {org_id: $org_id}) USING INDEX e:Exposure(org_id)
    WHERE fromDate <= e.valid_from <= toDate OR fromDate <= e.valid_to <= toDate
    RETURN e
  UNION
    MATCH (e:Exposure) USING INDEX e:Exposure(valid_from)
    WHERE CASE WHEN $org_id IS NULL THEN fromDate END <= e.valid_from <= toDate AND e.opens[m]
    RETURN e
  UNION
    MATCH (e:Exposure) USING INDEX e:Exposure(valid_to)
    WHERE CASE WHEN $org_id IS NULL THEN fromDate END <= e.valid_to <= toDate AND e.closes[m]
    RETURN e
}
WITH e, fromDate, toDate, m, s WHERE e.born <= s.generation < e.died
// A piece that opens a link's span starts it; one that closes it ends it on its valid_to.
UNWIND [c IN [['started', e.valid_from, e.opens[m]], ['ended', e.valid_to, e.closes[m]]]
        WHERE c[2] AND fromDate <= c[1] <= toDate] AS c
WITH e, m, c[0] AS change, c[1] AS date
RETURN date, change, e.org_id AS org_id, e.org_name AS org, e.rival_id AS rival_id, e.rival_name AS rival,
       e.kinds[m] AS kind, e.scores[m] AS score,
       CASE change WHEN 'started' THEN e.open_causes[m] ELSE e.close_causes[m] END AS cause,
       e.explanations[m] AS explanation, split(e.sources[m], '\u001F') AS sources
ORDER BY date DESC, change DESC, score DESC, org, rival
LIMIT $limit
