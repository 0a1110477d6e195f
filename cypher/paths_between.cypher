// name: paths_between
// description: How two entities (organizations or people) are connected on a date: every shortest path between them (next-shortest paths are left out: near hubs, finding them meant walking most of a large graph), at most max_hops relationships long, over relationships of any type but SOURCED_FROM that are valid on the date, in either direction, never visiting a node twice. One row per route (sequence of nodes), parallel relationships folded together; shortest first.
// param: from_id entity (required) an organization's or a person's id, e.g. "openai"
// param: to_id entity (required) an organization's or a person's id, e.g. "meta"
// param: as_of date (default: today) only relationships valid on this date
// param: max_hops int (default: 4) at most this many relationships per path (1 to 6)
// param: limit int (default: 25) at most this many paths
// label: from_id From
// label: to_id To
// label: as_of As of
// label: max_hops At most this many hops
// label: limit At most this many paths
// returns: hops, chain (names joined by -TYPE-> / <-TYPE- arrows; {...} lists parallel relationships), names, types (per hop, '|'-joined), paths (paths folded into this route), steps (one phrase per relationship with its dates and status), sources, path (one of the route's paths)
// example: :param from_id => 'openai'
// example: :param to_id => 'meta'
// example: :param as_of => date('2025-06-15')
// example: :param max_hops => 4
// example: :param limit => 25
CALL () {
    MATCH (n:Organization {id: $from_id}) RETURN n AS a
  UNION
    MATCH (n:Person {id: $from_id}) RETURN n AS a
  UNION
    MATCH (n:Facility {id: $from_id}) RETURN n AS a
}
CALL () {
    MATCH (n:Organization {id: $to_id}) RETURN n AS b
  UNION
    MATCH (n:Person {id: $to_id}) RETURN n AS b
  UNION
    MATCH (n:Facility {id: $to_id}) RETURN n AS b
}
WITH a, b, date($as_of) AS asOf
WHERE a <> b
// Shortest paths only, found by allShortestPaths: a search from both ends at once that tests each relationship's
// dates as it goes. On a 10^6 graph, the GQL form (ALL SHORTEST with a quantified pattern) took 18 s where a route
// crossed a hub of 46,000 relationships, this one 80 ms. A shortest path never visits a node twice.
// The hop bound in the pattern is a literal (6); max_hops filters the found paths afterwards, which gives the same
// answer (a longer shortest path is no path within max_hops). The types are every type but SOURCED_FROM (a
// variable-length pattern cannot say "not SOURCED_FROM").
MATCH p = allShortestPaths((a)-[:INVESTED_IN|SUPPLIES|PARTNERS_WITH|COMPETES_WITH|SUBSIDIARY_OF|ACQUIRED_BY|REVIEWS|HOLDS_POSITION|OWNS|OPERATES|USES|BUILDS*1..6]-(b))
WHERE all(r IN relationships(p) WHERE r.valid_from <= asOf < r.valid_to)
WITH p WHERE length(p) <= $max_hops
// One row per route (sequence of nodes); parallel relationships between the same two nodes are listed together.
WITH p, nodes(p) AS ns, relationships(p) AS rs
ORDER BY [r IN rs | r.id]
WITH ns, collect(p) AS ps
WITH ns, ps, size(ns) - 1 AS hops,
     [i IN range(0, size(ns) - 2) |
        COLLECT { UNWIND ps AS q WITH relationships(q)[i] AS r
                  RETURN DISTINCT CASE WHEN startNode(r) = ns[i] THEN '-' + type(r) + '->' ELSE '<-' + type(r) + '-' END AS arrow
                  ORDER BY arrow }] AS arrows,
     COLLECT { UNWIND ps AS q UNWIND range(0, size(ns) - 2) AS i WITH DISTINCT i, relationships(q)[i] AS r
               ORDER BY i, r.id RETURN r } AS rels
WITH ns, ps, hops, arrows, rels,
     reduce(t = ns[0].name, i IN range(0, hops - 1) |
            t + CASE WHEN size(arrows[i]) = 1 THEN ' ' + arrows[i][0] + ' '
                     ELSE ' {' + reduce(u = '', a IN arrows[i] | u + CASE WHEN u = '' THEN '' ELSE ' ' END + a) + '} ' END
              + ns[i + 1].name) AS chain
RETURN hops, chain,
       [n IN ns | n.name] AS names,
       [i IN range(0, hops - 1) | reduce(u = '', t IN COLLECT { UNWIND ps AS q RETURN DISTINCT type(relationships(q)[i]) AS t ORDER BY t } |
                                         u + CASE WHEN u = '' THEN '' ELSE '|' END + t)] AS types,
       size(ps) AS paths,
       [r IN rels | startNode(r).name + ' ' + type(r) + ' ' + endNode(r).name
                  + CASE WHEN coalesce(r.service, r.kind, r.title, r.round) IS NOT NULL
                         THEN ' (' + coalesce(r.service, r.title, r.kind, r.round) + ')' ELSE '' END
                  + CASE WHEN r.since_text IS NOT NULL AND r.until_text IS NOT NULL THEN ', ' + r.since_text + ' to ' + r.until_text
                         WHEN r.since_text IS NOT NULL THEN ', since ' + r.since_text
                         WHEN r.until_text IS NOT NULL THEN ', until ' + r.until_text ELSE '' END
                  + CASE WHEN r.status = 'unknown' THEN ' [status unknown]'
                         WHEN r.status <> 'active' THEN ' [' + r.status + ']' ELSE '' END] AS steps,
       COLLECT { UNWIND rels AS r UNWIND coalesce(r.sources, []) AS s RETURN DISTINCT s ORDER BY s } AS sources,
       ps[0] AS path
ORDER BY hops, chain, [n IN ns | n.id]
LIMIT $limit
