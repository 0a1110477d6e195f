"""The bulk first load (Neo4j's import tool into an empty local database) against the transactional load.

Each graph is written both ways, into two real servers: the session's (transactional, `local` not given)
and one of this module's own, which the bulk path stops and starts. The two must be the same graph
(tests/oracles.fingerprint: every label, property and relationship, derived facts included), on the seed
and on folders hypothesis draws with hostile text (quotes, commas, line breaks, semicolons, scripts),
partial dates, numbers and repeated sources. Bad input fails before the server is touched; an import that
fails or is killed leaves the database empty and usable.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import load_bulk, neo4j_import
from graph.cli import cli
from graph.config import Settings
from graph.db import Connection, connect
from graph.load_record import last_load
from graph.loader import BULK, TRANSACTIONAL, load_before_first_start, load_folder
from graph.local_neo4j import USERNAME, LocalNeo4j
from graph.model import PARTNERSHIP_KINDS, SERVICES, STATUSES
from graph.neo4j_import import BACKUP, ImportFailed, store_folders
from graph.shipped import shipped
from graph.validate import ValidationError, parse_date

from conftest import local_settings
from datafolder import VALID, with_row, write_folder
from oracles import count_graph, fingerprint


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    local = LocalNeo4j(local_settings(tmp_path_factory.mktemp("bulk-home")))
    local.start()
    yield local
    local.stop()


@pytest.fixture(scope="module")
def bulk_conn(bulk_server: LocalNeo4j) -> Iterator[Connection]:
    conn = connect(Settings(uri=bulk_server.uri, username=USERNAME, password=bulk_server.password(), database=None))
    yield conn
    conn.close()


@pytest.fixture
def bulk(bulk_conn: Connection) -> Connection:
    """The bulk server's database, emptied."""
    empty(bulk_conn)
    return bulk_conn


def both_ways(conn: Connection, bulk: Connection, local: LocalNeo4j, folder: Path) -> None:
    """Loads the folder transactionally and in bulk; the graphs and the counts of each must be equal."""
    empty(conn)
    empty(bulk)
    transactional = load_folder(conn, folder)
    assert transactional.method == TRANSACTIONAL
    bulk_summary = load_folder(bulk, folder, local=local)
    assert bulk_summary.method == BULK, bulk_summary.why
    assert {k: dict(v) for k, v in bulk_summary.counts.items()} == {k: dict(v) for k, v in transactional.counts.items()}
    assert count_graph(bulk) == count_graph(conn)
    assert fingerprint(bulk) == fingerprint(conn)


def empty(conn: Connection) -> None:
    conn.read("RETURN 1")  # a retried read: renews the driver's connections if the server was restarted
    with conn.driver.session(database=conn.database) as session:  # CALL IN TRANSACTIONS needs an implicit one
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def test_the_seed_loads_to_the_same_graph_either_way(conn: Connection, bulk: Connection, bulk_server: LocalNeo4j) -> None:
    both_ways(conn, bulk, bulk_server, shipped("seed_data"))
    # The schema is all there after the import, and a second load of the same folder changes nothing.
    names = {r["name"] for r in bulk.read("SHOW CONSTRAINTS YIELD name").records}
    assert {"organization_id", "person_id", "source_id", "supplies_id", "holds_position_id"} <= names
    again = load_folder(bulk, shipped("seed_data"), local=bulk_server)
    assert again.method == TRANSACTIONAL and not again.changed



def test_the_same_graph_before_any_derivation(conn: Connection, bulk: Connection, bulk_server: LocalNeo4j,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Above DERIVE_ON_LOAD_MAX relationships a load derives nothing, so what the loader itself wrote must be
    the same either way: a derivation rewrites every relationship's `detail` and would hide a difference
    (an empty detail, as on a competitor edge, was once left out by the bulk path: the import tool reads
    an empty cell as no value)."""
    monkeypatch.setattr("graph.loader.DERIVE_ON_LOAD_MAX", -1)
    both_ways(conn, bulk, bulk_server, shipped("seed_data"))
    for graph in (conn, bulk):
        empty_details = graph.read("MATCH ()-[r:COMPETES_WITH]->() WHERE r.detail = '' RETURN count(r) AS n")
        assert empty_details.records[0]["n"] > 0
        assert not graph.read("MATCH ()-[r]->() WHERE type(r) <> 'SOURCED_FROM' AND r.detail IS NULL "
                              "RETURN r LIMIT 1").records
        assert not graph.read("MATCH (n:Exposure) RETURN n LIMIT 1").records  # nothing was derived


# Hostile text: what a CSV writer must quote, what the import tool parses specially, other scripts.
NASTY = st.sampled_from(['a,b', '"quoted"', 'say "hi"', 'line\nbreak', 'cr\r\nlf', 'lone\rcr', 'tab\there',
                         '1e+16', 'true', 'null', '-', '\\', "it's", 'Ünïcødé 北京 😀', '""', '","', 'a;b',
                         "x'}) DETACH DELETE n //", '  spaced  ', '#comment', '=SUM(A1)'])
TEXT = st.one_of(NASTY, st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
                                min_size=1, max_size=20)).filter(lambda t: t.strip())
DATE = st.one_of(st.none(), st.dates(min_value=dt.date(1990, 1, 1)).map(
    lambda d: d.isoformat()), st.integers(1990, 2030).map(str), st.tuples(st.integers(1990, 2030), st.integers(1, 12))
    .map(lambda ym: f"{ym[0]}-{ym[1]:02d}"))
NUMBER = st.one_of(st.integers(0, 10**15).map(str), st.floats(0, 1e20, allow_nan=False).map(repr),
                   st.sampled_from(["0", "0.1", "1e-7", "14300000000", "1E3"]))
SOURCES_CELL = st.sampled_from(["reuters-1", "reuters-1;reuters-1", "bloomberg-1;cnbc-1", " cnbc-1 ; reuters-1 "])


def _csv(header: str, rows: list[list[str]]) -> str:
    out = io.StringIO()
    out.write(header + "\n")
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)  # a lone \r is a line break to the reader
    return out.getvalue()


@st.composite
def folders(draw: st.DrawFn) -> dict[str, str]:
    """The small valid folder with drawn organizations, people, positions and relationships added."""
    n_orgs = draw(st.integers(1, 6))
    org_ids = [f"x{i}" for i in range(n_orgs)]
    orgs = VALID["organizations.csv"]
    org_rows = []
    for i in org_ids:
        vendor = draw(st.booleans())
        roles = ["vendor"] if vendor else []
        roles += draw(st.lists(st.sampled_from(["lab", "investor", "government"]), max_size=2))
        roles = roles or ["lab"]
        services = ";".join(draw(st.lists(st.sampled_from(SERVICES), max_size=2))) if vendor else ""
        org_rows.append([i, draw(TEXT), ";".join(roles), services, draw(st.sampled_from(["", "US", "GB"])),
                         ";".join(draw(st.lists(TEXT, max_size=3))), draw(st.one_of(st.just(""), TEXT)),
                         draw(SOURCES_CELL), draw(st.sampled_from(["high", "medium", "low"]))])
    orgs = _csv(orgs.splitlines()[0], [list(r) for r in csv.reader(io.StringIO(orgs))][1:] + org_rows)
    everyone = org_ids + ["meta", "scale-ai", "openai", "microsoft"]
    rels = []
    for k in range(draw(st.integers(0, 12))):
        a, b = draw(st.sampled_from(everyone)), draw(st.sampled_from(everyone))
        if a == b:
            continue
        since, until = draw(DATE), draw(DATE)
        if since and until and parse_date(until) < parse_date(since):
            since, until = until, since
        status = draw(st.sampled_from(STATUSES))
        kind = draw(st.sampled_from(["SUPPLIES", "INVESTED_IN", "PARTNERS_WITH", "COMPETES_WITH"]))
        service = draw(st.sampled_from(SERVICES)) if kind == "SUPPLIES" else ""
        partner = draw(st.sampled_from(PARTNERSHIP_KINDS)) if kind == "PARTNERS_WITH" else ""
        money = kind == "INVESTED_IN"
        amount = draw(st.one_of(st.just(""), NUMBER)) if money else ""
        stake = draw(st.one_of(st.just(""), st.floats(0, 100).map(repr))) if money else ""
        rels.append([f"r{k}", a, kind, b, since or "", until or "", status, service, partner, amount,
                     "USD" if amount else "", stake, draw(st.one_of(st.just(""), TEXT)) if money else "",
                     draw(st.one_of(st.just(""), TEXT)), draw(SOURCES_CELL), "high"])
    rel_text = VALID["relationships.csv"] + _csv("", rels).lstrip("\n")
    people = with_row("people.csv", _csv("", [["p-x", draw(TEXT), ";".join(draw(st.lists(TEXT, max_size=2))),
                                                draw(st.one_of(st.just(""), TEXT)), draw(SOURCES_CELL), "low"]]).strip())
    since = draw(DATE)
    positions = with_row("positions.csv", _csv("", [["pos-x", "p-x", draw(st.sampled_from(everyone)), "executive",
                                                      draw(TEXT), since or "", "", draw(st.sampled_from(STATUSES)),
                                                      draw(SOURCES_CELL), "medium", draw(TEXT)]]).strip())
    return {"organizations_csv": orgs, "relationships_csv": rel_text, "people_csv": people, "positions_csv": positions}


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=folders())
def test_drawn_folders_load_to_the_same_graph_either_way(conn: Connection, bulk: Connection, bulk_server: LocalNeo4j,
                                                          files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp) / "d", **files)
        both_ways(conn, bulk, bulk_server, folder)


def test_a_lone_carriage_return_in_a_text_loads_to_the_same_graph_either_way(
        conn: Connection, bulk: Connection, bulk_server: LocalNeo4j, tmp_path: Path) -> None:
    # Found by the drawn folders: with "\n" line ends csv left a text holding a lone CR unquoted, and the
    # import tool read the CR as the end of the line.
    row = 'r-cr,scale-ai,INVESTED_IN,meta,,,announced,,,,,,"lone\rcr",,reuters-1,high'
    both_ways(conn, bulk, bulk_server, write_folder(tmp_path / "d", relationships_csv=with_row("relationships.csv", row)))


def test_bad_input_fails_before_the_server_is_touched(bulk: Connection, bulk_server: LocalNeo4j, tmp_path: Path) -> None:
    pid = bulk_server.pid()
    for n, files in enumerate([
        {"relationships_csv": with_row("relationships.csv", "bad,meta,SUPPLIES,nobody,,,active,chips,,,,,,,reuters-1,high")},
        {"organizations_csv": with_row("organizations.csv", "x,X,lab,,US,,,missing-source,high")},
        {"people_csv": None},
    ]):
        with pytest.raises(ValidationError):
            load_folder(bulk, write_folder(tmp_path / f"bad{n}", **files), local=bulk_server)
    assert bulk_server.pid() == pid  # never stopped
    assert not bulk.read("MATCH (n) RETURN count(n) AS n").records[0]["n"]


def _assert_empty_and_usable(bulk: Connection, local: LocalNeo4j, tmp_path: Path, load_again: bool = False) -> None:
    assert local.status().running
    assert not bulk.read("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    assert not (local.home / BACKUP).exists()
    assert not list(local.home.glob("bulk-import-*"))  # the import's files are gone
    if load_again:  # each restart costs seconds: the next bulk load is tried after one kind of failure
        summary = load_folder(bulk, write_folder(tmp_path / "after"), local=local)
        assert summary.method == BULK and count_graph(bulk)["Organization"] == 4


def test_a_failing_import_leaves_the_database_empty_and_usable(bulk: Connection, bulk_server: LocalNeo4j,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = load_bulk.write_import_files

    def with_a_missing_file(index, folder):  # the tool meets a file it cannot read, after the server stopped
        files = real(index, folder)
        files.arguments.append("--nodes=Organization=gone-header.csv,gone.csv")
        return files

    monkeypatch.setattr("graph.loader.write_import_files", with_a_missing_file)
    pid = bulk_server.pid()
    with pytest.raises(ImportFailed, match=r"import tool failed \(exit code \d+\); the database is empty as before"):
        load_folder(bulk, write_folder(tmp_path / "d"), local=bulk_server)
    assert bulk_server.pid() != pid  # stopped and started again
    monkeypatch.undo()
    _assert_empty_and_usable(bulk, bulk_server, tmp_path, load_again=True)


def test_an_import_killed_at_its_time_limit_leaves_the_database_empty_and_usable(
        bulk: Connection, bulk_server: LocalNeo4j, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neo4j_import, "IMPORT_TIMEOUT_S", 0.5)  # the JVM has not even started by then
    with pytest.raises(ImportFailed, match="did not finish within 0 s and was stopped; the database is empty"):
        load_folder(bulk, write_folder(tmp_path / "d"), local=bulk_server)
    monkeypatch.undo()
    _assert_empty_and_usable(bulk, bulk_server, tmp_path)


def test_an_import_interrupted_by_a_kill_of_supplygraph_is_undone_at_the_next_start(
        bulk: Connection, bulk_server: LocalNeo4j, tmp_path: Path) -> None:
    # As a killed load leaves it: the server stopped, the empty database moved aside by a process now gone,
    # an unfinished store in its place.
    bulk_server.stop()
    backup = bulk_server.home / BACKUP / "neo4j"
    backup.mkdir(parents=True)
    (bulk_server.home / BACKUP / "pid").write_text(str(_dead_pid()))
    for path in store_folders(bulk_server.home, "neo4j"):
        path.rename(backup / path.parent.name)
        path.mkdir()
        (path / "half-written").write_bytes(os.urandom(1000))
    bulk_server.start()
    _assert_empty_and_usable(bulk, bulk_server, tmp_path)


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_ids_shared_by_a_person_and_an_organization_are_written_transactionally(
        conn: Connection, bulk: Connection, bulk_server: LocalNeo4j, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", people_csv=with_row("people.csv", "openai,Open A. I.,,,reuters-1,low"))
    summary = load_folder(bulk, folder, local=bulk_server)
    assert summary.method == TRANSACTIONAL and "more than one of the node files" in summary.why
    empty(conn)
    load_folder(conn, folder)
    assert fingerprint(bulk) == fingerprint(conn)


def test_a_database_holding_anything_or_not_ours_is_written_transactionally(
        conn: Connection, bulk: Connection, bulk_server: LocalNeo4j, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d")
    bulk.driver.execute_query("CREATE (:Note {text: 'kept'})")
    pid = bulk_server.pid()
    summary = load_folder(bulk, folder, local=bulk_server)
    assert summary.method == TRANSACTIONAL and summary.why == "the database already holds data"
    assert bulk.read("MATCH (n:Note) RETURN n.text AS t").records[0]["t"] == "kept"
    # A connection to another server than the managed one given: the load must not stop that one.
    summary = load_folder(conn, folder, local=bulk_server)
    assert summary.method == TRANSACTIONAL and "NEO4J_URI" in summary.why
    assert bulk_server.pid() == pid


def _cli_uses(local: LocalNeo4j, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Points the CLI at the managed local server `local` (its home and port), as a user's settings would."""
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SUPPLYGRAPH_HOME", str(local.home))
    monkeypatch.setenv("SUPPLYGRAPH_BOLT_PORT", str(local.port))
    monkeypatch.setenv("SUPPLYGRAPH_HEAP", local.settings.heap)
    monkeypatch.setenv("SUPPLYGRAPH_PAGE_CACHE", local.settings.page_cache)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here


def test_the_cli_says_which_path_it_used(bulk: Connection, bulk_server: LocalNeo4j, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _cli_uses(bulk_server, tmp_path, monkeypatch)
    folder = write_folder(tmp_path / "d")
    forced = CliRunner().invoke(cli, ["load", str(folder), "--transactional"])
    assert forced.exit_code == 0, forced.output
    assert "transactional load: --transactional was given" in forced.output
    empty(bulk)
    first = CliRunner().invoke(cli, ["load", str(folder)])
    assert first.exit_code == 0, first.output
    assert "bulk load: the local database was empty, so Neo4j's import tool wrote it" in first.output
    assert "17 created, 0 updated, 0 deleted" in first.output
    again = CliRunner().invoke(cli, ["load", str(folder)])
    assert "transactional load: the database already holds data" in again.output and "graph unchanged" in again.output
    shutil.rmtree(tmp_path / "d")


def test_a_first_load_into_a_new_home_imports_before_the_first_start(conn: Connection, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    local = LocalNeo4j(local_settings(tmp_path / "new-home"))  # never started: no database yet
    _cli_uses(local, tmp_path, monkeypatch)
    # Nothing to stop: the import runs first, the server's one start after it.
    monkeypatch.setattr(LocalNeo4j, "stop", lambda self, timeout=0: pytest.fail("the load stopped a server"))
    try:
        first = CliRunner().invoke(cli, ["load", str(shipped("seed_data"))])
        assert first.exit_code == 0, first.output
        assert "bulk load: the local database did not exist yet, so Neo4j's import tool wrote it before the " \
               "server started" in first.output
        assert local.status().running
        loaded = connect(Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None))
        try:
            load_folder(conn, shipped("seed_data"))
            assert fingerprint(loaded) == fingerprint(conn)
            names = {r["name"] for r in loaded.read("SHOW CONSTRAINTS YIELD name").records}
            assert {"organization_id", "supplies_id", "holds_position_id"} <= names
        finally:
            loaded.close()
        again = CliRunner().invoke(cli, ["load", str(shipped("seed_data"))])
        assert "transactional load: the database already holds data" in again.output and "graph unchanged" in again.output
    finally:
        monkeypatch.undo()
        local.stop()


def test_a_failing_import_before_the_first_start_leaves_a_new_empty_database(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    local = LocalNeo4j(local_settings(tmp_path / "new-home"))
    real = load_bulk.write_import_files

    def with_a_missing_file(index, folder):
        files = real(index, folder)
        files.arguments.append("--nodes=Organization=gone-header.csv,gone.csv")
        return files

    monkeypatch.setattr("graph.loader.write_import_files", with_a_missing_file)
    opened: list[Connection] = []

    def connected() -> Connection:  # the server was started after the failure; the load opens nothing
        opened.append(connect(Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None)))
        return opened[-1]

    try:
        with pytest.raises(ImportFailed, match=r"import tool failed \(exit code \d+\); the database is empty as before"):
            load_before_first_start(local, write_folder(tmp_path / "d"), connected)
        assert not opened
        monkeypatch.undo()
        _assert_empty_and_usable(connected(), local, tmp_path)
    finally:
        for c in opened:
            c.close()
        local.stop()


def _counted_writings(monkeypatch: pytest.MonkeyPatch, after: Callable[[], None] = lambda: None) -> list[Path]:
    """Spies on the writing of the import tool's files: the folder of each writing, in order. `after`
    runs once each writing is done (before the load's own check that the database is still empty)."""
    real, writings = load_bulk.write_import_files, []

    def spy(index, folder):
        writings.append(folder)
        files = real(index, folder)
        after()
        return files

    monkeypatch.setattr("graph.loader.write_import_files", spy)
    return writings


def test_a_refusal_on_a_new_home_writes_the_import_files_once_and_loads_transactionally(
        conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bulk path refuses a folder while writing its files (here: a person with an organization's id);
    on a new home that must go straight to the transactional load, not to a second writing of every file
    into the database the server's start has just created (about 30 s at 10^6)."""
    local = LocalNeo4j(local_settings(tmp_path / "new-home"))
    _cli_uses(local, tmp_path, monkeypatch)
    monkeypatch.setattr(LocalNeo4j, "stop", lambda self, timeout=0: pytest.fail("the load stopped a server"))
    writings = _counted_writings(monkeypatch)
    folder = write_folder(tmp_path / "shared-id", people_csv=with_row("people.csv", "openai,Open A. I.,,,reuters-1,low"))
    try:
        result = CliRunner().invoke(cli, ["load", str(folder)])
        assert result.exit_code == 0, result.output
        assert len(writings) == 1, writings
        # The reason the user reads is the refusal's, not another path's.
        assert ("transactional load: an id is used in more than one of the node files, so it was written "
                "transactionally") in result.output
        loaded = connect(Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None))
        try:
            record = last_load(loaded)
            assert record is not None and record.method == TRANSACTIONAL and record.source == "shared-id"
            empty(conn)
            load_folder(conn, folder)
            assert count_graph(loaded) == count_graph(conn)
            assert fingerprint(loaded) == fingerprint(conn)
        finally:
            loaded.close()
    finally:
        monkeypatch.undo()
        local.stop()


def test_a_new_home_written_to_while_the_files_are_written_is_loaded_transactionally_once(
        conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone starts the new home's server and writes into it while the load writes the import files:
    the import must not replace that database, and the transactional load that follows must not take it
    for an empty one (no CREATE over what it holds), nor write the import files again."""
    local = LocalNeo4j(local_settings(tmp_path / "new-home"))
    opened: list[Connection] = []

    def connected() -> Connection:
        opened.append(connect(Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None)))
        return opened[-1]

    def someone_else_writes() -> None:
        local.start()
        connected().driver.execute_query("CREATE (:Note {text: 'kept'}), (:Organization {id: 'meta', name: 'old'})")

    writings = _counted_writings(monkeypatch, someone_else_writes)
    folder = write_folder(tmp_path / "d")
    try:
        summary = load_before_first_start(local, folder, connected)
        assert len(writings) == 1, writings
        assert summary is not None and summary.method == TRANSACTIONAL
        assert summary.why == "the database was written to during the load, so it was written transactionally"
        assert summary.counts["Organization"]["updated"] == 1  # meta was there: merged, not created twice
        check = connected()
        assert check.read("MATCH (n:Note) RETURN n.text AS t").records[0]["t"] == "kept"
        assert last_load(check).method == TRANSACTIONAL
        check.driver.execute_query("MATCH (n:Note) DELETE n")
        empty(conn)
        load_folder(conn, folder)
        assert fingerprint(check) == fingerprint(conn)
    finally:
        for c in opened:
            c.close()
        local.stop()
