// name: concentration
// description: Supplier concentration: the organizations that the most labs buy from (direct SUPPLIES to an organization with the Lab label, valid on a date), ranked by the number of distinct labs they supply.
// param: as_of date (default: today) only supply relationships valid on this date
// param: limit int (default: 25) at most this many suppliers, the most depended-on first
// label: as_of As of
// label: limit At most this many suppliers
// returns: rank (1 + suppliers with more labs; ties share a rank), vendor_id, vendor, labs (distinct labs supplied), lab_share (labs / all labs in the graph), lab_names, services, deals (supply relationships counted), since (earliest known start among them), sources
// example: :param as_of => date('2025-06-15')
// example: :param limit => 25
// Counting is direct: a supplier of Google counts for Google only, not for Google DeepMind.
WITH date($as_of) AS asOf, COUNT { (:Lab) } AS allLabs
// Rank every supplier by the labs it supplies first (distinct supplier-lab pairs, then a count per
// supplier), then describe only the suppliers kept: a cloud that supplies thousands of labs is
// described once, and no per-supplier list is built for the suppliers left out.
MATCH (v:Organization)-[r:SUPPLIES]->(lab:Lab)
WHERE r.valid_from <= asOf < r.valid_to
WITH DISTINCT asOf, allLabs, v, lab
WITH asOf, allLabs, v, count(*) AS labs
ORDER BY labs DESC, v.name, v.id
LIMIT $limit
WITH asOf, allLabs, collect(v) AS vendors, collect(labs) AS counts
UNWIND range(0, size(vendors) - 1) AS i
WITH asOf, allLabs, counts, i, vendors[i] AS v, counts[i] AS labs
CALL (asOf, v) {
    MATCH (v)-[r:SUPPLIES]->(lab:Lab)
    WHERE r.valid_from <= asOf < r.valid_to
    WITH lab, r ORDER BY lab.name, lab.id
    RETURN collect(DISTINCT lab.name) AS labNames, count(r) AS deals,
           collect(DISTINCT r.service) AS serviceSet,
           min(r.since) AS first
}
RETURN 1 + size([c IN counts[..i] WHERE c > labs]) AS rank,
       v.id AS vendor_id, v.name AS vendor, labs,
       round(toFloat(labs) / allLabs, 3) AS lab_share,
       labNames AS lab_names, COLLECT { UNWIND serviceSet AS s RETURN s ORDER BY s } AS services, deals,
       // The earliest known start, as it was written ('2021' or '2021-03-04'), and the sources, each read
       // again in a subquery of its own: collecting the deals' dates and source lists in the one pass
       // above went over the 512 MiB transaction limit at 10^6 (top suppliers have 15,000 deals each).
       COLLECT { MATCH (v)-[r:SUPPLIES]->(:Lab)
                 WHERE r.since = first AND r.valid_from <= asOf < r.valid_to
                 RETURN r.since_text ORDER BY r.id LIMIT 1 }[0] AS since,
       COLLECT { MATCH (v)-[r:SUPPLIES]->(:Lab)
                 WHERE r.valid_from <= asOf < r.valid_to
                 UNWIND r.sources AS s RETURN DISTINCT s ORDER BY s } AS sources
ORDER BY i
