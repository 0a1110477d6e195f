"""Read-only Cypher: hostile queries are refused before they run, and the graph is unchanged."""

from __future__ import annotations

import time

import pytest

from graph.db import Connection
from graph.errors import QueryError
from graph.readonly import MAX_QUERY_CHARS, run_read_only

from oracles import fingerprint


def schema(conn: Connection) -> list[tuple]:
    """Every index and constraint with its definition: a refused query must leave these unchanged too."""
    indexes = conn.read("SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, options "
                        "RETURN name, type, entityType, labelsOrTypes, properties, options.indexProvider AS provider")
    constraints = conn.read("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN *")
    return sorted(tuple(str(v) for v in r.values()) for r in [*indexes.records, *constraints.records])


def assert_refused_and_unchanged(conn: Connection, loaded: str, query: str, match: str = r"^Refused: ",
                                 params: dict | None = None) -> None:
    before = schema(conn)
    with pytest.raises(QueryError, match=match):
        run_read_only(conn, query, params)
    assert fingerprint(conn) == loaded
    assert schema(conn) == before
    assert conn.read("RETURN 1 AS ok").records[0]["ok"] == 1  # the server still answers


HOSTILE = [
    "CREATE (n:Evil) RETURN n",
    "create (n:Evil)",
    "MATCH (o:Organization) SET o.name = 'pwned'",
    "MATCH (o:Organization) REMOVE o.name",
    "MATCH (o:Organization) DETACH DELETE o",
    "MATCH ()-[r]->() DELETE r",
    "MERGE (n:Evil {id: 1})",
    "MATCH (o:Organization) WITH o LIMIT 1 MERGE (o)-[:OWNS]->(:Evil)",
    "FOREACH (x IN range(1, 3) | CREATE (:Evil))",
    "MATCH (o:Organization) CALL (o) { SET o.x = 1 } RETURN count(*)",
    "UNWIND range(1, 10) AS i CALL (i) { CREATE (:Evil {i: i}) } IN TRANSACTIONS RETURN count(*)",
    "MATCH (o) /* harmless? */ SET o:Evil",
    "MATCH (o) // comment\nSET o.evil = true",
    "mAtCh (o) sEt o.evil = TRUE",
    "INSERT (:Evil)",
    "CREATE INDEX evil FOR (n:Organization) ON (n.evil)",
    "DROP CONSTRAINT organization_id",
    "CREATE CONSTRAINT evil FOR (n:Evil) REQUIRE n.id IS UNIQUE",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "load csv with headers from 'https://example.org/x.csv' AS row RETURN row",
    "LOAD CSV FROM 'file:///../../etc/passwd' AS l RETURN l LIMIT 1",
    "CALL dbms.listConfig()",
    "CALL dbms.security.createUser('evil', 'pw', false)",
    "CALL db.createLabel('Evil')",
    "CALL dbms.killQueries(['query-1'])",
    "CALL apoc.load.json('file:///etc/passwd')",
    "RETURN apoc.text.join(['a'], ',')",
    "CALL db.clearQueryCaches()",
    "SHOW USERS",
    "CREATE USER evil SET PASSWORD 'x'",
    "ALTER USER neo4j SET PASSWORD 'x'",
    "CREATE DATABASE evil",
    "STOP DATABASE neo4j",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "PROFILE MATCH (o) SET o.x = 1",
    "EXPLAIN MATCH (o) SET o.x = 1",
    "MATCH (o) RETURN o; MATCH (o) DETACH DELETE o",
    "RETURN 1; CREATE (:Evil)",
    ":param x => 1",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_is_refused_and_graph_unchanged(session_conn: Connection, loaded: str, query: str) -> None:
    with pytest.raises(QueryError, match=r"Refused: |syntax error"):
        run_read_only(session_conn, query)
    assert fingerprint(session_conn) == loaded


def test_refusal_says_why(session_conn: Connection, loaded: str) -> None:
    with pytest.raises(QueryError, match=r"^Refused: it writes to the graph\. Only read queries run here; "
                                         r"the database was not changed\.$"):
        run_read_only(session_conn, "MATCH (o:Organization) SET o.name = 'x'")
    with pytest.raises(QueryError, match="Refused: LOAD CSV reads files and URLs"):
        run_read_only(session_conn, "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l")
    with pytest.raises(QueryError, match="several statements"):
        run_read_only(session_conn, "RETURN 1; RETURN 2")


def test_reads_run_with_parameters_and_row_cap(session_conn: Connection, loaded: str) -> None:
    result = run_read_only(session_conn, "MATCH (o:Organization) WHERE o.name STARTS WITH $p RETURN o.name AS name "
                                         "ORDER BY name", {"p": "M"})
    assert [r["name"] for r in result.rows] == ["Meta", "Microsoft"] and not result.truncated
    capped = run_read_only(session_conn, "UNWIND range(1, 50) AS i RETURN i", row_cap=10)
    assert len(capped.rows) == 10 and capped.truncated
    search = run_read_only(session_conn, "CALL db.index.fulltext.queryNodes('entity_names', 'facebook') "
                                         "YIELD node RETURN node.id AS id")
    assert [r["id"] for r in search.rows] == ["meta"]
    semicolon = run_read_only(session_conn, "RETURN 'a;b' AS s;")
    assert semicolon.rows == [{"s": "a;b"}]


def test_runaway_reads_end_with_a_clear_message(session_conn: Connection, loaded: str) -> None:
    with pytest.raises(QueryError, match="longer than 2 s|more memory"):
        run_read_only(session_conn, "UNWIND range(1, 100000) AS i UNWIND range(1, 100000) AS j WITH i, j WHERE i * j = -1 RETURN count(*)",
                      timeout=2)
    with pytest.raises(QueryError, match="longer than 2 s|more memory"):
        run_read_only(session_conn, "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 100) AS c "
                                    "RETURN count(*)", timeout=2)
    assert run_read_only(session_conn, "RETURN 1 AS ok").rows == [{"ok": 1}]  # still answering


HUNGRY = "UNWIND range(1, 40000000) AS x WITH collect(x) AS xs RETURN size(xs) AS n"


def test_a_query_over_the_memory_limit_fails_at_once_with_advice(session_conn: Connection) -> None:
    # Retrying cannot help (the same query needs the same memory): the error comes from the first
    # attempt, in our words, not after the driver's half minute of retries with the server's code.
    with pytest.raises(QueryError, match=r"more memory than one transaction may use .*narrow it"):
        session_conn.read(HUNGRY)
    with pytest.raises(QueryError, match=r"more memory than one transaction may use .*narrow it"):
        run_read_only(session_conn, HUNGRY)
    assert session_conn.read("RETURN 1 AS ok").records[0]["ok"] == 1


def test_a_stored_query_past_its_timeout_says_so_with_advice(session_conn: Connection) -> None:
    # Connection.read serves the stored queries (CLI and app): the server's code is put in our words.
    slow = "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 1000) AS c RETURN count(*)"
    with pytest.raises(QueryError, match=r"ran longer than 1 s and the server stopped it; narrow it .*--timeout"):
        session_conn.read(slow, timeout=1)
    assert session_conn.read("RETURN 1 AS ok").records[0]["ok"] == 1


# Each class of hole found by the hostile test of issue 15, with cases of our own: refused by the plan
# (or by the bounded text checks where the plan cannot see), the graph and its schema unchanged, the
# server alive.
COMMENTS_AND_LINE_ENDS = [
    "WITH 1 AS x // a comment ends at a lone carriage return\rLOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS l RETURN l",
    "RETURN 1 AS x // \rUNION LOAD CSV FROM 'file:///etc/passwd' AS x RETURN x",
    "WITH 1 AS x /* block */ LOAD CSV FROM 'file:///password' AS l RETURN l",
    "WITH 1 AS x //\r\nLOAD CSV WITH HEADERS FROM 'http://[::1]:9/x' AS l RETURN l",
    "MATCH (o) // \r SET o.evil = true",
    "RETURN 'it''s' AS x; // \r CREATE (:Evil)",
    "RETURN 1 /* ; */ ; /* */ CREATE (:Evil)",
]
PREFIXES_AND_QUOTING = [
    "CYPHER 5 SHOW TRANSACTIONS",
    "CYPHER 5 TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW TRANSACTIONS YIELD currentQuery, parameters",
    "SHOW TRANSACTIONS YIELD transactionId AS t, currentQuery WHERE currentQuery CONTAINS 'x' "
    "TERMINATE TRANSACTIONS t YIELD message RETURN *",
    "cypher runtime=slotted SHOW SETTINGS",
    "SHOW PROCEDURES",
    "SHOW FUNCTIONS",
    "CALL `db`.`stats`.`retrieve`('GRAPH COUNTS')",
    "CALL db . stats . retrieve ( 'GRAPH COUNTS' )",
    "CALL db.stats.collect('QUERIES')",
    "CALL db.prepareForReplanning;",
    "CALL db.prepareForReplanning",
    "CALL dbms.listConfig",
    "CALL `dbms`.listConfig() YIELD name, value RETURN name, value",
    "/* hello */ CALL db.clearQueryCaches",
    "CYPHER 5 CALL db.stats.clear('QUERIES')",
    "USE system CALL dbms.components()",
    "MATCH (o:Organization) CALL db.stats.retrieve('GRAPH COUNTS') YIELD data RETURN o, data",
    "CALL { CALL db.stats.retrieve('GRAPH COUNTS') YIELD section RETURN section } RETURN section",
]
RESOURCES = [
    "RETURN " + "(" * 3000 + "1" + ")" * 3000 + " AS x",
    "RETURN " + "[" * 500 + "1" + "]" * 500 + " AS x",
    "RETURN " + "NOT " * 1000 + "true AS x",
    "RETURN " + "CASE WHEN true THEN " * 300 + "1" + " END" * 300 + " AS x",
    "RETURN " + "{a: " * 400 + "1" + "}" * 400 + " AS x",
    "RETURN 'a'" + " + 'a'" * 500 + " AS x",
    "RETURN 1" + " + 1" * 300 + " AS x",
    "'" + "\\" * 40_000,
    "RETURN '" + "''" * 30_000 + "' AS x",
    "MATCH (o) WHERE o.name = \"" + "\\\"" * 30_000 + "\" RETURN o",
]


@pytest.mark.parametrize("query", COMMENTS_AND_LINE_ENDS)
def test_comments_and_line_ends_cannot_hide_code(session_conn: Connection, loaded: str, query: str) -> None:
    assert_refused_and_unchanged(session_conn, loaded, query, r"^Refused: |syntax error")


@pytest.mark.parametrize("query", PREFIXES_AND_QUOTING)
def test_prefixes_and_quoting_do_not_change_the_plan(session_conn: Connection, loaded: str, query: str) -> None:
    assert_refused_and_unchanged(session_conn, loaded, query)


@pytest.mark.parametrize("query", RESOURCES, ids=lambda q: f"{q[:24]}...{len(q)}")
def test_queries_that_would_exhaust_the_parser_are_refused_at_once(session_conn: Connection, loaded: str,
                                                                   query: str) -> None:
    # The server's parser overflows its stack on deep nesting and then never answers; long operator
    # chains keep it busy for minutes; an 80 KB query of quotes took a backtracking regex 36 s. Each is
    # refused by the lexer before the server sees it, in well under a second.
    started = time.monotonic()
    assert_refused_and_unchanged(session_conn, loaded, query, r"^Refused: the query (nests|is)|^Refused: one expression")
    assert time.monotonic() - started < 5


def test_refusals_name_what_was_seen(session_conn: Connection, loaded: str) -> None:
    with pytest.raises(QueryError, match=r"^Refused: ShowTransactions reads or ends the server's sessions"):
        run_read_only(session_conn, "CYPHER 5 SHOW TRANSACTIONS YIELD currentQuery")
    with pytest.raises(QueryError, match=r"^Refused: the procedure db\.stats\.retrieve is not on the list"):
        run_read_only(session_conn, "CALL `db`.`stats`.`retrieve`('GRAPH COUNTS')")
    with pytest.raises(QueryError, match=r"^Refused: it runs on the database 'system', not 'neo4j'"):
        run_read_only(session_conn, "USE system CALL dbms.components()")
    with pytest.raises(QueryError, match=rf"^Refused: the query is {MAX_QUERY_CHARS + 1:,} characters long"):
        run_read_only(session_conn, "RETURN 1 AS x" + " " * (MAX_QUERY_CHARS - 12))
    with pytest.raises(QueryError, match=r"^Refused: the query nests 3000 levels deep"):
        run_read_only(session_conn, "RETURN " + "(" * 3000 + "1" + ")" * 3000)


def test_reads_in_many_shapes_still_run(session_conn: Connection, loaded: str) -> None:
    # The allow-list of operators covers what console users write: patterns, subqueries, aggregation,
    # paths, the catalogue procedures, temporal functions, comments, CYPHER prefixes.
    queries = [
        "CYPHER 5 MATCH (o:Organization) RETURN count(o) AS n",
        "MATCH (o:Organization) // a comment\rWHERE o.id STARTS WITH 'o' RETURN o.id AS id ORDER BY id LIMIT 3",
        "MATCH (a:Organization)-[r*1..2]-(b) RETURN count(DISTINCT b) AS n",
        "MATCH p = shortestPath((a:Organization)-[*..4]-(b:Organization)) WHERE a <> b RETURN length(p) AS l LIMIT 1",
        "MATCH (o:Organization) WHERE EXISTS { (o)-->() } RETURN o.id AS id, COUNT { (o)--() } AS degree, "
        "[(o)-->(x) | x.id][0..2] AS some ORDER BY degree DESC LIMIT 2",
        "MATCH (o:Organization) OPTIONAL MATCH (o)<-[:INVESTED_IN]-(i) WITH o, collect(i.id) AS investors "
        "RETURN o.id AS id, size(investors) AS n ORDER BY n DESC, id SKIP 1 LIMIT 2",
        "UNWIND [1, 2] AS x CALL (x) { RETURN x * 2 AS y } RETURN x, y",
        "MATCH (o:Organization) RETURN o.id AS id UNION MATCH (p:Person) RETURN p.id AS id",
        "CALL db.labels() YIELD label RETURN label ORDER BY label",
        "RETURN date.truncate('month', date('2025-06-15')) AS d, duration.between(date('2025-01-01'), "
        "date('2025-06-15')).days AS days, reduce(s = 0, x IN range(1, 10) | s + x) AS total",
        "RETURN $p AS p",
    ]
    for query in queries:
        assert run_read_only(session_conn, query, {"p": 1}).columns, query
