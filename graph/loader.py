"""Writing a validated data folder into Neo4j: batched `UNWIND ... MERGE`, idempotent.

Loading the same folder twice gives the same graph; a changed folder updates it; `replace=True`
also deletes what the folder no longer holds. Each batch is one managed write transaction
(retried by the driver on transient errors), and each is safe to run again: a load cut short is
completed by running it again.

Into an empty database it CREATEs without looking anything up. Rows are built (read, converted,
hashed) in a worker thread while the server writes the batch before; memory does not grow with the
folder. The steps live in modules of their own: graph.load_cypher (the queries), graph.schema,
graph.load_rows (rows, hashes, batches), graph.load_stale (deletions) and graph.load_server (writes
and the server's failures).

Into an empty managed local database (graph.local_neo4j), given as `local`, a first load uses Neo4j's own
import tool instead (graph.load_bulk writes its files from the same rows, graph.neo4j_import runs it with
the server stopped), then the schema and the derived facts: the same graph, written many times faster.
A database that holds anything, or one the load does not manage (NEO4J_URI), gets the transactional path.
On a new home (the server never ran, no database yet), `load_before_first_start` runs the import tool
before the server's first start instead: no stop and second start (and a folder the bulk path refuses
goes from there straight to the transactional path, its import files written once).
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from graph.db import Connection
from graph.derive import DeriveSummary, derive, mark_writing, staleness
from graph.errors import SupplyGraphError
from graph.load_bulk import ImportFiles, NotBulkLoadable, write_import_files
from graph.load_record import record_load
from graph.load_rows import batches, prefetched
from graph.load_server import BATCH_SIZE, write
from graph.load_stale import delete_stale
from graph.local_neo4j import LocalNeo4j
from graph.neo4j_import import import_offline, store_folders
from graph.schema import apply_schema, await_fulltext_indexes
from graph.validate import FolderIndex, check_folder, unchanged_since_check, verify_unchanged

DERIVE_ON_LOAD_MAX = 5_000
PREFETCH_BATCHES = 1  # one batch built while the server writes the one before: it is the slower side
Progress = Callable[[int], None]
Phase = Callable[[str], None]
BULK, TRANSACTIONAL = "bulk", "transactional"
FIRST_DATABASE = "neo4j"  # the database a server's first start creates, and opens if the import tool wrote it


@dataclass
class LoadSummary:
    """What a load did, per kind of thing: created, updated, unchanged, deleted."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    derived: DeriveSummary | None = None  # None: nothing changed, the derived facts were current
    method: str = TRANSACTIONAL  # or BULK: Neo4j's import tool into an empty local database
    why: str = ""  # why that path, in words

    def add(self, kind: str, outcome: str, rows: int) -> None:
        self.counts[kind][outcome] += rows

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(self.total(o) for o in ("created", "updated", "deleted"))


def load_folder(conn: Connection, folder: Path, replace: bool = False, batch_size: int = BATCH_SIZE,
                progress: Progress | None = None, index: FolderIndex | None = None,
                phase: Phase | None = None, local: LocalNeo4j | None = None, source: str | None = None) -> LoadSummary:
    """Validates a folder, then writes it; nothing is written if any row is invalid.

    `progress` is told the rows of each batch written; `phase` what the load is doing, in words, when that
    changes (the steps after the writes can take seconds on a large graph and write no rows). With `local`,
    the managed server `conn` is connected to, a load into an empty database uses the bulk path.
    `source` names the data in the graph's LoadRecord (graph.load_record): the folder's name by default,
    a workbook's file name when the folder was read from one.
    """
    index = index or check_folder(folder)
    summary = _load(conn, replace, batch_size, progress, index, phase, local)
    return _recorded(conn, folder, source, index, summary)


def _recorded(conn: Connection, folder: Path, source: str | None, index: FolderIndex,
              summary: LoadSummary) -> LoadSummary:
    """Writes the LoadRecord of a load that succeeded: named `source`, or the folder's name."""
    record_load(conn, source or Path(folder).resolve().name, index.total_rows, summary.method)
    return summary


def _load(conn: Connection, replace: bool, batch_size: int, progress: Progress | None,
          index: FolderIndex, phase: Phase | None, local: LocalNeo4j | None) -> LoadSummary:
    tell = phase or (lambda _: None)
    was_empty = _is_empty(conn)
    verify_unchanged(index)  # the files about to be written are those validated
    why = _why_not_bulk(conn, local, index, was_empty)
    if not why:
        assert local is not None
        try:
            return _bulk_load(conn, local, index, progress, tell)
        except NotBulkLoadable as e:  # found while writing its files, before the server was touched
            why = _refused(e)
    return _transactional(conn, index, replace, batch_size, progress, tell, why)


def _refused(e: NotBulkLoadable) -> str:
    return f"{e}, so it was written transactionally"


def _transactional(conn: Connection, index: FolderIndex, replace: bool, batch_size: int, progress: Progress | None,
                   tell: Phase, why: str) -> LoadSummary:
    """Batched UNWIND ... MERGE (CREATE into an empty database); `why` says why not the import tool."""
    was_empty = _is_empty(conn)  # again after a refused bulk load: someone may have written meanwhile
    tell("preparing the schema")
    apply_schema(conn, relationships=not was_empty)
    stale_before = staleness(conn)
    tell("writing")
    mark_writing(conn)
    summary = LoadSummary(why=why)
    # Validation has finished: nothing is written before. The rows of the next batch are built while
    # this thread waits for the server's write of the one before.
    writes = prefetched(batches(index, batch_size, was_empty), PREFETCH_BATCHES)
    try:
        for query, kind, rows in writes:
            _write_batch(conn, query, rows, summary, kind, progress)
    finally:
        writes.close()  # stops the worker if a write failed
    if replace or not was_empty:
        tell("deleting what the folder no longer holds" if replace else "finding relationships whose type changed")
        for kind, deleted in delete_stale(conn, index, replace).items():
            summary.add(kind, "deleted", deleted)
    if was_empty:
        tell("building the relationship indexes")
        apply_schema(conn)  # the relationship constraints and indexes, over what was just written
    tell("updating the full-text index")
    await_fulltext_indexes(conn)
    unchanged_since_check(index)
    if not summary.changed and not stale_before:
        mark_writing(conn, False)  # the derived facts are as current as before
    elif derives_on_load(conn):
        summary.derived = derive(conn, tell)
    return summary


def _is_empty(conn: Connection) -> bool:
    return not conn.read("MATCH (n) RETURN n LIMIT 1").records


def _why_not_bulk(conn: Connection, local: LocalNeo4j | None, index: FolderIndex, was_empty: bool) -> str:
    """'' when a load may use the import tool, else why it writes transactionally."""
    if local is None or local.uri != conn.uri:
        return "the database is not the managed local one (NEO4J_URI), whose server the load could stop"
    if not was_empty:
        return "the database already holds data"
    if not index.total_rows:
        return "the folder holds no rows"
    return ""


def _bulk_load(conn: Connection, local: LocalNeo4j, index: FolderIndex, progress: Progress | None,
               tell: Phase) -> LoadSummary:
    """The first load into the empty local database: the import tool, then the schema and derived facts."""
    files = _import(local, index, conn.home_database, tell, lambda: _is_empty(conn))
    conn.read("RETURN 1")  # the driver's connections from before the restart are dead: a retried read renews them
    return _after_import(conn, index, files, progress, tell,
                         "the local database was empty, so Neo4j's import tool wrote it")


def load_before_first_start(local: LocalNeo4j, folder: Path, connected: Callable[[], Connection],
                            index: FolderIndex | None = None, progress: Progress | None = None,
                            phase: Phase | None = None, source: str | None = None, replace: bool = False,
                            batch_size: int = BATCH_SIZE) -> LoadSummary | None:
    """The first load into a managed local database that was never created (a new home, the server not
    running): Neo4j's import tool writes it before the server's first start, which then opens it; one
    start instead of a start, a stop and a start again. `connected` opens a connection to the default
    database once the server runs (closed here). None, nothing done, when the server runs or the database
    exists: load_folder decides then. If the bulk path refuses the folder while writing the import files,
    the server is started and the folder written transactionally here (`replace`, `batch_size` as
    load_folder's): load_folder would write every import file a second time before refusing again."""
    tell = phase or (lambda _: None)
    index = index or check_folder(folder)
    if not index.total_rows or not _never_created(local):
        return None
    verify_unchanged(index)
    local.make_home()  # the import's files go in it
    local.write_conf()  # the import tool reads the server's settings (where the store goes) from it
    files: ImportFiles | None = None
    why = "the local database did not exist yet, so Neo4j's import tool wrote it before the server started"
    try:
        files = _import(local, index, FIRST_DATABASE, tell, lambda: _never_created(local))
    except NotBulkLoadable as e:  # before anything was written: the transactional path writes it
        why = _refused(e)
        tell("starting the server")
        local.start()
    conn = connected()
    try:
        summary = (_after_import(conn, index, files, progress, tell, why) if files is not None
                   else _transactional(conn, index, replace, batch_size, progress, tell, why))
        return _recorded(conn, folder, source, index, summary)
    finally:
        conn.close()


def _never_created(local: LocalNeo4j) -> bool:
    return local.pid() is None and not any(p.exists() for p in store_folders(local.home, FIRST_DATABASE))


def _import(local: LocalNeo4j, index: FolderIndex, database: str, tell: Phase,
            still_empty: Callable[[], bool]) -> ImportFiles:
    """Writes the import tool's files and runs the tool (stopping the server if it runs, starting it after)."""
    tell("writing the files for Neo4j's import tool")
    with tempfile.TemporaryDirectory(prefix="bulk-import-", dir=local.home) as work:
        files = write_import_files(index, Path(work))
        unchanged_since_check(index)  # the files imported are those validated
        if not still_empty():  # written meanwhile by someone else: this load must not replace it
            raise NotBulkLoadable("the database was written to during the load")
        import_offline(local, Path(work), files.arguments, database, tell=tell)
    return files


def _after_import(conn: Connection, index: FolderIndex, files: ImportFiles, progress: Progress | None,
                  tell: Phase, why: str) -> LoadSummary:
    """The schema, the full-text index and the derived facts over what the import tool wrote; `why`
    (the caller's: it knows which bulk path it took) is what the summary tells the user."""
    if progress:
        progress(index.total_rows)
    tell("building the schema")
    apply_schema(conn)
    tell("updating the full-text index")
    await_fulltext_indexes(conn)
    summary = LoadSummary(method=BULK, why=why)
    for kind, created in files.created.items():
        summary.add(kind, "created", created)
    if derives_on_load(conn):
        summary.derived = derive(conn, tell)
    return summary


def derives_on_load(conn: Connection) -> bool:
    """Whether a load derives the facts itself: on graphs up to DERIVE_ON_LOAD_MAX relationships. The
    derivation's time grows faster than the graph on dense data (docs/BENCHMARKS.md), so above that the
    load leaves them stale, the queries that read them say so, and `supplygraph derive` brings them up."""
    return conn.read("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"] <= DERIVE_ON_LOAD_MAX


def _write_batch(conn: Connection, query: str, rows: list[dict[str, Any]], summary: LoadSummary, kind: str,
                 progress: Progress | None) -> None:
    written = 0
    for record in write(conn, query, {"rows": rows}).records:
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
