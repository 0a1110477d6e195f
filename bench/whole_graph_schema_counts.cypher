// name: whole_graph_schema_counts
// description: The console's schema panel as it was before graph.catalogue's count store and sample (kept for bench/bench_schema.py): every label and relationship type with its count and every property key in use with its holders, read in passes over the whole graph (a dynamic label `$(label)` is a scan of every node, per label; the keys a pass over every node and relationship).
// returns: kind, name, nodes, relationships
CALL db.labels() YIELD label
CALL (label) { MATCH (n:$(label)) RETURN count(n) AS nodes }
RETURN 'label' AS kind, label AS name, nodes, null AS relationships
UNION ALL
CALL db.relationshipTypes() YIELD relationshipType
CALL (relationshipType) { MATCH ()-[r:$(relationshipType)]->() RETURN count(r) AS relationships }
RETURN 'type' AS kind, relationshipType AS name, null AS nodes, relationships
UNION ALL
CALL () { MATCH (n) UNWIND keys(n) AS key RETURN key, count(*) AS held, 'node' AS holder
          UNION ALL
          MATCH ()-[r]->() UNWIND keys(r) AS key RETURN key, count(*) AS held, 'relationship' AS holder }
WITH key, sum(CASE holder WHEN 'node' THEN held ELSE 0 END) AS nodes,
     sum(CASE holder WHEN 'relationship' THEN held ELSE 0 END) AS relationships
RETURN 'key' AS kind, key AS name, nodes, relationships
