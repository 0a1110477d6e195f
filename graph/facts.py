"""The base facts the exposure engine reads: organizations, people and their relationships, in memory.

One read of the graph over Bolt (so a database edited by hand is read as it is), indexed by what the
definition of docs/queries.md walks: who supplies, invests in, owns or partners with whom, and who
held which position.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from graph.model import FAMILY_TYPES, POSITION_TYPE
from graph.validity import Interval, fact_interval, is_empty, started_interval

LEADER_KINDS = ("executive", "founder", "board")
# The relationship types the definition reads (REVIEWS, BUILDS play no part in exposure).
READ_TYPES = ("SUPPLIES", "INVESTED_IN", "PARTNERS_WITH", "COMPETES_WITH", *FAMILY_TYPES, POSITION_TYPE,
              "OWNS", "OPERATES", "USES")
# Of the relationships that end at a facility, those the definition reads (docs/queries.md, "Facilities in
# the exposure definition"): a supply to a site, its builders and the people at it play no part.
FACILITY_READ_TYPES = ("INVESTED_IN", "OWNS", "OPERATES", "USES")


@dataclass(frozen=True, slots=True, eq=False)  # one object per relationship: identity is equality
class Fact:
    """One base relationship, with its validity as a day interval."""

    id: str
    type: str
    src: str
    dst: str
    interval: Interval
    status: str
    confidence: str
    since: int | None
    until: int | None
    since_text: str | None
    until_text: str | None
    sources: tuple[str, ...]
    stake: float | None = None
    amount: float | None = None
    currency: str | None = None
    service: str | None = None
    kind: str | None = None
    title: str | None = None
    quantity: float | None = None
    unit: str | None = None
    value: float | None = None
    stored_type: str | None = None  # a facility's edge read as another kind of fact: its own type (see read_as)
    reverse: bool = False           # src and dst are the stored relationship's end and start

    @property
    def edge(self) -> tuple[str, str, str]:
        """(type, start, end) of the relationship in the database behind the fact."""
        return (self.stored_type or self.type,) + ((self.dst, self.src) if self.reverse else (self.src, self.dst))

    @property
    def started(self) -> Interval:
        """For a position: the days on or after its start (its holder was or is in the role)."""
        return started_interval(dt.date.fromordinal(self.since) if self.since else None)


@dataclass
class Facts:
    """The base graph, indexed for the exposure definition."""

    org_names: dict[str, str]
    labs: set[str]
    person_names: dict[str, str]
    facts: list[Fact]
    facility_names: dict[str, str] = field(default_factory=dict)
    supplies_to: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))
    invested_in: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))   # by investee
    invests: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))       # by investor
    partners: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))      # both ends
    parents: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))       # by member
    children: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))      # by owner
    positions_at: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))  # by organization
    positions_of: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))  # by person
    competes: list[Fact] = field(default_factory=list)

    def __post_init__(self) -> None:
        for f in self.facts:
            if f.type == "SUPPLIES":
                self.supplies_to[f.dst].append(f)
            elif f.type == "INVESTED_IN":
                self.invested_in[f.dst].append(f)
                self.invests[f.src].append(f)
            elif f.type == "PARTNERS_WITH":
                self.partners[f.src].append(f)
                self.partners[f.dst].append(f)
            elif f.type in FAMILY_TYPES:
                self.parents[f.src].append(f)
                self.children[f.dst].append(f)
            elif f.type == "OPERATES":  # a control hold of the facility, as a parent's (it owns nothing)
                self.parents[f.src].append(f)
            elif f.type == POSITION_TYPE:
                self.positions_at[f.dst].append(f)
                self.positions_of[f.src].append(f)
            elif f.type == "COMPETES_WITH":
                self.competes.append(f)
        self.partner_count = {o: len({other(f, o) for f in fs}) for o, fs in self.partners.items()}
        self.investee_count = {o: len({f.dst for f in fs}) for o, fs in self.invests.items()}

    def name(self, node: str) -> str:
        return self.org_names.get(node) or self.person_names.get(node) or self.facility_names.get(node, node)

    def leader_ties(self, org: str) -> Iterable[tuple[Fact, Fact, Interval]]:
        """(led, now, days): a person who led `org` (an executive, founder or board position that has
        started, whatever happened since) and holds a position at another organization, valid on those
        days. One tie per person and other organization: their most senior role at each."""
        led_by: dict[str, Fact] = {}
        for led in self.positions_at.get(org, ()):
            if led.kind in LEADER_KINDS and (led.src not in led_by or seniority(led) < seniority(led_by[led.src])):
                led_by[led.src] = led
        for person, led in sorted(led_by.items()):
            now_at: dict[str, Fact] = {}
            for now in self.positions_of.get(person, ()):
                if now.dst != org and not is_empty(now.interval) and (
                        now.dst not in now_at or seniority(now) < seniority(now_at[now.dst])):
                    now_at[now.dst] = now
            for now in now_at.values():
                start, end = max(led.started[0], now.interval[0]), min(led.started[1], now.interval[1])
                if start < end:
                    yield led, now, (start, end)


SENIORITY = ("executive", "founder", "board", "employee", "advisor")


def seniority(position: Fact) -> tuple[int, int, str]:
    """Most senior first: by kind, then the latest start, then the id."""
    kind = SENIORITY.index(position.kind) if position.kind in SENIORITY else len(SENIORITY)
    return (kind, -(position.since or 0), position.id)


def other(fact: Fact, node: str) -> str:
    return fact.dst if fact.src == node else fact.src


def _day(value: Any) -> int | None:
    return value.to_native().toordinal() if value is not None else None


def read_as(rel_type: str, src: str, dst: str, stake: float | None) -> tuple[str, str, str, bool]:
    """A facility's edge as the kind of fact the definition reads it as: (type, src, dst, reversed).

    A USES B: B supplies A (A depends on the site). O OPERATES F: F is held by O as by a parent (control),
    with no share. O OWNS F: with a stake, O's investment in F with that stake; without one, F is O's whole,
    as a subsidiary is its parent's. Every other relationship is read as it is.
    """
    if rel_type == "USES":
        return "SUPPLIES", dst, src, True
    if rel_type == "OPERATES":
        return "OPERATES", dst, src, True
    if rel_type == "OWNS":
        return ("INVESTED_IN", src, dst, False) if stake is not None else ("SUBSIDIARY_OF", dst, src, True)
    return rel_type, src, dst, False


def _fact(row: list[Any]) -> Fact:
    (rel_type, src, dst, rel_id, since, until, status, confidence, since_text, until_text, sources,
     stake, amount, currency, service, kind, title, quantity, unit, value) = row
    since_d, until_d = (v.to_native() if v is not None else None for v in (since, until))
    read_type, src, dst, reverse = read_as(rel_type, src, dst, stake)
    return Fact(rel_id, read_type, src, dst, fact_interval(since_d, until_d, status or "active"), status or "active",
                confidence or "low", _day(since), _day(until), since_text, until_text, tuple(dict.fromkeys(sources or ())),
                stake, amount, currency, service, kind, title, quantity, unit, value,
                rel_type if read_type != rel_type else None, reverse)


READ_ORGANIZATIONS = "MATCH (o:Organization) RETURN o.id, o.name, o:Lab"
READ_PEOPLE = "MATCH (p:Person) RETURN p.id, p.name"
READ_FACILITIES = "MATCH (f:Facility) RETURN f.id, f.name"
READ_FACTS = f"""
MATCH (a)-[r:{'|'.join(READ_TYPES)}]->(b)
WHERE r.id IS NOT NULL AND a.id IS NOT NULL AND b.id IS NOT NULL
  AND (NOT b:Facility OR type(r) IN [{', '.join(repr(t) for t in FACILITY_READ_TYPES)}])
RETURN type(r), a.id, b.id, r.id, r.since, r.until, r.status, r.confidence, r.since_text, r.until_text,
       r.sources, r.stake_percent, r.amount, r.currency, r.service, r.kind, r.title, r.quantity, r.unit, r.value
"""


def read_facts(session: Any) -> Facts:
    """Reads the base graph through an open session (one read transaction's worth of queries)."""
    org_names, labs = {}, set()
    for oid, name, is_lab in session.run(READ_ORGANIZATIONS):
        org_names[oid] = name or oid
        if is_lab:
            labs.add(oid)
    people = {pid: name or pid for pid, name in session.run(READ_PEOPLE)}
    facilities = {fid: name or fid for fid, name in session.run(READ_FACILITIES)}
    facts = [f for f in (_fact(list(r.values())) for r in session.run(READ_FACTS))
             if not (is_empty(f.interval) and f.type != POSITION_TYPE)]
    return Facts(org_names, labs, people, facts, facilities)
