"""Writing a validated data folder into Neo4j: batched `UNWIND ... MERGE`, idempotent.

Loading the same folder twice gives the same graph; a changed folder updates it; `replace=True`
also deletes what the folder no longer holds. Each batch is one managed write transaction
(retried by the driver on transient errors), and each is safe to run again: a load cut short is
completed by running it again.

Into an empty database it CREATEs without looking anything up. Rows are built (read, converted,
hashed) in a thread while the server writes the batch before; memory does not grow with the folder.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import queue
import re
import threading
from array import array
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator, Iterator

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
from graph.validate import FolderIndex, check_folder, iter_cells, parse_date, parse_number, unchanged_since_check

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "cypher" / "schema" / "schema.cypher"
BATCH_SIZE = 5000
NODE_LABELS = {SOURCES.name: "Source", ORGANIZATIONS.name: "Organization", PEOPLE.name: "Person"}
SPEC_OF_LABEL = {"Source": SOURCES, "Organization": ORGANIZATIONS, "Person": PEOPLE}
PREFETCH_BATCHES = 1  # one batch built while the server writes the one before: it is the slower side
ALL_RELATIONSHIP_TYPES = (*RELATIONSHIP_TYPES, POSITION_TYPE)
Progress = Callable[[int], None]
Phase = Callable[[str], None]

# For each row: 'created', 'updated' or 'unchanged', told apart by the stored row hash.
_OUTCOME = """
WITH row, old, CASE WHEN old IS NULL THEN 'created'
                    WHEN old.row_hash = row.props.row_hash THEN 'unchanged'
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


def _node_query(label: str, fresh: bool = False) -> str:
    """The write of one batch of nodes; `fresh` (the database was empty) creates without lookups."""
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
{_OUTCOME}
CALL (row, outcome) {{
    WITH row, outcome WHERE outcome <> 'unchanged'
    MERGE (n:{label} {{id: row.props.id}})
    SET n = row.props{_dates("n", spec)}
    {extra}{sourced}
}}
RETURN outcome, count(*) AS rows
"""


def _fresh_relationships_query(from_label: str, spec: FileSpec) -> str:
    """Into an empty database: rows of any type in one batch (the type is dynamic; nothing is looked up
    by it), so a batch is full whatever the mix of types and no per-type batches wait in memory."""
    return f"""
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from_id}})
MATCH (b:Organization {{id: row.to_id}})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props{_dates("r", spec)}
RETURN row.type AS kind, 'created' AS outcome, count(*) AS rows
"""


def _relationship_query(rel_type: str, from_label: str, spec: FileSpec) -> str:
    # rel_type and from_label come from the model's allow-list, never from the files. The type is
    # literal here: the OPTIONAL MATCH must use the type's id constraint.
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
    SET r = row.props{_dates("r", spec)}
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


def apply_schema(conn: Connection, relationships: bool = True) -> None:
    """Creates the constraints and indexes the database lacks, in one transaction, and waits until they
    are online.

    relationships=False leaves out those on relationships (`FOR ()-[r:TYPE]-()`): a load into an empty
    database creates them after its writes, when each is built in one pass instead of updated row by row.
    Statements whose name the database already has are not sent: each schema statement is a commit of
    its own cost, even when IF NOT EXISTS makes it a no-op.
    """
    with _server_errors(conn, "the schema"), conn.driver.session(database=conn.database) as session:
        present = {record["name"] for query in ("SHOW CONSTRAINTS YIELD name", "SHOW INDEXES YIELD name")
                   for record in session.run(query)}
        missing = [s for s in schema_statements()
                   if (relationships or "()-[" not in s) and schema_name(s) not in present]
        if missing:
            session.execute_write(lambda tx: [tx.run(s).consume() for s in missing])
        session.run("CALL db.awaitIndexes(300)").consume()


def schema_name(statement: str) -> str | None:
    """The name a schema statement creates ("CREATE [FULLTEXT ]INDEX|CONSTRAINT name IF NOT EXISTS ...")."""
    match = re.match(r"CREATE\s+(?:\w+\s+)?(?:INDEX|CONSTRAINT)\s+(\w+)", statement, re.IGNORECASE)
    return match.group(1) if match else None


def load_folder(conn: Connection, folder: Path, replace: bool = False, batch_size: int = BATCH_SIZE,
                progress: Progress | None = None, index: FolderIndex | None = None,
                phase: Phase | None = None) -> LoadSummary:
    """Validates a folder, then writes it; nothing is written if any row is invalid.

    `progress` is told the rows of each batch written; `phase` what the load is doing, in words, when that
    changes (the steps after the writes can take seconds on a large graph and write no rows).
    """
    tell = phase or (lambda _: None)
    index = index or check_folder(folder)
    was_empty = not conn.read("MATCH (n) RETURN n LIMIT 1").records
    tell("preparing the schema")
    apply_schema(conn, relationships=not was_empty)
    tell("writing")
    summary = LoadSummary()
    # Rows are read, converted and hashed in a thread while this one waits for the server's writes
    # (the driver releases the GIL on the socket). Validation has finished: nothing is written before.
    batches = _prefetched(_batches(index, batch_size, was_empty), PREFETCH_BATCHES)
    try:
        for query, kind, rows in batches:
            _write_batch(conn, query, rows, summary, kind, progress)
    finally:
        batches.close()  # stops the thread if a write failed
    if replace or not was_empty:
        tell("deleting what the folder no longer holds" if replace else "finding relationships whose type changed")
        _delete_stale(conn, index, replace, summary)
    if was_empty:
        tell("building the relationship indexes")
        apply_schema(conn)  # the relationship constraints and indexes, over what was just written
    tell("updating the full-text index")
    await_fulltext_indexes(conn)
    unchanged_since_check(index)
    return summary


def await_fulltext_indexes(conn: Connection) -> None:
    """Waits until the eventually consistent full-text indexes hold every write of the load."""
    with _server_errors(conn, "a wait for the full-text index"), \
            conn.driver.session(database=conn.database) as session:
        session.run("CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()").consume()


Batch = tuple[str, str, list[dict[str, Any]]]  # query, kind (label or type), rows


def _batches(index: FolderIndex, batch_size: int, fresh: bool) -> Iterator[Batch]:
    """Every write of the load, in order: nodes (sources first: the others link to them), then edges."""
    for spec in (SOURCES, ORGANIZATIONS, PEOPLE):
        label = NODE_LABELS[spec.name]
        yield from _chunks(_node_query(label, fresh), label, _rows(index, spec), batch_size)
    for spec in (POSITIONS, RELATIONSHIPS):
        from_label = "Person" if spec is POSITIONS else "Organization"
        rows = _rows(index, spec)
        if fresh:
            yield from _chunks(_fresh_relationships_query(from_label, spec), POSITION_TYPE, rows, batch_size)
            continue
        # One query per type; all types' pending rows together stay under one batch (memory), so
        # each time the largest type is sent.
        pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        waiting = 0
        for row in rows:
            pending[row.pop("type")].append(row)
            waiting += 1
            if waiting >= batch_size:
                rel_type = max(pending, key=lambda t: len(pending[t]))
                waiting -= len(pending[rel_type])
                yield _relationship_query(rel_type, from_label, spec), rel_type, pending.pop(rel_type)
        for rel_type, chunk in pending.items():
            yield _relationship_query(rel_type, from_label, spec), rel_type, chunk


def _chunks(query: str, kind: str, rows: Iterator[dict[str, Any]], batch_size: int) -> Iterator[Batch]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            yield query, kind, batch
            batch = []
    if batch:
        yield query, kind, batch


_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _prefetched(items: Iterator[Batch], ahead: int) -> Generator[Batch, None, None]:
    """The items, each made by a thread of its own while the consumer works on the one before.

    At most `ahead` items are made before the consumer is done with its current one (a semaphore,
    not only a bounded queue: that would let the thread hold one more, finished, while it waits).
    Closing the generator, or an error in the consumer, stops the thread; an error in the thread is
    raised in the consumer.
    """
    ready: queue.SimpleQueue = queue.SimpleQueue()
    slots = threading.Semaphore(ahead + 1)  # the consumer's current item, and those made ahead
    stop = threading.Event()

    def produce() -> None:
        try:
            while True:
                while not slots.acquire(timeout=0.1):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                item = next(items, _DONE)
                ready.put(item)
                if item is _DONE:
                    return
        except BaseException as e:  # handed to the consumer, which raises it
            ready.put(_Failed(e))

    thread = threading.Thread(target=produce, name="supplygraph-rows", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
            slots.release()  # done with this one: the thread may make another
    finally:
        stop.set()
        thread.join()


_JSON = json.JSONEncoder(ensure_ascii=False)
_LIST, _TEXT, _NUMBER, _DATE, _DATE_TEXT, _END = range(6)


def _rows(index: FolderIndex, spec: FileSpec) -> Iterator[dict[str, Any]]:
    """The rows of a validated file as a batch sends them: props with row_hash, and per kind of file
    the role labels, or the type and both ends; date columns as ISO text (see _dates)."""
    relationship = spec in (POSITIONS, RELATIONSHIPS)
    ends = ("person_id", "org_id") if spec is POSITIONS else ("from_id", "to_id")
    # (key, column, kind) in key order: row_hash's JSON then needs no sorting (see _row_hash).
    plan: list[tuple[str, int, int]] = []
    for i, column in enumerate(spec.columns):
        if relationship and column in (*ends, "type"):
            continue
        kind = (_LIST if column in spec.list_columns else _DATE if column in spec.date_columns
                else _NUMBER if column in spec.number_columns else _TEXT)
        plan.append((column, i, kind))
        if kind == _DATE:
            plan.append((f"{column}_text", i, _DATE_TEXT))
    if relationship:
        plan += [("from", spec.columns.index(ends[0]), _END), ("to", spec.columns.index(ends[1]), _END)]
    plan.sort()
    from_index, to_index = (spec.columns.index(e) for e in ends) if relationship else (0, 0)
    type_index = spec.columns.index("type") if spec is RELATIONSHIPS else None
    roles_index = spec.columns.index("roles") if spec is ORGANIZATIONS else None

    for _, cells in iter_cells(index.folder / spec.name, spec):
        values: dict[str, Any] = {}  # what row_hash fingerprints, exactly as convert() gives it
        props: dict[str, Any] = {}
        row: dict[str, Any] = {"props": props}
        for key, i, kind in plan:
            text = cells[i]
            if kind == _LIST:
                items = [v.strip() for v in text.split(";") if v.strip()]
                values[key] = items
                if items:
                    props[key] = items
            elif kind == _END:
                values[key] = text
            elif not text:
                if kind != _DATE_TEXT:
                    values[key] = None
            elif kind == _TEXT or kind == _DATE_TEXT:
                values[key] = props[key] = text
            elif kind == _NUMBER:
                values[key] = props[key] = parse_number(text)
            else:  # _DATE: the date's ISO text, as str(date) gives it for row_hash
                values[key] = row[key] = _iso_date(text)
        props["row_hash"] = _row_hash(values)
        if relationship:
            row["from_id"], row["to_id"] = cells[from_index], cells[to_index]
            row["type"] = cells[type_index] if type_index is not None else POSITION_TYPE
        elif roles_index is not None:
            row["labels"] = [ROLE_LABELS[r] for r in values["roles"]]
        yield row


def _iso_date(text: str) -> str:
    """str(parse_date(text)) for a valid date, without making a date."""
    if text.isascii():
        if len(text) == 10:
            return text
        if len(text) == 7:
            return text + "-01"
        if len(text) == 4:
            return text + "-01-01"
    return str(parse_date(text))  # digits of other scripts, which \d also matches


def _row_hash(values: dict[str, Any]) -> str:
    """row_hash(values) for values whose keys are in sorted order and whose dates are ISO text: the same
    JSON text, from the C encoder without sort_keys or a `default` callback."""
    return hashlib.sha1(_JSON.encode(values).encode("utf-8")).hexdigest()


def _write_batch(conn: Connection, query: str, rows: list[dict[str, Any]], summary: LoadSummary, kind: str,
                 progress: Progress | None) -> None:
    written = 0
    for record in _write(conn, query, {"rows": rows}).records:
        summary.add(record.get("kind") or kind, record["outcome"], record["rows"])
        written += record["rows"]
    if written < len(rows):
        # Validation saw every end in the folder, so an end was deleted from the database meanwhile.
        raise SupplyGraphError(
            f"{len(rows) - written} of {len(rows)} {kind} rows in a batch were not written: an organization or "
            "person they connect is no longer in the database (was it changed during the load?). "
            "Run the same load again: it completes the graph.")
    if progress:
        progress(len(rows))


def _write(conn: Connection, text: str, params: dict[str, Any]):
    with _server_errors(conn, "a write"):
        return conn.driver.execute_query(Query(text), params, database_=conn.database,
                                         routing_=RoutingControl.WRITE)


@contextmanager
def _server_errors(conn: Connection, what: str) -> Iterator[None]:
    """The server's failures during a load, in the load's words: gone (rerun the load) or refused."""
    try:
        yield
    except ServiceUnavailable as e:
        raise _went_away(conn) from e
    except Neo4jError as e:
        raise SupplyGraphError(f"Neo4j refused {what}: {e.code}: {e.message}") from e


def _went_away(conn: Connection) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Neo4j at {conn.uri} went away during the load: start it again and rerun the same load "
        "(loads are idempotent; it completes the graph)"
    )


def _stream_ids(conn: Connection, text: str, chunk: int = 10_000) -> Iterator[list[Any]]:
    """The ids a query returns, a chunk at a time, streamed (not one list of all of them)."""
    with _server_errors(conn, "a read"), \
            conn.driver.session(database=conn.database, default_access_mode=READ_ACCESS) as session:
        ids: list[Any] = []
        for record in session.run(Query(text, timeout=600)):
            ids.append(record[0])
            if len(ids) >= chunk:
                yield ids
                ids = []
        if ids:
            yield ids


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
    in_relationship_file = _sorted_hashes(cells[rel_columns[1]]
                                          for _, cells in iter_cells(relationships, RELATIONSHIPS))
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
