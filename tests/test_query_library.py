"""The stored-query library in cypher/: every file is well formed, listed by the CLI and runs on the seed graph
with its own `// example:` parameters, exactly as cypher-shell would run it; plus golden answers on the seed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph.cli import SEED_DIR, cli
from graph.db import Connection
from graph.loader import load_folder
from graph.schema import schema_statements
from graph.model import POSITION_TYPE, RELATIONSHIP_TYPES
from graph.queries import CYPHER_DIR, PARAM_TYPES, StoredQuery, load_queries, parse_query_file, run_query, used_parameters

QUERY_FILES = sorted(CYPHER_DIR.glob("*.cypher"))
EXAMPLE = re.compile(r":param\s+([A-Za-z_][A-Za-z0-9_]*)\s*=>\s*(.+?)\s*;?")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def cypher_literal(text: str) -> Any:
    """The value of the literal an `:param x => ...` example line gives (the subset the library uses)."""
    text = text.strip()
    if m := re.fullmatch(r"date\(\s*'(\d{4}-\d{2}-\d{2})'\s*\)", text):
        return dt.date.fromisoformat(m.group(1))
    if m := re.fullmatch(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", text):
        return m.group(1) if m.group(1) is not None else m.group(2)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d*", text):
        return float(text)
    raise AssertionError(f"unsupported example literal {text!r}")


def example_params(query: StoredQuery) -> dict[str, Any]:
    params = {}
    for line in query.examples:
        match = EXAMPLE.fullmatch(line.strip())
        assert match, f"{query.path.name}: example lines are `:param NAME => VALUE`, got {line!r}"
        params[match.group(1)] = cypher_literal(match.group(2))
    return params


def documented_columns(returns: str) -> list[str]:
    """The column names of a `// returns:` line: parenthesised notes and a leading 'one row per ...:' dropped,
    columns separated by commas or 'and'."""
    text = returns
    while True:
        stripped = re.sub(r"\([^()]*\)", "", text)
        if stripped == text:
            break
        text = stripped
    text = text.rsplit(":", 1)[-1]
    columns = []
    for piece in re.split(r",|\s+and\s+", text):
        match = IDENTIFIER.match(piece.strip())
        assert match, f"cannot read a column name from {piece!r} in {returns!r}"
        columns.append(match.group(0))
    return columns


@pytest.fixture(scope="module")
def seeded(session_conn: Connection) -> Connection:
    """The session's database holding exactly the seed data, loaded once for this module."""
    with session_conn.driver.session(database=session_conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    load_folder(session_conn, SEED_DIR)
    return session_conn


def run(conn: Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_query(conn, load_queries()[name], params)[1]


# -- every file ------------------------------------------------------------------------------------


def test_the_library_has_the_stored_queries() -> None:
    names = set(load_queries())
    assert {"vendor_exposure", "shared_vendors", "executive_moves", "investment_web", "paths_between", "timeline",
            "changes_between", "concentration", "source_report", "neighbourhood", "indirect_links"} <= names


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_header_is_complete(path: Path) -> None:
    query = parse_query_file(path)
    assert query.name == path.stem
    assert len(query.description) >= 40, "say what the query answers, in a sentence"
    assert documented_columns(query.returns)
    for param in query.params:
        assert param.type in PARAM_TYPES
        assert param.help, f"parameter {param.name} has no help text"
        if not param.required:
            param.default_value()  # the default parses as its type
    assert used_parameters(query.text) == {p.name for p in query.params}
    # cypher-shell needs a value for every parameter: each has an example line.
    assert set(example_params(query)) == {p.name for p in query.params}
    assert not query.text.rstrip().endswith(";"), "one statement per file, as the other files"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_listed_by_the_cli(path: Path, neo4j_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["queries", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listed = {row["name"]: row for row in json.loads(result.stdout)}
    query = parse_query_file(path)
    assert query.name in listed
    assert listed[query.name]["description"] == query.description
    for param in query.params:
        assert f"{param.name} {param.type}" in listed[query.name]["parameters"]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_runs_on_the_seed_with_its_examples(path: Path, seeded: Connection) -> None:
    query = parse_query_file(path)
    params = example_params(query)
    # As cypher-shell runs it: the text as it is, with only the example parameters.
    result = seeded.read(query.text, params, timeout=60)
    assert list(result.keys) == documented_columns(query.returns)
    assert result.records, f"{query.name} found nothing on the seed with its examples"
    # The same through the library, twice: ORDER BY makes the answer the same each time.
    columns, rows = run_query(seeded, query, params)
    assert columns == documented_columns(query.returns)
    assert run_query(seeded, query, params)[1] == rows
    json.dumps(rows, default=str)  # plain data


def test_cli_runs_a_stored_query(seeded: Connection, neo4j_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["query", "concentration", "-p", "as_of", "2025-06-15", "-p", "limit", "3",
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and rows[0]["vendor"] == "Scale AI"


# -- golden answers on the seed ----------------------------------------------------------------------


def test_concentration(seeded: Connection) -> None:
    rows = run(seeded, "concentration", as_of=dt.date(2025, 6, 15), limit=100)
    top = rows[0]
    assert (top["rank"], top["vendor_id"], top["labs"]) == (1, "scale-ai", 5)
    assert set(top["lab_names"]) == {"OpenAI", "Google", "Meta Platforms", "xAI", "Cohere"}
    assert top["services"] == ["data_labeling"]
    assert [r["labs"] for r in rows] == sorted((r["labs"] for r in rows), reverse=True)
    assert all(r["rank"] == 1 + sum(o["labs"] > r["labs"] for o in rows) for r in rows)
    # After OpenAI dropped Scale AI and more labs signed with Google Cloud, a cloud leads.
    later = run(seeded, "concentration", as_of=dt.date(2025, 12, 1), limit=3)
    assert later[0]["vendor_id"] == "google-cloud" and later[0]["rank"] == 1
    assert "OpenAI" not in next(r for r in run(seeded, "concentration", as_of=dt.date(2025, 12, 1), limit=100)
                                if r["vendor_id"] == "scale-ai")["lab_names"]


def test_shared_vendors(seeded: Connection) -> None:
    rows = run(seeded, "shared_vendors", lab_a="openai", lab_b="google", as_of=dt.date(2025, 6, 1))
    scale = next(r for r in rows if r["vendor_id"] == "scale-ai")
    assert scale["customers_a"] == ["OpenAI"] and scale["customers_b"] == ["Google"]
    assert scale["services"] == ["data_labeling"]
    assert scale["deals_a"] == ["data labeling to OpenAI (until 2025-06-18) [ended]"]
    assert set(scale["rel_ids"]) == {"scale-ai-supplies-openai", "scale-ai-supplies-google"}
    # Families count: Scale AI supplies Google, the parent of Google DeepMind.
    gdm = run(seeded, "shared_vendors", lab_a="openai", lab_b="google-deepmind", as_of=dt.date(2025, 6, 1))
    assert "scale-ai" in {r["vendor_id"] for r in gdm}
    # OpenAI's work with Scale AI ended on 2025-06-18.
    july = run(seeded, "shared_vendors", lab_a="openai", lab_b="google", as_of=dt.date(2025, 7, 1))
    assert "scale-ai" not in {r["vendor_id"] for r in july}


def test_executive_moves(seeded: Connection) -> None:
    rows = run(seeded, "executive_moves", as_of=dt.date(2025, 12, 31), limit=1000)
    wang = next(r for r in rows if r["person_id"] == "alexandr-wang" and r["from_id"] == "scale-ai"
                and r["to_id"] == "meta")
    assert "CEO" in wang["from_titles"] and wang["to_titles"] == ["Chief AI Officer"]
    assert wang["to_since"] == "2025-06"
    assert wang["move"] == "overlapping"  # he stays on Scale AI's board and remains its co-founder
    murati = next(r for r in rows if r["person_id"] == "mira-murati")
    assert (murati["from_id"], murati["to_id"], murati["move"]) == ("openai", "thinking-machines-lab", "moved")
    filtered = run(seeded, "executive_moves", org_id="scale-ai", as_of=dt.date(2025, 12, 31))
    assert filtered and all("scale-ai" in (r["from_id"], r["to_id"]) for r in filtered)
    # Before June 2025 Wang had not moved.
    early = run(seeded, "executive_moves", org_id="scale-ai", as_of=dt.date(2025, 5, 31))
    assert not [r for r in early if r["person_id"] == "alexandr-wang"]


def test_changes_between(seeded: Connection) -> None:
    rows = run(seeded, "changes_between", from_date=dt.date(2025, 6, 1), to_date=dt.date(2025, 6, 30))
    keys = {(r["change"], r["type"], r["from_id"], r["to_id"], r["rel_id"]) for r in rows}
    assert ("started", "INVESTED_IN", "meta", "scale-ai", "meta-invests-scale-ai-2025") in keys
    assert ("ended", "SUPPLIES", "scale-ai", "openai", "scale-ai-supplies-openai") in keys
    assert ("ended", "HOLDS_POSITION", "alexandr-wang", "scale-ai", "alexandr-wang-ceo-scale-ai") in keys
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates) and all("2025-06-01" <= d <= "2025-06-30" for d in dates)
    meta = next(r for r in rows if r["rel_id"] == "meta-invests-scale-ai-2025")
    assert meta["detail"] == "strategic, 49%, $14.3B"


def test_source_report(seeded: Connection) -> None:
    with open(SEED_DIR / "sources.csv", encoding="utf-8", newline="") as f:
        reuters = {row["id"] for row in csv.DictReader(f) if row["publisher"] == "Reuters"}
    rows = run(seeded, "source_report", publisher="Reuters", limit=10000)
    assert rows
    assert run(seeded, "source_report", publisher="  reuters ", limit=10000) == rows
    assert all(r["sources"] and set(r["sources"]) <= reuters for r in rows)
    facts = {r["id"]: r for r in rows}
    assert facts["meta-invests-scale-ai-2025"]["reported"] == "2025-06-12"
    assert {"relationship", "organization", "person"} <= {r["kind"] for r in rows}
    reported = [r["reported"] for r in rows]
    assert reported == sorted(reported, reverse=True)
    assert run(seeded, "source_report", publisher="No Such Publisher") == []


def test_type_lists_name_every_relationship_type() -> None:
    """Where a pattern must list "every type but SOURCED_FROM", a type left out would drop its facts
    without an error: from source_report (the fact_sources index) and from paths_between."""
    every_type = set(RELATIONSHIP_TYPES) | {POSITION_TYPE}
    indexed = [set(re.search(r"\[r:([A-Z_|]+)\]", s).group(1).split("|"))
               for s in schema_statements() if "fact_sources" in s]  # fact_sources, facility_fact_sources
    assert set().union(*indexed) == every_type and sum(map(len, indexed)) == len(every_type)
    paths = load_queries()["paths_between"].text
    assert set(re.search(r"\[:([A-Z_|]+)\*1\.\.6\]", paths).group(1).split("|")) == every_type


def test_source_report_finds_every_fact_citing_the_publisher(seeded: Connection) -> None:
    """Relationships are found through the fact_sources index: none may be missed, whatever its type."""
    def ids_citing(file: str, publisher_ids: set[str]) -> set[str]:
        with open(SEED_DIR / file, encoding="utf-8", newline="") as f:
            return {row["id"] for row in csv.DictReader(f)
                    if publisher_ids & {s.strip() for s in row["sources"].split(";")}}

    with open(SEED_DIR / "sources.csv", encoding="utf-8", newline="") as f:
        sources = list(csv.DictReader(f))
    for publisher in sorted({s["publisher"] for s in sources}):
        publisher_ids = {s["id"] for s in sources if s["publisher"] == publisher}
        expected = {"relationship": ids_citing("relationships.csv", publisher_ids)
                                    | ids_citing("positions.csv", publisher_ids),
                    "organization": ids_citing("organizations.csv", publisher_ids),
                    "person": ids_citing("people.csv", publisher_ids)}
        rows = run(seeded, "source_report", publisher=publisher, limit=100000)
        for kind, ids in expected.items():
            assert {r["id"] for r in rows if r["kind"] == kind} == ids, (publisher, kind)


def test_paths_between(seeded: Connection) -> None:
    rows = run(seeded, "paths_between", from_id="openai", to_id="meta", as_of=dt.date(2025, 6, 15), max_hops=4,
               limit=100)
    assert rows[0]["hops"] == 2
    assert [r["hops"] for r in rows] == sorted(r["hops"] for r in rows)
    through_scale = [r for r in rows if r["names"] == ["OpenAI", "Scale AI", "Meta Platforms"]]
    assert through_scale and through_scale[0]["types"][0] == "SUPPLIES"
    assert "OpenAI <-SUPPLIES- Scale AI" in through_scale[0]["chain"]
    for row in rows:
        assert len(row["names"]) == len(set(row["names"])) == row["hops"] + 1
        assert row["path"]["nodes"][0]["properties"]["id"] == "openai"
        assert all(rel["type"] != "SOURCED_FROM" for rel in row["path"]["relationships"])
    # No direct link between the two, and people are entities too.
    assert run(seeded, "paths_between", from_id="openai", to_id="meta", as_of=dt.date(2025, 6, 15), max_hops=1) == []
    people = run(seeded, "paths_between", from_id="alexandr-wang", to_id="sam-altman", as_of=dt.date(2025, 6, 15))
    assert people and people[0]["names"][0] == "Alexandr Wang" and people[0]["names"][-1] == "Sam Altman"


def test_vendor_exposure(seeded: Connection) -> None:
    rows = run(seeded, "vendor_exposure", vendor_id="scale-ai", as_of=dt.date(2025, 6, 15))
    customers = {r["org_id"] for r in rows if (r["side"], r["relation"]) == ("dependent", "customer")}
    assert {"openai", "google", "meta", "xai"} <= customers
    meta_stake = next(r for r in rows if r["relation"] == "investor" and r["rel_ids"] == ["meta-invests-scale-ai-2025"])
    assert (meta_stake["stake_percent"], meta_stake["amount"], meta_stake["currency"]) == (49.0, 14.3e9, "USD")
    wang = next(r for r in rows if r["relation"] == "leader elsewhere" and r["person"] == "Alexandr Wang")
    assert wang["org_id"] == "meta" and wang["side"] == "holder"
    assert [r["side"] for r in rows] == sorted(r["side"] for r in rows)  # dependents first
    later = run(seeded, "vendor_exposure", vendor_id="scale-ai", as_of=dt.date(2025, 7, 1))
    assert "openai" not in {r["org_id"] for r in later if r["relation"] == "customer"}
    # Owners up the family, direct and indirect.
    cloud = run(seeded, "vendor_exposure", vendor_id="google-cloud", as_of=dt.date(2025, 6, 15))
    owners = {r["org_id"]: r["relation"] for r in cloud if r["side"] == "holder"}
    assert owners["google"] == "parent" and owners["alphabet"] == "owner"


def test_investment_web(seeded: Connection) -> None:
    rows = run(seeded, "investment_web", org_id="anthropic", as_of=dt.date(2025, 12, 1))
    investors = {r["investor_id"] for r in rows if r["section"] == "investor"}
    assert {"amazon", "google", "menlo-ventures"} <= investors
    co = {(r["investor_id"], r["investee_id"]) for r in rows if r["section"] == "co-investor"}
    assert ("microsoft", "openai") in co and ("nvidia", "xai") in co
    assert all(i in investors for i, _ in co)
    stake = next(r for r in rows if r["rel_id"] == "google-stake-anthropic-2025")
    assert stake["stake_percent"] == 14.0
    # Before Microsoft and Nvidia announced their investments, they were no co-investors.
    earlier = run(seeded, "investment_web", org_id="anthropic", as_of=dt.date(2025, 6, 1))
    assert "microsoft" not in {r["investor_id"] for r in earlier}


def test_timeline(seeded: Connection) -> None:
    rows = run(seeded, "timeline", entity_id="alexandr-wang", as_of=dt.date(2025, 12, 31))
    events = [(r["date_text"], r["event"], r["to_id"], r["detail"]) for r in rows]
    assert events.index(("2025-06", "ended", "scale-ai", "CEO (executive)")) \
        < events.index(("2025-06", "started", "meta", "Chief AI Officer (executive)"))
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    whole = run(seeded, "timeline", as_of=dt.date(2025, 12, 31), limit=100000)
    assert len(whole) > len(rows) and all(r["date"] <= "2025-12-31" for r in whole)
    assert not [r for r in whole if r["type"] == "SOURCED_FROM"]


def cli_params(query: StoredQuery) -> list[str]:
    """The query's examples as `-p NAME VALUE` arguments (JSON for booleans, ISO for dates)."""
    return [arg for name, value in example_params(query).items()
            for arg in ("-p", name, json.dumps(value) if isinstance(value, bool) else str(value))]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_a_stored_query_on_the_seed_prints_nothing_on_stderr(path: Path, seeded: Connection,
                                                             neo4j_env: dict[str, str]) -> None:
    """Only what was asked for: no Neo4j notices (which the driver would log on stderr with the query's
    text), no counts; the table and its row count are on stdout."""
    query = parse_query_file(path)
    result = CliRunner().invoke(cli, ["query", query.name, *cli_params(query)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert re.search(r"^\d+ rows?$", result.stdout, re.M)


def test_the_cli_process_prints_nothing_on_stderr(seeded: Connection, neo4j_env: dict[str, str]) -> None:
    """The same through a real `python -m graph` process (logging's last-resort handler writes to the
    process's stderr), and a typed query naming what the graph lacks gets a note in our words instead."""
    query = load_queries()["indirect_links"]
    stored = subprocess.run([sys.executable, "-m", "graph", "query", query.name, *cli_params(query)],
                            capture_output=True, text=True, timeout=120)
    assert (stored.returncode, stored.stderr) == (0, "")
    typed = subprocess.run([sys.executable, "-m", "graph", "cypher", "MATCH (n:Labb)-[:SUPPLY]->() RETURN n.nam"],
                           capture_output=True, text=True, timeout=120)
    assert typed.returncode == 0 and typed.stdout.rstrip().endswith("0 rows")
    assert typed.stderr.splitlines() == [
        "note: no node in the graph has the label Labb (check its spelling)",  # in the order of the text
        "note: no relationship in the graph has the type SUPPLY (check its spelling)",
        "note: no node or relationship in the graph has the property nam (check its spelling)",
    ]


@pytest.mark.parametrize("path", QUERY_FILES + sorted((CYPHER_DIR / "app").glob("*.cypher")), ids=lambda p: p.stem)
def test_every_stored_query_passes_the_console_guard(seeded: Connection, path: Path) -> None:
    # The console's allow-list of read operators is wide enough for every query this project writes:
    # a person can paste any stored query (or the app's) into the console and run it.
    from graph.readonly import check_read_only

    query = parse_query_file(path)
    check_read_only(seeded, query.text, example_params(query))
