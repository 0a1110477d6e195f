"""What reads derived facts (graph.derive.reads_derived), told from the parsed query and from the server's
plan, so that every page and command can warn when they are stale. The pages themselves: test_app.py."""

from __future__ import annotations

import pytest

from graph.db import Connection
from graph.derive import reads_derived, shows_derived
from graph.explore import APP_QUERIES
from graph.queries import PLACEHOLDERS, load_queries
from graph.readonly import check_read_only, run_read_only

READS = [
    "MATCH (e:Exposure {org_id: 'openai'}) RETURN e.rival_name",
    "MATCH (s:DerivedState) RETURN s.generation",
    "MATCH (n) WHERE n:Organization|Ownership RETURN n",
    "MATCH (n:!Organization&!FamilyMember) RETURN count(n)",
    "MATCH (n:`Exposure`) RETURN n",
    "MATCH ()-[r:SUPPLIES]->() RETURN r.valid_from",
    "MATCH ()-[r]->() WHERE date() < r.valid_to RETURN count(r)",
    "MATCH ()-[r]->() RETURN r.`detail`",
    "MATCH ()-[r]->() RETURN r\n.detail",
]
READS_NOTHING_DERIVED = [
    "MATCH (o:Organization) RETURN o.name",
    "RETURN 'MATCH (e:Exposure) RETURN e.valid_from' AS text",  # a string is not code
    "MATCH (o:Organization) // o.valid_from, (e:Exposure)\nRETURN o.name",  # nor a comment
    "MATCH (o:Organization) /* :Ownership */ RETURN o.id",
    "RETURN {valid_from: 1, detail: 2} AS map",  # map keys are not properties read
    "MATCH (o:Organization) RETURN o.name AS Exposure",  # a name, not a label
    "MATCH (o:Organization) RETURN o.details, o.exposure, o.valid_fromage",  # near misses
    "MATCH (o:exposure) RETURN o",  # labels are case-sensitive
]


@pytest.mark.parametrize("text", READS)
def test_derived_labels_and_properties_are_seen(text: str) -> None:
    assert reads_derived(text)


@pytest.mark.parametrize("text", READS_NOTHING_DERIVED)
def test_strings_comments_keys_and_near_misses_are_not_derived(text: str) -> None:
    assert not reads_derived(text)


def test_derived_nodes_alone() -> None:
    assert reads_derived("MATCH (e:Exposure) RETURN e", properties=False)
    assert not reads_derived("MATCH ()-[r]->() RETURN r.valid_from", properties=False)


def test_result_values_holding_derived_facts() -> None:
    node = {"element_id": "4:x:1", "labels": ["Organization"], "properties": {"id": "a"}}
    derived = {"element_id": "4:x:2", "labels": ["Exposure"], "properties": {}}
    rel = {"element_id": "5:x:1", "type": "SUPPLIES", "start": "4:x:1", "end": "4:x:1",
           "properties": {"id": "r", "valid_from": "2020-01-01"}}
    assert not shows_derived(node) and not shows_derived([node, 1, "Exposure"]) and not shows_derived(None)
    assert shows_derived([[{"x": derived}]]) and shows_derived({"nodes": [node], "relationships": [rel]})
    assert not shows_derived({"element_id": "4:x:3", "labels": ["Organization"], "properties": {"detail": "x"}})


@pytest.mark.parametrize("text", READS + READS_NOTHING_DERIVED)
def test_the_plan_agrees_with_the_parsed_query(session_conn: Connection, loaded: str, text: str) -> None:
    # Neo4j's own rendering of what the query scans and reads, strings replaced by parameters.
    assert check_read_only(session_conn, text).reads_derived == reads_derived(text)


@pytest.mark.parametrize("folder", [None, APP_QUERIES], ids=["stored", "app"])
def test_every_stored_query_is_judged_as_its_plan_is(session_conn: Connection, loaded: str, folder) -> None:
    queries = load_queries(folder) if folder else load_queries()
    for query in queries.values():
        values = {p.name: PLACEHOLDERS[p.type] for p in query.params}
        assert check_read_only(session_conn, query.text, values).reads_derived == query.reads_derived, query.name
    assert {q.name for q in load_queries().values() if not q.reads_derived} == {"executive_moves", "source_report"}


def test_console_results_say_whether_they_read_derived_facts(session_conn: Connection, loaded: str) -> None:
    assert run_read_only(session_conn, "MATCH (e:Exposure) RETURN e.org_id LIMIT 1").reads_derived
    assert not run_read_only(session_conn, "MATCH (o:Organization) RETURN o.id LIMIT 1").reads_derived
    # Whole relationships carry the validity a derivation writes, though the text names no property.
    assert run_read_only(session_conn, "MATCH p = ()-[:SUPPLIES]->() RETURN p LIMIT 1").reads_derived
    assert not run_read_only(session_conn, "MATCH (n) WHERE n.id = 'nobody' RETURN n").reads_derived


def test_the_cli_warns_for_what_reads_derived_facts_while_they_are_stale(session_conn: Connection, loaded: str,
                                                                           neo4j_env: dict[str, str]) -> None:
    from click.testing import CliRunner

    from graph.cli import cli

    def stderr(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stderr

    reads = [("query", "neighbourhood", "-p", "entity_id", "scale-ai"), ("cypher", "MATCH (e:Exposure) RETURN e.org_id"),
             ("cypher", "MATCH ()-[r]->() RETURN r.valid_to LIMIT 1")]
    reads_none = [("query", "source_report", "-p", "publisher", "Reuters"), ("cypher", "MATCH (o:Organization) RETURN o.id")]
    assert not any("derived facts" in stderr(*args) for args in reads + reads_none)  # fresh
    session_conn.driver.execute_query("MATCH (a:Organization), (b:Organization) WHERE a <> b WITH a, b LIMIT 1 "
                                      "CREATE (a)-[:PARTNERS_WITH {id: 'by-hand', kind: 'research'}]->(b)")
    try:
        for args in reads:
            assert "derived facts are stale" in stderr(*args) and "supplygraph derive" in stderr(*args), args
        for args in reads_none:
            assert "derived facts" not in stderr(*args), args
    finally:
        session_conn.driver.execute_query("MATCH ()-[r {id: 'by-hand'}]->() DELETE r")
