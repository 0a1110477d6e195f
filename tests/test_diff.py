"""The diff between two dates (graph.diff) against an independent reading of the definition on random
graphs, and on the seed through the stored neighbourhood query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings, strategies as st

from graph import diff, explore
from graph.db import Connection

NODES = [f"n{i}" for i in range(7)]
DAY0 = dt.date(2024, 1, 1)


def valid_on(row: dict[str, Any], day: dt.date) -> bool:
    """The three-clause rule of docs/queries.md, read directly: since empty or on/before the day, until
    empty or after it, and an ended relationship with no until is over."""
    since, until = first_day(row["since"]), first_day(row["until"])
    if row["status"] == "ended" and until is None:
        return False
    return (since is None or since <= day) and (until is None or until > day)


def first_day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def oracle(rows: list[dict[str, Any]], earlier: dt.date, later: dt.date, focus: str, hops: int) -> dict[str, str]:
    """rel_id -> change, walking every day of the window for 'came and went', networkx for the hops."""
    changes = {}
    for row in rows:
        before, after = valid_on(row, earlier), valid_on(row, later)
        if before or after:
            changes[row["rel_id"]] = {(True, True): "unchanged", (False, True): "started",
                                      (True, False): "ended"}[(before, after)]
        elif any(valid_on(row, earlier + dt.timedelta(days=k)) for k in range(1, (later - earlier).days)):
            changes[row["rel_id"]] = "came and went"
    kept = [r for r in rows if r["rel_id"] in changes]
    g = nx.Graph()
    g.add_node(focus)
    g.add_edges_from((r["from_id"], r["to_id"]) for r in kept)
    near = nx.single_source_shortest_path_length(g, focus, cutoff=hops)
    return {r["rel_id"]: changes[r["rel_id"]] for r in kept if r["from_id"] in near and r["to_id"] in near}


def date_text(day: int, precision: int) -> str:
    d = DAY0 + dt.timedelta(days=day)
    return [d.isoformat(), d.strftime("%Y-%m"), str(d.year)][precision]


@st.composite
def relationship(draw: st.DrawFn, index: int) -> dict[str, Any]:
    a, b = draw(st.sampled_from(NODES)), draw(st.sampled_from(NODES))
    since = draw(st.none() | st.builds(date_text, st.integers(0, 800), st.integers(0, 2)))
    until = draw(st.none() | st.builds(date_text, st.integers(0, 800), st.integers(0, 2)))
    status = draw(st.sampled_from(["active", "ended", "paused", "announced", "reported"]))
    return {"from_id": a, "to_id": b, "type": "SUPPLIES", "since": since, "until": until, "status": status,
            "rel_id": f"r{index}"}


@st.composite
def graphs(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 25))
    return [draw(relationship(i)) for i in range(count)]


@settings(max_examples=300, deadline=None)
@given(graphs(), st.integers(0, 800), st.integers(0, 800), st.integers(1, 3))
def test_diff_equals_the_definition_read_directly(rows, first: int, second: int, hops: int) -> None:
    d1, d2 = DAY0 + dt.timedelta(days=first), DAY0 + dt.timedelta(days=second)
    result = diff.compare(rows, d1, d2, "n0", hops)
    earlier, later = min(d1, d2), max(d1, d2)
    expected = oracle(rows, earlier, later, "n0", hops)
    assert {r["rel_id"]: r["change"] for r in result.rows} == expected
    assert (result.earlier, result.later) == (earlier, later)
    assert sum(result.counts.values()) == len(expected)
    for change, count in result.counts.items():
        assert count == sum(1 for c in expected.values() if c == change)
    assert diff.compare(rows, d2, d1, "n0", hops).rows == result.rows  # either order of the dates


def test_edge_cases_of_the_rule() -> None:
    june1, june30 = dt.date(2025, 6, 1), dt.date(2025, 6, 30)
    cases = [
        ({"since": "2025-06-01", "until": None, "status": "active"}, None, "unchanged"),  # starts on date 1
        ({"since": "2025-06-02", "until": None, "status": "active"}, None, "started"),
        ({"since": "2025-06-30", "until": None, "status": "active"}, None, "started"),  # starts on date 2
        ({"since": "2025-07-01", "until": None, "status": "active"}, None, None),  # after the window
        ({"since": None, "until": "2025-06-30", "status": "ended"}, None, "ended"),  # the until day is not valid
        ({"since": None, "until": "2025-06-01", "status": "ended"}, None, None),  # over before date 1
        ({"since": "2025-06-05", "until": "2025-06-10", "status": "ended"}, None, "came and went"),
        ({"since": "2025-06", "until": None, "status": "ended"}, None, None),  # ended, no until: never valid
        ({"since": "2025", "until": "2026", "status": "paused"}, None, "unchanged"),  # partial dates
        ({"since": "2025-06-10", "until": "2025-06-10", "status": "active"}, None, None),  # empty interval
    ]
    for fields, _, expected in cases:
        row = {"from_id": "a", "to_id": "b", "rel_id": "r", **fields}
        got = diff.change_of(diff.interval_of(row), june1, june30)
        assert got == expected, (fields, got)
    # The same day twice: nothing can start or end.
    assert diff.change_of(diff.interval_of({"since": "2025-06-01", "until": None}), june1, june1) == "unchanged"
    assert diff.change_of(diff.interval_of({"since": "2025-06-02", "until": None}), june1, june1) is None


def test_caption_counts_each() -> None:
    rows = [{"from_id": "a", "to_id": "b", "rel_id": f"r{i}", "since": since, "until": until, "status": "active"}
            for i, (since, until) in enumerate([("2025-02", None), (None, "2025-03"), (None, None), (None, None),
                                                ("2025-03", "2025-04")])]
    result = diff.compare(rows, dt.date(2025, 12, 31), dt.date(2025, 1, 1), "a", 1)
    assert result.caption == "1 started, 1 ended, 2 unchanged, 1 came and went between 2025-01-01 and 2025-12-31"
    assert diff.compare(rows[:3], dt.date(2025, 1, 1), dt.date(2025, 12, 31)).caption == (
        "1 started, 1 ended, 1 unchanged between 2025-01-01 and 2025-12-31")
    assert diff.compare([], dt.date(2025, 1, 1), dt.date(2025, 1, 2)).caption == (
        "0 started, 0 ended, 0 unchanged between 2025-01-01 and 2025-01-02")


@pytest.fixture(scope="module")
def seeded(seed_only: Connection) -> Connection:
    return seed_only


def test_scale_ai_in_june_2025(seeded: Connection) -> None:
    result = explore.load_diff(seeded, "scale-ai", 1, dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    changes = {r["rel_id"]: r["change"] for r in result.rows}
    assert changes["meta-invests-scale-ai-2025"] == "started"  # Meta's 49%, 2025-06-12
    assert changes["scale-ai-supplies-openai"] == "ended"  # OpenAI's work ended 2025-06-18
    assert result.counts["started"] >= 1 and result.counts["ended"] >= 1 and result.counts["unchanged"] > 5
    # The independent reading on the same rows from the database, read with both dates as of the later one.
    rows = explore.neighbourhood_rows(seeded, "scale-ai", 1, dt.date(2025, 6, 30), True, 5000)
    assert changes == oracle(rows, dt.date(2025, 6, 1), dt.date(2025, 6, 30), "scale-ai", 1)
    # The page's filters apply: only investments.
    only = explore.load_diff(seeded, "scale-ai", 1, dt.date(2025, 6, 1), dt.date(2025, 6, 30),
                             explore.Filters(types=("INVESTED_IN",)))
    assert {r["type"] for r in only.rows} == {"INVESTED_IN"} and only.counts["started"] >= 1
