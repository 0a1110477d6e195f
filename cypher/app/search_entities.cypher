// name: search_entities
// description: Organizations, people and facilities whose name, alias or id matches a search text (the app's search box): exact names first, then by fulltext score.
// param: text string (required) the text as typed, e.g. "Scale AI"
// param: lucene string (required) the same words as a Lucene query for the entity_names index (facilities, few, are matched by name, alias or id only), e.g. "scale* AND ai*"
// param: limit int (default: 20) at most this many matches
// returns: id, name, labels, description, score
// example: :param text => 'Scale AI'
// example: :param lucene => 'scale* AND ai*'
// example: :param limit => 20
CALL () {
    CALL db.index.fulltext.queryNodes('entity_names', $lucene) YIELD node, score
    RETURN node, score
    UNION
    MATCH (node:Organization|Person|Facility)
    WHERE node.id = $text OR toLower(node.name) CONTAINS toLower($text)
       OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) CONTAINS toLower($text))
    RETURN node, 0.0 AS score
}
WITH node, max(score) AS score
WITH node, score, (node.id = $text OR toLower(node.name) = toLower($text)
                   OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) = toLower($text))) AS exact
RETURN node.id AS id, node.name AS name, labels(node) AS labels, node.description AS description, score
ORDER BY exact DESC, score DESC, COUNT { (node)--() } DESC, name, id
LIMIT $limit
