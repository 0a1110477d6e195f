// name: shared_vendors
// description: Suppliers two organizations share on a date: every organization with a valid SUPPLIES to a member of A's corporate family and one to a member of B's. A family is the organization plus every organization that shares an owner with it (or owns it, or is owned by it) through SUBSIDIARY_OF/ACQUIRED_BY edges valid on the date, so a supplier of Google counts for Google DeepMind; supplies to the family members are direct SUPPLIES only.
// param: lab_a organization (required) the first organization's id, e.g. "openai"
// param: lab_b organization (required) the second organization's id, e.g. "google"
// param: as_of date (default: today) only relationships valid on this date
// param: limit int (default: 100) at most this many suppliers, the most shared first
// label: lab_a First organization
// label: lab_b Second organization
// label: as_of As of
// label: limit At most this many suppliers
// returns: vendor_id, vendor, services (all services to either side), customers_a (members of A's family it supplies), customers_b, deals_a (one phrase per supply: its terms in words, with dates and status), deals_b, since (earliest known start among them), rel_ids, sources
// example: :param lab_a => 'openai'
// example: :param lab_b => 'google'
// example: :param as_of => date('2025-06-01')
// example: :param limit => 100
MATCH (a:Organization {id: $lab_a}), (b:Organization {id: $lab_b})
WITH a, b, date($as_of) AS asOf
// Each side's family: organizations with an owner in common with it (0 hops up counts: itself).
UNWIND [{side: 'a', org: a}, {side: 'b', org: b}] AS lab
CALL (lab, asOf) {
    WITH lab.org AS org
    MATCH (org)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE f.valid_from <= asOf < f.valid_to)*(top)
    WITH DISTINCT top
    MATCH (member:Organization)(()-[g:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE g.valid_from <= asOf < g.valid_to)*(top)
    RETURN collect(DISTINCT member) AS family
}
WITH asOf, collect({side: lab.side, family: family}) AS families
WITH asOf, [x IN families WHERE x.side = 'a'][0].family AS familyA, [x IN families WHERE x.side = 'b'][0].family AS familyB
// B's suppliers, read from B's side once (a few per family member): testing each of A's suppliers for
// a supply to B instead read every supply of the large vendors, tens of thousands each.
CALL (familyB, asOf) {
    UNWIND familyB AS cb
    CALL (cb, asOf) {
        MATCH (v:Organization)-[r:SUPPLIES]->(cb) WHERE r.valid_from <= asOf < r.valid_to RETURN v, r
      UNION
        MATCH (cb)-[r:USES]->(v:Facility) WHERE r.valid_from <= asOf < r.valid_to RETURN v, r
    }
    WITH v, collect({c: cb, r: r}) AS toB
    RETURN collect({v: v, toB: toB}) AS suppliersB
}
UNWIND familyA AS ca
CALL (ca, asOf) {
    MATCH (v:Organization)-[r:SUPPLIES]->(ca) WHERE r.valid_from <= asOf < r.valid_to RETURN v, r
  UNION
    MATCH (ca)-[r:USES]->(v:Facility) WHERE r.valid_from <= asOf < r.valid_to RETURN v, r
}
WITH suppliersB, v, collect({c: ca, r: r}) AS toA
WITH v, toA, [s IN suppliersB WHERE s.v = v | s.toB] AS matched
WHERE size(matched) > 0
WITH v, toA, matched[0] AS toB
WITH v, toA, toB, [d IN toA + toB | d.r] AS rels,
     // One phrase per supply, each side's in customer, start and id order: its terms in words (`detail`).
     COLLECT { UNWIND [d IN toA | d {.*, side: 'a'}] + [d IN toB | d {.*, side: 'b'}] AS d
               WITH d.side AS side, d.c AS c, d.r AS r ORDER BY c.name, r.since, r.id
               RETURN {side: side, phrase: CASE WHEN type(r) = 'USES' THEN c.name + ' uses it'
                                                WHEN r.detail <> '' THEN r.detail + ' to ' + c.name
                                                ELSE r.service + ' to ' + c.name END
                 + CASE WHEN r.since_text IS NOT NULL AND r.until_text IS NOT NULL THEN ' (' + r.since_text + ' to ' + r.until_text + ')'
                        WHEN r.since_text IS NOT NULL THEN ' (since ' + r.since_text + ')'
                        WHEN r.until_text IS NOT NULL THEN ' (until ' + r.until_text + ')' ELSE '' END
                 + CASE WHEN r.status = 'unknown' THEN ' [status unknown]'
                        WHEN r.status <> 'active' THEN ' [' + r.status + ']' ELSE '' END} } AS deals
RETURN v.id AS vendor_id, v.name AS vendor,
       COLLECT { UNWIND rels AS r WITH r WHERE r.service IS NOT NULL RETURN DISTINCT r.service AS s ORDER BY s } AS services,
       COLLECT { UNWIND toA AS d RETURN DISTINCT d.c.name AS n ORDER BY n } AS customers_a,
       COLLECT { UNWIND toB AS d RETURN DISTINCT d.c.name AS n ORDER BY n } AS customers_b,
       [d IN deals WHERE d.side = 'a' | d.phrase] AS deals_a, [d IN deals WHERE d.side = 'b' | d.phrase] AS deals_b,
       reduce(m = null, r IN rels | CASE WHEN r.since IS NOT NULL AND (m IS NULL OR r.since < m.since) THEN r ELSE m END).since_text AS since,
       COLLECT { UNWIND rels AS r RETURN DISTINCT r.id AS id ORDER BY id } AS rel_ids,
       COLLECT { UNWIND rels AS r UNWIND coalesce(r.sources, []) AS s RETURN DISTINCT s ORDER BY s } AS sources
ORDER BY size(customers_a) + size(customers_b) DESC, toLower(vendor), vendor_id
LIMIT $limit
