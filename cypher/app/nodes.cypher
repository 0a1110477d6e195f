// name: nodes
// description: Organizations, facilities, people and sources by id or by element id, with their names and labels (to name and colour the nodes of a query result drawn as a picture).
// param: ids string (required) ids and element ids separated by ";", e.g. "scale-ai;openai"
// returns: key (the id or element id asked for), id, name (a source's publisher and title), labels, description
// example: :param ids => 'scale-ai;openai'
UNWIND split($ids, ';') AS key
CALL (key) {
    MATCH (n:Organization|Facility|Person|Source {id: key}) RETURN n
    UNION
    MATCH (n) WHERE elementId(n) = key AND (n:Organization OR n:Facility OR n:Person OR n:Source) RETURN n
}
RETURN key, n.id AS id, coalesce(n.name, n.publisher + ': ' + n.title, n.title, n.id) AS name, labels(n) AS labels,
       n.description AS description
ORDER BY key
