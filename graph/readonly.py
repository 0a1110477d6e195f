"""Running Cypher typed by a person: reads only, bounded in time and rows.

The check does not guess from keywords alone: the server plans the query (`EXPLAIN`) and we accept
only the read query type `r`, with no `LOAD CSV` and only allow-listed procedures and namespaced
functions. What passes runs in a READ transaction with a timeout, and the rows are capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from neo4j import Query, unit_of_work
from neo4j.exceptions import ClientError, Neo4jError, ServiceUnavailable

from graph.db import Connection, memory_limit_is_final, timed_out, unreachable_message
from graph.errors import DatabaseUnavailable, QueryError
from graph.output import records_to_rows
from graph.queries import STRINGS_AND_COMMENTS

ROW_CAP = 1000
TIMEOUT_S = 20.0
# Procedures that only read the graph's own catalogue or indexes.
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
    "db.index.fulltext.querynodes", "db.index.fulltext.queryrelationships", "db.awaitindexes",
})
# Namespaced functions allowed besides the unnamespaced built-ins (count, size, ...).
ALLOWED_FUNCTION_NAMESPACES = ("date.", "datetime.", "localdatetime.", "localtime.", "time.", "duration.",
                               "point.", "vector.")
ALLOWED_FUNCTIONS = frozenset({"db.namefromelementid"})
PROCEDURE_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)\s*(?:\(|YIELD\b|$)", re.I)
NAMESPACED_FUNCTION = re.compile(r"(?<![\w.$])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\s*\(")
ADMIN_COMMANDS = frozenset({"SHOW", "TERMINATE", "GRANT", "REVOKE", "DENY", "ALTER", "DROP", "START", "STOP",
                            "ENABLE", "RENAME", "DEALLOCATE", "REALLOCATE", "DRYRUN"})
REFUSED_PREFIXES = {"EXPLAIN": "EXPLAIN", "PROFILE": "PROFILE", "USE": "USE (switching databases)",
                    ":": "cypher-shell commands such as :param"}


@dataclass(frozen=True)
class ReadOnlyResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    row_cap: int


def _refuse(reason: str) -> QueryError:
    return QueryError(f"Refused: {reason}. Only read queries run here; the database was not changed.")


def check_read_only(conn: Connection, text: str) -> str:
    """Returns the query (one statement, trailing ';' dropped) if it is a pure read, else raises."""
    code = STRINGS_AND_COMMENTS.sub(" ", text)
    statements = [s for s in code.split(";") if s.strip()]
    if not statements:
        raise QueryError("the query is empty: type a Cypher query such as MATCH (o:Organization) RETURN o LIMIT 5")
    if len(statements) > 1:
        raise _refuse("several statements in one query; run them one at a time")
    first_word = code.strip().split(None, 1)[0].upper()
    for prefix, what in REFUSED_PREFIXES.items():
        if first_word.startswith(prefix):
            raise _refuse(f"{what} is not run from here")
    if first_word in ADMIN_COMMANDS:
        raise _refuse(f"{first_word} starts an administration command")
    if re.search(r"\bLOAD\s+CSV\b", code, re.I):
        raise _refuse("LOAD CSV reads files and URLs")
    for name in PROCEDURE_CALL.findall(code):
        if name.lower() not in ALLOWED_PROCEDURES:
            raise _refuse(f"the procedure {name} is not on the list of allowed read procedures "
                          f"({', '.join(sorted(ALLOWED_PROCEDURES))})")
    for name in NAMESPACED_FUNCTION.findall(PROCEDURE_CALL.sub(" ", code)):
        lowered = name.lower()
        if lowered not in ALLOWED_FUNCTIONS and not lowered.startswith(ALLOWED_FUNCTION_NAMESPACES):
            raise _refuse(f"the function {name} is not allowed here")
    statement = text.strip().rstrip(";").strip() if text.strip().endswith(";") else text.strip()
    query_type = _plan_type(conn, statement)
    if query_type != "r":
        kinds = {"w": "it writes to the graph", "rw": "it writes to the graph", "s": "it changes the schema"}
        raise _refuse(kinds.get(query_type, f"its query type is {query_type!r}, not a read"))
    return statement


def _plan_type(conn: Connection, statement: str) -> str:
    try:
        with conn.driver.session(database=conn.database, default_access_mode="READ") as session:
            summary = session.run(Query("EXPLAIN " + statement, timeout=TIMEOUT_S)).consume()
    except ServiceUnavailable as e:
        raise DatabaseUnavailable(unreachable_message(conn.uri)) from e
    except ClientError as e:
        if "SyntaxError" in (e.code or ""):
            raise QueryError(f"Cypher syntax error: {e.message}") from e
        raise _refuse(f"the server would not plan it as a read ({e.code}: {e.message})") from e
    return summary.query_type or "?"


def run_read_only(conn: Connection, text: str, params: Mapping[str, Any] | None = None,
                  timeout: float = TIMEOUT_S, row_cap: int = ROW_CAP) -> ReadOnlyResult:
    """Checks, then runs a query in a READ transaction; at most row_cap rows come back."""
    statement = check_read_only(conn, text)

    @unit_of_work(timeout=timeout)
    def work(tx) -> tuple[list[str], list[Any]]:
        with memory_limit_is_final():
            result = tx.run(statement, dict(params or {}))
            records = result.fetch(row_cap + 1)
            result.consume()
            return list(result.keys()), records

    try:
        with conn.driver.session(database=conn.database) as session:
            columns, records = session.execute_read(work)
    except ServiceUnavailable as e:
        raise DatabaseUnavailable(unreachable_message(conn.uri)) from e
    except Neo4jError as e:
        message = e.message or ""
        code = (e.code or "").lower()
        if timed_out(e):  # the console's own advice: its queries are the user's, not stored ones
            raise QueryError(f"the query ran longer than {timeout:.0f} s and was stopped; narrow it (add a LIMIT "
                             "or start from one entity)") from e
        if "memory" in code or "memory" in message.lower():
            raise QueryError("the query needed more memory than a query may use and was stopped; narrow it") from e
        raise QueryError(f"{e.code}: {message}") from e
    truncated = len(records) > row_cap
    return ReadOnlyResult(columns, records_to_rows(records[:row_cap]), truncated, row_cap)
