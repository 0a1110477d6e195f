"""When a fact holds: the validity rule of docs/schema.md, as half-open day intervals.

A relationship is valid on day D when (since is unknown or since <= D) and (until is unknown or
until > D) and it is not `ended` with an unknown end. Here that is the interval [since, until), with
unknown ends open, and empty for an ended relationship with no until. Days are proleptic ordinals
(`date.toordinal()`), so intersections and unions are integer arithmetic.

Every base relationship and every derived fact stores the same interval as `valid_from` / `valid_to`
dates, with the open ends as FIRST_DATE and LAST_DATE, so that a query tests `x.valid_from <= d <
x.valid_to` and nothing else. The loader and `supplygraph derive` write a relationship's pair with
`cypher_valid_from` / `cypher_valid_to`, the rule of `fact_interval` in Cypher (an empty interval is
stored as `valid_to = valid_from`, or `until` before `since` as written). Both ends are exact only
below LAST_DATE: on 9999-12-31 itself nothing is valid.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterable

FIRST_DATE = dt.date(1, 1, 1)
LAST_DATE = dt.date(9999, 12, 31)
FIRST, LAST = FIRST_DATE.toordinal(), LAST_DATE.toordinal()

Interval = tuple[int, int]  # [start, end) in day ordinals; start >= end is empty
EMPTY: Interval = (LAST, LAST)


def fact_interval(since: dt.date | None, until: dt.date | None, status: str) -> Interval:
    """The days on which a fact with these dates and status is valid."""
    if status == "ended" and until is None:
        return EMPTY
    start = since.toordinal() if since else FIRST
    end = until.toordinal() if until else LAST
    return (start, end) if start < end else EMPTY


def cypher_valid_from(since: str) -> str:
    """Cypher for a relationship's `valid_from`, given Cypher for its `since` (a date or null)."""
    return f"coalesce({since}, date('{FIRST_DATE.isoformat()}'))"


def cypher_valid_to(since: str, until: str, status: str) -> str:
    """Cypher for a relationship's `valid_to`: `ended` with no `until` is never valid, so it ends where it
    starts."""
    return (f"CASE WHEN {status} = 'ended' AND {until} IS NULL THEN {cypher_valid_from(since)} "
            f"ELSE coalesce({until}, date('{LAST_DATE.isoformat()}')) END")


def stored_validity(since: str | None, until: str | None, status: str | None) -> tuple[str, str]:
    """The `valid_from` / `valid_to` pair that cypher_valid_from / cypher_valid_to store, for ISO dates
    given as text: what the bulk load writes without Cypher (tests hold the two to each other)."""
    valid_from = since or FIRST_DATE.isoformat()
    if status == "ended" and until is None:
        return valid_from, valid_from
    return valid_from, until or LAST_DATE.isoformat()


def started_interval(since: dt.date | None) -> Interval:
    """The days on or after a start: 'was or is', whatever happened after (a past leader stays one)."""
    return (since.toordinal() if since else FIRST, LAST)


def intersect(a: Interval, b: Interval) -> Interval:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start < end else EMPTY


def is_empty(interval: Interval) -> bool:
    return interval[0] >= interval[1]


def contains(interval: Interval, day: int) -> bool:
    return interval[0] <= day < interval[1]


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Disjoint, sorted intervals covering the same days (touching ones joined)."""
    merged: list[list[int]] = []
    for start, end in sorted(i for i in intervals if not is_empty(i)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def to_date(day: int) -> dt.date:
    return dt.date.fromordinal(day)


def day_of(date: dt.date) -> int:
    return date.toordinal()


@lru_cache(maxsize=None)
def years_later(day: int, years: int) -> int:
    """The same calendar day `years` later (29 February becomes 1 March), as Cypher's duration counts."""
    d = dt.date.fromordinal(day)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:
        return dt.date(d.year + years, 3, 1).toordinal()
