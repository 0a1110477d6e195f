// The graph's constraints and indexes. `supplygraph load` runs this before writing; it can also be
// pasted into cypher-shell as it is. Every statement is idempotent (IF NOT EXISTS).

// One node per id: the loader MERGEs on these.
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT facility_id IF NOT EXISTS FOR (n:Facility) REQUIRE n.id IS UNIQUE;

// One relationship per id and type: rows in relationships.csv and positions.csv.
CREATE CONSTRAINT invested_in_id IF NOT EXISTS FOR ()-[r:INVESTED_IN]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT supplies_id IF NOT EXISTS FOR ()-[r:SUPPLIES]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT partners_with_id IF NOT EXISTS FOR ()-[r:PARTNERS_WITH]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT competes_with_id IF NOT EXISTS FOR ()-[r:COMPETES_WITH]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT subsidiary_of_id IF NOT EXISTS FOR ()-[r:SUBSIDIARY_OF]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT acquired_by_id IF NOT EXISTS FOR ()-[r:ACQUIRED_BY]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT reviews_id IF NOT EXISTS FOR ()-[r:REVIEWS]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT holds_position_id IF NOT EXISTS FOR ()-[r:HOLDS_POSITION]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT owns_id IF NOT EXISTS FOR ()-[r:OWNS]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT operates_id IF NOT EXISTS FOR ()-[r:OPERATES]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT uses_id IF NOT EXISTS FOR ()-[r:USES]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT builds_id IF NOT EXISTS FOR ()-[r:BUILDS]-() REQUIRE r.id IS UNIQUE;

// Lookups by name and by publisher ("what did Reuters report").
CREATE INDEX organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE INDEX source_publisher IF NOT EXISTS FOR (n:Source) ON (n.publisher);
CREATE INDEX facility_name IF NOT EXISTS FOR (n:Facility) ON (n.name);

// Search box: names and aliases of organizations and people.
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Organization|Person) ON EACH [n.name, n.aliases];

// "What did Reuters report": every fact that cites a source, found by the source's id. A relationship
// cannot point at a Source node, so its `sources` list is indexed instead: the keyword analyzer keeps
// each id as one term (query it as a quoted phrase). Every relationship type but SOURCED_FROM.
// Eventually consistent: Lucene's writes leave the commit path for a background thread, and
// `supplygraph load` waits for them (db.index.fulltext.awaitEventuallyConsistentIndexRefresh) before
// it returns.
CREATE FULLTEXT INDEX fact_sources IF NOT EXISTS
FOR ()-[r:INVESTED_IN|SUPPLIES|PARTNERS_WITH|COMPETES_WITH|SUBSIDIARY_OF|ACQUIRED_BY|REVIEWS|HOLDS_POSITION]-() ON EACH [r.sources]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword', `fulltext.eventually_consistent`: true}};
// The same for the types that join organizations to facilities (added later, so an index of their own).
CREATE FULLTEXT INDEX facility_fact_sources IF NOT EXISTS
FOR ()-[r:OWNS|OPERATES|USES|BUILDS]-() ON EACH [r.sources]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword', `fulltext.eventually_consistent`: true}};

// Derived facts (written by `supplygraph derive` and every load, never by hand): exposures by the
// organization exposed and by the rival, ownership by the organization owned, and the one state node.
CREATE CONSTRAINT derived_state_name IF NOT EXISTS FOR (n:DerivedState) REQUIRE n.name IS UNIQUE;
CREATE INDEX exposure_org IF NOT EXISTS FOR (n:Exposure) ON (n.org_id);
CREATE INDEX exposure_rival IF NOT EXISTS FOR (n:Exposure) ON (n.rival_id);
CREATE INDEX exposure_key IF NOT EXISTS FOR (n:Exposure) ON (n.key);
CREATE INDEX exposure_lab_rank IF NOT EXISTS FOR (n:Exposure) ON (n.lab_rank);
CREATE INDEX exposure_changes IF NOT EXISTS FOR (n:Exposure) ON (n.valid_from);
CREATE INDEX exposure_ends IF NOT EXISTS FOR (n:Exposure) ON (n.valid_to);
CREATE INDEX ownership_owned IF NOT EXISTS FOR (n:Ownership) ON (n.owned_id);
CREATE INDEX ownership_key IF NOT EXISTS FOR (n:Ownership) ON (n.key);
CREATE INDEX family_member_org IF NOT EXISTS FOR (n:FamilyMember) ON (n.org_id);
CREATE INDEX family_member_key IF NOT EXISTS FOR (n:FamilyMember) ON (n.key);
CREATE INDEX derived_inputs_org IF NOT EXISTS FOR (n:DerivedInputs) ON (n.org_id);
CREATE INDEX derived_inputs_key IF NOT EXISTS FOR (n:DerivedInputs) ON (n.key);
