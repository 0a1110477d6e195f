"""The Cypher of a load's writes, built from the data model: one query per kind of batch.

Labels and relationship types come from the model's allow-list (graph.model), never from the files;
values always travel as `$rows`.
"""

from __future__ import annotations

from graph.errors import SupplyGraphError
from graph.model import (
    FACILITIES,
    FACILITY,
    ORGANIZATION,
    ORGANIZATIONS,
    PEOPLE,
    POSITION_TYPE,
    RELATIONSHIP_TYPES,
    ROLE_LABELS,
    SOURCES,
    FileSpec,
)
from graph.validity import cypher_valid_from, cypher_valid_to

NODE_LABELS = {SOURCES.name: "Source", ORGANIZATIONS.name: ORGANIZATION, PEOPLE.name: "Person",
               FACILITIES.name: FACILITY}
SPEC_OF_LABEL = {"Source": SOURCES, ORGANIZATION: ORGANIZATIONS, "Person": PEOPLE, FACILITY: FACILITIES}
END_LABELS = (ORGANIZATION, FACILITY)  # what a relationship may end at
ALL_RELATIONSHIP_TYPES = (*RELATIONSHIP_TYPES, POSITION_TYPE)


def _outcome(also_unchanged_when: str = "true") -> str:
    """For each row: 'created', 'updated' or 'unchanged', told apart by the stored row hash (and, for a
    relationship, by `also_unchanged_when` on the stored one)."""
    return f"""
WITH row, old, CASE WHEN old IS NULL THEN 'created'
                    WHEN old.row_hash = row.props.row_hash AND {also_unchanged_when} THEN 'unchanged'
                    ELSE 'updated' END AS outcome
"""

_ROLE_LABELS = ":".join(ROLE_LABELS.values())
# MERGE even for a new node: a cell may name a source twice ("a;a"), and the graph holds one edge.
_fresh_sources = """
    WITH n, row
    CALL (n, row) { UNWIND row.props.sources AS source_id
                    MATCH (s:Source {id: source_id}) MERGE (n)-[:SOURCED_FROM]->(s) }"""


def _dates(var: str, spec: FileSpec) -> str:
    # Dates travel as ISO text and become dates in the server: the driver's date conversion is Python
    # code run for every value, a large share of the client's time.
    return "".join(f", {var}.{c} = date(row.{c})" for c in spec.date_columns)


def validity(var: str, status: str = "row.props.status") -> str:
    """The `, r.valid_from = ..., r.valid_to = ...` a relationship's SET ends with: the interval of
    graph.validity, written with the row so that queries test only `valid_from <= d < valid_to`; from the
    row's values (`row.since`, `row.until` as ISO text, `status` the Cypher of its status), not the
    properties the same SET writes. bench/bench_load.py's LOAD CSV writes it with `row.status`."""
    since, until = "date(row.since)", "date(row.until)"
    return (f", {var}.valid_from = {cypher_valid_from(since)}"
            f", {var}.valid_to = {cypher_valid_to(since, until, status)}")


def node_query(label: str, fresh: bool = False) -> str:
    """The write of one batch of nodes; `fresh` (the database was empty) creates without lookups."""
    allowed(label)
    spec = SPEC_OF_LABEL[label]
    extra = ""
    if label == "Organization":
        extra = f"REMOVE n:{_ROLE_LABELS} SET n:$(row.labels)"
    sourced = ""
    if label != "Source":
        sourced = """
    WITH n, row
    CALL (n) { MATCH (n)-[old_source:SOURCED_FROM]->() DELETE old_source }
    CALL (n, row) { UNWIND row.props.sources AS source_id
                    MATCH (s:Source {id: source_id}) MERGE (n)-[:SOURCED_FROM]->(s) }"""
    if fresh:  # a new node has no role labels or sources to remove
        return f"""
UNWIND $rows AS row
CREATE (n:{label})
SET n = row.props{_dates("n", spec)}
{"SET n:$(row.labels)" if label == "Organization" else ""}{_fresh_sources if label != "Source" else ""}
RETURN 'created' AS outcome, count(*) AS rows
"""
    return f"""
UNWIND $rows AS row
OPTIONAL MATCH (old:{label} {{id: row.props.id}})
{_outcome()}
CALL (row, outcome) {{
    WITH row, outcome WHERE outcome <> 'unchanged'
    MERGE (n:{label} {{id: row.props.id}})
    SET n = row.props{_dates("n", spec)}
    {extra}{sourced}
}}
RETURN outcome, count(*) AS rows
"""


def allowed(label: str, rel_type: str | None = None, to_label: str = ORGANIZATION) -> None:
    """Refuses, where the query text is built, a label or type that is not the model's: they are pasted
    into Cypher, so nothing else may ever reach here (not even from a file changed after validation)."""
    if (label not in SPEC_OF_LABEL or to_label not in END_LABELS
            or (rel_type is not None and rel_type not in ALL_RELATIONSHIP_TYPES)):
        raise SupplyGraphError("a relationship type or label outside the data model reached the loader's query "
                               "building; nothing of it was written: run the load again")


def fresh_relationships_query(from_label: str, spec: FileSpec, to_label: str = ORGANIZATION) -> str:
    """Into an empty database: rows of any type in one batch (the type is dynamic; nothing is looked up
    by it), so a batch is full whatever the mix of types and no per-type batches wait in memory."""
    allowed(from_label, to_label=to_label)
    return f"""
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from_id}})
MATCH (b:{to_label} {{id: row.to_id}})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props{_dates("r", spec)}{validity("r")}
RETURN row.type AS kind, 'created' AS outcome, count(*) AS rows
"""


def relationship_query(rel_type: str, from_label: str, spec: FileSpec, to_label: str = ORGANIZATION) -> str:
    """The write of one batch of relationships of one type into a database that may hold them already."""
    allowed(from_label, rel_type, to_label)
    # The type is literal here: the OPTIONAL MATCH must use the type's id constraint.
    return f"""
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from_id}})
MATCH (b:{to_label} {{id: row.to_id}})
OPTIONAL MATCH ()-[old:{rel_type} {{id: row.props.id}}]->()
WITH row, a, b, old
{_outcome('old.valid_to IS NOT NULL AND old.detail IS NOT NULL')}, a, b
CALL (row, outcome, old, a, b) {{
    WITH row, outcome, old, a, b WHERE outcome <> 'unchanged'
    CALL (old, a, b) {{
        WITH old, a, b WHERE old IS NOT NULL AND (startNode(old) <> a OR endNode(old) <> b)
        DELETE old
    }}
    MERGE (a)-[r:{rel_type} {{id: row.props.id}}]->(b)
    SET r = row.props{_dates("r", spec)}{validity("r")}
}}
RETURN outcome, count(*) AS rows
"""
