"""Writing a validated data folder into Neo4j: batched `UNWIND ... MERGE`, idempotent.

Loading the same folder twice gives the same graph; a changed folder updates it; `replace=True`
also deletes what the folder no longer holds. Each batch is one managed write transaction
(retried by the driver on transient errors), and each is safe to run again: a load cut short is
completed by running it again.
"""

from __future__ import annotations

import hashlib
import itertools
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
from neo4j import READ_ACCESS, Query, RoutingControl
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from graph.db import Connection
from graph.errors import DatabaseUnavailable, SupplyGraphError
from graph.model import (
    ORGANIZATIONS,
    PEOPLE,
    POSITION_TYPE,
    POSITIONS,
    RELATIONSHIP_TYPES,
    RELATIONSHIPS,
    ROLE_LABELS,
    SOURCES,
    FileSpec,
)
from graph.validate import FolderIndex, check_folder, convert, iter_cells, read_rows, row_hash, unchanged_since_check

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "cypher" / "schema" / "schema.cypher"
BATCH_SIZE = 5000
NODE_LABELS = {SOURCES.name: "Source", ORGANIZATIONS.name: "Organization", PEOPLE.name: "Person"}
SPEC_OF_LABEL = {"Source": SOURCES, "Organization": ORGANIZATIONS, "Person": PEOPLE}
ALL_RELATIONSHIP_TYPES = (*RELATIONSHIP_TYPES, POSITION_TYPE)
Progress = Callable[[int], None]

# For each row: 'created', 'updated' or 'unchanged', told apart by the stored row hash.
_OUTCOME = """
WITH row, old, CASE WHEN old IS NULL THEN 'created'
                    WHEN old.row_hash = row.props.row_hash THEN 'unchanged'
                    ELSE 'updated' END AS outcome
"""

_ROLE_LABELS = ":".join(ROLE_LABELS.values())


def _node_query(label: str, fresh: bool = False) -> str:
    """The write of one batch of nodes; `fresh` (the database was empty) creates without lookups."""
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
    if fresh:
        return f"""
UNWIND $rows AS row
CREATE (n:{label})
SET n = row.props
{extra}{sourced.replace("MERGE (n)-[:SOURCED_FROM]", "CREATE (n)-[:SOURCED_FROM]")}
RETURN 'created' AS outcome, count(*) AS rows
"""
    return f"""
UNWIND $rows AS row
OPTIONAL MATCH (old:{label} {{id: row.props.id}})
{_OUTCOME}
CALL (row, outcome) {{
    WITH row, outcome WHERE outcome <> 'unchanged'
    MERGE (n:{label} {{id: row.props.id}})
    SET n = row.props
    {extra}{sourced}
}}
RETURN outcome, count(*) AS rows
"""


def _relationship_query(rel_type: str, from_label: str, fresh: bool = False) -> str:
    # rel_type and from_label come from the model's allow-list, never from the files.
    if fresh:  # nothing to compare with: create without looking for an old copy
        return f"""
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from_id}})
MATCH (b:Organization {{id: row.to_id}})
CREATE (a)-[r:{rel_type}]->(b)
SET r = row.props
RETURN 'created' AS outcome, count(*) AS rows
"""
    return f"""
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from_id}})
MATCH (b:Organization {{id: row.to_id}})
OPTIONAL MATCH ()-[old:{rel_type} {{id: row.props.id}}]->()
WITH row, a, b, old
{_OUTCOME}, a, b
CALL (row, outcome, old, a, b) {{
    WITH row, outcome, old, a, b WHERE outcome <> 'unchanged'
    CALL (old, a, b) {{
        WITH old, a, b WHERE old IS NOT NULL AND (startNode(old) <> a OR endNode(old) <> b)
        DELETE old
    }}
    MERGE (a)-[r:{rel_type} {{id: row.props.id}}]->(b)
    SET r = row.props
}}
RETURN outcome, count(*) AS rows
"""


@dataclass
class LoadSummary:
    """What a load did, per kind of thing: created, updated, unchanged, deleted."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, kind: str, outcome: str, rows: int) -> None:
        self.counts[kind][outcome] += rows

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(self.total(o) for o in ("created", "updated", "deleted"))


def schema_statements(path: Path = SCHEMA_FILE) -> list[str]:
    """The statements of a .cypher file of several statements, comments dropped."""
    text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.strip().startswith("//"))
    return [s.strip() for s in text.split(";") if s.strip()]


def apply_schema(conn: Connection) -> None:
    """Creates the constraints and indexes (idempotent) and waits until they are online."""
    for statement in schema_statements():
        _write(conn, statement, {})
    with conn.driver.session(database=conn.database) as session:
        session.run("CALL db.awaitIndexes(300)").consume()


def load_folder(conn: Connection, folder: Path, replace: bool = False, batch_size: int = BATCH_SIZE,
                progress: Progress | None = None, index: FolderIndex | None = None) -> LoadSummary:
    """Validates a folder, then writes it; nothing is written if any row is invalid."""
    index = index or check_folder(folder)
    apply_schema(conn)
    was_empty = not conn.read("MATCH (n) RETURN n LIMIT 1").records
    summary = LoadSummary()
    for spec in (SOURCES, ORGANIZATIONS, PEOPLE):
        label = NODE_LABELS[spec.name]
        _write_batches(conn, _node_query(label, was_empty), _node_rows(index, spec), batch_size, summary, label,
                       progress)
    _write_relationships(conn, index, POSITIONS, batch_size, summary, progress, was_empty)
    _write_relationships(conn, index, RELATIONSHIPS, batch_size, summary, progress, was_empty)
    if replace or not was_empty:
        _delete_stale(conn, index, replace, summary)
    unchanged_since_check(index)
    return summary


def _node_rows(index: FolderIndex, spec: FileSpec) -> Iterator[dict[str, Any]]:
    for _, cells in read_rows(index.folder / spec.name, spec):
        values = convert(spec, cells)
        props = {k: v for k, v in values.items() if v not in (None, [])}
        props["row_hash"] = row_hash(values)
        row: dict[str, Any] = {"props": props}
        if spec is ORGANIZATIONS:
            row["labels"] = [ROLE_LABELS[r] for r in values["roles"]]
        yield row


def _relationship_rows(index: FolderIndex, spec: FileSpec) -> Iterator[tuple[str, dict[str, Any]]]:
    for _, cells in read_rows(index.folder / spec.name, spec):
        values = convert(spec, cells)
        if spec is POSITIONS:
            rel_type, from_id, to_id = POSITION_TYPE, values.pop("person_id"), values.pop("org_id")
        else:
            rel_type, from_id, to_id = values.pop("type"), values.pop("from_id"), values.pop("to_id")
        props = {k: v for k, v in values.items() if v not in (None, [])}
        props["row_hash"] = row_hash({**values, "from": from_id, "to": to_id})
        yield rel_type, {"from_id": from_id, "to_id": to_id, "props": props}


def _write_relationships(conn: Connection, index: FolderIndex, spec: FileSpec, batch_size: int,
                         summary: LoadSummary, progress: Progress | None, fresh: bool) -> None:
    from_label = "Person" if spec is POSITIONS else "Organization"
    pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rel_type, row in _relationship_rows(index, spec):
        pending[rel_type].append(row)
        if len(pending[rel_type]) >= batch_size:
            _write_batch(conn, _relationship_query(rel_type, from_label, fresh), pending.pop(rel_type), summary, rel_type,
                         progress)
    for rel_type, rows in pending.items():
        _write_batch(conn, _relationship_query(rel_type, from_label, fresh), rows, summary, rel_type, progress)


def _write_batches(conn: Connection, query: str, rows: Iterator[dict[str, Any]], batch_size: int,
                   summary: LoadSummary, kind: str, progress: Progress | None) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            _write_batch(conn, query, batch, summary, kind, progress)
            batch = []
    if batch:
        _write_batch(conn, query, batch, summary, kind, progress)


def _write_batch(conn: Connection, query: str, rows: list[dict[str, Any]], summary: LoadSummary, kind: str,
                 progress: Progress | None) -> None:
    for record in _write(conn, query, {"rows": rows}).records:
        summary.add(kind, record["outcome"], record["rows"])
    if progress:
        progress(len(rows))


def _write(conn: Connection, text: str, params: dict[str, Any]):
    try:
        return conn.driver.execute_query(Query(text), params, database_=conn.database,
                                         routing_=RoutingControl.WRITE)
    except ServiceUnavailable as e:
        raise _went_away(conn) from e
    except Neo4jError as e:
        raise SupplyGraphError(f"Neo4j refused a write: {e.code}: {e.message}") from e


def _went_away(conn: Connection) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Neo4j at {conn.uri} went away during the load: start it again and rerun the same load "
        "(loads are idempotent; it completes the graph)"
    )


def _stream_ids(conn: Connection, text: str, chunk: int = 10_000) -> Iterator[list[Any]]:
    """The ids a query returns, a chunk at a time, streamed (not one list of all of them)."""
    try:
        with conn.driver.session(database=conn.database, default_access_mode=READ_ACCESS) as session:
            ids: list[Any] = []
            for record in session.run(Query(text, timeout=600)):
                ids.append(record[0])
                if len(ids) >= chunk:
                    yield ids
                    ids = []
            if ids:
                yield ids
    except ServiceUnavailable as e:
        raise _went_away(conn) from e
    except Neo4jError as e:
        raise SupplyGraphError(f"Neo4j refused a read: {e.code}: {e.message}") from e


def _sorted_hashes(values: Iterator[Any]) -> np.ndarray:
    hashes = array("q", (hash(v) for v in values))
    return np.sort(np.frombuffer(hashes, dtype=np.int64)) if hashes else np.zeros(0, dtype=np.int64)


def _member(ordered: np.ndarray, values: list[Any]) -> np.ndarray:
    """For each value, whether its hash is in `ordered` (sorted)."""
    hashes = np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values))
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, hashes), len(ordered) - 1)
    return ordered[at] == hashes


def _delete_stale(conn: Connection, index: FolderIndex, replace: bool, summary: LoadSummary) -> None:
    """Deletes relationships whose id moved to another type, and with replace, all not in the folder.

    The folder's ids are read again from the files into sorted 64-bit hashes, and the database's ids
    are streamed against them: memory stays small whatever the size. Equal hashes of different ids
    (odds about n^2 / 2^64) could only keep something stale, never delete what the folder holds: only
    an absent hash makes a deletion, and a "moved" id is confirmed by its text.
    """
    positions = index.folder / POSITIONS.name
    relationships = index.folder / RELATIONSHIPS.name
    rel_columns = (RELATIONSHIPS.columns.index("type"), RELATIONSHIPS.columns.index("id"))
    # (type, id) of every relationship in the folder; and the ids of relationships.csv of any type,
    # since an id can move between its types (positions.csv is a file of its own).
    in_folder = _sorted_hashes(itertools.chain(
        ((POSITION_TYPE, cells[0]) for _, cells in iter_cells(positions, POSITIONS)),
        ((cells[rel_columns[0]], cells[rel_columns[1]]) for _, cells in iter_cells(relationships, RELATIONSHIPS))))
    in_relationship_file = _sorted_hashes(cells[rel_columns[1]] for _, cells in iter_cells(relationships, RELATIONSHIPS))
    for rel_type in ALL_RELATIONSHIP_TYPES:
        stale: list[Any] = []
        for ids in _stream_ids(conn, f"MATCH ()-[r:{rel_type}]->() RETURN r.id AS id"):
            own = _member(in_folder, [(rel_type, i) for i in ids])
            if replace:
                stale += [i for i, mine in zip(ids, own) if not mine]
            elif rel_type != POSITION_TYPE:
                moved = _member(in_relationship_file, ids)
                stale += [i for i, mine, there in zip(ids, own, moved) if there and not mine]
        if stale and not replace:  # confirm by text that each moved id is in relationships.csv
            candidates = set(stale)
            found = {cells[rel_columns[1]] for _, cells in iter_cells(relationships, RELATIONSHIPS)
                     if cells[rel_columns[1]] in candidates}
            stale = [i for i in stale if i in found]
        for start in range(0, len(stale), BATCH_SIZE):
            _write(conn, f"UNWIND $ids AS id MATCH ()-[r:{rel_type} {{id: id}}]->() DELETE r",
                   {"ids": stale[start:start + BATCH_SIZE]})
        if stale:
            summary.add(rel_type, "deleted", len(stale))
    if not replace:
        return
    for name, label in NODE_LABELS.items():
        spec = SPEC_OF_LABEL[label]
        in_file = _sorted_hashes(cells[0] for _, cells in iter_cells(index.folder / name, spec))
        stale = []
        for ids in _stream_ids(conn, f"MATCH (n:{label}) RETURN n.id AS id"):
            stale += [i for i, there in zip(ids, _member(in_file, ids)) if not there]
        for start in range(0, len(stale), BATCH_SIZE):
            _write(conn, f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) DETACH DELETE n",
                   {"ids": stale[start:start + BATCH_SIZE]})
        if stale:
            summary.add(label, "deleted", len(stale))
    # Anything else (other labels, other relationship types) is not part of the folder either.
    others = _write(conn, """
        MATCH (n) WHERE NOT n:Organization AND NOT n:Person AND NOT n:Source
        DETACH DELETE n RETURN count(*) AS n""", {}).records[0]["n"]
    others += _write(conn, "MATCH ()-[r]->() WHERE NOT type(r) IN $types DELETE r RETURN count(*) AS n",
                     {"types": [*ALL_RELATIONSHIP_TYPES, "SOURCED_FROM"]}).records[0]["n"]
    if others:
        summary.add("other", "deleted", others)


def count_graph(conn: Connection) -> dict[str, int]:
    """Nodes per label and relationships per type, for summaries and tests."""
    counts: dict[str, int] = {}
    for label in NODE_LABELS.values():
        counts[label] = conn.read(f"MATCH (n:{label}) RETURN count(n) AS n").records[0]["n"]
    for rel_type in ALL_RELATIONSHIP_TYPES:
        counts[rel_type] = conn.read(f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n").records[0]["n"]
    return counts


def fingerprint(conn: Connection) -> str:
    """A hash of every node and relationship with its properties: equal graphs, equal hashes."""
    digest = hashlib.sha256()
    nodes = conn.read("""
        MATCH (n) RETURN labels(n) AS labels, properties(n) AS props, elementId(n) AS eid""", timeout=600)
    keys = {}
    lines = []
    for r in nodes.records:
        key = f"{sorted(r['labels'])}{sorted(r['props'].items(), key=lambda kv: kv[0])}"
        keys[r["eid"]] = key
        lines.append(key)
    rels = conn.read("""
        MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props, elementId(b) AS b""",
                     timeout=600)
    for r in rels.records:
        lines.append(f"{keys[r['a']]}-{r['type']}{sorted(r['props'].items(), key=lambda kv: kv[0])}->{keys[r['b']]}")
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()
