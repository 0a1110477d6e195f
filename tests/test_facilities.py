"""Facilities (facilities.csv) and the relationships of organizations to them: they load with their
values and validity, and every bad file is refused with its place, leaving the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.db import Connection
from graph.loader import load_folder
from graph.validate import ValidationError

from datafolder import FACILITIES, FACILITY_POSITION, VALID, with_facility_edges, with_row, write_folder
from oracles import fingerprint

FAC = "facilities_csv"
REL = "relationships_csv"
EXTRA_ROW = 13  # the row of the first extra relationship after with_facility_edges' rows


def facility_folder(folder: Path, **replacements: str | None) -> Path:
    files = {FAC: FACILITIES, REL: with_facility_edges(),
             "positions_csv": with_row("positions.csv", FACILITY_POSITION)}
    files.update(replacements)
    return write_folder(folder, **files)


def fac_row(**cells: str) -> str:
    header = FACILITIES.split("\n")[0].split(",")
    base = dict(zip(header, FACILITIES.split("\n")[1].split(",")))
    base.update({"id": "stargate-abilene", "name": "Stargate Abilene", **cells})
    return ",".join(base[c] for c in header)


def rel_row(**cells: str) -> str:
    header = with_facility_edges().split("\n")[0].split(",")
    base = dict.fromkeys(header, "")
    base.update({"id": "x", "status": "active", "sources": "reuters-1", "confidence": "high", **cells})
    return ",".join(base[c] for c in header)


BAD = [
    ("facility kind", {FAC: FACILITIES + fac_row(kind="datacenter") + "\n"},
     "facilities.csv, row 3, column 'kind', value 'datacenter': 'datacenter' is not one of: data_center, gpu_cluster"),
    ("facility status", {FAC: FACILITIES + fac_row(status="live") + "\n"},
     "facilities.csv, row 3, column 'status', value 'live': 'live' is not one of: announced, planned"),
    ("facility without status", {FAC: FACILITIES + fac_row(status="") + "\n"},
     "facilities.csv, row 3, column 'status', value '': required value is empty"),
    ("facility without sources", {FAC: FACILITIES + fac_row(sources="") + "\n"},
     "facilities.csv, row 3, column 'sources', value '': required value is empty"),
    ("facility header without kind", {FAC: "id,name,status,sources,confidence\nf,F,operational,reuters-1,high\n"},
     "facilities.csv, row 1, column 'kind': required column is missing from the header"),
    ("facility unknown column", {FAC: FACILITIES.replace("confidence\n", "confidence,megawatts\n", 1)},
     "facilities.csv, row 1, column 'megawatts': unknown column"),
    ("facility id of an organization", {FAC: FACILITIES + fac_row(id="meta") + "\n"},
     "facilities.csv, row 3, column 'id', value 'meta': organizations.csv has this id too"),
    ("facility id of a person", {FAC: FACILITIES + fac_row(id="jason-droege") + "\n"},
     "facilities.csv, row 3, column 'id', value 'jason-droege': people.csv has this id too"),
    ("facility id twice", {FAC: FACILITIES + fac_row(id="colossus") + "\n"},
     "facilities.csv, row 3, column 'id', value 'colossus': duplicate id: row 2 has it too"),
    ("capacity in GW text", {FAC: FACILITIES + fac_row(capacity_mw="1.2GW") + "\n"},
     "facilities.csv, row 3, column 'capacity_mw', value '1.2GW': not a number"),
    ("negative capacity", {FAC: FACILITIES + fac_row(capacity_mw="-1") + "\n"},
     "facilities.csv, row 3, column 'capacity_mw', value '-1': must not be negative"),
    ("chip count in part", {FAC: FACILITIES + fac_row(chip_count="1000.5") + "\n"},
     "facilities.csv, row 3, column 'chip_count', value '1000.5': a count is a whole number"),
    ("facility country", {FAC: FACILITIES + fac_row(country="USA") + "\n"},
     "facilities.csv, row 3, column 'country', value 'USA': use a two-letter ISO 3166 country code"),
    ("facility until before since", {FAC: FACILITIES + fac_row(since="2025", until="2024") + "\n"},
     "facilities.csv, row 3, column 'until', value '2024': ends before it starts (since 2025)"),
    ("facility unknown source", {FAC: FACILITIES + fac_row(sources="nyt-9") + "\n"},
     "facilities.csv, row 3, column 'sources', value 'nyt-9': source 'nyt-9' is not in sources.csv"),
    ("facility as investor", {REL: with_facility_edges(rel_row(from_id="colossus", type="INVESTED_IN", to_id="meta"))},
     f"relationships.csv, row {EXTRA_ROW}, column 'from_id', value 'colossus': is a facility (facilities.csv), "
     "but every relationship starts at an organization"),
    ("facility as supplier", {REL: with_facility_edges(rel_row(from_id="colossus", type="SUPPLIES", to_id="openai",
                                                                service="cloud_compute"))},
     f"row {EXTRA_ROW}, column 'from_id', value 'colossus': is a facility (facilities.csv)"),
    ("owns an organization", {REL: with_facility_edges(rel_row(from_id="meta", type="OWNS", to_id="openai"))},
     f"relationships.csv, row {EXTRA_ROW}, column 'to_id', value 'openai': is an organization (organizations.csv), "
     "but OWNS goes to a facility"),
    ("uses an organization", {REL: with_facility_edges(rel_row(from_id="meta", type="USES", to_id="microsoft"))},
     f"row {EXTRA_ROW}, column 'to_id', value 'microsoft': is an organization (organizations.csv), but USES goes to a facility"),
    ("competes with a facility", {REL: with_facility_edges(rel_row(from_id="meta", type="COMPETES_WITH", to_id="colossus"))},
     f"row {EXTRA_ROW}, column 'to_id', value 'colossus': is a facility (facilities.csv), "
     "but COMPETES_WITH goes to an organization"),
    ("subsidiary of a facility", {REL: with_facility_edges(rel_row(from_id="meta", type="SUBSIDIARY_OF", to_id="colossus"))},
     f"row {EXTRA_ROW}, column 'to_id', value 'colossus': is a facility (facilities.csv), "
     "but SUBSIDIARY_OF goes to an organization"),
    ("operates nothing known", {REL: with_facility_edges(rel_row(from_id="meta", type="OPERATES", to_id="colossus-2"))},
     f"row {EXTRA_ROW}, column 'to_id', value 'colossus-2': no row in facilities.csv has this id"),
    ("bad unit", {REL: with_facility_edges(rel_row(from_id="meta", type="USES", to_id="colossus", quantity="10", unit="gpu"))},
     f"row {EXTRA_ROW}, column 'unit', value 'gpu': 'gpu' is not one of: gpus, chips, servers, racks, mw"),
    ("unit without quantity", {REL: with_facility_edges(rel_row(from_id="meta", type="USES", to_id="colossus", unit="gpus"))},
     f"row {EXTRA_ROW}, column 'quantity', value '': quantity and unit go together"),
    ("quantity without unit", {REL: with_facility_edges(rel_row(from_id="meta", type="USES", to_id="colossus", quantity="10"))},
     f"row {EXTRA_ROW}, column 'unit', value '': quantity and unit go together"),
    ("value without currency", {REL: with_facility_edges(rel_row(from_id="meta", type="USES", to_id="colossus",
                                                                  value="1000000"))},
     f"row {EXTRA_ROW}, column 'currency', value '': a value needs its currency"),
    ("quantity in words", {REL: with_facility_edges(rel_row(from_id="meta", type="USES", to_id="colossus",
                                                             quantity="100k", unit="gpus"))},
     f"row {EXTRA_ROW}, column 'quantity', value '100k': not a number"),
    ("quantity on an investment", {REL: with_facility_edges(rel_row(from_id="meta", type="INVESTED_IN", to_id="colossus",
                                                                     quantity="10", unit="gpus"))},
     f"row {EXTRA_ROW}, column 'quantity', value '10': does not apply to INVESTED_IN: clear it"),
    ("value on an ownership", {REL: with_facility_edges(rel_row(from_id="meta", type="OWNS", to_id="colossus",
                                                                 value="10", currency="USD"))},
     f"row {EXTRA_ROW}, column 'value', value '10': does not apply to OWNS: clear it (columns for OWNS: stake_percent)"),
    ("ownership over 100", {REL: with_facility_edges(rel_row(from_id="meta", type="OWNS", to_id="colossus",
                                                              stake_percent="140"))},
     f"row {EXTRA_ROW}, column 'stake_percent', value '140': a stake is a percentage from 0 to 100"),
    ("unknown status spelled", {REL: with_facility_edges(rel_row(from_id="meta", type="USES", to_id="colossus",
                                                                  status="unkown"))},
     f"row {EXTRA_ROW}, column 'status', value 'unkown': 'unkown' is not one of: active, ended, paused, announced, "
     "reported, unknown"),
    ("position at nothing known", {"positions_csv": with_row("positions.csv", FACILITY_POSITION.replace(",colossus,", ",colosus,"))},
     "positions.csv, row 5, column 'org_id', value 'colosus': no row in organizations.csv or facilities.csv has this id"),
    ("facility edge without facilities.csv", {FAC: None},
     "relationships.csv, row 7, column 'to_id', value 'colossus': no row in facilities.csv has this id"),
]


@pytest.mark.parametrize("replacements,message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_facility_file_is_refused_and_nothing_changes(tmp_path: Path, session_conn: Connection, loaded: str,
                                                            replacements: dict, message: str) -> None:
    folder = facility_folder(tmp_path / "bad", **replacements)
    with pytest.raises(ValidationError) as refused:
        load_folder(session_conn, folder)
    assert message in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert fingerprint(session_conn) == loaded


def test_the_new_role_services_and_status_are_valid(tmp_path: Path, session_conn: Connection, loaded: str) -> None:
    from graph.validate import check_folder

    folder = facility_folder(
        tmp_path / "ok",
        organizations_csv=with_row("organizations.csv", "jpmorgan,JPMorgan Chase,customer,,US,,A bank.,reuters-1,high")
        + "entergy,Entergy,vendor,energy;construction,US,,A utility.,reuters-1,high\n",
        relationships_csv=with_facility_edges(
            rel_row(id="jpm-uses", from_id="jpmorgan", type="USES", to_id="colossus", status="unknown"),
            rel_row(id="entergy-power", from_id="entergy", type="SUPPLIES", to_id="colossus", service="energy",
                    quantity="150", unit="mw", value="120000000", currency="USD"),
            rel_row(id="entergy-builds-for-meta", from_id="entergy", type="SUPPLIES", to_id="meta", service="construction")),
    )
    assert check_folder(folder).rows["facilities.csv"] == 1


def graph_of(conn: Connection) -> dict:
    facility = conn.read("MATCH (f:Facility {id: 'colossus'}) RETURN properties(f) AS p, "
                         "[(f)-[:SOURCED_FROM]->(s) | s.id] AS sources").records[0]
    edges = conn.read("""MATCH (a)-[r]->(f:Facility) RETURN type(r) AS type, a.id AS a, r.id AS id, properties(r) AS p
                         ORDER BY id""").records
    return {"facility": facility["p"], "cited": facility["sources"], "edges": [dict(e) for e in edges]}


def test_facilities_and_their_edges_load_with_their_values_and_validity(tmp_path: Path, conn: Connection) -> None:
    import datetime as dt

    folder = facility_folder(tmp_path / "ok")
    summary = load_folder(conn, folder)
    assert summary.counts["Facility"]["created"] == 1
    got = graph_of(conn)
    fac = got["facility"]
    assert (fac["name"], fac["kind"], fac["status"], fac["country"], fac["region"]) == (
        "Colossus", "gpu_cluster", "operational", "US", "Memphis")
    assert (fac["capacity_mw"], fac["chip_count"], fac["chip_type"]) == (150.0, 100000.0, "Nvidia H100")
    assert fac["since"].to_native() == dt.date(2024, 9, 1) and fac["since_text"] == "2024-09"
    assert fac["aliases"] == ["Colossus 1"] and got["cited"] == ["reuters-1"]
    by_id = {e["id"]: e for e in got["edges"]}
    assert {e["id"]: e["type"] for e in got["edges"]} == {
        "meta-owns-colossus": "OWNS", "microsoft-operates-colossus": "OPERATES", "openai-uses-colossus": "USES",
        "scale-builds-colossus": "BUILDS", "scale-supplies-colossus": "SUPPLIES",
        "msft-invests-colossus": "INVESTED_IN", "droege-runs-colossus": "HOLDS_POSITION"}
    uses = by_id["openai-uses-colossus"]["p"]
    assert (uses["quantity"], uses["unit"], uses["value"], uses["currency"]) == (20000.0, "gpus", 2e9, "USD")
    assert by_id["meta-owns-colossus"]["p"]["stake_percent"] == 40.0
    assert by_id["droege-runs-colossus"]["a"] == "jason-droege"
    # Every new edge carries its validity, as every base relationship does.
    for edge in got["edges"]:
        p = edge["p"]
        assert p["valid_from"].to_native() == (p["since"].to_native() if "since" in p else dt.date(1, 1, 1))
        assert p["valid_to"].to_native() == dt.date(9999, 12, 31)
    # A second load changes nothing; the same folder without facilities.csv and its edges, with --replace,
    # leaves no facility behind.
    assert not load_folder(conn, folder).changed
    load_folder(conn, write_folder(tmp_path / "old"), replace=True)
    assert conn.read("MATCH (f:Facility) RETURN count(f) AS n").records[0]["n"] == 0
    assert conn.read("MATCH ()-[r:OWNS|OPERATES|USES|BUILDS]->() RETURN count(r) AS n").records[0]["n"] == 0


def test_a_load_into_a_graph_that_has_them_updates_facility_edges(tmp_path: Path, conn: Connection) -> None:
    load_folder(conn, write_folder(tmp_path / "old"))  # not empty: the per-type writes
    folder = facility_folder(tmp_path / "ok")
    load_folder(conn, folder)
    assert len(graph_of(conn)["edges"]) == 7
    changed = facility_folder(tmp_path / "changed", relationships_csv=with_facility_edges().replace(
        "openai-uses-colossus,openai,USES,colossus,2025-01,,active", "openai-uses-colossus,openai,USES,colossus,2025-01,2025-09,ended"))
    summary = load_folder(conn, changed)
    assert summary.counts["USES"]["updated"] == 1 and summary.total("updated") == 1
    uses = {e["id"]: e["p"] for e in graph_of(conn)["edges"]}["openai-uses-colossus"]
    assert uses["valid_to"].to_native().isoformat() == "2025-09-01"


def test_an_old_folder_keeps_loading_when_facilities_csv_is_absent(tmp_path: Path, conn: Connection) -> None:
    folder = write_folder(tmp_path / "old")
    assert not (folder / "facilities.csv").exists()
    summary = load_folder(conn, folder)
    assert summary.total("created") > 0 and "Facility" not in summary.counts
    assert VALID["relationships.csv"].split("\n")[0].count(",") == 15  # the old header, without the new columns
