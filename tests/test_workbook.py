"""Excel workbooks in (`load book.xlsx`) and the database out (`export DIR|book.xlsx`), against the real Neo4j.

A workbook is checked by the folder's own validation (graph.workbook writes its sheets as CSV text
first), so these tests are about what is the workbook's own: typed cells, sheets, Excel's row numbers,
formulas, merged cells, and the round trip through export (fingerprint oracle: tests/oracles.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datafolder import VALID, write_folder
from graph.cli import SEED_DIR
from graph.db import Connection
from graph.errors import SupplyGraphError
from graph.export import export
from graph.loader import LoadSummary, load_folder
from graph.model import FILES
from graph.validate import ValidationError
from graph.workbook import checked_data
from oracles import fingerprint


def empty(conn: Connection) -> None:
    with conn.driver.session(database=conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def load(conn: Connection, path: Path) -> LoadSummary:
    with checked_data(path) as checked:
        return load_folder(conn, checked.folder, index=checked.index)


def table(name: str) -> list[list[Any]]:
    return [list(r) for r in csv.reader(io.StringIO(VALID[name]))]


def write_book(path: Path, sheets: dict[str, list[list[Any]]] | None = None, **changes: list[list[Any]] | None) -> Path:
    """The valid folder as a workbook of text cells, with sheets replaced (None: left out) or added."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    rows = {spec.name.removesuffix(".csv"): table(spec.name) for spec in FILES if spec.name in VALID}
    rows.update(sheets or {})
    rows.update(changes)
    for name, values in rows.items():
        if values is None:
            continue
        ws = wb.create_sheet(name)
        for r, row in enumerate(values, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    ws.cell(r, c).value = value
    wb.save(path)
    return path


def refused(conn: Connection, path: Path, *expected: str) -> str:
    before = fingerprint(conn)
    with pytest.raises(SupplyGraphError) as caught:
        load(conn, path)
    message = str(caught.value)
    for pattern in expected:
        assert re.search(pattern, message), message
    assert fingerprint(conn) == before  # nothing written
    return message


# --- typed cells give what the CSV gives ---------------------------------------------------------

def test_typed_cells_load_to_the_graph_the_csv_folder_gives(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "csv"))
    expected = fingerprint(conn)
    sheets = {name.removesuffix(".csv"): table(name) for name in VALID}
    sources, positions, relationships = sheets["sources"], sheets["positions"], sheets["relationships"]
    sources[1][3] = dt.datetime(2025, 6, 12)            # a date cell
    sources[2][3] = dt.datetime(2025, 6, 18, 0, 0)
    positions[1][5] = 2016                              # a year typed as a number
    relationships[1][9] = 14300000000                   # amount
    relationships[1][11] = 49.0                         # stake_percent: a float that is whole
    relationships[4][9] = 1e9                           # amount as a float
    relationships[1][4] = dt.date(2025, 6, 12)          # since
    sheets["organizations"][1][1] = "  Meta  "          # spaces around a value
    sheets["organizations"][0][1] = " name "            # and around a header
    empty(conn)
    load(conn, write_book(tmp_path / "typed.xlsx", sheets))
    assert fingerprint(conn) == expected


def test_numbers_keep_excel_s_fifteen_digits_and_ids_that_look_like_numbers_stay_ids(conn: Connection,
                                                                                     tmp_path: Path) -> None:
    orgs = table("organizations.csv") + [[1234, "Numbered", "lab", "", "", "", "", "reuters-1", "high"]]
    rels = table("relationships.csv") + [
        ["r-float", "meta", "INVESTED_IN", 1234, "", "", "active", "", "", 0.1 + 0.2, "USD", 12.5, "", "", "reuters-1", "high"]]
    load(conn, write_book(tmp_path / "b.xlsx", organizations=orgs, relationships=rels))
    row = conn.read("MATCH (:Organization {id: 'meta'})-[r {id: 'r-float'}]->(o) RETURN r.amount AS a, "
                    "r.stake_percent AS s, o.id AS id").records[0]
    assert (row["a"], row["s"], row["id"]) == (0.3, 12.5, "1234")


def test_a_formula_gives_the_value_excel_computed(conn: Connection, tmp_path: Path) -> None:
    orgs = table("organizations.csv")
    orgs[1][1] = '="Me"&"ta"'        # a formula: its cached value (written below, as Excel would) is read
    path = write_book(tmp_path / "f.xlsx", organizations=orgs)
    cache_formula_values(path, "Meta")
    load(conn, path)
    assert conn.read("MATCH (o:Organization {id: 'meta'}) RETURN o.name AS n").records[0]["n"] == "Meta"


def test_a_formula_never_computed_is_an_empty_cell_not_its_text(conn: Connection, tmp_path: Path) -> None:
    orgs = table("organizations.csv")
    orgs[2][1] = "=B2"  # saved by a program, not Excel: no value cached
    refused(conn, write_book(tmp_path / "f.xlsx", organizations=orgs),
            r"sheet 'organizations', row 3, column 'name', value '': required value is empty")


def cache_formula_values(path: Path, value: str) -> None:
    """Writes the value Excel would have cached for each formula (openpyxl writes none)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/"):
            parts[name] = re.sub(rb"(<c r=\"\w+\")(><f>[^<]*</f>)<v\s*/>", rb'\1 t="str"\2<v>' + value.encode() + b"</v>",
                                 data)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


# --- places of problems: sheet, Excel row, column, value ------------------------------------------

def test_problems_name_the_sheet_and_the_row_as_excel_numbers_it(conn: Connection, tmp_path: Path) -> None:
    orgs = table("organizations.csv")
    orgs[3][2] = "lab;wizard"
    orgs.insert(2, ["", "", ""])           # a blank row: Excel's row numbers count it
    orgs.insert(2, [])
    rels = table("relationships.csv")
    rels[1][13] = "a note\nover\nthree lines"   # a line break in a cell spans CSV lines, not Excel rows
    rels[2][3] = "nobody"
    message = refused(conn, write_book(tmp_path / "b.xlsx", organizations=orgs, relationships=rels))
    assert "in " + str(tmp_path / "b.xlsx") in message
    assert "sheet 'organizations', row 6, column 'roles', value 'lab;wizard': 'wizard' is not one of" in message
    assert ("sheet 'relationships', row 3, column 'to_id', value 'nobody': no row in sheet 'organizations' "
            "or sheet 'facilities' has this id") in message
    assert ".csv" not in message and tempfile.gettempdir() + "/supplygraph-book" not in message


def test_a_header_with_a_typo(conn: Connection, tmp_path: Path) -> None:
    people = table("people.csv")
    people[0][1] = "nmae"
    refused(conn, write_book(tmp_path / "b.xlsx", people=people),
            r"sheet 'people', row 1, column 'nmae': unknown column",
            r"sheet 'people', row 1, column 'name': required column is missing from the header")


def test_a_missing_sheet_an_empty_sheet_and_a_sheet_whose_header_is_not_in_row_1(conn: Connection,
                                                                                 tmp_path: Path) -> None:
    refused(conn, write_book(tmp_path / "missing.xlsx", people=None),
            r"sheet 'people': sheet is missing: add a sheet of that name with the header id,name,aliases")
    refused(conn, write_book(tmp_path / "empty.xlsx", positions=[]),
            r"sheet 'positions': sheet is empty: it needs the header id,person_id")
    low = [[], [], *table("people.csv")]
    message = refused(conn, write_book(tmp_path / "low.xlsx", people=low),
                      r"sheet 'people', row 1: row 1 is empty: the header must be in row 1")
    assert "unknown column" not in message


def test_extra_sheets_are_ignored_with_a_warning(conn: Connection, tmp_path: Path) -> None:
    path = write_book(tmp_path / "b.xlsx", Notes=[["anything"]], organisations=[["id"]],
                      **{"people.csv": [["id"]]})
    with checked_data(path) as checked:
        warnings = checked.warnings
        load_folder(conn, checked.folder, index=checked.index)
    assert any("sheet 'Notes' is not one of the model's sheets" in w and "ignored" in w for w in warnings)
    assert any("sheet 'organisations'" in w and "rename it to 'organizations'" in w for w in warnings)
    assert any("sheet 'people.csv'" in w and "rename it to 'people'" in w for w in warnings)
    assert conn.read("MATCH (o:Organization) RETURN count(o) AS n").records[0]["n"] == 4


def test_merged_cells_are_read_as_excel_stores_them(conn: Connection, tmp_path: Path) -> None:
    """Excel keeps a merged range's value in its first cell only: the others are empty, and said so."""
    path = write_book(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["positions"]
    ws["B3"] = "alexandr-wang"
    ws.merge_cells("B2:B3")  # one person for two positions, as an analyst lays it out
    wb.save(path)
    refused(conn, path, r"sheet 'positions', row 3, column 'person_id', value '': required value is empty")


def test_what_is_not_a_workbook(conn: Connection, tmp_path: Path) -> None:
    (tmp_path / "csv.xlsx").write_text(VALID["sources.csv"], encoding="utf-8")
    refused(conn, tmp_path / "csv.xlsx", r"is not an Excel workbook \(.xlsx\) that can be read")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("xl/workbook.xml", "<not-a-workbook")
    refused(conn, broken, r"is not an Excel workbook")
    refused(conn, tmp_path / "absent.xlsx", r"cannot be read")


def test_a_linked_or_special_workbook_is_refused_without_reading_it(conn: Connection, tmp_path: Path) -> None:
    real = write_book(tmp_path / "real.xlsx")
    os.symlink(real, tmp_path / "link.xlsx")
    refused(conn, tmp_path / "link.xlsx", r"link.xlsx is a symbolic link, which is not followed")
    (tmp_path / "dir.xlsx").mkdir()  # a folder, whatever its name, is read as a folder
    refused(conn, tmp_path / "dir.xlsx", r"sources.csv: file is missing")
    os.mkfifo(tmp_path / "fifo.xlsx")
    refused(conn, tmp_path / "fifo.xlsx", r"is not a regular file \(a folder, pipe or device\)")


def test_a_zip_bomb_is_refused_before_it_is_parsed(conn: Connection, tmp_path: Path, monkeypatch) -> None:
    import graph.workbook

    path = write_book(tmp_path / "b.xlsx")
    monkeypatch.setattr(graph.workbook, "MAX_UNZIPPED_BYTES", 1000)  # the real limit is 8 GiB
    refused(conn, path, r"inflates to more than")


def test_the_cli_loads_a_workbook_and_dry_run_writes_nothing(neo4j_env, conn: Connection, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from graph.cli import cli

    path = write_book(tmp_path / "b.xlsx", Notes=[["x"]])
    result = CliRunner().invoke(cli, ["load", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Warning:" in result.stderr and "sheet 'Notes'" in result.stderr and "rows valid" in result.stderr
    assert conn.read("MATCH (n) RETURN count(n) AS n").records[0]["n"] == 0
    result = CliRunner().invoke(cli, ["load", str(path)])
    assert result.exit_code == 0, result.output
    assert conn.read("MATCH (n:Organization) RETURN count(n) AS n").records[0]["n"] == 4
    bad = write_book(tmp_path / "bad.xlsx", people=None)
    result = CliRunner().invoke(cli, ["load", str(bad)])
    assert result.exit_code == 1 and "sheet 'people': sheet is missing" in result.output


# --- export and the round trip --------------------------------------------------------------------

def round_trip(conn: Connection, tmp: Path) -> None:
    """Exports the graph as a folder and as a workbook; each loads into an empty database to the same graph."""
    expected = fingerprint(conn)
    export(conn, tmp / "out")
    export(conn, tmp / "out.xlsx")
    for target in (tmp / "out", tmp / "out.xlsx"):
        empty(conn)
        load(conn, target)
        assert fingerprint(conn) == expected, target


def test_the_seed_round_trips_through_a_folder_and_a_workbook(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, SEED_DIR)
    round_trip(conn, tmp_path)
    # The folder export is the seed's rows, in another order (by id), with every column of the model (a
    # column the seed leaves out is empty in the export).
    def cells(path: Path) -> list[dict[str, str]]:
        rows = csv.DictReader(open(path, encoding="utf-8"))
        return sorted(({k: v.strip() for k, v in r.items() if v and v.strip()} for r in rows
                       if any(v and v.strip() for v in r.values())), key=lambda r: sorted(r.items()))

    for spec in FILES:
        if (SEED_DIR / spec.name).exists():
            assert cells(tmp_path / "out" / spec.name) == cells(SEED_DIR / spec.name), spec.name


def test_export_refuses_to_overwrite_or_follow_a_planted_link(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "valid"))
    (tmp_path / "out").mkdir()
    os.symlink(tmp_path / "victim", tmp_path / "out" / "people.csv")
    with pytest.raises(SupplyGraphError, match="already holds people.csv"):
        export(conn, tmp_path / "out")
    assert not (tmp_path / "victim").exists() and not (tmp_path / "out" / "sources.csv").exists()
    (tmp_path / "b.xlsx").write_bytes(b"mine")
    with pytest.raises(SupplyGraphError, match="exists already"):
        export(conn, tmp_path / "b.xlsx")
    assert (tmp_path / "b.xlsx").read_bytes() == b"mine"


def test_text_that_looks_like_a_formula_or_a_number_stays_text_in_the_workbook(conn: Connection,
                                                                                tmp_path: Path) -> None:
    orgs = VALID["organizations.csv"].replace("Data labeling vendor.", "=HYPERLINK(\"x\")").replace(
        "Social media and AI lab.", "0012")
    people = VALID["people.csv"].replace("Founder of Scale AI.", "_x0041_ +1 2025-06-12")
    load_folder(conn, write_folder(tmp_path / "valid", organizations_csv=orgs, people_csv=people))
    round_trip(conn, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)


# Text an analyst may type: any letters, marks, spaces inside, quotes, commas, semicolons aside in lists.
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), min_size=1, max_size=12) \
    .map(str.strip).filter(bool)
ITEM = TEXT.map(lambda t: t.replace(";", ",")).filter(lambda t: t.strip() == t and t)
ID = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,6}", fullmatch=True)
DATE = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.isoformat()[:7], d.isoformat()[:4]]))
NUMBER = st.one_of(st.integers(0, 10 ** 13), st.floats(0, 1e13, allow_nan=False, allow_infinity=False))


@st.composite
def folders(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    """A valid data folder of a few rows with awkward values: any text, ids of digits, partial dates,
    numbers with every digit a float has."""
    from graph.cells import exact_number_text
    from graph.model import FACILITY_TYPES, RELATIONSHIP_TYPES, ROLES, SERVICES, PARTNERSHIP_KINDS

    ids = draw(st.lists(ID, min_size=6, max_size=12, unique=True))
    source_ids, org_ids, person_ids = ids[:2], ids[2:2 + max(2, len(ids) // 2 - 1)], ids[2 + max(2, len(ids) // 2 - 1):]
    cite = st.lists(st.sampled_from(source_ids), min_size=1, max_size=2).map(";".join)
    conf = st.sampled_from(["high", "medium", "low"])
    files: dict[str, list[list[str]]] = {spec.name: [] for spec in FILES}
    for s in source_ids:
        files["sources.csv"].append([s, draw(TEXT), draw(TEXT), draw(DATE), draw(st.sampled_from(["", "https://x.org/a"]))])
    for o in org_ids:
        roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True))
        services = draw(st.lists(st.sampled_from(SERVICES), max_size=2, unique=True)) if "vendor" in roles else []
        files["organizations.csv"].append([o, draw(TEXT), ";".join(roles), ";".join(services),
                                           draw(st.sampled_from(["", "US", "GB"])),
                                           ";".join(draw(st.lists(ITEM, max_size=2))), draw(st.one_of(st.just(""), TEXT)),
                                           draw(cite), draw(conf)])
    for p in person_ids:
        files["people.csv"].append([p, draw(TEXT), ";".join(draw(st.lists(ITEM, max_size=2))), "", draw(cite), draw(conf)])
    def span() -> tuple[str, str]:
        since, until = draw(st.one_of(st.just(""), DATE)), draw(st.one_of(st.just(""), DATE))
        if since and until and until < since:
            since, until = until, since
        return since, until
    if person_ids:
        for i in range(draw(st.integers(0, 3))):
            since, until = span()
            files["positions.csv"].append([f"pos-{i}", draw(st.sampled_from(person_ids)), draw(st.sampled_from(org_ids)),
                                           "executive", draw(st.one_of(st.just(""), TEXT)), since, until,
                                           draw(st.sampled_from(["active", "ended", "reported"])), draw(cite),
                                           draw(conf), draw(st.one_of(st.just(""), TEXT))])
    for i in range(draw(st.integers(0, 5))):
        a, b = draw(st.lists(st.sampled_from(org_ids), min_size=2, max_size=2, unique=True))
        kind = draw(st.sampled_from([t for t in RELATIONSHIP_TYPES if t not in FACILITY_TYPES]))
        since, until = span()
        amount = exact_number_text(draw(NUMBER)) if kind in ("INVESTED_IN", "ACQUIRED_BY") and draw(st.booleans()) else ""
        stake = exact_number_text(draw(st.floats(0, 100))) if kind == "INVESTED_IN" and draw(st.booleans()) else ""
        files["relationships.csv"].append([
            f"rel-{i}", a, kind, b, since, until, draw(st.sampled_from(["active", "announced", "paused"])),
            draw(st.sampled_from(SERVICES)) if kind == "SUPPLIES" else "",
            draw(st.sampled_from(PARTNERSHIP_KINDS)) if kind == "PARTNERS_WITH" else "",
            amount, "USD" if amount else "", stake, draw(TEXT) if kind == "INVESTED_IN" and draw(st.booleans()) else "",
            draw(st.one_of(st.just(""), TEXT)), draw(cite), draw(conf)])
    return files


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(files=folders())
def test_generated_folders_round_trip(session_conn: Connection, files: dict[str, list[list[str]]]) -> None:
    conn = session_conn
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "given"
        folder.mkdir()
        for spec in FILES:
            with open(folder / spec.name, "w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                # The columns of a folder made before quantities: it loads unchanged, and exports with them.
                writer.writerow([c for c in spec.columns if c not in ("quantity", "unit", "value")])
                writer.writerows(files[spec.name])
        empty(conn)
        load_folder(conn, folder)
        round_trip(conn, Path(tmp))
        shutil.rmtree(folder)


def test_a_workbook_that_fails_validation_after_export_is_never_made(conn: Connection, tmp_path: Path) -> None:
    """The export of an empty database is a valid, empty data set (headers only), in both forms."""
    export(conn, tmp_path / "out.xlsx")
    export(conn, tmp_path / "out")
    for target in (tmp_path / "out.xlsx", tmp_path / "out"):
        assert load(conn, target).total("created") == 0
    with pytest.raises(ValidationError):
        load(conn, write_book(tmp_path / "bad.xlsx", sources=[["id", "publisher"]]))


def test_the_cli_exports_and_loads_back_the_same_graph(neo4j_env, conn: Connection, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from graph.cli import cli

    load_folder(conn, SEED_DIR)
    expected = fingerprint(conn)
    for target in (tmp_path / "book.xlsx", tmp_path / "folder"):
        result = CliRunner().invoke(cli, ["export", str(target)])
        assert result.exit_code == 0, result.output
        assert f"{target}: " in result.stderr and "organizations.csv" in result.stderr
        again = CliRunner().invoke(cli, ["export", str(target)])  # never over what is there
        assert again.exit_code == 1 and ("exists already" in again.output or "already holds" in again.output)
    for target in (tmp_path / "book.xlsx", tmp_path / "folder"):
        empty(conn)
        result = CliRunner().invoke(cli, ["load", str(target)])
        assert result.exit_code == 0, result.output
        assert fingerprint(conn) == expected, target
    dry = CliRunner().invoke(cli, ["load", str(tmp_path / "book.xlsx"), "--dry-run"])
    assert re.search(r"rows valid \(\d+ sources, \d+ organizations, ", dry.stderr), dry.stderr  # the sheets' names
