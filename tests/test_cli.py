"""The `supplygraph` CLI against the real Neo4j of the test session."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from graph.cli import cli


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_cypher_json(neo4j_env, conn) -> None:
    result = run("cypher", "RETURN 1 AS x", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"x": 1}]


def test_cypher_params_csv_and_stdin(neo4j_env, conn) -> None:
    result = run("cypher", "-", "-p", "n", "3", "-p", "name", "Scale AI", "--format", "csv",
                 input="RETURN $n * 2 AS twice, $name AS name")
    assert result.exit_code == 0, result.output
    assert result.stdout == "twice,name\n6,Scale AI\n"


def test_cypher_table_and_nodes(neo4j_env, conn) -> None:
    conn.driver.execute_query("CREATE (:Organization {id: 'scale-ai', name: 'Scale AI'})")
    result = run("cypher", "MATCH (o:Organization) RETURN o.name AS name, o")
    assert result.exit_code == 0, result.output
    assert "Scale AI" in result.stdout and "Organization" in result.stdout


def test_cypher_runs_in_a_read_transaction(neo4j_env, conn) -> None:
    result = CliRunner().invoke(cli, ["cypher", "CREATE (:X) RETURN 1"])
    assert result.exit_code == 1
    assert "Error: Refused: it writes to the graph. Only read queries run here" in result.output
    assert conn.driver.execute_query("MATCH (n:X) RETURN count(n) AS c").records[0]["c"] == 0


def test_unreachable_database_message(monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    result = CliRunner().invoke(cli, ["cypher", "RETURN 1"])
    assert result.exit_code == 1
    assert "Error: Neo4j is not reachable at bolt://127.0.0.1:9: start it with `supplygraph db start`" in result.output


def test_python_dash_m_graph_works() -> None:
    result = subprocess.run([sys.executable, "-m", "graph", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "supplygraph" in result.stdout and "cypher" in result.stdout
