"""Read-only Cypher: hostile queries are refused before they run, and the graph is unchanged."""

from __future__ import annotations

import pytest

from graph.db import Connection
from graph.errors import QueryError
from graph.readonly import run_read_only

from oracles import fingerprint

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
    "USE system SHOW USERS",
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
