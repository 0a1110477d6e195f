"""The analyst's Exposure page as plain data: link cards, what changed, who is exposed to an organization.

The page (pages/0_Exposure.py) only draws what this module returns, so a test reaches every piece
without a browser. The rows come from the stored queries `indirect_links`, `new_exposures` and
`exposed_to`, the same text the CLI runs; every function taking a Connection returns plain, picklable
data for the app's cache (graph.ui.ask).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from graph.db import Connection
from graph.queries import get_query, run_query

DEFAULT_ORG = "openai"
MAX_LINKS = 20
FIRST_SOURCES = 3  # shown unfolded when the best chain's own sources are not known
# What each kind of link means, in a reader's words (the engine's kinds, see indirect_links' header).
KIND_WORDS = {
    "control": "control: a rival's family owns what you depend on",
    "stake": "stake: a rival's family holds a stake in what you depend on",
    "partnership": "partnership: what you depend on partners with a rival's family",
    "people": "people: someone who led what you depend on works for a rival's family",
    "vendor-side": "vendor-side: the family that controls your vendor backs a rival",
}
ALSO = ". Also: "
CLAUSE = "; "


@dataclass(frozen=True)
class SourceLink:
    """A cited source as a reader sees it; `url` is empty unless it is a web link."""

    id: str
    publisher: str
    title: str
    date: str
    url: str


@dataclass(frozen=True)
class Card:
    """One indirect link, ready to draw: who, what kind, how strong, why, since when, on whose word."""

    rival_id: str
    rival: str
    kind: str
    kind_words: str
    score: float
    bar: float  # the score as a share of the strongest link shown (0 to 1), for a bar
    steps: tuple[str, ...]  # the best chain's facts, in order
    also: tuple[str, ...]  # the other chains, one sentence each
    since: str | None
    until: str | None
    holds: str  # "since 2025-06-01, until 2025-06-18"
    sources: tuple[SourceLink, ...]  # every source the link cites: the best chain's first, then the rest
    first_sources: int = 0  # how many of them to show unfolded (the best chain's); the rest are folded

    @property
    def shown_sources(self) -> tuple[SourceLink, ...]:
        return self.sources[:self.first_sources]

    @property
    def folded_sources(self) -> tuple[SourceLink, ...]:
        return self.sources[self.first_sources:]


@dataclass(frozen=True)
class Change:
    """A link that started or ended on a date, with the facts that caused it."""

    date: str
    change: str
    rival_id: str
    rival: str
    kind: str
    cause: str
    explanation: str


def window(compare: dt.date, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The compare date and the as-of date, earliest first: a compare date after the as-of date still
    asks about the days between them."""
    return (compare, as_of) if compare <= as_of else (as_of, compare)


def links(conn: Connection, org_id: str, as_of: dt.date, limit: int = MAX_LINKS) -> list[dict[str, Any]]:
    """The `indirect_links` rows of `org_id` on `as_of`, best first, without the drawing columns; each with
    `best_sources`, the sources its best chain's relationships cite, in the chain's order."""
    _, rows = run_query(conn, get_query("indirect_links"), {"org_id": org_id, "as_of": as_of, "limit": limit})
    return [{**{k: v for k, v in row.items() if k not in ("path_nodes", "path_relationships")},
             "best_sources": chain_sources(row.get("path_relationships") or [])} for row in rows]


def chain_sources(relationships: Iterable[Mapping[str, Any]]) -> list[str]:
    """The source ids a chain's relationships (as graph.output.plain writes them) cite, once each, in order."""
    found = (str(s) for r in relationships for s in ((r.get("properties") or {}).get("sources") or []) if s)
    return list(dict.fromkeys(found))


def changes(conn: Connection, org_id: str, compare: dt.date, as_of: dt.date) -> list[dict[str, Any]]:
    """The `new_exposures` rows of `org_id` between the two dates (both included), newest first."""
    first, last = window(compare, as_of)
    _, rows = run_query(conn, get_query("new_exposures"), {"org_id": org_id, "from_date": first, "to_date": last})
    return rows


def exposed(conn: Connection, org_id: str, as_of: dt.date) -> list[dict[str, Any]]:
    """The `exposed_to` rows: who holds an indirect link to the family of `org_id` on `as_of`, best first."""
    _, rows = run_query(conn, get_query("exposed_to"), {"org_id": org_id, "as_of": as_of})
    return rows


def source_ids(rows: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Every source the rows cite (and their best chains), sorted (for one look-up of their details)."""
    return tuple(sorted({str(s) for row in rows for key in ("sources", "best_sources") for s in (row.get(key) or [])
                         if s}))


def source_links(ids: Iterable[str], details: Mapping[str, Mapping[str, Any]]) -> tuple[SourceLink, ...]:
    """The sources cited, newest first; an id the graph does not hold is kept as a bare id."""
    found = []
    for source_id in dict.fromkeys(str(i) for i in ids if i):
        detail = details.get(source_id) or {}
        url = str(detail.get("url") or "")
        found.append(SourceLink(source_id, str(detail.get("publisher") or ""), str(detail.get("title") or source_id),
                                str(detail.get("date") or ""), url if url.startswith(("https://", "http://")) else ""))
    return tuple(sorted(found, key=lambda s: (s.date, s.id), reverse=True))


def explanation_parts(explanation: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The engine's explanation split for reading: the best chain's facts, then each other chain.

    The engine writes "fact; fact; fact. Also: fact; fact (and N more chains)" (graph.exposure).
    """
    text = (explanation or "").strip()
    best, *others = text.split(ALSO)
    also = tuple(o.strip() for o in others if o.strip())
    return tuple(s.strip() for s in best.split(CLAUSE) if s.strip()), also


def holds_text(since: str | None, until: str | None) -> str:
    """When a link holds, in words: "since 2025-06-01, until 2025-06-18"; open ends are said as such."""
    start = f"since {since}" if since else "since before the first recorded date"
    return f"{start}, until {until}" if until else f"{start}, still holding"


def link_sources(row: Mapping[str, Any], details: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[SourceLink, ...], int]:
    """Every source a link cites, the best chain's first (newest first within each part), and how many
    are the best chain's: a reader sees those, and the rest one click away. When the best chain's are not
    known (or cite nothing), the newest FIRST_SOURCES are the ones shown."""
    best = source_links(row.get("best_sources") or [], details)
    ids = {s.id for s in best}
    rest = source_links([s for s in row.get("sources") or [] if s and str(s) not in ids], details)
    return best + rest, len(best) if best else min(FIRST_SOURCES, len(rest))


def cards(rows: Sequence[Mapping[str, Any]], details: Mapping[str, Mapping[str, Any]]) -> list[Card]:
    """`indirect_links` rows as cards, in the query's order (best first)."""
    top = max((float(r.get("score") or 0) for r in rows), default=0.0)
    made = []
    for row in rows:
        score = float(row.get("score") or 0)
        steps, also = explanation_parts(row.get("explanation"))
        kind = str(row.get("kind") or "")
        sources, first = link_sources(row, details)
        made.append(Card(
            rival_id=str(row.get("rival_id") or ""), rival=str(row.get("rival") or row.get("rival_id") or ""),
            kind=kind, kind_words=KIND_WORDS.get(kind, kind), score=score,
            bar=min(1.0, score / top) if top > 0 else 0.0, steps=steps, also=also,
            since=row.get("since"), until=row.get("until"), holds=holds_text(row.get("since"), row.get("until")),
            sources=sources, first_sources=first))
    return made


def change_list(rows: Iterable[Mapping[str, Any]]) -> list[Change]:
    """`new_exposures` rows as changes, newest first (ended before started on one day, as the query says)."""
    made = [Change(date=str(r.get("date") or ""), change=str(r.get("change") or ""), rival_id=str(r.get("rival_id") or ""),
                   rival=str(r.get("rival") or r.get("rival_id") or ""), kind=str(r.get("kind") or ""),
                   cause=str(r.get("cause") or ""), explanation=str(r.get("explanation") or ""))
            for r in rows]
    # The query orders them already; sorting again (stable) keeps newest first whatever its limit cut.
    return sorted(made, key=lambda c: c.date, reverse=True)


def exposed_table(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`exposed_to` rows for a table: who, whether a lab, kind, score, since, until, the explanation."""
    return [{"exposed": r.get("org") or r.get("org_id"), "lab": bool(r.get("org_is_lab")), "kind": r.get("kind"),
             "score": r.get("score"), "explanation": r.get("explanation") or "", "since": r.get("since") or "",
             "until": r.get("until") or ""} for r in rows]


def reverse_choices(org_id: str, org_name: str, found: Iterable[Card]) -> dict[str, str]:
    """Whom the reverse view can be asked about: the chosen organization, then each rival on its cards."""
    choices = {org_id: org_name}
    for card in found:
        choices.setdefault(card.rival_id, card.rival)
    return choices


# ---------------------------------------------------------------------------------------------------
# Deep links: ?org=<id>&as_of=YYYY-MM-DD&compare=YYYY-MM-DD

LINK_KEYS = ("org", "as_of", "compare")


@dataclass(frozen=True)
class Link:
    """What a shared address asks of the Exposure page; `problems` say what was left out and why."""

    org: str | None
    as_of: dt.date | None
    compare: dt.date | None
    problems: tuple[str, ...]


def compare_bounds(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the "compare with" field takes: ten years before the slider's first, to its last."""
    return dt.date(first.year - 10, 1, 1), last


def read_link(params: Mapping[str, str], first: dt.date, last: dt.date) -> Link:
    """The page's values from an address's query parameters; a value it cannot take is left out and
    said (the as-of date must be on the slider, `first` to `last`; the compare date in compare_bounds)."""
    problems: list[str] = []
    dates: dict[str, dt.date | None] = {}
    for key in ("as_of", "compare"):
        text = str(params.get(key) or "").strip()
        dates[key] = None
        if not text:
            continue
        try:
            dates[key] = dt.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            pass
        if dates[key] is None:
            problems.append(f"{key}={text!r} in the address is not a date written YYYY-MM-DD, such as 2025-06-15; "
                            "it was left out")
    as_of = dates["as_of"]
    if as_of is not None and not first <= as_of <= last:
        problems.append(f"as_of={as_of.isoformat()} in the address is outside the dates the graph covers "
                        f"({first.isoformat()} to {last.isoformat()}); it was left out")
        as_of = None
    compare, (earliest, latest) = dates["compare"], compare_bounds(first, last)
    if compare is not None and not earliest <= compare <= latest:
        problems.append(f"compare={compare.isoformat()} in the address is outside the dates the page compares "
                        f"with ({earliest.isoformat()} to {latest.isoformat()}); it was left out")
        compare = None
    org = str(params.get("org") or "").strip() or None
    return Link(org, as_of, compare, tuple(problems))


def link_params(org_id: str, as_of: dt.date, compare: dt.date) -> dict[str, str]:
    """The address's query parameters for what the page shows, so it can be shared."""
    return {"org": org_id, "as_of": as_of.isoformat(), "compare": compare.isoformat()}
