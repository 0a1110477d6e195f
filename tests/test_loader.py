"""Loading: counts match the files, loads are idempotent, changes update, replace deletes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import SEED_DIR, cli
from graph.db import Connection
from graph.errors import SupplyGraphError
from graph.loader import load_folder
from graph.model import POSITION_TYPE
from graph.schema import schema_name, schema_statements

from datafolder import FACILITIES, VALID, with_replaced, with_row, write_folder
from oracles import count_graph, fingerprint


def file_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_seed_loads_with_counts_matching_the_files_and_twice_changes_nothing(conn: Connection) -> None:
    first = load_folder(conn, SEED_DIR)
    counts = count_graph(conn)
    assert counts["Source"] == len(file_rows(SEED_DIR, "sources.csv"))
    assert counts["Organization"] == len(file_rows(SEED_DIR, "organizations.csv"))
    assert counts["Person"] == len(file_rows(SEED_DIR, "people.csv"))
    assert counts[POSITION_TYPE] == len(file_rows(SEED_DIR, "positions.csv"))
    relationships = file_rows(SEED_DIR, "relationships.csv")
    for rel_type in {r["type"] for r in relationships}:
        assert counts[rel_type] == sum(r["type"] == rel_type for r in relationships), rel_type
    assert first.total("created") == sum(counts.values())
    assert counts["Organization"] >= 60 and counts["Person"] >= 25 and len(relationships) >= 150

    before = fingerprint(conn)
    second = load_folder(conn, SEED_DIR)
    assert not second.changed
    assert second.total("unchanged") == first.total("created")
    assert fingerprint(conn) == before


def test_properties_labels_dates_and_provenance(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "d"))
    meta = conn.read("MATCH (o:Organization {id: 'meta'}) RETURN labels(o) AS labels, o").records[0]
    assert sorted(meta["labels"]) == ["Investor", "Lab", "Organization"]
    assert meta["o"]["aliases"] == ["Facebook"]
    deal = conn.read("""
        MATCH (:Organization {id: 'meta'})-[r:INVESTED_IN]->(:Organization {id: 'scale-ai'})
        RETURN r""").records[0]["r"]
    assert deal["amount"] == 14300000000 and deal["stake_percent"] == 49 and deal["currency"] == "USD"
    assert deal["since"].to_native() == dt.date(2025, 6, 12) and deal["since_text"] == "2025-06-12"
    assert deal["sources"] == ["reuters-1"] and deal["confidence"] == "high"
    ended = conn.read("MATCH ()-[r:HOLDS_POSITION {id: 'wang-ceo-scale'}]->() RETURN r").records[0]["r"]
    assert ended["since"].to_native() == dt.date(2016, 1, 1) and ended["until_text"] == "2025-06"
    reported_by = conn.read("""
        MATCH (p:Person)-[:SOURCED_FROM]->(s:Source) RETURN p.id AS person, collect(s.publisher) AS publishers
        ORDER BY person""").records
    assert [(r["person"], sorted(r["publishers"])) for r in reported_by] == [
        ("alexandr-wang", ["Reuters"]), ("jason-droege", ["CNBC", "Reuters"])]


def test_changed_folder_updates_only_what_changed(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "a"))
    changed = write_folder(
        tmp_path / "b",
        relationships_csv=with_replaced("relationships.csv", "non-voting", "non-voting; about $29B valuation"),
        organizations_csv=with_replaced("organizations.csv", "meta,Meta,lab;investor,", "meta,Meta,lab,"),
    )
    summary = load_folder(conn, changed)
    assert summary.total("updated") == 2
    assert summary.total("created") == 0
    assert summary.counts["Organization"]["unchanged"] == 3
    note = conn.read("MATCH ()-[r:INVESTED_IN {id: 'meta-inv-scale'}]->() RETURN r.note AS n").records[0]["n"]
    assert note == "non-voting; about $29B valuation"
    labels = conn.read("MATCH (o {id: 'meta'}) RETURN labels(o) AS l").records[0]["l"]
    assert sorted(labels) == ["Lab", "Organization"]


def test_moved_and_retyped_relationships_do_not_duplicate(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "a"))
    moved = with_replaced("relationships.csv", "scale-meta,scale-ai,SUPPLIES,meta", "scale-meta,scale-ai,SUPPLIES,microsoft")
    moved = moved.replace("msft-openai-cloud,microsoft,PARTNERS_WITH,openai,2019-07,,active,,compute",
                          "msft-openai-cloud,microsoft,SUPPLIES,openai,2019-07,,active,cloud_compute,")
    summary = load_folder(conn, write_folder(tmp_path / "b", relationships_csv=moved))
    rows = conn.read("""
        MATCH (a)-[r]->(b) WHERE r.id IN ['scale-meta', 'msft-openai-cloud']
        RETURN r.id AS id, type(r) AS type, a.id AS a, b.id AS b ORDER BY id""").records
    assert [tuple(r.values()) for r in rows] == [
        ("msft-openai-cloud", "SUPPLIES", "microsoft", "openai"), ("scale-meta", "SUPPLIES", "scale-ai", "microsoft")]
    assert summary.counts["PARTNERS_WITH"]["deleted"] == 1


def test_replace_makes_the_graph_match_the_folder(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "a"))
    conn.driver.execute_query("CREATE (:Scratch {note: 'not in any folder'})")
    smaller = write_folder(
        tmp_path / "b",
        relationships_csv="\n".join(VALID["relationships.csv"].splitlines()[:3]) + "\n",
        positions_csv="\n".join(VALID["positions.csv"].splitlines()[:1]) + "\n",
        people_csv="\n".join(VALID["people.csv"].splitlines()[:2]) + "\n",
    )
    kept = load_folder(conn, smaller)  # without replace, nothing is deleted
    assert kept.total("deleted") == 0
    replaced = load_folder(conn, smaller, replace=True)
    assert replaced.counts["Person"]["deleted"] == 1
    assert replaced.counts["SUPPLIES"]["deleted"] == 1
    assert replaced.counts[POSITION_TYPE]["deleted"] == 3
    assert replaced.counts["other"]["deleted"] == 1

    fresh_conn_fingerprint = fingerprint(conn)
    conn.driver.execute_query("MATCH (n) DETACH DELETE n")
    load_folder(conn, smaller)
    assert fingerprint(conn) == fresh_conn_fingerprint


def test_byte_order_mark_crlf_and_blank_lines_load_like_plain_files(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "plain"))
    plain = fingerprint(conn)
    conn.driver.execute_query("MATCH (n) DETACH DELETE n")
    excel = {f"{name.replace('.csv', '_csv')}": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode() + b"\r\n\r\n"
             for name, text in VALID.items()}
    load_folder(conn, write_folder(tmp_path / "excel", **excel))
    assert fingerprint(conn) == plain


def test_cypher_and_html_in_names_are_stored_as_text(conn: Connection, tmp_path: Path) -> None:
    hostile = '"<img src=x onerror=alert(1)>"'
    cypher = "\"x'}) DETACH DELETE n //\""
    folder = write_folder(tmp_path / "d", organizations_csv=with_row(
        "organizations.csv", f"evil,{hostile},lab,,,,{cypher},reuters-1,low"))
    load_folder(conn, folder)
    row = conn.read("MATCH (o:Organization {id: 'evil'}) RETURN o.name AS name, o.description AS d").records[0]
    assert row["name"] == "<img src=x onerror=alert(1)>"
    assert row["d"] == "x'}) DETACH DELETE n //"
    assert count_graph(conn)["Organization"] == 5


def test_cli_load_prints_a_summary(conn: Connection, neo4j_env, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d")
    first = CliRunner().invoke(cli, ["load", str(folder)])
    assert first.exit_code == 0, first.output
    assert "17 created, 0 updated, 0 deleted" in first.output
    again = CliRunner().invoke(cli, ["load", str(folder)])
    assert "graph unchanged" in again.output


def test_rows_of_empty_cells_and_trailing_separators_are_ignored(conn: Connection, tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "d",
        relationships_csv=VALID["relationships.csv"] + ",,,,,,,,,,,,,,,\n",
        organizations_csv=with_row("organizations.csv", "x,X,lab;,,,,,reuters-1;,high"),
    )
    load_folder(conn, folder)
    assert conn.read("MATCH (o {id: 'x'}) RETURN o.roles AS r").records[0]["r"] == ["lab"]


def test_a_position_sharing_an_id_with_a_relationship_deletes_nothing(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "a"))
    folder = write_folder(tmp_path / "b", positions_csv=with_row(
        "positions.csv", "scale-meta,jason-droege,meta,advisor,,,,active,reuters-1,low,"))
    summary = load_folder(conn, folder)
    assert summary.total("deleted") == 0
    assert count_graph(conn)["SUPPLIES"] == 2


def test_equal_hashes_never_delete_what_a_load_without_replace_keeps(conn: Connection, tmp_path: Path,
                                                                    monkeypatch) -> None:
    # Stale relationships are found by 8-byte hashes of ids; with every id's hash equal, an id that is
    # in no file must not pass for one that moved to another type of relationships.csv.
    import builtins

    import graph.loader
    load_folder(conn, write_folder(tmp_path / "a"))
    before = count_graph(conn)
    monkeypatch.setattr(graph.loader, "hash", lambda value: 7 if isinstance(value, str) else builtins.hash(value),
                        raising=False)
    first_two = "\n".join(VALID["relationships.csv"].splitlines()[:3]) + "\n"
    smaller = write_folder(tmp_path / "b", relationships_csv=first_two)
    summary = load_folder(conn, smaller)
    assert summary.total("deleted") == 0
    assert count_graph(conn) == before


def test_rows_sent_match_the_converted_rows_and_their_hashes(tmp_path: Path) -> None:
    # The loader builds rows by position and hashes them without json's sort_keys; the hashes must
    # stay those of row_hash(convert(...)), or every row of an earlier load would count as updated.
    from graph.load_rows import rows as rows_sent
    from graph.model import FILES, ORGANIZATIONS, POSITIONS, RELATIONSHIPS, ROLE_LABELS
    from graph.validate import check_folder, convert, read_rows, row_hash
    from graph.wording import detail

    folder = write_folder(
        tmp_path / "d",
        organizations_csv=with_row("organizations.csv",
                                   'x,"Société ""Ünïcode"" 東京",lab;,,,,"tab\tand\nnewline",reuters-1;,low'),
        relationships_csv=with_row("relationships.csv",
                                   "y,meta,INVESTED_IN,openai,2024,٢٠٢٥-٠٣,ended,,,1e3,EUR,0.50,a,"
                                   "\"q\"\"uote\",reuters-1,low"),
        positions_csv=with_row("positions.csv", "z,jason-droege,meta,board,,2020-02,,active,cnbc-1,low,\\u00e9"),
        facilities_csv=FACILITIES + 'f,"Site ""Ü""",campus,,,unknown,0.5,,,2024,٢٠٢٥,,,reuters-1;,low\n',
    )
    index = check_folder(folder)
    for spec in FILES:
        sent = list(rows_sent(index, spec))
        expected = [convert(spec, cells) for _, cells in read_rows(folder / spec.name, spec)]
        assert len(sent) == len(expected)
        for row, values in zip(sent, expected):
            if spec in (POSITIONS, RELATIONSHIPS):
                ends = ("person_id", "org_id") if spec is POSITIONS else ("from_id", "to_id")
                kind = "HOLDS_POSITION" if spec is POSITIONS else values.pop("type")
                a, b = values.pop(ends[0]), values.pop(ends[1])
                assert (row["type"], row["from_id"], row["to_id"]) == (kind, a, b)
                digest = row_hash({**values, "from": a, "to": b})
            else:
                digest = row_hash(values)
            if spec is ORGANIZATIONS:
                assert row["labels"] == [ROLE_LABELS[r] for r in values["roles"]]
            props = {k: v for k, v in values.items() if v not in (None, [])}
            for column in spec.date_columns:  # dates go as ISO text; the server makes them dates
                date = props.pop(column, None)
                assert row.get(column) == (date.isoformat() if date else None)
            if spec in (POSITIONS, RELATIONSHIPS):  # tests/test_detail.py holds the words to the docs
                props["detail"] = detail(kind, props)
            assert row["props"] == {**props, "row_hash": digest}


def test_a_failing_consumer_or_producer_stops_the_row_thread() -> None:
    import threading

    import pytest

    from graph.load_rows import prefetched

    def endless():
        n = 0
        while True:
            n += 1
            yield ("q", "kind", [n])

    before = threading.active_count()
    items = prefetched(endless(), 1)
    assert next(items)[2] == [1] and next(items)[2] == [2]
    items.close()  # what load_folder does when a write fails
    assert threading.active_count() == before

    def broken():
        yield ("q", "kind", [1])
        raise ValueError("file changed")

    items = prefetched(broken(), 1)
    assert next(items)[2] == [1]
    with pytest.raises(ValueError, match="file changed"):
        next(items)
    assert threading.active_count() == before


def test_a_source_named_twice_gives_one_edge_on_either_path(conn: Connection, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", people_csv=with_row("people.csv", "x,X,,,reuters-1;reuters-1,high"))

    def edges() -> int:
        return conn.read("MATCH (:Person {id: 'x'})-[e:SOURCED_FROM]->() RETURN count(e) AS n").records[0]["n"]

    load_folder(conn, folder)  # into an empty database: CREATE
    assert edges() == 1
    conn.driver.execute_query("MATCH (n) DETACH DELETE n")
    conn.driver.execute_query("CREATE (:Scratch)")
    load_folder(conn, folder)  # not empty: MERGE
    assert edges() == 1


def test_a_load_into_an_empty_database_creates_the_whole_schema(conn: Connection, tmp_path: Path) -> None:
    """Into an empty database the relationship constraints and indexes are built after the writes; they
    must all exist when the load returns, and the full-text index of sources must already answer."""
    with conn.driver.session(database=conn.database) as session:
        for name in [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name").data()]:
            session.run(f"DROP CONSTRAINT `{name}`").consume()
        for name in [r["name"] for r in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").data()]:
            session.run(f"DROP INDEX `{name}`").consume()
    load_folder(conn, write_folder(tmp_path))

    expected = {schema_name(s) for s in schema_statements()}
    online = {r["name"] for r in conn.read("SHOW INDEXES YIELD name, state WHERE state = 'ONLINE'").records}
    assert expected <= online
    citing = conn.read("CALL db.index.fulltext.queryRelationships('fact_sources', '\"reuters-1\"') "
                       "YIELD relationship RETURN relationship.id AS id").records
    rows = [row for name in ("relationships.csv", "positions.csv") for row in csv.DictReader(VALID[name].splitlines())]
    assert {r["id"] for r in citing} == {row["id"] for row in rows if "reuters-1" in row["sources"].split(";")}


def test_a_load_recreates_a_dropped_part_of_the_schema(conn: Connection, tmp_path: Path) -> None:
    """The loader sends only the schema statements whose names the database lacks; one dropped by hand
    (here an index and a relationship constraint) is created again by the next load."""
    folder = write_folder(tmp_path)
    load_folder(conn, folder)
    with conn.driver.session(database=conn.database) as session:
        session.run("DROP INDEX organization_name").consume()
        session.run("DROP CONSTRAINT supplies_id").consume()
    load_folder(conn, folder)

    names = {r["name"] for r in conn.read("SHOW INDEXES YIELD name, state WHERE state = 'ONLINE'").records}
    assert {"organization_name", "supplies_id"} <= names
    assert all(schema_name(s) for s in schema_statements())  # every statement is named, so none is re-sent


def test_a_load_says_what_it_is_doing_after_the_writes(conn: Connection, tmp_path: Path) -> None:
    """The steps after the last row is written write no rows, so the progress bar would stand still at
    100%: the load names each step as it starts."""
    folder = write_folder(tmp_path)
    first: list[str] = []
    load_folder(conn, folder, phase=first.append)
    again: list[str] = []
    load_folder(conn, folder, replace=True, phase=again.append)

    deriving = ["reading the graph for derived facts", "deriving families, ownership and exposures",
                "writing derived facts", "removing derived facts no longer true"]
    assert first == ["preparing the schema", "writing", "building the relationship indexes",
                     "updating the full-text index", *deriving]
    # Nothing changed: the derived facts are current, and not derived again.
    assert again == ["preparing the schema", "writing", "deleting what the folder no longer holds",
                     "updating the full-text index"]


def test_an_end_deleted_during_the_load_is_an_error_not_a_silent_gap(conn: Connection, tmp_path: Path) -> None:
    """Validation checked every end against the folder; if one vanishes from the database before the
    relationships are written, the load says so (and how to finish) instead of dropping their rows."""
    nodes = sum(len(VALID[name].strip().splitlines()) - 1
                for name in ("sources.csv", "organizations.csv", "people.csv", "positions.csv"))
    written = 0

    def delete_openai_once_nodes_are_written(rows: int) -> None:
        nonlocal written
        written += rows
        if written == nodes:
            conn.driver.execute_query("MATCH (o:Organization {id: 'openai'}) DETACH DELETE o")

    with pytest.raises(SupplyGraphError, match=r"3 of 5 .* were not written.*Run the same load again"):
        load_folder(conn, write_folder(tmp_path), progress=delete_openai_once_nodes_are_written)


# File safety: a data folder's files are read as they are, never through a link, and what is
# written is what was validated.
def _refused_without_writing(conn: Connection, folder: Path, match: str) -> str:
    before = fingerprint(conn)
    with pytest.raises(SupplyGraphError, match=match) as refused:
        load_folder(conn, folder)
    assert fingerprint(conn) == before
    return str(refused.value)


def test_a_symlinked_file_is_refused_and_its_target_never_shown(conn: Connection, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("hunter2-very-secret\n")
    for name, target in (("sources.csv", secret), ("people.csv", tmp_path / "missing"),
                         ("organizations.csv", Path("/etc/passwd"))):
        folder = write_folder(tmp_path / f"linked-{name}")
        (folder / name).unlink()
        (folder / name).symlink_to(target)
        message = _refused_without_writing(conn, folder, rf"{name}: is a symbolic link, which is not followed")
        assert "hunter2" not in message and str(target) not in message and "root:x:0" not in message


def test_folders_pipes_and_devices_in_place_of_a_file_are_refused(conn: Connection, tmp_path: Path) -> None:
    import os

    cases = {"people.csv": lambda p: p.mkdir(), "positions.csv": lambda p: os.mkfifo(p)}
    for name, make in cases.items():
        folder = write_folder(tmp_path / f"odd-{name}")
        (folder / name).unlink()
        make(folder / name)
        _refused_without_writing(conn, folder, rf"{name}: is not a regular file \(a folder, pipe or device\)")


def test_a_file_swapped_after_validation_is_not_written(conn: Connection, tmp_path: Path) -> None:
    from graph.validate import check_folder

    # A relationship type pasted into a query: the swapped-in file must never reach the write path.
    hostile = VALID["relationships.csv"].replace(
        "scale-meta,scale-ai,SUPPLIES,meta", "scale-meta,scale-ai,SUPPLIES]->() DETACH DELETE a //,meta")
    for swap in ("same size, same time", "rename over it"):
        load_folder(conn, write_folder(tmp_path / "first"))  # a database that holds the graph already
        folder = write_folder(tmp_path / swap.replace(" ", "-"))
        index = check_folder(folder)
        target = folder / "relationships.csv"
        stat = target.stat()
        if swap == "rename over it":
            (folder / "other.csv").write_text(hostile)
            (folder / "other.csv").replace(target)
        else:
            target.write_text(hostile[:stat.st_size].ljust(stat.st_size))
        import os
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        before = fingerprint(conn)
        with pytest.raises(SupplyGraphError, match=r"relationships\.csv changed after it was checked; nothing was "
                                                   r"written: run the load again"):
            load_folder(conn, folder, index=index)
        assert fingerprint(conn) == before


def test_only_the_models_types_and_labels_reach_the_query_text() -> None:
    from graph.load_cypher import node_query, relationship_query
    from graph.model import RELATIONSHIPS

    for rel_type, label in (("SUPPLIES]->() DETACH DELETE a //", "Organization"), ("SUPPLIES", "Organization) //")):
        with pytest.raises(SupplyGraphError, match="outside the data model reached the loader's query building"):
            relationship_query(rel_type, label, RELATIONSHIPS)
    with pytest.raises(SupplyGraphError, match="outside the data model"):
        node_query("Evil")
