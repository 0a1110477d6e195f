"""What changed around an entity between two dates: each relationship of the view started, ended, stayed
unchanged, or came and went, by the one validity rule (graph.validity: valid on d when
`valid_from <= d < valid_to`).

A relationship *started* when it is valid on the later date and not on the earlier one, *ended* when it
is valid on the earlier date and not on the later one, is *unchanged* when valid on both, and *came and
went* when valid on neither but on some day in between. Every other relationship is not part of the
comparison. The view keeps the relationships within `hops` of the focus through the compared ones.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from graph.validate import parse_date
from graph.validity import Interval, contains, day_of, fact_interval, intersect, is_empty

STARTED, ENDED, UNCHANGED, CAME_AND_WENT = "started", "ended", "unchanged", "came and went"
CHANGES = (STARTED, ENDED, UNCHANGED, CAME_AND_WENT)


def ordered(first: dt.date, second: dt.date) -> tuple[dt.date, dt.date]:
    """The two dates, earlier first (the comparison is the same whichever way they were picked)."""
    return (first, second) if first <= second else (second, first)


def interval_of(row: Mapping[str, Any]) -> Interval:
    """A row's days of validity from its since, until (as written, partial dates allowed) and status."""
    return fact_interval(_date(row.get("since")), _date(row.get("until")), row.get("status") or "active")


def change_of(interval: Interval, earlier: dt.date, later: dt.date) -> str | None:
    """started, ended, unchanged, came and went, or None (no part of the comparison)."""
    before, after = contains(interval, day_of(earlier)), contains(interval, day_of(later))
    if before and after:
        return UNCHANGED
    if after:
        return STARTED
    if before:
        return ENDED
    between = intersect(interval, (day_of(earlier) + 1, day_of(later)))
    return None if is_empty(between) else CAME_AND_WENT


@dataclass(frozen=True)
class Diff:
    """The compared rows (each with its `change`), how many of each, and the dates."""

    rows: list[dict[str, Any]]
    counts: dict[str, int]
    earlier: dt.date
    later: dt.date

    @property
    def caption(self) -> str:
        """"12 started, 3 ended, 140 unchanged between 2025-01-01 and 2025-12-31" (came and went when any)."""
        parts = [f"{self.counts[c]:,} {c}" for c in CHANGES if c != CAME_AND_WENT or self.counts[c]]
        return f"{', '.join(parts)} between {self.earlier.isoformat()} and {self.later.isoformat()}"


def compare(rows: Iterable[Mapping[str, Any]], first: dt.date, second: dt.date, focus_id: str | None = None,
            hops: int | None = None) -> Diff:
    """The rows that are part of the comparison, each with its `change`; with a focus, only those within
    `hops` relationships of it through compared ones."""
    earlier, later = ordered(first, second)
    compared = []
    for row in rows:
        change = change_of(interval_of(row), earlier, later)
        if change is not None:
            compared.append({**row, "change": change})
    if focus_id is not None and hops is not None:
        near = _within(compared, focus_id, hops)
        compared = [r for r in compared if str(r["from_id"]) in near and str(r["to_id"]) in near]
    counts = Counter(r["change"] for r in compared)
    return Diff(compared, {c: counts.get(c, 0) for c in CHANGES}, earlier, later)


def _within(rows: list[dict[str, Any]], focus_id: str, hops: int) -> set[str]:
    """The nodes at most `hops` relationships from the focus (either direction)."""
    neighbours: dict[str, set[str]] = {}
    for row in rows:
        a, b = str(row["from_id"]), str(row["to_id"])
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    seen = {focus_id: 0}
    queue = deque([focus_id])
    while queue:
        node = queue.popleft()
        if seen[node] == hops:
            continue
        for other in sorted(neighbours.get(node, ())):
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return set(seen)


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value))
