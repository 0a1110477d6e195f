// name: family_paths
// description: How two organizations belong to one corporate family on a date: for each pair, the shortest chain of SUBSIDIARY_OF and ACQUIRED_BY relationships valid then, in either direction (the story picture joins a holder to its rival's root with it).
// param: pairs string (required) pairs of organization ids "from>to" separated by ";", e.g. "azure>microsoft;google-cloud>alphabet"
// param: as_of date (default: today) only relationships valid on this date
// returns: from_id, to_id, from_node, to_node, path (null when no such chain holds)
// example: :param pairs => 'azure>microsoft;google-cloud>alphabet'
// example: :param as_of => date('2025-06-15')
WITH date($as_of) AS d
UNWIND split($pairs, ';') AS pair
WITH d, split(pair, '>') AS ids
WHERE size(ids) = 2 AND ids[0] <> ids[1]
MATCH (a:Organization {id: ids[0]}), (b:Organization {id: ids[1]})
OPTIONAL MATCH path = shortestPath((a)-[:SUBSIDIARY_OF|ACQUIRED_BY*..8]-(b))
WHERE all(r IN relationships(path) WHERE r.valid_from <= d < r.valid_to)
RETURN ids[0] AS from_id, ids[1] AS to_id, a AS from_node, b AS to_node, path
ORDER BY from_id, to_id
