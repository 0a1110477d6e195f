"""A load's exchanges with the server: batched writes, streamed reads, and its failures in the load's words.

Each write is one managed transaction, retried by the driver on transient errors; every write a load
sends is safe to run again, so a load cut short is completed by running it again.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import neo4j
from neo4j import READ_ACCESS, Query, RoutingControl
from neo4j.exceptions import DriverError, Neo4jError

from graph.db import Connection, translate
from graph.errors import DatabaseUnavailable, SupplyGraphError

BATCH_SIZE = 5000  # rows (or ids to delete) per write transaction


@contextmanager
def server_errors(conn: Connection, what: str) -> Iterator[None]:
    """The server's failures during a load, in graph.db's words with the load's advice: gone (rerun the
    load, which completes the graph) or refused."""
    try:
        yield
    except (DriverError, Neo4jError, OSError) as e:
        error = translate(e, conn.uri)
        if isinstance(error, DatabaseUnavailable):
            raise _went_away(conn) from e
        raise SupplyGraphError(f"Neo4j refused {what}: {error}") from e


def _went_away(conn: Connection) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Neo4j at {conn.uri} went away during the load: start it again and rerun the same load "
        "(loads are idempotent; it completes the graph)"
    )


def write(conn: Connection, text: str, params: dict[str, Any]) -> neo4j.EagerResult:
    """Runs one write query in a managed write transaction.

    Without the driver's bookmarks: a write goes to the leader, which has every committed transaction, and
    a bookmark kept from before a bulk import names a transaction the imported database never had (the
    driver then waits for it until BookmarkTimeout)."""
    with server_errors(conn, "a write"):
        return conn.driver.execute_query(Query(text), params, database_=conn.database,
                                         routing_=RoutingControl.WRITE, bookmark_manager_=None)


def stream_ids(conn: Connection, text: str, chunk: int = 10_000) -> Iterator[list[Any]]:
    """The ids a query returns, a chunk at a time, streamed (not one list of all of them)."""
    with server_errors(conn, "a read"), \
            conn.driver.session(database=conn.database, default_access_mode=READ_ACCESS) as session:
        ids: list[Any] = []
        for record in session.run(Query(text, timeout=600)):
            ids.append(record[0])
            if len(ids) >= chunk:
                yield ids
                ids = []
        if ids:
            yield ids
