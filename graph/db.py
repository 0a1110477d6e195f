"""Opening the graph: one driver per process, made at the edge (CLI, app) and passed in."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import neo4j
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable, TransientError

from graph.config import Settings, load_settings
from graph.errors import DatabaseUnavailable, QueryError
from graph.local_neo4j import USERNAME, LocalNeo4j

DEFAULT_READ_TIMEOUT_S = 30.0
MEMORY_LIMIT_CODE = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
NARROW_IT = "narrow it (one organization, an earlier date, a lower limit or fewer hops)"
MEMORY_LIMIT_MESSAGE = ("the query needed more memory than one transaction may use on this server "
                        f"(db.memory.transaction.max); {NARROW_IT}")


@dataclass(frozen=True)
class Connection:
    """A driver and the database its queries go to (None: the server's default)."""

    driver: neo4j.Driver
    database: str | None
    uri: str

    def read(self, text: str, params: Mapping[str, Any] | None = None,
             timeout: float = DEFAULT_READ_TIMEOUT_S) -> neo4j.EagerResult:
        """Runs a read query in a READ transaction that the server ends after `timeout` seconds."""
        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> neo4j.EagerResult:
            with memory_limit_is_final():
                return tx.run(text, dict(params or {})).to_eager_result()

        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except ServiceUnavailable as e:
            raise DatabaseUnavailable(unreachable_message(self.uri)) from e
        except Neo4jError as e:
            if timed_out(e):
                raise QueryError(timeout_message(timeout)) from e
            if isinstance(e, ClientError):
                raise QueryError(f"{e.code}: {e.message}") from e
            raise QueryError(f"the query failed on the server: {e.code}: {e.message}") from e

    def close(self) -> None:
        self.driver.close()


@contextmanager
def memory_limit_is_final() -> Iterator[None]:
    """Inside a managed transaction: a query over the per-transaction memory limit is not retried.

    The same query fails the same way again, and the driver would retry it for half a minute while
    the user waits. Other transient errors (a restarting server, a lock) are still retried.
    """
    try:
        yield
    except TransientError as e:
        if e.code == MEMORY_LIMIT_CODE:
            raise QueryError(MEMORY_LIMIT_MESSAGE) from e
        raise


def timed_out(e: Neo4jError) -> bool:
    """The server stopped the transaction at its timeout (the code and wording vary across versions)."""
    code, message = (e.code or "").lower(), (e.message or "").lower()
    return (any(w in code for w in ("timeout", "timedout", "terminated"))
            or any(w in message for w in ("terminated", "timed out", "timeout")))


def timeout_message(timeout: float) -> str:
    return (f"the query ran longer than {timeout:g} s and the server stopped it; {NARROW_IT}, "
            "or allow it more time (supplygraph query --timeout)")


def unreachable_message(uri: str) -> str:
    return f"Neo4j is not reachable at {uri}: start it with `supplygraph db start`, or set NEO4J_URI"


def connect(settings: Settings | None = None, start_local: bool = True) -> Connection:
    """Opens the configured graph; with no NEO4J_URI, the managed local Neo4j (started on demand)."""
    settings = settings or load_settings()
    if settings.is_local:
        local = LocalNeo4j()
        if start_local:
            local.start()
        uri, auth = local.uri, (USERNAME, local.password())
    else:
        uri, auth = settings.uri, (settings.username, settings.password or "")
    driver = neo4j.GraphDatabase.driver(uri, auth=auth)
    try:
        driver.verify_connectivity()
    except AuthError as e:
        driver.close()
        raise DatabaseUnavailable(f"Neo4j at {uri} refused user {auth[0]!r}: check NEO4J_USERNAME and NEO4J_PASSWORD") from e
    except (ServiceUnavailable, OSError) as e:
        driver.close()
        raise DatabaseUnavailable(unreachable_message(uri)) from e
    return Connection(driver=driver, database=settings.database, uri=uri)
