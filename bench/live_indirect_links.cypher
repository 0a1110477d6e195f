// name: live_indirect_links
// description: (stop 10, kept for bench/bench_exposure.py) Indirect competitor links, ranked and explained: A depends on X (X supplies A, partners with A, invested in A or A invested in X) and a rival's family holds X (owns it, invested in it, partners with it, or employs a person who led or sits on the board of X).
// param: org_id string (default: null) the organization A to start from, e.g. "openai"; empty for every lab
// param: as_of date (default: today) only relationships valid on this date
// param: max_intermediaries int (default: 2) organizations allowed between A and the rival's holding (0 to 3)
// param: limit int (default: 50) at most this many links, best first
// returns: org_id, org, rival_id, rival, rival_labs, holder, intermediaries, paths (distinct first dependency and holder pairs), score, explanation, sources, path_nodes and path_relationships (the best chain)
// example: :param org_id => 'openai'
// example: :param as_of => date('2025-06-15')
// example: :param max_intermediaries => 2
// example: :param limit => 50
WITH date($as_of) AS asOf
MATCH (a:Organization)
WHERE ($org_id IS NULL AND a:Lab) OR a.id = $org_id
// Each organization's links are found in a subquery of their own, so that its working rows are
// released before the next organization's (the ranking of every lab stays within memory).
CALL (a, asOf) {
    // A's corporate family root, through family edges valid on asOf, and whether A's family runs a lab.
    CALL (a, asOf) {
        MATCH (a)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(root)
        WHERE NOT EXISTS { (root)-[g:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (g.since IS NULL OR g.since <= asOf) AND (g.until IS NULL OR g.until > asOf) AND NOT (g.status = 'ended' AND g.until IS NULL) }
        RETURN root AS aRoot ORDER BY root.id LIMIT 1
    }
    WITH asOf, a, aRoot, EXISTS { (aRoot)(()<-[f:SUBSIDIARY_OF|ACQUIRED_BY]-() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(:Lab) } AS aRunsLab
    // Organizations named as competitors of A's family, with everything above them: a rival family
    // whose root is in this list competes with A. Found once for A, not once per candidate rival.
    WITH asOf, a, aRoot, aRunsLab,
         COLLECT { MATCH (aRoot)(()<-[f:SUBSIDIARY_OF|ACQUIRED_BY]-() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}()-[c:COMPETES_WITH]-()(()-[g:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (g.since IS NULL OR g.since <= asOf) AND (g.until IS NULL OR g.until > asOf) AND NOT (g.status = 'ended' AND g.until IS NULL)){0,6}(up)
                   WHERE (c.since IS NULL OR c.since <= asOf) AND (c.until IS NULL OR c.until > asOf) AND NOT (c.status = 'ended' AND c.until IS NULL)
                   RETURN DISTINCT up } AS compUp
    // The chains, grouped by rival, in a subquery of their own: compUp and aRunsLab stay outside it, so
    // that no aggregation below holds a copy of compUp per group (tens of thousands of organizations
    // when A belongs to a large family; the transaction's memory limit counted each copy).
    CALL (a, aRoot, asOf) {
        // Level 1: what A depends on, on asOf: its suppliers, its partners, who it invested in and who invested in it.
        CALL (a, asOf) {
            MATCH (a)<-[dep:SUPPLIES]-(x1:Organization)
            WHERE (dep.since IS NULL OR dep.since <= asOf) AND (dep.until IS NULL OR dep.until > asOf) AND NOT (dep.status = 'ended' AND dep.until IS NULL)
            RETURN dep, x1
          UNION ALL
            MATCH (a)-[dep:INVESTED_IN|PARTNERS_WITH]-(x1:Organization)
            WHERE (dep.since IS NULL OR dep.since <= asOf) AND (dep.until IS NULL OR dep.until > asOf) AND NOT (dep.status = 'ended' AND dep.until IS NULL)
            RETURN dep, x1
        }
        WITH asOf, a, aRoot, [dep] AS rels, [a, x1] AS ns
        // Level 2: who holds the last organization of each chain: it invested in it, owns it (parent or
        // acquirer) or partners with it. Each kind is its own directed pattern, so a fund's thousands of
        // outgoing investments are never read. A chain is also kept as it is, as a candidate link.
        CALL (asOf, rels, ns) {
            RETURN rels AS grown, ns AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)<-[h:INVESTED_IN]-(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)-[h:SUBSIDIARY_OF|ACQUIRED_BY]->(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)-[h:PARTNERS_WITH]-(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
        }
        // Keep one chain (the shortest, then the strongest hold) per organization reached: this bounds the
        // rows by organizations, however many paths a hub opens.
        WITH asOf, a, aRoot, grown, reached, last(grown) AS hold
        ORDER BY size(grown), coalesce(hold.stake_percent, 0) DESC, coalesce(hold.amount, 0) DESC,
                 CASE type(hold) WHEN 'PARTNERS_WITH' THEN 1 ELSE 0 END, [n IN reached | n.id], hold.id
        WITH asOf, a, aRoot, last(reached) AS cur, collect({rels: grown, ns: reached})[0] AS best
        WITH asOf, a, aRoot, best.rels AS rels, best.ns AS ns
        // Level 3: who holds the last organization of each chain: it invested in it, owns it (parent or
        // acquirer) or partners with it. Each kind is its own directed pattern, so a fund's thousands of
        // outgoing investments are never read. A chain is also kept as it is, as a candidate link.
        CALL (asOf, rels, ns) {
            RETURN rels AS grown, ns AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)<-[h:INVESTED_IN]-(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)-[h:SUBSIDIARY_OF|ACQUIRED_BY]->(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)-[h:PARTNERS_WITH]-(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
        }
        // Keep one chain (the shortest, then the strongest hold) per organization reached: this bounds the
        // rows by organizations, however many paths a hub opens.
        WITH asOf, a, aRoot, grown, reached, last(grown) AS hold
        ORDER BY size(grown), coalesce(hold.stake_percent, 0) DESC, coalesce(hold.amount, 0) DESC,
                 CASE type(hold) WHEN 'PARTNERS_WITH' THEN 1 ELSE 0 END, [n IN reached | n.id], hold.id
        WITH asOf, a, aRoot, last(reached) AS cur, collect({rels: grown, ns: reached})[0] AS best
        WITH asOf, a, aRoot, best.rels AS rels, best.ns AS ns
        // Level 4: who holds the last organization of each chain: it invested in it, owns it (parent or
        // acquirer) or partners with it. Each kind is its own directed pattern, so a fund's thousands of
        // outgoing investments are never read. A chain is also kept as it is, as a candidate link.
        CALL (asOf, rels, ns) {
            RETURN rels AS grown, ns AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)<-[h:INVESTED_IN]-(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)-[h:SUBSIDIARY_OF|ACQUIRED_BY]->(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)-[h:PARTNERS_WITH]-(y:Organization)
            WHERE (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf) AND NOT (h.status = 'ended' AND h.until IS NULL) AND NOT y IN ns
            RETURN rels + [h] AS grown, ns + [y] AS reached
        }
        // Keep one chain (the shortest, then the strongest hold) per organization reached: this bounds the
        // rows by organizations, however many paths a hub opens.
        WITH asOf, a, aRoot, grown, reached, last(grown) AS hold
        ORDER BY size(grown), coalesce(hold.stake_percent, 0) DESC, coalesce(hold.amount, 0) DESC,
                 CASE type(hold) WHEN 'PARTNERS_WITH' THEN 1 ELSE 0 END, [n IN reached | n.id], hold.id
        WITH asOf, a, aRoot, last(reached) AS cur, collect({rels: grown, ns: reached})[0] AS best
        WITH asOf, a, aRoot, best.rels AS rels, best.ns AS ns
        // People: someone who led or sits on the board of the chain's last organization now works for another.
        CALL (asOf, rels, ns) {
            RETURN rels AS grown, ns AS reached
          UNION ALL
            WITH asOf, rels, ns WHERE size(rels) <= $max_intermediaries
            WITH asOf, rels, ns, last(ns) AS cur
            MATCH (cur)<-[led:HOLDS_POSITION]-(:Person)-[now:HOLDS_POSITION]->(y:Organization)
            WHERE NOT y IN ns AND led.kind IN ['executive', 'founder', 'board']
              AND (led.since IS NULL OR led.since <= asOf)
              AND (now.since IS NULL OR now.since <= asOf) AND (now.until IS NULL OR now.until > asOf)
              AND now.status <> 'ended'
            // One pair of positions per person and organization: their most senior role at cur, their role now.
            WITH asOf, rels, ns, y, led, now
            ORDER BY CASE led.kind WHEN 'executive' THEN 0 WHEN 'founder' THEN 1 ELSE 2 END, led.since DESC,
                     CASE now.kind WHEN 'executive' THEN 0 ELSE 1 END
            WITH rels, ns, y, startNode(led) AS person, collect(led)[0] AS led, collect(now)[0] AS now
            RETURN rels + [led, now] AS grown, ns + [y] AS reached
        }
        WITH asOf, a, aRoot, grown AS rels, reached AS ns, last(reached) AS holder
        WHERE holder <> a
        WITH asOf, a, aRoot, holder, collect({rels: rels, ns: ns}) AS chains
        // The holder's family root is the rival; found once per holder. The walk up already follows every
        // valid parent edge, so the roots are the organizations it reaches and never leaves (asking each
        // one again whether it has a parent read its relationships a second time).
        CALL (holder, asOf) {
            MATCH p = (holder)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}()
            WITH collect(p) AS walks
            WITH [w IN walks | last(nodes(w))] AS reached, reduce(s = [], w IN walks | s + nodes(w)[..-1]) AS left
            UNWIND reached AS root
            WITH root WHERE NOT root IN left
            RETURN root AS rival ORDER BY root.id LIMIT 1
        }
        WITH asOf, a, aRoot, rival, collect({holder: holder, chains: chains}) AS held
        WHERE rival <> aRoot
        RETURN rival, held
    }
    WITH asOf, a, aRoot, aRunsLab, compUp, rival, held
    // Competitors, tested once per rival: an explicit competes-with between the families, or both
    // families run a lab (the rival itself first: most rivals are labs, and their family need not be read).
    WHERE (rival IN compUp
           OR (aRunsLab AND CASE WHEN rival:Lab THEN true ELSE EXISTS { (rival)(()<-[f:SUBSIDIARY_OF|ACQUIRED_BY]-() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(:Lab) } END))
    UNWIND held AS h
    UNWIND h.chains AS chain
    WITH asOf, a, aRoot, h.holder AS holder, rival, chain.rels AS rels, chain.ns AS ns
      // The chain stops at the first organization of the rival's family and never re-enters A's.
    WHERE NONE(n IN ns[1..-1] WHERE EXISTS { (n)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(rival) })
      AND NONE(n IN ns[1..] WHERE EXISTS { (n)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(aRoot) })
    WITH a, asOf, rival, holder, ns, rels AS facts,
         // Path score: each fact's confidence and status, stakes and amounts, recency; fewer hops score higher.
         reduce(s = 1.0, r IN rels |
            s * CASE r.confidence WHEN 'high' THEN 1.0 WHEN 'medium' THEN 0.7 ELSE 0.4 END
              * CASE r.status WHEN 'active' THEN 1.0 WHEN 'ended' THEN 1.0 WHEN 'paused' THEN 0.6 ELSE 0.5 END
              * CASE WHEN type(r) = 'INVESTED_IN' THEN
                       // A stake weighs by its size (49% weighs about 1.6); a reported amount by its scale.
                       CASE WHEN r.stake_percent IS NOT NULL THEN 0.6 + r.stake_percent / 50.0
                            WHEN r.amount IS NOT NULL THEN CASE WHEN r.amount >= 1e9 THEN 1.0 ELSE 0.8 END
                            ELSE 0.6 END
                     WHEN type(r) = 'PARTNERS_WITH' THEN 0.8
                     ELSE 1.0 END
              * CASE WHEN r.since IS NOT NULL AND duration.between(r.since, asOf).years < 2 THEN 1.0 ELSE 0.8 END)
           * (0.7 ^ (size(rels) - 1)) AS pathScore,
         reduce(s = [], r IN rels | s + coalesce(r.sources, [])) AS pathSources
    ORDER BY pathScore DESC, size(facts), [n IN ns | n.id]
    WITH a, asOf, rival,
         collect({ns: ns, facts: facts, holder: holder, score: pathScore}) AS found,
         collect(pathSources) AS sourceLists
    WITH a, asOf, rival, found, found[0] AS best,
         reduce(s = [], l IN sourceLists | s + [x IN l WHERE NOT x IN s]) AS sources,
         round(reduce(s = 0.0, f IN found | s + f.score), 3) AS score
    ORDER BY score DESC, rival.name
    LIMIT $limit
    RETURN rival, found, best, sources, score
}
WITH a, asOf, rival, found, best, sources, score
ORDER BY score DESC, a.name, rival.name
LIMIT $limit
// Plain words for the two best paths only: one phrase per fact, with its dates and status.
WITH a, asOf, rival, found, best, sources, score,
     [f IN found[..2] |
        reduce(t = '', r IN f.facts | t + CASE WHEN t = '' THEN '' ELSE '; ' END +
        CASE type(r)
              WHEN 'SUPPLIES' THEN startNode(r).name + ' supplies ' + replace(coalesce(r.service, 'services'), '_', ' ') + ' to ' + endNode(r).name
              WHEN 'INVESTED_IN' THEN startNode(r).name +
                   CASE WHEN r.stake_percent IS NOT NULL THEN ' owns ' + toString(CASE WHEN r.stake_percent = toInteger(r.stake_percent) THEN toInteger(r.stake_percent) ELSE r.stake_percent END) + '% of '
                        WHEN r.amount IS NOT NULL THEN ' invested $' +
                             CASE WHEN r.amount >= 1e9 THEN toString(round(r.amount / 1e9, 1)) + 'B'
                                  ELSE toString(round(r.amount / 1e6)) + 'M' END + ' in '
                        ELSE ' invested in ' END + endNode(r).name
              WHEN 'PARTNERS_WITH' THEN startNode(r).name + ' partners with ' + endNode(r).name + ' (' + replace(coalesce(r.kind, ''), '_', ' ') + ')'
              WHEN 'SUBSIDIARY_OF' THEN startNode(r).name + ' is part of ' + endNode(r).name
              WHEN 'ACQUIRED_BY' THEN startNode(r).name + ' was acquired by ' + endNode(r).name
              WHEN 'HOLDS_POSITION' THEN startNode(r).name + CASE WHEN r.until IS NOT NULL AND r.until <= asOf OR r.status = 'ended' THEN ' was ' ELSE ' is ' END
                   + coalesce(r.title, r.kind) + ' of ' + endNode(r).name
              ELSE startNode(r).name + ' ' + type(r) + ' ' + endNode(r).name
            END
            + CASE WHEN r.since_text IS NOT NULL AND r.until_text IS NOT NULL THEN ' (' + r.since_text + ' to ' + r.until_text + ')'
                   WHEN r.since_text IS NOT NULL THEN ' (since ' + r.since_text + ')'
                   WHEN r.until_text IS NOT NULL THEN ' (until ' + r.until_text + ')' ELSE '' END
            + CASE WHEN r.status IN ['paused', 'announced', 'reported'] THEN ' [' + r.status + ']' ELSE '' END
        )
        + CASE WHEN f.holder <> rival THEN '; ' + f.holder.name + ' belongs to ' + rival.name ELSE '' END
     ] AS sentences
WITH a, rival, found, best, sources, score, sentences,
     COLLECT { MATCH (rival)(()<-[f:SUBSIDIARY_OF|ACQUIRED_BY]-() WHERE (f.since IS NULL OR f.since <= asOf) AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(l:Lab) RETURN DISTINCT l.name ORDER BY l.name } AS rivalLabs
WITH a, rival, found, best, sources, score, sentences, rivalLabs,
     '; ' + rival.name + CASE WHEN size(rivalLabs) > 0
         THEN ' runs rival lab work (' + reduce(t = '', l IN rivalLabs | t + CASE WHEN t = '' THEN '' ELSE ', ' END + l) + ')'
         ELSE ' competes with ' + a.name END AS rivalClause
RETURN a.id AS org_id, a.name AS org, rival.id AS rival_id, rival.name AS rival, rivalLabs AS rival_labs,
       best.holder.name AS holder,
       [n IN best.ns[1..-1] | n.name] AS intermediaries,
       size(found) AS paths,
       score,
       sentences[0] + rivalClause + CASE WHEN size(found) > 1 THEN '. Also: ' + sentences[1] ELSE '' END
         + CASE WHEN size(found) > 2 THEN ' (and ' + toString(size(found) - 2) + ' more path' + CASE WHEN size(found) > 3 THEN 's' ELSE '' END + ')' ELSE '' END AS explanation,
       sources, best.ns AS path_nodes, best.facts AS path_relationships
ORDER BY score DESC, org, rival
