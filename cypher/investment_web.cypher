// name: investment_web
// description: The investments around one organization on a date, in three sections told apart by `section`: 'investor' (who INVESTED_IN it), 'investee' (whom it INVESTED_IN), 'co-investor' (its investors' investments in its rivals). Rivals are organizations outside its corporate family that are labs when its family holds a lab, or that COMPETES_WITH a member of its family; the family is every organization sharing an owner with it through SUBSIDIARY_OF/ACQUIRED_BY edges valid on the date. One row per investment.
// param: org_id organization (required) the organization's id, e.g. "anthropic"
// param: as_of date (default: today) only relationships valid on this date
// param: limit int (default: 300) at most this many rows, investors first
// label: org_id Organization
// label: as_of As of
// label: limit At most this many investments
// returns: section, investor_id, investor, investee_id, investee, amount, currency, stake_percent, round, since, until, status, also (for a co-investor: what it holds in the organization itself), rel_id, sources
// example: :param org_id => 'anthropic'
// example: :param as_of => date('2025-12-01')
// example: :param limit => 300
MATCH (org:Organization {id: $org_id})
WITH org, date($as_of) AS asOf
CALL (org, asOf) {
    MATCH (org)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE f.valid_from <= asOf < f.valid_to)*(top)
    WITH DISTINCT top
    MATCH (member:Organization)(()-[g:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE g.valid_from <= asOf < g.valid_to)*(top)
    RETURN collect(DISTINCT member) AS family
}
// The family's rivals by a competes-with edge, found once: testing each candidate's own edges instead read
// every edge of the competitors that compete with thousands.
CALL (family, asOf) {
    UNWIND family AS m
    MATCH (m)-[c:COMPETES_WITH]-(x:Organization)
    WHERE c.valid_from <= asOf < c.valid_to
    RETURN collect(DISTINCT x) AS named
}
WITH org, family, named, any(m IN family WHERE m:Lab) AS familyHasLab, asOf
CALL (org, family, named, familyHasLab, asOf) {
    // The three sections cannot share a row (their ranks differ): UNION ALL streams them.
    MATCH (i:Organization)-[r:INVESTED_IN]->(org)
    WHERE r.valid_from <= asOf < r.valid_to
    RETURN 0 AS rank, 'investor' AS section, i, r, org AS t, [] AS also
  UNION ALL
    MATCH (org)-[r:INVESTED_IN]->(t)
    WHERE (t:Organization OR t:Facility) AND r.valid_from <= asOf < r.valid_to
    RETURN 1 AS rank, 'investee' AS section, org AS i, r, t, [] AS also
  UNION ALL
    MATCH (i:Organization)-[own:INVESTED_IN]->(org)
    WHERE own.valid_from <= asOf < own.valid_to
    // What the co-investor holds in the organization itself, in words: once per co-investor, not once per
    // investment of its (a fund's are thousands).
    WITH i, own ORDER BY own.since, own.id
    WITH i, collect(coalesce(own.round, 'investment')
                    + CASE WHEN own.stake_percent IS NOT NULL THEN ', ' + toString(CASE WHEN own.stake_percent = toInteger(own.stake_percent) THEN toInteger(own.stake_percent) ELSE own.stake_percent END) + '%' ELSE '' END
                    + CASE WHEN own.amount IS NULL THEN ''
                           WHEN own.amount >= 1e9 THEN ', ' + coalesce(own.currency + ' ', '') + toString(round(own.amount / 1e9, 1)) + 'B'
                           ELSE ', ' + coalesce(own.currency + ' ', '') + toString(round(own.amount / 1e6, 1)) + 'M' END
                    + CASE WHEN own.since_text IS NOT NULL THEN ' (' + own.since_text + ')' ELSE '' END) AS also
    MATCH (i)-[r:INVESTED_IN]->(t:Organization)
    WHERE NOT t IN family
      AND r.valid_from <= asOf < r.valid_to
      AND ((t:Lab AND familyHasLab) OR t IN named)
    RETURN 2 AS rank, 'co-investor' AS section, i, r, t, also
}
RETURN section, i.id AS investor_id, i.name AS investor, t.id AS investee_id, t.name AS investee,
       r.amount AS amount, r.currency AS currency, r.stake_percent AS stake_percent, r.round AS round,
       r.since_text AS since, r.until_text AS until, r.status AS status, also, r.id AS rel_id,
       coalesce(r.sources, []) AS sources
ORDER BY rank, toLower(investor), investor_id, toLower(investee), investee_id, r.since, rel_id
LIMIT $limit
