// name: publishers
// description: Every publisher that the graph's sources name, once (the choices of a form's publisher picker).
// returns: publisher
MATCH (s:Source) WHERE trim(coalesce(s.publisher, '')) <> ''
WITH DISTINCT trim(s.publisher) AS publisher
RETURN publisher ORDER BY toLower(publisher), publisher
