// name: indirect_links
// description: Indirect competitor links, ranked and explained: A depends on X (X supplies A, partners with A, invested in A or A invested in X) and a rival's family holds X (owns it, invested in it, partners with it, or employs a person who led or sits on the board of X).
// param: org_id string (default: null) the organization A to start from, e.g. "openai"; empty for every lab
// param: as_of date (default: today) only relationships valid on this date
// param: max_intermediaries int (default: 2) organizations allowed between A and the rival's holding (0 to 3)
// param: limit int (default: 50) at most this many links, best first
// returns: org_id, org, rival_id, rival, rival_labs, holder, intermediaries, paths, score, explanation, sources, path (the best path)
// example: :param org_id => 'openai'
// example: :param as_of => date('2025-06-15')
// example: :param max_intermediaries => 2
// example: :param limit => 50
WITH date($as_of) AS asOf
MATCH (a:Organization)
WHERE ($org_id IS NULL AND a:Lab) OR a.id = $org_id
// A's corporate family root, through family edges valid on asOf.
CALL (a, asOf) {
    MATCH (a)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (f.since IS NULL OR f.since <= asOf)
        AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(root)
    WHERE NOT EXISTS { (root)-[g:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (g.since IS NULL OR g.since <= asOf)
        AND (g.until IS NULL OR g.until > asOf) }
    RETURN root AS aRoot ORDER BY root.id LIMIT 1
}
CALL (a, asOf) {
    // Organization chains: one dependency of A, then holdings upwards.
    MATCH p = (a)-[dep:SUPPLIES|INVESTED_IN|PARTNERS_WITH]-(x1:Organization)
              ((x)-[h:INVESTED_IN|SUBSIDIARY_OF|ACQUIRED_BY|PARTNERS_WITH]-(y:Organization)
                WHERE ((h:INVESTED_IN AND startNode(h) = y) OR (h:SUBSIDIARY_OF AND startNode(h) = x)
                       OR (h:ACQUIRED_BY AND startNode(h) = x) OR h:PARTNERS_WITH)
                  AND (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf)
                  AND NOT (h.status = 'ended' AND h.until IS NULL)){0,3}
    WHERE (dep:INVESTED_IN OR dep:PARTNERS_WITH OR endNode(dep) = a)
      AND (dep.since IS NULL OR dep.since <= asOf) AND (dep.until IS NULL OR dep.until > asOf)
      AND NOT (dep.status = 'ended' AND dep.until IS NULL)
      AND length(p) <= $max_intermediaries + 1
    RETURN p, last(nodes(p)) AS holder, [] AS people
  UNION
    // People: someone who led or sits on the board of X now works for the holder.
    MATCH p = (a)-[dep:SUPPLIES|INVESTED_IN|PARTNERS_WITH]-(x1:Organization)
              ((x)-[h:INVESTED_IN|SUBSIDIARY_OF|ACQUIRED_BY|PARTNERS_WITH]-(y:Organization)
                WHERE ((h:INVESTED_IN AND startNode(h) = y) OR (h:SUBSIDIARY_OF AND startNode(h) = x)
                       OR (h:ACQUIRED_BY AND startNode(h) = x) OR h:PARTNERS_WITH)
                  AND (h.since IS NULL OR h.since <= asOf) AND (h.until IS NULL OR h.until > asOf)
                  AND NOT (h.status = 'ended' AND h.until IS NULL)){0,2}
    WHERE (dep:INVESTED_IN OR dep:PARTNERS_WITH OR endNode(dep) = a)
      AND (dep.since IS NULL OR dep.since <= asOf) AND (dep.until IS NULL OR dep.until > asOf)
      AND NOT (dep.status = 'ended' AND dep.until IS NULL)
      AND length(p) <= $max_intermediaries
    WITH p, last(nodes(p)) AS x
    MATCH (x)<-[led:HOLDS_POSITION]-(person:Person)-[now:HOLDS_POSITION]->(holder:Organization)
    WHERE holder <> x AND led.kind IN ['executive', 'founder', 'board']
      AND (led.since IS NULL OR led.since <= asOf)
      AND (now.since IS NULL OR now.since <= asOf) AND (now.until IS NULL OR now.until > asOf)
      AND now.status <> 'ended'
    // One pair of positions per person: the most senior role they held at X, their role now.
    WITH p, person, holder, led, now
    ORDER BY CASE led.kind WHEN 'executive' THEN 0 WHEN 'founder' THEN 1 ELSE 2 END, led.since DESC,
             CASE now.kind WHEN 'executive' THEN 0 ELSE 1 END
    WITH p, person, holder, collect(led)[0] AS led, collect(now)[0] AS now
    RETURN p, holder, [led, now] AS people
}
WITH a, aRoot, asOf, p, holder, people, last(nodes(p)) AS lastX
WHERE holder <> a AND NOT holder IN nodes(p)[..-1]
// The holder's family root: the rival.
CALL (holder, asOf) {
    MATCH (holder)(()-[f:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (f.since IS NULL OR f.since <= asOf)
        AND (f.until IS NULL OR f.until > asOf) AND NOT (f.status = 'ended' AND f.until IS NULL)){0,6}(root)
    WHERE NOT EXISTS { (root)-[g:SUBSIDIARY_OF|ACQUIRED_BY]->() WHERE (g.since IS NULL OR g.since <= asOf)
        AND (g.until IS NULL OR g.until > asOf) }
    RETURN root AS rival ORDER BY root.id LIMIT 1
}
WITH a, aRoot, asOf, p, holder, people, lastX, rival,
     COLLECT { MATCH (rival)<-[:SUBSIDIARY_OF|ACQUIRED_BY]-{0,6}(l:Lab) RETURN DISTINCT l.name ORDER BY l.name } AS rivalLabs
WHERE rival <> aRoot
  // Competitors: both families hold a lab, or an explicit competes-with between the families.
  AND ((size(rivalLabs) > 0 AND EXISTS { (aRoot)<-[:SUBSIDIARY_OF|ACQUIRED_BY]-{0,6}(:Lab) })
       OR EXISTS { (aRoot)<-[:SUBSIDIARY_OF|ACQUIRED_BY]-{0,6}()-[:COMPETES_WITH]-()-[:SUBSIDIARY_OF|ACQUIRED_BY]->{0,6}(rival) })
  // The chain stops at the first organization of the rival's family and never re-enters A's.
  AND NONE(n IN nodes(p)[1..-1] WHERE EXISTS { (n)-[:SUBSIDIARY_OF|ACQUIRED_BY]->{0,6}(rival) })
  AND NONE(n IN nodes(p)[1..] WHERE EXISTS { (n)-[:SUBSIDIARY_OF|ACQUIRED_BY]->{0,6}(aRoot) })
  AND (size(people) = 0 OR NOT EXISTS { (lastX)-[:SUBSIDIARY_OF|ACQUIRED_BY]->{0,6}(rival) })
WITH a, asOf, rival, rivalLabs, holder, p, people, relationships(p) + people AS facts
// One plain-words phrase per fact, with its dates and status.
WITH a, asOf, rival, rivalLabs, holder, p, facts,
     [r IN facts |
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
     ] AS phrases,
     // Path score: each fact's confidence and status, stakes and amounts, recency; fewer hops score higher.
     reduce(s = 1.0, r IN facts |
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
       * (0.7 ^ (length(p) - 1 + CASE WHEN size(facts) > length(p) THEN 1 ELSE 0 END)) AS pathScore
WITH a, rival, rivalLabs, holder, p, facts, pathScore,
     reduce(t = '', s IN phrases | t + CASE WHEN t = '' THEN '' ELSE '; ' END + s)
       + CASE WHEN holder <> rival THEN '; ' + holder.name + ' belongs to ' + rival.name ELSE '' END
       + '; ' + rival.name + CASE WHEN size(rivalLabs) > 0 THEN ' runs rival lab work (' + reduce(t = '', l IN rivalLabs | t + CASE WHEN t = '' THEN '' ELSE ', ' END + l) + ')'
                                 ELSE ' competes with ' + a.name END AS sentence,
     reduce(s = [], r IN facts | s + coalesce(r.sources, [])) AS pathSources
ORDER BY pathScore DESC, length(p), sentence
WITH a, rival, rivalLabs,
     collect({p: p, holder: holder, score: pathScore, sentence: sentence, hops: length(p)}) AS found,
     collect(pathSources) AS sourceLists
WITH a, rival, rivalLabs, found, found[0] AS best,
     reduce(s = [], l IN sourceLists | s + [x IN l WHERE NOT x IN s]) AS sources
RETURN a.id AS org_id, a.name AS org, rival.id AS rival_id, rival.name AS rival, rivalLabs AS rival_labs,
       best.holder.name AS holder,
       [n IN nodes(best.p)[1..-1] | n.name] AS intermediaries,
       size(found) AS paths,
       round(reduce(s = 0.0, f IN found | s + f.score), 3) AS score,
       best.sentence + CASE WHEN size(found) > 1 THEN '. Also: ' + found[1].sentence ELSE '' END
         + CASE WHEN size(found) > 2 THEN ' (and ' + toString(size(found) - 2) + ' more path' + CASE WHEN size(found) > 3 THEN 's' ELSE '' END + ')' ELSE '' END AS explanation,
       sources, best.p AS path
ORDER BY score DESC, org, rival
LIMIT $limit
