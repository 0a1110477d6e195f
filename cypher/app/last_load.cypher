// name: last_load
// description: What the graph was loaded from and when (the LoadRecord node a successful load writes), for the brief's footer and the story picture.
// returns: source, loaded_at, rows, method
MATCH (r:LoadRecord {name: 'last'})
RETURN r.source AS source, toString(r.loaded_at) AS loaded_at, r.rows AS rows, r.method AS method
