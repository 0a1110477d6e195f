// name: schema_names
// description: The names the console's schema panel counts (graph.catalogue): every label, relationship type and property key the database knows, from its token lists (cheap at any size; a property key stays listed after the last value that used it is gone).
// returns: kind, name
CALL db.labels() YIELD label
RETURN 'label' AS kind, label AS name
UNION ALL
CALL db.relationshipTypes() YIELD relationshipType
RETURN 'type' AS kind, relationshipType AS name
UNION ALL
CALL db.propertyKeys() YIELD propertyKey
RETURN 'key' AS kind, propertyKey AS name
