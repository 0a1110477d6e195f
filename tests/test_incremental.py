"""Incremental derivation (graph.incremental): after a change, only the organizations whose footprint meets
it are computed again, and the result is what a full derivation of the changed graph gives.

The in-memory tests edit the engine's facts directly (random kinds of change on a generated graph read
once from Neo4j) and compare, organization by organization, the kept and recomputed nodes with a fresh
derivation; the database tests do the same through a reload of the seed.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import incremental
from graph.cli import SEED_DIR
from graph.db import Connection
from graph import derive as derive_module
from graph.derive import ALIVE, DERIVED_LABELS, ORG_PROPERTY, _key, compute, derive
from graph.facts import Facts, read_facts
from graph.generate import generate
from graph.loader import load_folder
from graph.validity import LAST
from test_exposure_properties import derived_state
from test_query_properties import empty


def nodes_by_org(wanted: dict[str, list[dict]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for label, rows in wanted.items():
        for row in rows:
            out.setdefault(row[ORG_PROPERTY[label]], set()).add(_key(label, row))
    return out


def derive_in_memory(facts: Facts, footprints: dict[str, int] | None = None,
                     before: list[int] | None = None) -> tuple[list[str], list[str], dict[str, set[str]], dict[str, int], list[int]]:
    """(computed, gone, nodes by organization, footprints, bucket digests) of a derivation after `before`."""
    todo, gone, wanted, buckets = compute(facts, footprints or {}, before)
    prints = {row["org_id"]: incremental.from_bytes(row["footprint"]) for row in wanted["DerivedInputs"]}
    return todo, gone, nodes_by_org(wanted), prints, buckets


@pytest.fixture(scope="module")
def generated_facts(session_conn: Connection) -> Facts:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        generate(folder, relationships=500, seed=11)
        empty(session_conn)
        load_folder(session_conn, folder)
    with session_conn.driver.session() as session:
        return session.execute_read(lambda tx: read_facts(tx))


CHANGES = ("drop", "status", "end", "stake", "confidence", "add", "reverse", "lab", "rename", "new_org")


def changed(facts: Facts, kind: str, pick: int, other_pick: int) -> Facts:
    """The facts with one change of the given kind."""
    fl, orgs = list(facts.facts), sorted(facts.org_names)
    org, other = orgs[pick % len(orgs)], orgs[other_pick % len(orgs)]
    i = pick % len(fl)
    fact = fl[i]
    names, labs = dict(facts.org_names), set(facts.labs)
    # A fact with a facility or a person at one end has a direction the model fixes (A USES F, P HOLDS_POSITION).
    between_organizations = fact.src in facts.org_names and fact.dst in facts.org_names
    if kind == "drop":
        del fl[i]
    elif kind == "status":
        fl[i] = dataclasses.replace(fact, status="paused" if fact.status != "paused" else "active")
    elif kind == "end":
        start, end = fact.interval
        fl[i] = dataclasses.replace(fact, interval=(start, start + 400 if end >= LAST else (start + end) // 2 + 1))
    elif kind == "stake":
        fl[i] = dataclasses.replace(fact, stake=60.0 if fact.stake != 60.0 else 10.0)
    elif kind == "confidence":
        fl[i] = dataclasses.replace(fact, confidence="low" if fact.confidence != "low" else "high")
    elif kind == "add" and between_organizations and other != fact.src:
        fl.append(dataclasses.replace(fact, id=fact.id + "-added", dst=other))
    elif kind == "reverse" and between_organizations:
        fl[i] = dataclasses.replace(fact, src=fact.dst, dst=fact.src)
    elif kind == "lab":
        labs ^= {org}
    elif kind == "rename":
        names[org] += " Renamed"
    elif kind == "new_org":
        names["org-new"] = "New Org"
        fl.append(dataclasses.replace(fact, id="r-new", src="org-new", dst=org, type="INVESTED_IN", stake=55.0,
                                      amount=None, reverse=False, stored_type=None))
    return Facts(names, labs, dict(facts.person_names), fl, dict(facts.facility_names))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(CHANGES), min_size=1, max_size=3), picks=st.lists(st.integers(0, 10**6), min_size=6, max_size=6))
def test_an_incremental_derivation_equals_a_full_one(generated_facts: Facts, kinds: list[str], picks: list[int]) -> None:
    _, _, before, footprints, buckets = derive_in_memory(generated_facts)
    facts = generated_facts
    for n, kind in enumerate(kinds):
        facts = changed(facts, kind, picks[2 * n], picks[2 * n + 1])
    todo, gone, recomputed, _, _ = derive_in_memory(facts, footprints, buckets)
    kept = {org: keys for org, keys in before.items() if org not in todo and org not in gone}
    _, _, full, _, _ = derive_in_memory(facts)
    assert {**kept, **recomputed} == full, kinds


def test_an_unchanged_graph_computes_nothing_and_each_change_computes_less_than_everything(generated_facts: Facts) -> None:
    _, _, _, footprints, buckets = derive_in_memory(generated_facts)
    todo, gone, _, _, _ = derive_in_memory(generated_facts, footprints, buckets)
    assert (todo, gone) == ([], [])
    counts = [len(derive_in_memory(changed(generated_facts, "status", pick, 0), footprints, buckets)[0])
              for pick in range(0, 500, 50)]
    assert min(counts) < len(generated_facts.org_names), counts  # some one-fact change leaves some organization alone


def test_buckets_are_stable_across_processes_and_a_missing_state_means_everything() -> None:
    assert incremental.bucket("openai") == 7906  # crc32, not Python's per-process string hash
    assert incremental.changed_buckets(None, [0] * incremental.BUCKETS) == (1 << incremental.BUCKETS) - 1
    assert incremental.changed_buckets([0] * incremental.BUCKETS, [0] * incremental.BUCKETS) == 0
    assert incremental.from_bytes(incremental.to_bytes(5)) == 5 and incremental.from_bytes(b"short") is None
    assert incremental.to_derive(["a", "b"], {"a": 1, "c": 2}, [0] * incremental.BUCKETS,
                                 [0] * incremental.BUCKETS) == (["b"], ["c"])


def _set_status(folder: Path, rel_id: str, status: str) -> None:
    path = folder / "relationships.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["id"] == rel_id:
            row["status"] = status
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_seed_reload_that_changes_one_row_computes_only_what_it_touches(conn: Connection, tmp_path: Path) -> None:
    folder = tmp_path / "seed"
    shutil.copytree(SEED_DIR, folder)
    load_folder(conn, folder)
    _set_status(folder, "microsoft-invests-openai-2025-03", "paused")
    summary = load_folder(conn, folder).derived
    assert summary is not None and 0 < summary.recomputed < summary.organizations, summary
    after = derived_state(conn)
    assert any(label == "DerivedInputs" for label, _ in after) and {label for label, _ in after} <= set(DERIVED_LABELS)
    empty(conn)
    load_folder(conn, folder)
    assert derived_state(conn) == after
    assert derive(conn).recomputed == 0  # nothing changed since


def test_a_derivation_in_chunks_of_a_few_organizations_writes_what_one_chunk_does(
        conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A derivation computes and writes a chunk of organizations at a time (memory holds one chunk): with
    chunks of a few organizations, a full derivation, an incremental one and the retiring of derived facts
    about an organization the graph no longer has give what one chunk gives."""
    folder = tmp_path / "seed"
    shutil.copytree(SEED_DIR, folder)
    load_folder(conn, folder)
    whole = derived_state(conn)
    monkeypatch.setattr(derive_module, "CHUNK_ORGS", 7)

    # A full derivation (an engine version it does not know), with facts about a vanished organization.
    conn.driver.execute_query(
        "MATCH (s:DerivedState) SET s.engine_version = -1 "
        "CREATE (:Exposure {org_id: 'vanished', key: 'k1', born: s.generation, died: $alive}), "
        "(:Ownership {owned_id: 'vanished', key: 'k2', born: s.generation, died: $alive})", alive=ALIVE)
    summary = derive(conn)
    assert summary.recomputed == summary.organizations == 124
    assert summary.died == {**dict.fromkeys(DERIVED_LABELS, 0), "Exposure": 1, "Ownership": 1}
    assert not any(summary.created.values())
    assert derived_state(conn) == whole

    # An incremental one, after a one-row change, in chunks, against a fresh load of the changed folder.
    _set_status(folder, "microsoft-invests-openai-2025-03", "paused")
    summary = load_folder(conn, folder).derived
    assert summary is not None and 7 < summary.recomputed < summary.organizations, summary
    chunked = derived_state(conn)
    monkeypatch.setattr(derive_module, "CHUNK_ORGS", 10**6)
    empty(conn)
    load_folder(conn, folder)
    assert derived_state(conn) == chunked != whole
