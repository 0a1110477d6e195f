// name: sources
// description: Sources by id: publisher, title, date and url (for the footnote of a picture).
// param: ids string (required) source ids separated by ";", e.g. "reuters-2025-06-12-meta-scale;ap-2025-06-12-meta-scale"
// returns: id, publisher, title, date, url
// example: :param ids => 'reuters-2025-06-12-meta-scale;ap-2025-06-12-meta-scale'
MATCH (s:Source) WHERE s.id IN split($ids, ';')
RETURN s.id AS id, s.publisher AS publisher, s.title AS title, s.date_text AS date, s.url AS url
ORDER BY id
