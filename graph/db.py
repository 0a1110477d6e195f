"""Opening the graph: one driver per process, made at the edge (CLI, app) and passed in."""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import neo4j
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConnectionAcquisitionTimeoutError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.config import Settings, load_settings
from graph.errors import DatabaseUnavailable, QueryError, SupplyGraphError
from graph.local_neo4j import USERNAME, LocalNeo4j

DEFAULT_READ_TIMEOUT_S = 30.0
NARROW_IT = "narrow it (one organization, an earlier date, a lower limit or fewer hops)"
# Codes of failures that the same query meets again: the driver must not retry them.
MEMORY_LIMIT_CODE = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
HEAP_CODE = "Neo.TransientError.General.OutOfMemoryError"
FINAL_CODES = frozenset({MEMORY_LIMIT_CODE, HEAP_CODE})
MEMORY_LIMIT_MESSAGE = ("the query needed more memory than one transaction may use on this server "
                        f"(db.memory.transaction.max); {NARROW_IT}")
ALL_MEMORY_MESSAGE = ("the memory the server gives all running queries together (dbms.memory.transaction.total.max) "
                      f"is in use; run it again in a moment, or {NARROW_IT}")
HEAP_MESSAGE = f"the server ran out of memory (Java heap) on this query and stopped it; {NARROW_IT}"
STOPPED_MESSAGE = ("the query was stopped by the server before it finished (terminated by an administrator, "
                   "or the server is shutting down); run it again")
# Failures of the connection rather than of the query: the server stopped, or a cluster changed leader.
CONNECTION_ERRORS = (ServiceUnavailable, SessionExpired, IncompleteCommit, ConnectionAcquisitionTimeoutError)

# The driver logs every notification the server sends at WARNING, and with no logging set up Python
# prints those on stderr, with the query text. The server sends none (connect() turns them off) except
# where supplygraph asks for them, and then says them in its own words (graph.readonly).
logging.getLogger("neo4j.notifications").addHandler(logging.NullHandler())
logging.getLogger("neo4j.notifications").propagate = False


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
            with final_errors_not_retried(self.uri, timeout):
                return tx.run(text, dict(params or {})).to_eager_result()

        with driver_errors(self.uri, timeout), \
                self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(work)

    @functools.cached_property
    def home_database(self) -> str:
        """The database queries really go to: the configured one, else the server's default for our user."""
        if self.database:
            return self.database
        with driver_errors(self.uri):
            return self.driver.execute_query("RETURN 1", routing_=neo4j.RoutingControl.READ).summary.database

    def close(self) -> None:
        self.driver.close()


def translate(e: Exception, uri: str, timeout: float | None = None) -> SupplyGraphError:
    """The one place a driver or server failure becomes our words (timeouts, memory, termination,
    a lost server); used by every call to the driver, so each problem reads the same everywhere."""
    if isinstance(e, SupplyGraphError):
        return e
    if isinstance(e, CONNECTION_ERRORS) or isinstance(e, OSError):
        return DatabaseUnavailable(unreachable_message(uri))
    if isinstance(e, AuthError):
        return DatabaseUnavailable(f"Neo4j at {uri} refused the user name or password: check NEO4J_USERNAME "
                                   "and NEO4J_PASSWORD")
    if not isinstance(e, Neo4jError):
        return DatabaseUnavailable(f"the connection to Neo4j at {uri} failed ({type(e).__name__}: {e}); run it again")
    code, message = e.code or "", e.message or ""
    if code == MEMORY_LIMIT_CODE:
        return QueryError(ALL_MEMORY_MESSAGE if "total" in message.lower() else MEMORY_LIMIT_MESSAGE)
    if code == HEAP_CODE:
        return QueryError(HEAP_MESSAGE)
    if timed_out(e):
        return QueryError(timeout_message(timeout))
    if "Terminated" in code or "LockClientStopped" in code:
        return QueryError(STOPPED_MESSAGE)
    if "SyntaxError" in code:
        return QueryError(f"Cypher syntax error: {message}")
    if isinstance(e, ClientError):
        return QueryError(f"{code}: {message}")
    return QueryError(f"the query failed on the server: {code}: {message}")


@contextmanager
def driver_errors(uri: str, timeout: float | None = None) -> Iterator[None]:
    """Around any use of the driver: its failures leave as translate() words them, from the original."""
    try:
        yield
    except (DriverError, Neo4jError, OSError) as e:
        raise translate(e, uri, timeout) from e


@contextmanager
def final_errors_not_retried(uri: str, timeout: float | None = None) -> Iterator[None]:
    """Inside a managed transaction: a query over a memory limit is not retried.

    The same query fails the same way again, and the driver would retry it for half a minute while
    the user waits. Other transient errors (a restarting server, a lock) are still retried.
    """
    try:
        yield
    except TransientError as e:
        if e.code in FINAL_CODES:
            raise translate(e, uri, timeout) from e
        raise


def timed_out(e: Neo4jError) -> bool:
    """The server stopped the transaction at its timeout (the driver's, or db.transaction.timeout)."""
    return "TimedOut" in (e.code or "")


def timeout_message(timeout: float | None) -> str:
    limit = f"{timeout:g} s" if timeout else "the server's transaction timeout (db.transaction.timeout)"
    return (f"the query ran longer than {limit} and the server stopped it; {NARROW_IT}, "
            "or allow it more time (--timeout)")


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
    # No notifications ("property does not exist", deprecations): the stored queries and loads are ours,
    # and a notice about them helps nobody who runs them. The console asks for the ones about typed Cypher.
    driver = neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
    try:
        with driver_errors(uri):
            try:
                driver.verify_connectivity()
            except AuthError as e:
                raise DatabaseUnavailable(f"Neo4j at {uri} refused user {auth[0]!r}: check NEO4J_USERNAME "
                                          "and NEO4J_PASSWORD") from e
    except SupplyGraphError:
        driver.close()
        raise
    return Connection(driver=driver, database=settings.database, uri=uri)
