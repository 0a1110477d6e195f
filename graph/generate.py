"""A synthetic data folder of any size, for benchmarks and load tests.

`generate(out_dir, relationships, seed)` writes the six files of graph.model.FILES with a realistic
shape: mixed roles and relationship types, a heavy-tailed degree distribution (a few hubs: clouds and
chip makers with thousands of customers, funds with thousands of portfolio companies, while no company
has thousands of investors, partners, parents or leaders), mixed date precision, and citations of
existing sources. Rows are written one at a time, so memory holds only
compact per-organization arrays (some tens of bytes each), never the rows. The same
(relationships, seed) always gives byte-identical files. All names are made up ("Org 42 Labs").
"""

from __future__ import annotations

import csv
import datetime as dt
from array import array
from bisect import bisect_right
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Callable, Iterator

from graph import model
from graph.errors import SupplyGraphError

ZIPF_EXPONENT = 1.1
# The receiving end of an investment, a supply or a partnership is skewed far less: a cloud has
# thousands of customers and a fund thousands of portfolio companies, but no company has thousands of
# investors or suppliers. (With one exponent for both ends, the top hub of a 10^6 graph had 25,000
# investors, and every two-step question touched most of the graph.)
MILD_EXPONENT = 0.6
POSITION_SHARE = 0.15
FACILITY_EDGE_SHARE = 0.08  # of relationships.csv: organizations' edges to facilities
FACILITY_EDGE_WEIGHTS = (("USES", 0.35), ("OPERATES", 0.2), ("OWNS", 0.2), ("SUPPLIES", 0.1), ("INVESTED_IN", 0.1),
                         ("BUILDS", 0.05))

# Role sets of an organization, with their weights (single roles plus a few multi-role mixes).
ROLE_MIXES: tuple[tuple[tuple[str, ...], float], ...] = (
    (("lab",), 0.10), (("vendor",), 0.45), (("investor",), 0.35), (("government",), 0.01),
    (("lab", "vendor"), 0.04), (("vendor", "investor"), 0.04), (("lab", "investor"), 0.01),
    (("customer",), 0.02),
)
ROLE_BITS = {role: 1 << i for i, role in enumerate(model.ROLES)}
LAB, VENDOR, INVESTOR, GOVERNMENT = (ROLE_BITS[r] for r in ("lab", "vendor", "investor", "government"))
NAME_SUFFIX = {"lab": "Labs", "vendor": "Systems", "investor": "Capital", "government": "Agency",
               "customer": "Group"}

REL_TYPE_WEIGHTS = (
    ("SUPPLIES", 0.35), ("INVESTED_IN", 0.25), ("PARTNERS_WITH", 0.18), ("COMPETES_WITH", 0.165),
    ("SUBSIDIARY_OF", 0.03), ("ACQUIRED_BY", 0.015), ("REVIEWS", 0.01),
)
OPEN_STATUSES = (("active", 0.70), ("paused", 0.06), ("announced", 0.12), ("reported", 0.10), ("unknown", 0.02))
CONFIDENCE_WEIGHTS = (("high", 0.75), ("medium", 0.20), ("low", 0.05))
POSITION_KIND_WEIGHTS = (("employee", 0.30), ("executive", 0.25), ("board", 0.20), ("founder", 0.15),
                         ("advisor", 0.10))
TITLES = {
    "executive": ("Chief Executive Officer", "Chief Technology Officer", "Chief Financial Officer",
                  "Chief Operating Officer", "President"),
    "founder": ("Co-founder", "Founder"),
    "board": ("Board Member", "Board Chair", "Board Observer"),
    "employee": ("Research Scientist", "Engineer", "Product Manager", "Head of Research"),
    "advisor": ("Advisor", "Senior Advisor"),
}
ROUNDS = ("Seed", "Series A", "Series B", "Series C", "Series D", "Strategic")
COUNTRIES = ("US", "US", "US", "GB", "CN", "FR", "DE", "CA", "IL", "JP", "KR", "IN", "SG", "AE", "NL")
PUBLISHERS = tuple(f"Publisher {i}" for i in range(1, 41))

FIRST_DAY = dt.date(2015, 1, 1).toordinal()
LAST_DAY = dt.date(2026, 6, 30).toordinal()
LAST_ENDED_SINCE = dt.date(2024, 12, 31).toordinal()
PRECISIONS = ((3, 0.70), (2, 0.20), (1, 0.10))  # date parts kept: day, month, year


def counts_for(relationships: int) -> dict[str, int]:
    """Rows per file for a target size (positions + relationships == `relationships`)."""
    if relationships < 1:
        raise ValueError("relationships must be at least 1")
    positions = round(relationships * POSITION_SHARE)
    return {
        model.SOURCES.name: max(5, relationships // 10),
        model.ORGANIZATIONS.name: max(20, relationships // 8),
        model.PEOPLE.name: max(5, relationships // 20),
        model.FACILITIES.name: max(3, relationships // 40),
        model.POSITIONS.name: positions,
        model.RELATIONSHIPS.name: relationships - positions,
    }


def make_id(prefix: str, number: int, width: int) -> str:
    return f"{prefix}-{number:0{width}d}"


def id_width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


class Picker:
    """Draws from weighted choices with one random() and a bisect (weights fixed up front)."""

    def __init__(self, rng: Random, weighted: tuple[tuple[object, float], ...]):
        self.rng = rng
        self.values = [v for v, _ in weighted]
        self.cum = list(accumulate(w for _, w in weighted))

    def __call__(self) -> object:
        i = bisect_right(self.cum, self.rng.random() * self.cum[-1])
        return self.values[min(i, len(self.values) - 1)]


class Pool:
    """Organizations (or people) drawn with a heavy tail: index i weighs 1/(i+1)^ZIPF_EXPONENT.

    Lower indices are the hubs. With probability `uniform`, a draw is uniform instead, so the long
    tail still gets some edges.
    """

    def __init__(self, rng: Random, members: array, uniform: float = 0.2, exponent: float = ZIPF_EXPONENT):
        self.rng = rng
        self.members = members
        self.uniform = uniform
        self.cum = array("d", accumulate((m + 1) ** -exponent for m in members))
        self.last = len(members) - 1

    def __len__(self) -> int:
        return len(self.members)

    def draw(self) -> int:
        rng = self.rng
        if rng.random() < self.uniform:
            return self.members[rng.randrange(len(self.members))]
        i = bisect_right(self.cum, rng.random() * self.cum[-1], 0, self.last)
        return self.members[i]

    def draw_other(self, avoid: int) -> int:
        """A draw that is not `avoid` (the pool must have another member)."""
        while True:
            m = self.draw()
            if m != avoid:
                return m


class Dates:
    """Dates between 2015 and mid-2026, formatted as YYYY, YYYY-MM or YYYY-MM-DD."""

    def __init__(self, rng: Random):
        self.rng = rng
        self.precision = Picker(rng, PRECISIONS)

    def _format(self, day: dt.date, parts: int) -> str:
        return day.isoformat()[: (4, 7, 10)[parts - 1]]

    @staticmethod
    def _period_end(day: dt.date, parts: int) -> dt.date:
        if parts == 1:
            return dt.date(day.year, 12, 31)
        if parts == 2:
            nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return day

    @staticmethod
    def _period_start(day: dt.date, parts: int) -> dt.date:
        return day.replace(month=1, day=1) if parts == 1 else day.replace(day=1) if parts == 2 else day

    def one(self) -> str:
        day = dt.date.fromordinal(self.rng.randint(FIRST_DAY, LAST_DAY))
        return self._format(day, self.precision())

    def span(self, ended: bool) -> tuple[str, str]:
        """(since, until); for an ended span, until's whole period lies after since's whole period."""
        if not ended:
            return self.one(), ""
        rng = self.rng
        start = dt.date.fromordinal(rng.randint(FIRST_DAY, LAST_ENDED_SINCE))
        parts = self.precision()
        since_end = self._period_end(start, parts)
        end = min(since_end.toordinal() + rng.randint(30, 2200), LAST_DAY)
        end_day = dt.date.fromordinal(end)
        end_parts = self.precision()
        if self._period_start(end_day, end_parts) <= since_end:
            end_parts = 3
        return self._format(start, parts), self._format(end_day, end_parts)


class Generator:
    def __init__(self, out_dir: Path, relationships: int, seed: int):
        self.out_dir = Path(out_dir)
        self.counts = counts_for(relationships)
        self.rng = Random(seed)
        self.seed = seed
        self.dates = Dates(self.rng)
        self.confidence = Picker(self.rng, CONFIDENCE_WEIGHTS)
        self.open_status = Picker(self.rng, OPEN_STATUSES)
        n_src = self.counts[model.SOURCES.name]
        n_org = self.counts[model.ORGANIZATIONS.name]
        n_people = self.counts[model.PEOPLE.name]
        self.src_ids = (n_src, id_width(n_src, 5))
        self.org_width = id_width(n_org, 5)
        self.person_width = id_width(n_people, 5)
        self.sources_pool = Pool(self.rng, array("i", range(n_src)), uniform=0.6)
        self.roles, self.services = self._assign_roles(n_org)
        self.pools = self._role_pools()  # "any" is every non-government organization
        # Per organization: 1 once it has a family parent (SUBSIDIARY_OF or ACQUIRED_BY).
        self.has_parent = bytearray(n_org)
        # A career has a handful of positions; a few serial board members have dozens, none thousands.
        self.people_pool = Pool(self.rng, array("i", range(n_people)), uniform=0.9, exponent=MILD_EXPONENT)

    # -- organizations -------------------------------------------------------------------------

    def _assign_roles(self, n_org: int) -> tuple[bytearray, array]:
        rng = self.rng
        mix = Picker(rng, ROLE_MIXES)
        roles = bytearray(n_org)
        services = array("H", bytes(2 * n_org))
        for i in range(n_org):
            roles[i] = sum(ROLE_BITS[r] for r in mix())  # type: ignore[union-attr]
        # Every role exists: the top three hubs are a lab, a vendor and an investor.
        roles[0], roles[1], roles[2] = LAB, VENDOR, INVESTOR
        if not any(r & GOVERNMENT for r in roles):
            roles[n_org - 1] = GOVERNMENT
        n_services = len(model.SERVICES)
        model_api = 1 << model.SERVICES.index("model_api")
        for i in range(n_org):
            if roles[i] & VENDOR:
                mask = 1 << rng.randrange(n_services)
                if rng.random() < 0.4:
                    mask |= 1 << rng.randrange(n_services)
                if roles[i] & LAB:  # a lab that sells offers its models
                    mask = model_api | (1 << rng.randrange(n_services) if rng.random() < 0.3 else 0)
                services[i] = mask
        return roles, services

    def _role_pools(self) -> dict[str, Pool]:
        """Organizations by role, in index order (so each pool keeps the global hub ranking)."""
        tests = {"any": lambda r: not r & GOVERNMENT, "lab": lambda r: r & LAB, "vendor": lambda r: r & VENDOR,
                 "investor": lambda r: r & INVESTOR, "government": lambda r: r & GOVERNMENT}
        pools = {name: Pool(self.rng, array("i", (i for i, r in enumerate(self.roles) if test(r))))
                 for name, test in tests.items()}
        for name in ("any", "lab"):  # receiving ends: "mild any", "mild lab"
            pools[f"mild {name}"] = Pool(self.rng, pools[name].members, exponent=MILD_EXPONENT)
        return pools

    def org_id(self, i: int) -> str:
        return make_id("org", i + 1, self.org_width)

    def role_names(self, i: int) -> list[str]:
        return [r for r in model.ROLES if self.roles[i] & ROLE_BITS[r]]

    def service_names(self, i: int) -> list[str]:
        return [s for b, s in enumerate(model.SERVICES) if self.services[i] >> b & 1]

    # -- common columns ------------------------------------------------------------------------

    def cite(self) -> str:
        """1-2 distinct existing source ids, ';'-separated."""
        n, width = self.src_ids
        first = self.sources_pool.draw()
        ids = [first]
        if self.rng.random() < 0.35:
            ids.append(self.sources_pool.draw_other(first))
        return ";".join(make_id("src", s + 1, width) for s in ids)

    def status_span(self) -> tuple[str, str, str]:
        if self.rng.random() < 0.20:
            since, until = self.dates.span(ended=True)
            return since, until, "ended"
        since, _ = self.dates.span(ended=False)
        return since, "", self.open_status()  # type: ignore[return-value]

    # -- rows ----------------------------------------------------------------------------------

    def source_rows(self) -> Iterator[list[str]]:
        n, width = self.src_ids
        rng = self.rng
        for s in range(n):
            sid = make_id("src", s + 1, width)
            yield [sid, rng.choice(PUBLISHERS), f"Report {s + 1} on the AI supply chain",
                   self.dates.one(), f"https://example.com/reports/{sid}" if rng.random() < 0.9 else ""]

    def organization_rows(self) -> Iterator[list[str]]:
        rng = self.rng
        for i in range(len(self.roles)):
            roles = self.role_names(i)
            services = self.service_names(i)
            name = f"Org {i + 1} {NAME_SUFFIX[roles[0]]}"
            aliases = f"Org{i + 1}" if rng.random() < 0.15 else ""
            what = " and ".join(roles)
            description = f"Synthetic {what}" + (f" offering {', '.join(services)}" if services else "") + "."
            yield [self.org_id(i), name, ";".join(roles), ";".join(services),
                   rng.choice(COUNTRIES) if rng.random() < 0.9 else "", aliases,
                   description if rng.random() < 0.7 else "", self.cite(), self.confidence()]

    def people_rows(self) -> Iterator[list[str]]:
        rng = self.rng
        for p in range(len(self.people_pool)):
            yield [make_id("p", p + 1, self.person_width), f"Person {p + 1}",
                   f"P. {p + 1}" if rng.random() < 0.1 else "",
                   "Synthetic person." if rng.random() < 0.5 else "", self.cite(), self.confidence()]

    def position_rows(self) -> Iterator[list[str]]:
        rng = self.rng
        n = self.counts[model.POSITIONS.name]
        width = id_width(n, 6)
        kind_of = Picker(rng, POSITION_KIND_WEIGHTS)
        orgs = self.pools["mild any"]  # no organization has had thousands of leaders
        for k in range(n):
            kind: str = kind_of()  # type: ignore[assignment]
            since, until, status = self.status_span()
            yield [make_id("pos", k + 1, width), make_id("p", self.people_pool.draw() + 1, self.person_width),
                   self.org_id(orgs.draw()), kind, rng.choice(TITLES[kind]) if rng.random() < 0.9 else "",
                   since, until, status, self.cite(), self.confidence(),
                   "synthetic" if rng.random() < 0.05 else ""]

    def facility_rows(self) -> Iterator[list[str]]:
        # A random stream of their own: the rows of the other files stay as they were before facilities.
        rng = Random(self.seed * 7919 + 1)
        n = self.counts[model.FACILITIES.name]
        n_src, src_width = self.src_ids
        for i in range(n):
            since = f"{rng.randint(2016, 2026)}" + (f"-{rng.randint(1, 12):02d}" if rng.random() < 0.6 else "")
            yield [self.facility_id(i), f"Site {i + 1}", rng.choice(model.FACILITY_KINDS),
                   rng.choice(COUNTRIES) if rng.random() < 0.9 else "", "Region" if rng.random() < 0.3 else "",
                   rng.choice(model.FACILITY_STATUSES), str(rng.randint(5, 3000)) if rng.random() < 0.7 else "",
                   str(rng.randint(1, 400) * 1000) if rng.random() < 0.5 else "",
                   "Accelerator X" if rng.random() < 0.5 else "", since, "", f"Site{i + 1}" if rng.random() < 0.2 else "",
                   "Synthetic site." if rng.random() < 0.5 else "", make_id("src", rng.randrange(n_src) + 1, src_width),
                   rng.choice(model.CONFIDENCES)]

    def facility_id(self, i: int) -> str:
        return make_id("fac", i + 1, id_width(self.counts[model.FACILITIES.name], 4))

    def relationship_rows(self) -> Iterator[list[str]]:
        rng = self.rng
        n = self.counts[model.RELATIONSHIPS.name]
        width = id_width(n, 6)
        type_of = Picker(rng, REL_TYPE_WEIGHTS)
        makers: dict[str, Callable[[], tuple[int, int, dict[str, str]] | None]] = {
            "SUPPLIES": self._supplies, "INVESTED_IN": self._invested_in,
            "PARTNERS_WITH": self._partners_with, "COMPETES_WITH": self._competes_with,
            "SUBSIDIARY_OF": self._subsidiary_of, "ACQUIRED_BY": self._acquired_by,
            "REVIEWS": self._reviews,
        }
        columns = model.RELATIONSHIPS.columns
        n_facility_edges = round(n * FACILITY_EDGE_SHARE) if n >= 50 else 0
        for k in range(n - n_facility_edges):
            rel_type: str = type_of()  # type: ignore[assignment]
            made = makers[rel_type]()
            if made is None:  # no family parent left to give: a competitor edge instead
                rel_type, made = "COMPETES_WITH", self._competes_with()
            src, dst, extra = made  # type: ignore[misc]
            since, until, status = self.status_span()
            if rel_type in ("SUBSIDIARY_OF", "ACQUIRED_BY") and status not in ("active", "ended"):
                status = "active"
            row = {"id": make_id("r", k + 1, width), "from_id": self.org_id(src), "type": rel_type,
                   "to_id": self.org_id(dst), "since": since, "until": until, "status": status,
                   "note": "synthetic" if rng.random() < 0.03 else "",
                   "sources": self.cite(), "confidence": self.confidence(), **extra}
            yield [row.get(c, "") for c in columns]
        facility_type = Picker(rng, FACILITY_EDGE_WEIGHTS)
        for k in range(n - n_facility_edges, n):  # last, so the rows above are as they were before facilities
            rel_type = facility_type()  # type: ignore[assignment]
            src, extra = self._to_facility(rel_type)
            since, until, status = self.status_span()
            row = {"id": make_id("r", k + 1, width), "from_id": self.org_id(src), "type": rel_type,
                   "to_id": self.facility_id(rng.randrange(self.counts[model.FACILITIES.name])), "since": since,
                   "until": until, "status": status, "sources": self.cite(), "confidence": self.confidence(), **extra}
            yield [row.get(c, "") for c in columns]

    def _to_facility(self, rel_type: str) -> tuple[int, dict[str, str]]:
        """(from index, type-specific columns) of an organization's edge to a facility."""
        rng = self.rng
        if rel_type == "USES":
            user = (self.pools["mild lab"] if rng.random() < 0.6 else self.pools["mild any"]).draw()
            extra = {"quantity": str(rng.randint(1, 200) * 500), "unit": "gpus"} if rng.random() < 0.4 else {}
            if rng.random() < 0.3:
                extra.update(value=self._amount(), currency="USD")
            return user, extra
        if rel_type == "OWNS":
            return self.pools["any"].draw(), ({"stake_percent": f"{rng.uniform(5, 100):.1f}"} if rng.random() < 0.5 else {})
        if rel_type == "SUPPLIES":
            vendor = self.pools["vendor"].draw()
            service = rng.choice(self.service_names(vendor))
            extra = {"service": service}
            if rng.random() < 0.3:
                extra.update(quantity=str(rng.randint(10, 900)), unit="mw" if service == "energy" else "servers")
            return vendor, extra
        if rel_type == "INVESTED_IN":
            return self.pools["investor"].draw(), {"amount": self._amount(), "currency": "USD",
                                            **({"stake_percent": f"{rng.uniform(1, 49):.1f}"} if rng.random() < 0.5 else {})}
        return self.pools["any"].draw(), {}  # OPERATES, BUILDS

    # -- relationship types: (from index, to index, type-specific columns) ---------------------

    def _supplies(self) -> tuple[int, int, dict[str, str]]:
        vendor = self.pools["vendor"].draw()
        pool = self.pools["mild lab"] if self.rng.random() < 0.6 else self.pools["mild any"]
        customer = pool.draw_other(vendor) if len(pool) > 1 else self.pools["mild any"].draw_other(vendor)
        services = self.service_names(vendor)
        return vendor, customer, {"service": self.rng.choice(services)}

    def _amount(self) -> str:
        return str(self.rng.randint(100, 999) * 10 ** self.rng.randint(3, 7))

    def _invested_in(self) -> tuple[int, int, dict[str, str]]:
        rng = self.rng
        investor = self.pools["investor"].draw()
        investee = self.pools["mild any"].draw_other(investor)
        extra = {"currency": "USD", "amount": self._amount() if rng.random() < 0.8 else ""}
        if not extra["amount"]:
            extra["currency"] = ""
        if rng.random() < 0.6:
            extra["stake_percent"] = f"{rng.uniform(0.1, 49.0):.1f}"
        if rng.random() < 0.6:
            extra["round"] = rng.choice(ROUNDS)
        return investor, investee, extra

    def _partners_with(self) -> tuple[int, int, dict[str, str]]:
        # Partnerships are announced deals: even the busiest company has hundreds, not tens of thousands.
        a = self.pools["mild any"].draw()
        return a, self.pools["mild any"].draw_other(a), {"kind": self.rng.choice(model.PARTNERSHIP_KINDS)}

    def _competes_with(self) -> tuple[int, int, dict[str, str]]:
        a = self.pools["any"].draw()
        # Competitors share a role where they can: labs with labs, vendors with vendors.
        for name in ("lab", "vendor", "investor"):
            if self.roles[a] & ROLE_BITS[name] and len(self.pools[name]) > 1:
                return a, self.pools[name].draw_other(a), {}
        return a, self.pools["any"].draw_other(a), {}

    def _family_edge(self) -> tuple[int, int] | None:
        """(child, parent): the child has no family parent yet, the parent comes earlier (a forest)."""
        rng, roles = self.rng, self.roles
        n = len(roles)
        for _ in range(20):
            child = rng.randrange(1, n)
            if self.has_parent[child] or roles[child] & GOVERNMENT:
                continue
            parent = self._earlier_org(child)
            if parent is None:
                continue
            self.has_parent[child] = 1
            return child, parent
        return None

    def _earlier_org(self, child: int) -> int | None:
        """A non-government organization before `child`, hubs favoured mildly (the busiest acquirers
        and parents have hundreds of subsidiaries, not thousands)."""
        pool = self.pools["mild any"]
        hi = bisect_right(pool.members, child - 1)  # members[:hi] come before the child
        if hi == 0:
            return None
        return pool.members[bisect_right(pool.cum, self.rng.random() * pool.cum[hi - 1], 0, hi - 1)]

    def _subsidiary_of(self) -> tuple[int, int, dict[str, str]] | None:
        edge = self._family_edge()
        return None if edge is None else (edge[0], edge[1], {})

    def _acquired_by(self) -> tuple[int, int, dict[str, str]] | None:
        edge = self._family_edge()
        if edge is None:
            return None
        amount = self._amount() if self.rng.random() < 0.7 else ""
        return edge[0], edge[1], {"amount": amount, "currency": "USD" if amount else ""}

    def _reviews(self) -> tuple[int, int, dict[str, str]]:
        regulator = self.pools["government"].draw()
        return regulator, self.pools["any"].draw_other(regulator), {}

    # -- writing -------------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        producers = {
            model.SOURCES.name: self.source_rows, model.ORGANIZATIONS.name: self.organization_rows,
            model.PEOPLE.name: self.people_rows, model.FACILITIES.name: self.facility_rows,
            model.POSITIONS.name: self.position_rows,
            model.RELATIONSHIPS.name: self.relationship_rows,
        }
        written: dict[str, int] = {}
        for spec in model.FILES:
            with open(self.out_dir / spec.name, "w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(spec.columns)
                rows = 0
                for row in producers[spec.name]():
                    writer.writerow(row)
                    rows += 1
            written[spec.name] = rows
        return written


def generate(out_dir: Path, relationships: int, seed: int = 0) -> dict[str, int]:
    """Writes a valid synthetic data folder to `out_dir`; returns the rows written per file.

    positions.csv + relationships.csv hold `relationships` rows together (15% / 85%).
    """
    try:
        return Generator(Path(out_dir), relationships, seed).write()
    except OSError as e:
        raise SupplyGraphError(f"Cannot write the data folder {out_dir}: {e}") from e
