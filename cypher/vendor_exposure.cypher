// name: vendor_exposure
// description: Exposure around one vendor on a date, in two sections told apart by `side`. side 'dependent': who depends on it (relation 'customer': it SUPPLIES them; 'partner': PARTNERS_WITH either way; 'investee': it INVESTED_IN them), one row per relationship. side 'holder': who holds it ('investor': INVESTED_IN it, one row per investment, with stake and amount; 'parent', 'acquirer' or 'owner': an organization above it through SUBSIDIARY_OF/ACQUIRED_BY, one row per owner, 'owner' when only through other members; 'leader elsewhere': one row per person and organization, for people who were (or still are) an executive, founder or board member of the vendor and hold a position at another organization on the date, which is the row's org).
// param: vendor_id organization (required) the vendor's organization id, e.g. "scale-ai"
// param: as_of date (default: today) only relationships valid on this date (for 'leader elsewhere', the role at the vendor started by this date and the other position is valid on it)
// param: limit int (default: 500) at most this many rows, dependents first
// label: vendor_id Vendor
// label: as_of As of
// label: limit At most this many rows
// returns: side, relation, org_id, org, person, detail, since, until, status, stake_percent, amount, currency, via (organizations or role between the vendor and the row's org), rel_ids, sources
// example: :param vendor_id => 'scale-ai'
// example: :param as_of => date('2025-06-15')
// example: :param limit => 500
MATCH (v:Organization {id: $vendor_id})
WITH v, date($as_of) AS asOf
CALL (v, asOf) {
    // Dependents: customers, partners, investees.
    MATCH (v)-[r:SUPPLIES|PARTNERS_WITH|INVESTED_IN]-(o)
    WHERE (o:Organization OR o:Facility) AND (r:PARTNERS_WITH OR startNode(r) = v)
      AND r.valid_from <= asOf < r.valid_to
    RETURN 'dependent' AS side,
           CASE type(r) WHEN 'SUPPLIES' THEN 'customer' WHEN 'PARTNERS_WITH' THEN 'partner' ELSE 'investee' END AS relation,
           o, null AS person,
           CASE type(r)
             WHEN 'SUPPLIES' THEN 'supplies ' + r.service
             WHEN 'PARTNERS_WITH' THEN r.kind + ' partnership' + CASE WHEN startNode(r) = v THEN '' ELSE ' (started by ' + o.name + ')' END
             ELSE 'invested' + CASE WHEN r.round IS NOT NULL THEN ' (' + r.round + ')' ELSE '' END
           END AS detail,
           r.since_text AS since, r.until_text AS until, r.status AS status,
           r.stake_percent AS stake_percent, r.amount AS amount, r.currency AS currency,
           [] AS via, [r.id] AS rel_ids, coalesce(r.sources, []) AS sources
  UNION
    // Investors in the vendor, one row per investment.
    MATCH (o:Organization)-[r:INVESTED_IN]->(v)
    WHERE r.valid_from <= asOf < r.valid_to
    RETURN 'holder' AS side, 'investor' AS relation, o, null AS person,
           'invested' + CASE WHEN r.round IS NOT NULL THEN ' (' + r.round + ')' ELSE '' END AS detail,
           r.since_text AS since, r.until_text AS until, r.status AS status,
           r.stake_percent AS stake_percent, r.amount AS amount, r.currency AS currency,
           [] AS via, [r.id] AS rel_ids, coalesce(r.sources, []) AS sources
  UNION
    // Owners: every organization above the vendor through family edges valid on asOf.
    MATCH p = (v)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE f.valid_from <= asOf < f.valid_to)+(o:Organization)
    WHERE o <> v
    WITH o, p ORDER BY length(p), [n IN nodes(p) | n.name], [r IN relationships(p) | type(r)]
    WITH o, collect(p) AS paths
    WITH o, paths, paths[0] AS best,
         [q IN paths WHERE length(q) = 1 | relationships(q)[0]] AS direct
    RETURN 'holder' AS side,
           CASE WHEN any(r IN direct WHERE r:SUBSIDIARY_OF) AND any(r IN direct WHERE r:ACQUIRED_BY) THEN 'parent and acquirer'
                WHEN any(r IN direct WHERE r:SUBSIDIARY_OF) THEN 'parent'
                WHEN size(direct) > 0 THEN 'acquirer'
                ELSE 'owner' END AS relation,
           o, null AS person,
           reduce(t = v.name, i IN range(0, length(best) - 1) |
                  t + CASE WHEN i > 0 THEN ', which' ELSE '' END
                    + CASE WHEN relationships(best)[i]:ACQUIRED_BY THEN ' was acquired by ' ELSE ' is part of ' END
                    + nodes(best)[i + 1].name
                    + CASE WHEN relationships(best)[i].since_text IS NOT NULL
                           THEN ' (since ' + relationships(best)[i].since_text + ')' ELSE '' END) AS detail,
           // The chain is complete from the latest known start along it.
           reduce(t = null, r IN relationships(best) |
                  CASE WHEN r.since IS NOT NULL AND (t IS NULL OR r.since > t.since) THEN r ELSE t END).since_text AS since,
           null AS until, last(relationships(best)).status AS status,
           null AS stake_percent,
           CASE WHEN length(best) = 1 THEN last(relationships(best)).amount END AS amount,
           CASE WHEN length(best) = 1 THEN last(relationships(best)).currency END AS currency,
           [n IN nodes(best)[1..-1] | n.name] AS via,
           COLLECT { UNWIND paths AS q UNWIND relationships(q) AS r RETURN DISTINCT r.id AS id ORDER BY id } AS rel_ids,
           COLLECT { UNWIND paths AS q UNWIND relationships(q) AS r UNWIND coalesce(r.sources, []) AS s
                     RETURN DISTINCT s ORDER BY s } AS sources
  UNION
    // People who led the vendor (then or still) and now hold a position at another organization.
    MATCH (person:Person)-[led:HOLDS_POSITION]->(v)
    WHERE led.kind IN ['executive', 'founder', 'board'] AND (led.since IS NULL OR led.since <= asOf)
    MATCH (person)-[now:HOLDS_POSITION]->(o:Organization)
    WHERE o <> v AND now.valid_from <= asOf < now.valid_to
    WITH person, o, led, now
    ORDER BY CASE led.kind WHEN 'executive' THEN 0 WHEN 'founder' THEN 1 ELSE 2 END, led.since, led.id,
             CASE now.kind WHEN 'executive' THEN 0 WHEN 'founder' THEN 1 WHEN 'board' THEN 2 ELSE 3 END, now.since, now.id
    WITH person, o, collect(DISTINCT led) AS leds, collect(DISTINCT now) AS nows
    WITH person, o, leds, nows, leds[0] AS top, nows[0] AS cur,
         all(l IN leds WHERE (l.until IS NOT NULL AND l.until <= asOf) OR l.status = 'ended') AS left
    RETURN 'holder' AS side, 'leader elsewhere' AS relation, o, person.name AS person,
           person.name + CASE WHEN left THEN ' was ' ELSE ' is ' END + coalesce(top.title, top.kind) + ' of ' + v.name
             + CASE WHEN top.since_text IS NOT NULL AND top.until_text IS NOT NULL THEN ' (' + top.since_text + ' to ' + top.until_text + ')'
                    WHEN top.since_text IS NOT NULL THEN ' (since ' + top.since_text + ')'
                    WHEN top.until_text IS NOT NULL THEN ' (until ' + top.until_text + ')' ELSE '' END
             + CASE WHEN left THEN '; now ' ELSE '; also ' END + coalesce(cur.title, cur.kind) + ' of ' + o.name
             + CASE WHEN cur.since_text IS NOT NULL THEN ' (since ' + cur.since_text + ')' ELSE '' END AS detail,
           cur.since_text AS since, cur.until_text AS until, cur.status AS status,
           null AS stake_percent, null AS amount, null AS currency,
           [l IN leds | coalesce(l.title, l.kind)] AS via,
           COLLECT { UNWIND leds + nows AS r RETURN r.id AS id ORDER BY id } AS rel_ids,
           COLLECT { UNWIND leds + nows AS r UNWIND coalesce(r.sources, []) AS s RETURN DISTINCT s ORDER BY s } AS sources
}
RETURN side, relation, o.id AS org_id, o.name AS org, person, detail, since, until, status,
       stake_percent, amount, currency, via, rel_ids, sources
ORDER BY side, relation, toLower(org), org_id, person, rel_ids
LIMIT $limit
