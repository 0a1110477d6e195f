// name: entity
// description: One organization, person or facility by id, with its labels and how many relationships it has.
// param: entity_id string (required) the id, e.g. "scale-ai"
// returns: id, name, labels, aliases, description, degree
// example: :param entity_id => 'scale-ai'
MATCH (e {id: $entity_id}) WHERE e:Organization OR e:Person OR e:Facility
RETURN e.id AS id, e.name AS name, labels(e) AS labels, e.aliases AS aliases, e.description AS description,
       COUNT { (e)--(:Organization|Person|Facility) } AS degree
