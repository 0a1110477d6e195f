"""The `supplygraph` CLI against the real Neo4j of the test session."""

from __future__ import annotations

import inspect
import itertools
import json
import subprocess
import sys

import click
import pytest
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


def test_bad_parameters_get_clear_errors_not_tracebacks(neo4j_env, conn) -> None:
    cases = {
        ("-p", "x", "1234567890123456789012345"): "Error: parameter x: 1234567890123456789012345 is outside the "
                                                   "64-bit integers Neo4j stores",
        ("-p", "x", "[" * 5000 + "]" * 5000): "Error: parameter x: the JSON value nests 5000 levels deep, at most 32",
        ("-p", "x", '{"a": [' + "9" * 30 + "]}"): "Error: parameter x: " + "9" * 30 + " is outside the 64-bit",
        ("-p", "x", "ab\udcff"): "Error: parameter x: the value is not valid UTF-8 text",
    }
    for params, message in cases.items():
        result = CliRunner().invoke(cli, ["cypher", "RETURN $x AS x", *params])
        assert result.exit_code == 1 and message in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    result = CliRunner().invoke(cli, ["query", "neighbourhood", "-p", "entity_id", "x", "-p", "limit", "9" * 25])
    assert result.exit_code == 1 and f"Error: parameter limit: {'9' * 25} is outside the 64-bit" in result.output


def test_a_query_that_is_not_utf8_gets_a_clear_error(neo4j_env, conn) -> None:
    result = CliRunner().invoke(cli, ["cypher", "-"], input=b"RETURN '\xff' AS x")
    assert result.exit_code == 1 and "Error: the query on stdin is not UTF-8 text (byte 8)" in result.output


def test_json_output_is_valid_for_nan(neo4j_env, conn) -> None:
    result = run("cypher", "RETURN 0.0 / 0.0 AS nan, 1 AS one", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == [{"nan": None, "one": 1}]


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command of the CLI, groups included, with the words that call it."""
    found = [(path, group)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


@pytest.mark.parametrize("path, command", commands(), ids=[" ".join(p) or "supplygraph" for p, _ in commands()])
def test_every_help_has_an_example_kept_as_written(path: tuple[str, ...], command: click.Command) -> None:
    """Like sqlite-utils: each command's --help (its docstring) shows how to call it. Examples are a `\\b`
    paragraph, so click does not rewrap them (which split `-p as_of` from its value)."""
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=60)  # narrower than the examples
    assert result.exit_code == 0, result.output
    written = inspect.cleandoc(command.help or "").splitlines()
    heading = next((i for i, line in enumerate(written) if line in ("Example:", "Examples:")), None)
    assert heading is not None and written[heading - 1] == "\b", f"{' '.join(path)}: no \\b Example(s): paragraph"
    examples = [line.strip() for line in itertools.takewhile(str.strip, written[heading + 1:])]
    assert examples and all(e.startswith(" ".join(("supplygraph", *path))) for e in examples), examples
    shown = [line.strip() for line in result.stdout.splitlines()]
    assert [e for e in examples if e not in shown] == []  # each on one line, as written


def test_query_table_shows_key_columns_wrapped_at_the_terminal_width(neo4j_env, conn) -> None:
    from graph.loader import load_folder
    from graph.cli import SEED_DIR

    load_folder(conn, SEED_DIR)
    args = ("query", "indirect_links", "-p", "org_id", "openai", "-p", "as_of", "2025-06-15")
    result = CliRunner(env={"COLUMNS": "100"}).invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    header = lines[1].split("┃")
    assert [h.strip() for h in header if h.strip()] == ["org", "rival", "kind", "score", "since", "until", "explanation"]
    wrapped = " ".join(line.split("│")[-2].strip() for line in lines if line.startswith("│"))
    assert "Meta Platforms owns 49% of Scale AI (since 2025-06-12)" in wrapped  # the sentence whole, wrapped
    as_json = run(*args, "--format", "json")
    assert "path_nodes" in json.loads(as_json.stdout)[0] and "sources" in json.loads(as_json.stdout)[0]
