// name: source_report
// description: What one publisher reported ("what did Reuters report"): every fact that cites one of its sources (relationships through their sources list, organizations and people through SOURCED_FROM), one row per fact, with the facts' own dates and the dates and titles of the publisher's sources behind them. The publisher matches case-insensitively.
// param: publisher publisher (required) the publisher's name, any case, e.g. "Reuters"
// param: limit int (default: 500) at most this many facts, newest reports first
// label: publisher Publisher
// label: limit At most this many facts
// returns: reported (date of the publisher's earliest source behind the fact), kind ('relationship', 'organization' or 'person'), fact, type, from_id, from_name, to_id, to_name, since, until, status, confidence, id, titles (the publisher's sources behind it, with dates), sources (their ids)
// example: :param publisher => 'Reuters'
// example: :param limit => 500
MATCH (s:Source)
WHERE toLower(trim(s.publisher)) = toLower(trim($publisher))
WITH collect(s) AS pubSources
CALL (pubSources) {
    // Relationships cite sources in a list property: the fact_sources index (and facility_fact_sources,
    // for the types that join organizations to facilities) finds the ones that cite each of the
    // publisher's sources, instead of reading every relationship's list.
    UNWIND pubSources AS s
    UNWIND ['fact_sources', 'facility_fact_sources'] AS index
    CALL db.index.fulltext.queryRelationships(index, '"' + s.id + '"') YIELD relationship AS r
    WITH r, collect(s) AS cited
    RETURN 'relationship' AS kind, type(r) AS type, startNode(r) AS a, endNode(r) AS b, r AS fact, cited
  UNION ALL
    UNWIND pubSources AS s
    MATCH (n)-[:SOURCED_FROM]->(s)
    WITH n, collect(s) AS cited
    RETURN CASE WHEN n:Person THEN 'person' WHEN n:Facility THEN 'facility' ELSE 'organization' END AS kind,
           CASE WHEN n:Person THEN 'Person' WHEN n:Facility THEN 'Facility' ELSE 'Organization' END AS type, n AS a, null AS b, n AS fact, cited
}
WITH kind, type, a, b, fact, cited,
     reduce(m = null, x IN cited | CASE WHEN m IS NULL OR x.date < m.date THEN x ELSE m END) AS first
RETURN first.date AS reported, kind,
       CASE kind
         WHEN 'relationship' THEN a.name + ' ' + type + ' ' + b.name
              + CASE WHEN coalesce(fact.service, fact.title, fact.kind, fact.round) IS NOT NULL
                     THEN ' (' + coalesce(fact.service, fact.title, fact.kind, fact.round) + ')' ELSE '' END
              + CASE WHEN fact.stake_percent IS NOT NULL
                     THEN ', ' + toString(CASE WHEN fact.stake_percent = toInteger(fact.stake_percent) THEN toInteger(fact.stake_percent) ELSE fact.stake_percent END) + '%' ELSE '' END
              + CASE WHEN fact.amount IS NULL THEN ''
                     WHEN fact.amount >= 1e9 THEN ', ' + coalesce(fact.currency + ' ', '') + toString(round(fact.amount / 1e9, 1)) + 'B'
                     ELSE ', ' + coalesce(fact.currency + ' ', '') + toString(round(fact.amount / 1e6, 1)) + 'M' END
         ELSE a.name + coalesce(': ' + a.description, '')
       END AS fact,
       type, a.id AS from_id, a.name AS from_name, b.id AS to_id, b.name AS to_name,
       CASE kind WHEN 'relationship' THEN fact.since_text END AS since,
       CASE kind WHEN 'relationship' THEN fact.until_text END AS until,
       CASE kind WHEN 'relationship' THEN fact.status END AS status,
       fact.confidence AS confidence, fact.id AS id,
       COLLECT { UNWIND cited AS x WITH x ORDER BY x.date, x.id RETURN x.date_text + ': ' + x.title } AS titles,
       COLLECT { UNWIND cited AS x WITH x ORDER BY x.date, x.id RETURN x.id } AS sources
ORDER BY reported DESC, kind DESC, toLower(fact), id
LIMIT $limit
