"""Running Cypher typed by a person: reads only, bounded in size, time and rows.

The decision is made on what Neo4j itself parsed and planned, not on the text: the server plans
the query (`EXPLAIN`), and every operator of the whole plan tree must be on an allow-list of read
operators; procedures and functions are judged by the name the plan gives them (so quoting,
spacing, comments and `CYPHER` prefixes cannot change the decision); the plan must be of query
type `r` and for our own database. What passes runs in a READ transaction with a timeout, under
the server's own limits (graph.local_neo4j), and the rows are capped.

The text is looked at only where the plan cannot see, with a lexer of linear cost
(graph.cypher_lexer): its length, several statements at once, and nesting deep enough to overflow
the server's parser (which then never answers).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from neo4j import READ_ACCESS, NotificationDisabledClassification, Query, ResultSummary, unit_of_work
from neo4j.exceptions import ClientError

from graph.cypher_lexer import namespaced_calls, shape
from graph.db import Connection, driver_errors, final_errors_not_retried, timed_out
from graph.derive import reads_derived, shows_derived
from graph.errors import QueryError
from graph.output import records_to_rows

ROW_CAP = 1000
TIMEOUT_S = 20.0
MAX_QUERY_CHARS = 20_000
# Neo4j 5.26's parser overflows its stack between 300 and 1,000 levels (brackets, CASE, NOT) and then
# never answers; long operator chains ('a' + 'a' + ... 500 times) keep its semantic analysis busy for
# minutes. Typed queries come nowhere near either bound.
MAX_NESTING = 100
MAX_CHAIN = 200
# Procedures that only read the graph's own catalogue or indexes (lowercase; the plan's names).
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
    "db.index.fulltext.querynodes", "db.index.fulltext.queryrelationships",
})
# Namespaced functions allowed besides the unnamespaced built-ins (count, size, ...).
ALLOWED_FUNCTION_NAMESPACES = ("date.", "datetime.", "localdatetime.", "localtime.", "time.", "duration.",
                               "point.", "vector.")
# Operators of read plans in Neo4j 5 (the name before any "(All)"-like mode and the "@database").
# Anything else, known or not, is refused: writes, LOAD CSV, SHOW/TERMINATE, administration, subquery
# transactions, remote and test operators.
READ_OPERATORS = frozenset({
    # leaves: scans and seeks
    "AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan",
    "SubtractionNodeByLabelsScan", "NodeByIdSeek", "NodeByElementIdSeek", "NodeCountFromCountStore",
    "RelationshipCountFromCountStore", "NodeIndexScan", "NodeIndexSeek", "NodeIndexSeekByRange",
    "NodeUniqueIndexSeek", "NodeUniqueIndexSeekByRange", "NodeIndexContainsScan", "NodeIndexEndsWithScan",
    "MultiNodeIndexSeek", "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan",
    "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan", "DirectedUnionRelationshipTypesScan",
    "UndirectedUnionRelationshipTypesScan", "DirectedRelationshipByIdSeek", "UndirectedRelationshipByIdSeek",
    "DirectedRelationshipByElementIdSeek", "UndirectedRelationshipByElementIdSeek",
    "DirectedRelationshipIndexScan", "UndirectedRelationshipIndexScan", "DirectedRelationshipIndexSeek",
    "UndirectedRelationshipIndexSeek", "DirectedRelationshipIndexSeekByRange",
    "UndirectedRelationshipIndexSeekByRange", "DirectedRelationshipUniqueIndexSeek",
    "UndirectedRelationshipUniqueIndexSeek", "DirectedRelationshipUniqueIndexSeekByRange",
    "UndirectedRelationshipUniqueIndexSeekByRange", "DirectedRelationshipIndexContainsScan",
    "UndirectedRelationshipIndexContainsScan", "DirectedRelationshipIndexEndsWithScan",
    "UndirectedRelationshipIndexEndsWithScan", "Argument", "ArgumentTracker",
    # traversal
    "Expand", "OptionalExpand", "VarLengthExpand", "ShortestPath", "StatefulShortestPath", "Repeat",
    "BidirectionalRepeat", "PathPropagatingBFS", "ProjectEndpoints", "TriadicSelection", "TriadicBuild",
    "TriadicFilter",
    # rows: filters, projections, aggregation, order, limits
    "ProduceResults", "EmptyResult", "Projection", "Filter", "CacheProperties", "Unwind", "Distinct",
    "OrderedDistinct", "EagerAggregation", "OrderedAggregation", "Sort", "PartialSort", "Top", "PartialTop",
    "Limit", "ExhaustiveLimit", "Skip", "Eager", "PreserveOrder", "NonFuseable", "NullifyMetadata", "Optional",
    "Anti", "Union", "OrderedUnion",
    # joins and subqueries
    "Apply", "SemiApply", "AntiSemiApply", "LetSemiApply", "LetAntiSemiApply", "SelectOrSemiApply",
    "SelectOrAntiSemiApply", "LetSelectOrSemiApply", "LetSelectOrAntiSemiApply", "ConditionalApply",
    "AntiConditionalApply", "RollUpApply", "CartesianProduct", "NodeHashJoin", "NodeLeftOuterHashJoin",
    "NodeRightOuterHashJoin", "ValueHashJoin",
    # a procedure call: allowed only for the procedures above
    "ProcedureCall",
})
# Plain words for operators a console user might try, so the refusal says what was seen.
REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV reads files and URLs",
    "AdministrationCommand": "it is an administration command",
}
KINDS = {"w": "it writes to the graph", "rw": "it writes to the graph", "s": "it changes the schema"}
# The server's notices worth telling someone who typed a query (a misspelt name gives no rows and no
# error), by GQLSTATUS, in our words; the name is the server's first `quoted` one.
UNKNOWN_NAME_NOTES = {
    "01N50": "no node in the graph has the label {name} (check its spelling)",
    "01N51": "no relationship in the graph has the type {name} (check its spelling)",
    "01N52": "no node or relationship in the graph has the property {name} (check its spelling)",
}
# The server writes the name as it is between backticks, a backtick in it not doubled ("The label `a`b`
# does not exist"): the name runs to the backtick before " does not exist".
QUOTED_NAME = re.compile(r"`(.*)` does not exist", re.S)
ONLY_UNKNOWN_NAMES = [c for c in NotificationDisabledClassification
                      if c is not NotificationDisabledClassification.UNRECOGNIZED]


@dataclass(frozen=True)
class ReadOnlyResult:
    """The rows of a checked query; `notes` are the server's notices about it, in our words;
    `reads_derived` whether its plan or its rows read derived facts (graph.derive), which can be stale."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    row_cap: int
    notes: tuple[str, ...] = ()
    reads_derived: bool = False


@dataclass(frozen=True)
class CheckedQuery:
    """A query found to be a pure read: the statement to run, what the server noticed planning it, and
    whether its plan reads derived facts."""

    statement: str
    notes: tuple[str, ...]
    reads_derived: bool = False


def _refuse(reason: str) -> QueryError:
    return QueryError(f"Refused: {reason}. Only read queries run here; the database was not changed.")


@functools.lru_cache(maxsize=512)
def single_statement(text: str) -> str:
    """The one statement of a typed query (a trailing ';' dropped), checked for size and nesting.

    Cached by text (a pure function of it): the app and a console user run the same texts again, and a
    stored query pasted in is 2 to 19 KB of text to read.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise _refuse(f"the query is {len(text):,} characters long and at most {MAX_QUERY_CHARS:,} run here; "
                      "shorten it (pass long lists as parameters)")
    found = shape(text)
    if not found.statements:
        raise QueryError("the query is empty: type a Cypher query such as MATCH (o:Organization) RETURN o LIMIT 5")
    if len(found.statements) > 1:
        raise _refuse("several statements in one query; run them one at a time")
    if found.depth > MAX_NESTING:
        raise _refuse(f"the query nests {found.depth} levels deep (brackets, CASE or NOT) and at most {MAX_NESTING} "
                      "run here; flatten it")
    if found.chain > MAX_CHAIN:
        raise _refuse(f"one expression chains {found.chain} operators and at most {MAX_CHAIN} run here; "
                      "split it or use a list and reduce()")
    return found.statements[0].strip()


def check_read_only(conn: Connection, text: str, params: Mapping[str, Any] | None = None,
                    timeout: float = TIMEOUT_S) -> CheckedQuery:
    """The query (one statement) if the server plans it as a pure read of our database, with the server's
    notices of names the graph lacks; else raises.

    Planning gets the query's own timeout: a query the server has not seen is planned twice, once for
    EXPLAIN and once to run (the server caches the two apart), and a large one can take seconds.
    """
    statement = single_statement(text)
    # The connection asks for no notifications (graph.db.connect); this plan asks for those of unknown names.
    with driver_errors(conn.uri, timeout), \
            conn.driver.session(database=conn.database, default_access_mode=READ_ACCESS,
                                notifications_min_severity="WARNING",
                                notifications_disabled_classifications=ONLY_UNKNOWN_NAMES) as session:
        try:
            summary = session.run(Query("EXPLAIN " + statement, timeout=timeout), dict(params or {})).consume()
        except ClientError as e:
            if timed_out(e) or "SyntaxError" in (e.code or ""):
                raise  # in driver_errors' words
            raise _refuse(f"the server would not plan it as a read ({e.code}: {e.message})") from e
    operators = list(_operators(summary.plan or {}))
    home = conn.home_database
    for operator, details, database in operators:  # what we can name in plain words first
        if database != home:
            raise _refuse(f"it runs on the database {database!r}, not {home!r} (USE is not run here)")
        _check_calls(operator, details)
    if summary.query_type != "r":
        raise _refuse(KINDS.get(summary.query_type or "", f"its query type is {summary.query_type!r}, not a read"))
    for operator, _, _ in operators:
        if operator.split("(", 1)[0] not in READ_OPERATORS:
            raise _refuse(f"its plan holds the operator {operator}, which is not on the list of read operators")
    # The plan writes out every label it scans or tests and every property it reads, whatever the text.
    return CheckedQuery(statement, unknown_name_notes(summary),
                        any(reads_derived(details) for _, details, _ in operators))


def unknown_name_notes(summary: ResultSummary) -> tuple[str, ...]:
    """The summary's notices of labels, types and properties the graph does not have, in our words."""
    notes: dict[str, None] = {}  # once each (the server may say one twice), in the order of the query's text
    statuses = sorted(summary.gql_status_objects, key=lambda s: s.position.offset if s.position else -1)
    for status in statuses:
        template = UNKNOWN_NAME_NOTES.get(status.gql_status)
        quoted = QUOTED_NAME.search(status.status_description or "")
        if status.is_notification and template and quoted:
            notes[template.format(name=quoted.group(1))] = None
    return tuple(notes)


def _operators(plan: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(operator, details, database) of every operator of a plan tree, the root first.

    The plan names each operator as "Name@database": where it runs, whatever USE the text holds.
    Iterative, as plans can be deep.
    """
    stack = [plan]
    while stack:
        node = stack.pop()
        name, _, database = str(node.get("operatorType", "?")).partition("@")
        yield name, str((node.get("args") or {}).get("Details", "")), database
        stack.extend(reversed(node.get("children") or []))


@functools.lru_cache(maxsize=8192)
def _check_calls(operator: str, details: str) -> None:
    """Refuses the operators we can name (LOAD CSV, SHOW, TERMINATE, administration) and procedures and
    functions off the allow-lists, by the names the plan gives.

    Cached: the server caches plans, so the same query brings the same operators and details again, and
    reading a large plan's expressions is most of the walk's cost (only passing ones are cached: a
    refusal raises).
    """
    base = operator.split("(", 1)[0]
    if base in REFUSED_OPERATORS:
        raise _refuse(REFUSED_OPERATORS[base])
    if base.startswith(("Show", "Terminate")):
        raise _refuse(f"{base} reads or ends the server's sessions, settings or catalogue")
    expressions = details
    if base == "ProcedureCall":  # "db.labels() :: (label :: STRING)": the name before the first '('
        name = details.split("(", 1)[0].strip()
        if name.lower() not in ALLOWED_PROCEDURES:
            raise _refuse(f"the procedure {name} is not on the list of allowed read procedures "
                          f"({', '.join(sorted(ALLOWED_PROCEDURES))})")
        expressions = details[len(name):]
    for function in namespaced_calls(expressions):
        if not function.lower().startswith(ALLOWED_FUNCTION_NAMESPACES):
            raise _refuse(f"the function {function} is not allowed here")


def run_read_only(conn: Connection, text: str, params: Mapping[str, Any] | None = None,
                  timeout: float = TIMEOUT_S, row_cap: int = ROW_CAP) -> ReadOnlyResult:
    """Checks, then runs a query in a READ transaction; at most row_cap rows come back."""
    checked = check_read_only(conn, text, params, timeout)

    @unit_of_work(timeout=timeout)
    def work(tx) -> tuple[list[str], list[Any]]:
        with final_errors_not_retried(conn.uri, timeout):
            result = tx.run(checked.statement, dict(params or {}))
            records = result.fetch(row_cap + 1)
            result.consume()
            return list(result.keys()), records

    with driver_errors(conn.uri, timeout), conn.driver.session(database=conn.database) as session:
        columns, records = session.execute_read(work)
    truncated = len(records) > row_cap
    rows = records_to_rows(records[:row_cap])
    return ReadOnlyResult(columns, rows, truncated, row_cap, checked.notes,
                          checked.reads_derived or shows_derived(rows))
