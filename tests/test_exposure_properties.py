"""The derived exposures against an independent search of the definition (tests/exposure_oracle.py).

Random generated graphs and random dates: on each date, the links the derivation stored (read back as
the stored queries read them) must be the oracle's, with the same scores, paths and kinds, at every
number of intermediaries; and after a random edit and reload, the derived state must equal a fresh
derivation of the edited graph.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exposure_oracle import Oracle, ages
from graph.db import Connection
from graph.derive import DERIVED_LABELS, derive
from graph.generate import generate
from graph.loader import load_folder
from test_query_properties import Model, empty, run

EVERYTHING = 1_000_000
STORED = """
MATCH (s:DerivedState {name: 'exposure'})
MATCH (e:Exposure) WHERE e.valid_from <= $d < e.valid_to AND e.scores[$m] > 0
  AND e.born <= s.generation < e.died
RETURN e.org_id AS a, e.rival_id AS rival, e.scores[$m] AS score, e.paths[$m] AS paths, e.kinds[$m] AS kind
"""


def stored_links(conn: Connection, on: dt.date, level: int) -> dict[tuple[str, str], dict]:
    return {(r["a"], r["rival"]): dict(r) for r in (rec.data() for rec in conn.read(STORED, {"d": on, "m": level}).records)}


def assert_agree(conn: Connection, model: Model, on: dt.date) -> None:
    oracle = Oracle(model, on)
    for level in range(4):
        expected = oracle.links(level=level)
        found = stored_links(conn, on, level)
        assert set(found) == set(expected), (
            f"{on} level {level}: missing {sorted(set(expected) - set(found))[:5]}, "
            f"unjustified {sorted(set(found) - set(expected))[:5]}")
        for key, want in expected.items():
            got = found[key]
            # Both sides round a sum of floats to 3 places, added up in their own order: one unit apart at most.
            assert abs(got["score"] - want["score"]) <= 0.001 + 1e-9, (on, level, key, got, want)
            assert got["paths"] == want["paths"], (on, level, key, got, want)
            assert got["kind"] in want["kinds"], (on, level, key, got, want)


def loaded(conn: Connection, relationships: int, seed: int) -> Model:
    """A generated graph of this size and seed, alone in the database (derived on load), and its model."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        generate(folder, relationships=relationships, seed=seed)
        empty(conn)
        load_folder(conn, folder)
        return Model.read(folder)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(relationships=st.integers(100, 600), seed=st.integers(0, 2**31 - 1),
       dates=st.lists(st.dates(dt.date(2014, 1, 1), dt.date(2027, 12, 31)), min_size=2, max_size=3))
def test_derived_links_equal_a_live_search_on_every_date(session_conn: Connection, relationships: int, seed: int,
                                                          dates: list[dt.date]) -> None:
    model = loaded(session_conn, relationships, seed)
    for on in dates:
        assert_agree(session_conn, model, on)
    # The every-lab ranking of the stored query is the oracle's, restricted to labs.
    on = dates[0]
    rows = run(session_conn, "indirect_links", as_of=on, limit=EVERYTHING)
    labs = sorted(o for o in model.orgs if model.is_lab(o))
    assert {(r["org_id"], r["rival_id"]) for r in rows} == set(Oracle(model, on).links(labs))


def changes_by_day(model: Model, first: dt.date, last: dt.date, level: int) -> set[tuple[str, str, str, str]]:
    """The definition of `new_exposures` from the oracle: a link starts on a day it holds after a day it
    did not, and ends on the first day it no longer holds. (date, change, A, rival). Links change only
    on a fact's since and until days and on the day its weight ages, so only those are asked, each
    against the day before."""
    facts = model.rels + model.positions
    points = {d for rel in facts for d in (rel.since, rel.until, rel.since and ages(rel.since)) if d and first <= d <= last}
    out: set[tuple[str, str, str, str]] = set()
    for d in sorted(points | {first}):
        before, now = (set(Oracle(model, day).links(level=level)) for day in (d - dt.timedelta(days=1), d))
        out |= {(d.isoformat(), "started", a, rival) for a, rival in now - before}
        out |= {(d.isoformat(), "ended", a, rival) for a, rival in before - now}
    return out


def changes_found(rows: list[dict]) -> set[tuple[str, str, str, str]]:
    return {(str(r["date"]), r["change"], r["org_id"], r["rival_id"]) for r in rows}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(relationships=st.integers(100, 300), seed=st.integers(0, 2**31 - 1), pick=st.integers(0, 10**6),
       before=st.integers(0, 60), after=st.integers(0, 120), level=st.integers(0, 3))
def test_new_exposures_are_the_days_a_link_starts_or_stops_holding(session_conn: Connection, relationships: int,
                                                                   seed: int, pick: int, before: int, after: int,
                                                                   level: int) -> None:
    model = loaded(session_conn, relationships, seed)
    # A window around a day some fact starts or ends on, where links change.
    points = sorted({d for rel in model.rels + model.positions for d in (rel.since, rel.until) if d})
    point = points[pick % len(points)]
    first, last = point - dt.timedelta(days=before), point + dt.timedelta(days=after)
    expected = changes_by_day(model, first, last, level)
    rows = run(session_conn, "new_exposures", org_id=None, from_date=first, to_date=last, max_intermediaries=level,
               limit=EVERYTHING)
    found = changes_found(rows)
    assert found == expected, (first, last, level, sorted(expected - found)[:5], sorted(found - expected)[:5])
    assert len(rows) == len(expected)  # one row per change
    # One organization's: its own changes, read by its index, the same as among everyone's.
    orgs = sorted({a for _, _, a, _ in expected}) or sorted(model.orgs)
    org = orgs[pick % len(orgs)]
    rows = run(session_conn, "new_exposures", org_id=org, from_date=first, to_date=last, max_intermediaries=level,
               limit=EVERYTHING)
    assert changes_found(rows) == {c for c in expected if c[2] == org}, (org, first, last, level)


def derived_state(conn: Connection) -> list[tuple]:
    """Every visible derived node's content, generation bookkeeping left out."""
    out = []
    for label in DERIVED_LABELS:
        rows = conn.read(f"MATCH (s:DerivedState) MATCH (n:{label}) WHERE n.born <= s.generation < n.died RETURN n.key AS k").records
        out += sorted((label, r["k"]) for r in rows)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


EDITS = ("dates", "status", "start", "delete", "add", "family", "lab", "rename", "position", "compete")


def edit(folder: Path, seed: int, kind: str) -> None:
    """Changes one row of the folder: a relationship's dates, status or start, a deleted or added
    relationship, a new family edge or competition, an organization's roles or name, a position's end."""
    rels_path, orgs_path, pos_path = folder / "relationships.csv", folder / "organizations.csv", folder / "positions.csv"
    rows, orgs = _rows(rels_path), _rows(orgs_path)
    fields = list(rows[0])
    row, org, other = rows[seed % len(rows)], orgs[seed % len(orgs)], orgs[(seed // 7) % len(orgs)]
    if kind == "dates":
        row["until"], row["status"] = "2024-03-01", "ended"
        if row["since"] and row["since"] >= "2024-03-01":
            row["since"] = "2020"
    elif kind == "status":
        row["status"] = "paused"
    elif kind == "start":
        row["since"] = "2023-07-01"
        row["until"] = "" if not row["until"] or row["until"] <= "2023-07-01" else row["until"]
    elif kind == "delete":
        rows.remove(row)
    elif kind in ("add", "family", "compete"):
        rel_type = {"add": row["type"], "family": "SUBSIDIARY_OF", "compete": "COMPETES_WITH"}[kind]
        if org["id"] != other["id"] and rel_type in ("SUBSIDIARY_OF", "COMPETES_WITH", "INVESTED_IN", "PARTNERS_WITH",
                                                       "SUPPLIES"):
            taken = {r["id"] for r in rows}
            new_id = next(f"r-edit-{n}" for n in range(len(rows) + 1) if f"r-edit-{n}" not in taken)  # edits add up
            added = {**{k: "" for k in fields}, "id": new_id, "from_id": org["id"], "type": rel_type,
                     "to_id": other["id"], "since": "2019-05-01", "status": "active", "sources": row["sources"],
                     "confidence": "high"}
            if rel_type == "SUPPLIES":
                added["service"] = row["service"] or "cloud_compute"
            if rel_type == "INVESTED_IN":
                added["stake_percent"] = "40"
            if rel_type == "PARTNERS_WITH":
                added["kind"] = row["kind"]  # required: the row copied is a partnership too
            rows.append(added)
    elif kind == "lab":
        roles = org["roles"].split(";")
        org["roles"] = ";".join(r for r in roles if r != "lab") or "vendor" if "lab" in roles else ";".join(roles + ["lab"])
        _write(orgs_path, orgs, list(orgs[0]))
    elif kind == "rename":
        org["name"] += " Renamed"
        _write(orgs_path, orgs, list(orgs[0]))
    elif kind == "position":
        positions = _rows(pos_path)
        if positions:
            position = positions[seed % len(positions)]
            position["until"], position["status"] = "2022-02-01", "ended"
            if position["since"] and position["since"] >= "2022-02-01":
                position["since"] = "2018"
            _write(pos_path, positions, list(positions[0]))
    _write(rels_path, rows, fields)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(relationships=st.integers(100, 400), seed=st.integers(0, 2**31 - 1), on=st.dates(dt.date(2016, 1, 1), dt.date(2026, 12, 31)),
       kinds=st.lists(st.sampled_from(EDITS), min_size=1, max_size=2))
def test_a_reload_after_an_edit_derives_what_a_fresh_derivation_does(session_conn: Connection, relationships: int,
                                                                      seed: int, on: dt.date, kinds: list[str]) -> None:
    """A reload computes again only the organizations whose footprint meets a change (graph.incremental):
    what it leaves as it was must be what a fresh derivation of the edited graph gives."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        generate(folder, relationships=relationships, seed=seed)
        empty(session_conn)
        load_folder(session_conn, folder)
        for kind in kinds:
            edit(folder, seed, kind)
        load_folder(session_conn, folder, replace=True)  # the edited folder is the whole graph (a row may be gone)
        incremental = derived_state(session_conn)
        model = Model.read(folder)
        empty(session_conn)
        load_folder(session_conn, folder)
        assert derived_state(session_conn) == incremental
        assert derive(session_conn).changed == 0  # a derivation of an unchanged graph writes nothing
    assert_agree(session_conn, model, on)
