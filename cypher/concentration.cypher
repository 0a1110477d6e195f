// name: concentration
// description: Supplier concentration: the organizations that the most labs buy from (direct SUPPLIES to an organization with the Lab label, valid on a date), ranked by the number of distinct labs they supply.
// param: as_of date (default: today) only supply relationships valid on this date
// param: limit int (default: 25) at most this many suppliers, the most depended-on first
// returns: rank (1 + suppliers with more labs; ties share a rank), vendor_id, vendor, labs (distinct labs supplied), lab_share (labs / all labs in the graph), lab_names, services, deals (supply relationships counted), since (earliest known start among them), sources
// example: :param as_of => date('2025-06-15')
// example: :param limit => 25
// Counting is direct: a supplier of Google counts for Google only, not for Google DeepMind.
WITH date($as_of) AS asOf, COUNT { (:Lab) } AS allLabs
MATCH (v:Organization)-[r:SUPPLIES]->(lab:Lab)
WHERE (r.since IS NULL OR r.since <= asOf) AND (r.until IS NULL OR r.until > asOf)
  AND NOT (r.status = 'ended' AND r.until IS NULL)
WITH allLabs, v, lab, r
ORDER BY lab.name, lab.id, r.id
WITH allLabs, v,
     collect(DISTINCT lab.name) AS labNames,
     count(DISTINCT lab) AS labs,
     collect(r.service) AS serviceList,
     count(r) AS deals,
     reduce(m = null, x IN collect(r) | CASE WHEN x.since IS NOT NULL AND (m IS NULL OR x.since < m.since) THEN x ELSE m END).since_text AS firstSince,
     collect(r.sources) AS sourceLists
WITH allLabs, v, labs, labNames, deals, firstSince,
     reduce(s = [], x IN serviceList | CASE WHEN x IN s THEN s ELSE s + x END) AS services,
     reduce(s = [], l IN sourceLists | s + [x IN coalesce(l, []) WHERE NOT x IN s]) AS sources
ORDER BY labs DESC, v.name, v.id
WITH allLabs, collect({v: v, labs: labs, labNames: labNames, deals: deals, firstSince: firstSince,
                      services: services, sources: sources})[..$limit] AS ranked
UNWIND range(0, size(ranked) - 1) AS i
WITH allLabs, ranked, i, ranked[i] AS row
RETURN 1 + size([x IN ranked[..i] WHERE x.labs > row.labs]) AS rank,
       row.v.id AS vendor_id, row.v.name AS vendor, row.labs AS labs,
       round(toFloat(row.labs) / allLabs, 3) AS lab_share,
       row.labNames AS lab_names,
       COLLECT { UNWIND row.services AS s RETURN s ORDER BY s } AS services,
       row.deals AS deals, row.firstSince AS since,
       COLLECT { UNWIND row.sources AS s RETURN s ORDER BY s } AS sources
ORDER BY i
