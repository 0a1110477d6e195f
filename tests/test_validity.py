"""valid_from / valid_to: the validity rule of docs/schema.md stored once per relationship.

The loader writes the pair with each row, `supplygraph derive` corrects it on relationships written by
hand, and the stored queries test only `valid_from <= d < valid_to`; these tests hold each of those to
the three-clause rule (graph.validity.fact_interval, and the dates written out by hand).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from graph.db import Connection
from graph.derive import derive, normalise_validity
from graph.loader import load_folder
from graph.queries import get_query, run_query
from graph.validity import contains, cypher_valid_from, cypher_valid_to, fact_interval, stored_validity

from datafolder import VALID, write_folder

D = dt.date
# Adversarial rows: partial dates, a relationship that starts and ends on one day, an ended one whose
# until is still to come, an ended one with no until.
EXTRA = """partial,microsoft,SUPPLIES,meta,2024,2025-06,active,cloud_compute,,,,,,,bloomberg-1,high
same-day,microsoft,SUPPLIES,scale-ai,2025-03-01,2025-03-01,active,cloud_compute,,,,,,,bloomberg-1,high
ended-future,microsoft,PARTNERS_WITH,meta,2024-01,2030-01,ended,,compute,,,,,,bloomberg-1,high
ended-open,microsoft,SUPPLIES,openai,2020,,ended,cloud_compute,,,,,,,bloomberg-1,high
"""
# What each relationship must carry, written out from the rule rather than computed by it.
EXPECTED = {
    "meta-inv-scale": (D(2025, 6, 12), D(9999, 12, 31)),
    "scale-openai": (D(1, 1, 1), D(2025, 6, 1)),  # ended, no since: always valid before its until
    "scale-meta": (D(1, 1, 1), D(9999, 12, 31)),
    "msft-inv-openai": (D(2019, 7, 1), D(9999, 12, 31)),
    "msft-openai-cloud": (D(2019, 7, 1), D(9999, 12, 31)),
    "partial": (D(2024, 1, 1), D(2025, 6, 1)),
    "same-day": (D(2025, 3, 1), D(2025, 3, 1)),
    "ended-future": (D(2024, 1, 1), D(2030, 1, 1)),
    "ended-open": (D(2020, 1, 1), D(2020, 1, 1)),
    "wang-ceo-scale": (D(2016, 1, 1), D(2025, 6, 1)),
    "wang-meta": (D(2025, 6, 1), D(9999, 12, 31)),
    "droege-ceo": (D(2025, 6, 1), D(9999, 12, 31)),
}
DAYS = [D(1, 1, 1), D(2019, 12, 31), D(2020, 1, 1), D(2024, 12, 31), D(2025, 3, 1), D(2025, 5, 31),
        D(2025, 6, 1), D(2025, 6, 12), D(2029, 12, 31), D(2030, 1, 1), D(9999, 12, 30)]


def _folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "d", relationships_csv=VALID["relationships.csv"] + EXTRA)


def _stored(conn: Connection) -> dict[str, tuple]:
    records = conn.read("""
        MATCH ()-[r]->() WHERE NOT r:SOURCED_FROM
        RETURN r.id AS id, r.valid_from AS valid_from, r.valid_to AS valid_to""").records
    return {r["id"]: (r["valid_from"] and r["valid_from"].to_native(), r["valid_to"] and r["valid_to"].to_native())
            for r in records}


def _customers(conn: Connection, day: dt.date) -> set[str]:
    """The relationships vendor_exposure counts around Microsoft on a day (a stored query, as users run it)."""
    _, rows = run_query(conn, get_query("vendor_exposure"), {"vendor_id": "microsoft", "as_of": day.isoformat()})
    return {rel for row in rows if row["side"] == "dependent" for rel in row["rel_ids"]}


def test_cypher_rule_equals_the_python_rule_on_a_grid_of_edges(conn: Connection) -> None:
    dates = [None, D(2020, 1, 1), D(2020, 6, 1), D(2021, 1, 1)]
    statuses = ["active", "ended", "paused", "announced", "reported"]
    cases = [{"since": s, "until": u, "status": st} for s, u, st in itertools.product(dates, dates, statuses)]
    records = conn.read(f"""
        UNWIND $cases AS c
        WITH c, {cypher_valid_from("c.since")} AS valid_from, {cypher_valid_to("c.since", "c.until", "c.status")} AS valid_to
        UNWIND $days AS d
        RETURN c, d, valid_from <= d < valid_to AS valid""", {"cases": cases, "days": DAYS}).records
    assert len(records) == len(cases) * len(DAYS)
    for r in records:
        c = r["c"]
        since, until = (c[k] and c[k].to_native() for k in ("since", "until"))
        if since and until and until < since:
            continue  # the loader refuses these
        want = contains(fact_interval(since, until, c["status"]), r["d"].to_native().toordinal())
        assert r["valid"] == want, (c, r["d"])


def test_the_bulk_loads_pair_equals_the_cypher_rules_on_a_grid_of_edges(conn: Connection) -> None:
    # What the bulk load writes without Cypher (graph.validity.stored_validity) against what the server
    # computes from the same values, until-before-since and the open ends included.
    dates = [None, "0001-01-01", "2020-01-01", "2020-06-01", "2021-01-01", "9999-12-31"]
    statuses = ["active", "ended", "paused", "announced", "reported", "unknown"]
    cases = [{"since": s, "until": u, "status": st} for s, u, st in itertools.product(dates, dates, statuses)]
    records = conn.read(f"""
        UNWIND $cases AS c
        RETURN c, toString({cypher_valid_from("date(c.since)")}) AS valid_from,
               toString({cypher_valid_to("date(c.since)", "date(c.until)", "c.status")}) AS valid_to""",
                        {"cases": cases}).records
    assert len(records) == len(cases)
    for r in records:
        c = r["c"]
        assert stored_validity(c["since"], c["until"], c["status"]) == (r["valid_from"], r["valid_to"]), c


def test_the_loader_writes_the_interval_of_every_relationship(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, _folder(tmp_path))
    assert _stored(conn) == EXPECTED
    # The stored query sees exactly what the three-clause rule makes valid, on every edge day.
    for day in DAYS:
        assert _customers(conn, day) == {
            rel for rel in ("partial", "same-day", "ended-future", "ended-open", "msft-openai-cloud", "msft-inv-openai")
            if EXPECTED[rel][0] <= day < EXPECTED[rel][1]}, day
    assert _customers(conn, D(2025, 1, 1)) == {"partial", "ended-future", "msft-openai-cloud", "msft-inv-openai"}
    assert not any("ended-open" in _customers(conn, day) or "same-day" in _customers(conn, day) for day in DAYS)


def test_a_graph_loaded_before_the_interval_existed_gets_it_on_the_next_load(conn: Connection, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    load_folder(conn, folder)
    conn.driver.execute_query("MATCH ()-[r]->() REMOVE r.valid_from, r.valid_to")  # as loaded before
    assert set(_stored(conn).values()) == {(None, None)}
    summary = load_folder(conn, folder)
    relationships = len(EXPECTED)
    assert sum(summary.counts[t]["updated"] for t in summary.counts if t not in ("Source", "Organization", "Person")) \
        == relationships
    assert _stored(conn) == EXPECTED
    again = load_folder(conn, folder)
    assert not again.changed  # once only


def test_a_relationship_written_by_hand_is_invisible_until_derive(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, _folder(tmp_path))
    conn.driver.execute_query("""
        MATCH (m:Organization {id: 'microsoft'}), (o:Organization {id: 'openai'}), (s:Organization {id: 'scale-ai'})
        CREATE (m)-[:SUPPLIES {id: 'by-hand', service: 'cloud_compute', status: 'active', since: date('2025-01-01'),
                               sources: ['bloomberg-1'], confidence: 'high'}]->(o)
        CREATE (m)-[:SUPPLIES {id: 'by-hand-ended', service: 'cloud_compute', status: 'ended',
                               sources: ['bloomberg-1'], confidence: 'high'}]->(s)
        WITH m
        // An edit by hand of a loaded relationship: its stored interval now disagrees with its until.
        MATCH (m)-[p:PARTNERS_WITH {id: 'msft-openai-cloud'}]->()
        SET p.until = date('2025-02-01')""")
    assert "by-hand" not in _customers(conn, D(2025, 6, 1))
    assert "msft-openai-cloud" in _customers(conn, D(2025, 6, 1))  # still the stored interval

    derive(conn)
    stored = _stored(conn)
    assert stored["by-hand"] == (D(2025, 1, 1), D(9999, 12, 31))
    assert stored["by-hand-ended"] == (D(1, 1, 1), D(1, 1, 1))  # ended with no until: never valid
    assert stored["msft-openai-cloud"] == (D(2019, 7, 1), D(2025, 2, 1))
    assert {k: v for k, v in stored.items() if k not in ("by-hand", "by-hand-ended", "msft-openai-cloud")} == {
        k: v for k, v in EXPECTED.items() if k != "msft-openai-cloud"}
    assert "by-hand" in _customers(conn, D(2025, 6, 1)) and "by-hand" not in _customers(conn, D(2024, 12, 31))
    assert "msft-openai-cloud" not in _customers(conn, D(2025, 6, 1))
    assert "msft-openai-cloud" in _customers(conn, D(2025, 1, 31))
    assert not any("by-hand-ended" in _customers(conn, day) for day in DAYS)

    with conn.driver.session(database=conn.database) as session:
        assert normalise_validity(session) == 0  # everything agrees now: nothing to set
