"""An independent reading of the exposure definition (docs/queries.md), on one date, from the CSV files.

No interval arithmetic and no derived data: for a date D it keeps the facts valid on D and searches
every chain the definition allows, with plain recursion. The derived exposures, read back through the
stored queries, must agree with it on every date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from test_query_properties import FAMILY, LEADER_KINDS, Model, Rel

CONF = {"high": 1.0, "medium": 0.7, "low": 0.4}
STAT = {"active": 1.0, "ended": 1.0, "paused": 0.6}
MIN_CHAIN, DECAY, TIE, HUB, MAX_LEVEL, CONTROL = 0.1, 0.7, 0.8, 10, 3, 0.25
KIND_RANK = {"partnership": 0, "people": 1, "stake": 2, "control": 3}
SENIOR = ("executive", "founder", "board", "employee", "advisor")


def num(rel: Rel, column: str) -> float | None:
    text = rel.row.get(column, "")
    return float(text) if text else None


def ever_valid(rel: Rel) -> bool:
    return not (rel.status == "ended" and rel.until is None) and not (rel.since and rel.until and rel.until <= rel.since)


def owned_share(rel: Rel) -> float:
    """An OWNS of a facility: its stake as a fraction, 1.0 without one (the owner owns the site whole)."""
    stake = num(rel, "stake_percent")
    return 1.0 if stake is None else min(max(stake, 0), 100) / 100


def staked(rel: Rel) -> bool:
    """An investment, or an OWNS with a stake, which counts as one."""
    return rel.type == "INVESTED_IN" or (rel.type == "OWNS" and num(rel, "stake_percent") is not None)


def base_weight(rel: Rel) -> float:
    w = CONF.get(rel.row["confidence"], 0.4) * STAT.get(rel.status, 0.5)
    if staked(rel):
        stake, amount = num(rel, "stake_percent"), num(rel, "amount")
        w *= (0.5 + min(max(stake, 0), 100) / 200) if stake is not None else (
            (0.8 if amount >= 1e9 else 0.6) if amount is not None else 0.5)
    elif rel.type == "PARTNERS_WITH":
        w *= 0.6
    return w


def recent(rel: Rel, on: dt.date) -> float:
    if rel.since is None:
        return 0.8
    years = on.year - rel.since.year - ((on.month, on.day) < (rel.since.month, rel.since.day))
    return 1.0 if years < 2 else 0.8


def ages(since: dt.date) -> dt.date:
    """The first day on which `recent` counts a fact since `since` as two years old (a 29 February's
    fact: 1 March), when its weight drops and a chain may fall below MIN_CHAIN."""
    try:
        return since.replace(year=since.year + 2)
    except ValueError:
        return dt.date(since.year + 2, 3, 1)


def damp(count: int) -> float:
    return 1.0 if count <= HUB else math.sqrt(HUB / count)


@dataclass(frozen=True)
class Found:
    rival: str
    score: float
    level: int
    kind: str
    pair: tuple[str, str]


class Oracle:
    def __init__(self, m: Model, on: dt.date) -> None:
        self.m, self.on = m, on
        self.rels = [r for r in m.rels if r.valid(on)]
        self.pos = [p for p in m.positions if p.dst in m.orgs]  # positions at a facility play no part
        partners: dict[str, set[str]] = defaultdict(set)
        investees: dict[str, set[str]] = defaultdict(set)
        for r in m.rels:
            if ever_valid(r) and r.type == "PARTNERS_WITH":
                partners[r.src].add(r.dst)
                partners[r.dst].add(r.src)
            if ever_valid(r) and staked(r):
                investees[r.src].add(r.dst)
        self.partners, self.investees = partners, investees
        self.parents: dict[str, list[Rel]] = defaultdict(list)
        for r in self.rels:
            if r.type in FAMILY:
                self.parents[r.src].append(r)

    # families on the date
    @lru_cache(maxsize=None)
    def root(self, org: str) -> str:
        seen, todo = {org}, [org]
        while todo:
            for r in self.parents.get(todo.pop(), []):
                if r.dst not in seen:
                    seen.add(r.dst)
                    todo.append(r.dst)
        tops = [n for n in seen if not self.parents.get(n)]
        return min(tops) if tops else min(seen)

    @lru_cache(maxsize=None)
    def labs(self, root: str) -> tuple[str, ...]:
        return tuple(sorted(self.m.orgs[o]["name"] for o in self.m.orgs if self.m.is_lab(o) and self.root(o) == root))

    def compete(self, ra: str, rb: str) -> bool:
        if ra == rb:
            return False
        if self.labs(ra) and self.labs(rb):
            return True
        return any(r.type == "COMPETES_WITH" and {self.root(r.src), self.root(r.dst)} == {ra, rb} for r in self.rels)

    # steps on the date: (node reached, weight, kind, facts)
    def deps(self, a: str) -> list[tuple[str, float, Rel]]:
        out = []
        for r in self.rels:
            if r.type == "SUPPLIES" and r.dst == a:
                out.append((r.src, base_weight(r), r))
            elif r.type == "INVESTED_IN" and a in (r.src, r.dst):
                out.append((r.dst if r.src == a else r.src, base_weight(r), r))
            elif r.type == "USES" and r.src == a:  # the site supplies A
                out.append((r.dst, base_weight(r), r))
            elif r.type == "OWNS" and r.src == a and num(r, "stake_percent") is not None:  # as its investor
                out.append((r.dst, base_weight(r), r))
            elif r.type == "PARTNERS_WITH" and a in (r.src, r.dst):
                x = r.dst if r.src == a else r.src
                out.append((x, base_weight(r) * damp(max(len(self.partners[a]), len(self.partners[x]))), r))
        return [(x, w * recent(r, self.on), r) for x, w, r in out if x != a]

    def started(self, p: Rel) -> bool:
        return p.since is None or p.since <= self.on

    def ties(self, x: str) -> list[tuple[str, float, list[Rel]]]:
        """Person ties from x: for each person who led x, their most senior role there and at each other org."""
        def rank(p: Rel) -> tuple:
            return (SENIOR.index(p.row["kind"]), -(p.since.toordinal() if p.since else 0), p.id)

        leaders: dict[str, Rel] = {}
        for p in self.pos:
            if p.dst == x and p.row["kind"] in LEADER_KINDS and (p.src not in leaders or rank(p) < rank(leaders[p.src])):
                leaders[p.src] = p
        out = []
        for person, led in leaders.items():
            best: dict[str, Rel] = {}
            for p in self.pos:
                if p.src == person and p.dst != x and ever_valid(p) and (p.dst not in best or rank(p) < rank(best[p.dst])):
                    best[p.dst] = p
            for y, now in best.items():
                if self.started(led) and now.valid(self.on):
                    w = base_weight(led) * base_weight(now) * TIE * recent(led, self.on) * recent(now, self.on)
                    out.append((y, w, [led, now]))
        return out

    def holds(self, x: str) -> list[tuple[str, float, str, list[Rel]]]:
        out = []
        for r in self.rels:
            if r.type == "INVESTED_IN" and r.dst == x and (num(r, "stake_percent") is not None or num(r, "amount") is not None):
                out.append((r.src, base_weight(r) * damp(len(self.investees[r.src])) * recent(r, self.on), "stake", [r]))
            elif r.type in FAMILY and r.src == x:
                out.append((r.dst, base_weight(r) * recent(r, self.on), "control", [r]))
            elif r.type == "OWNS" and r.dst == x and num(r, "stake_percent") is not None:
                out.append((r.src, base_weight(r) * damp(len(self.investees[r.src])) * recent(r, self.on), "stake", [r]))
            elif r.type in ("OWNS", "OPERATES") and r.dst == x:  # the site's whole owner or its operator
                out.append((r.src, base_weight(r) * recent(r, self.on), "control", [r]))
            elif r.type == "PARTNERS_WITH" and x in (r.src, r.dst):
                y = r.dst if r.src == x else r.src
                w = base_weight(r) * damp(max(len(self.partners[x]), len(self.partners[y]))) * recent(r, self.on)
                out.append((y, w, "partnership", [r]))
        out += [(y, w, "people", rels) for y, w, rels in self.ties(x)]
        return [h for h in out if h[0] != x]

    # effective ownership on the date
    def effective(self, x: str) -> dict[str, float]:
        found: dict[str, float] = defaultdict(float)

        def walk(node: str, visited: set[str], frac: float, depth: int) -> None:
            for r in self.rels:
                if r.type in FAMILY and r.src == node:
                    owner, part = r.dst, 1.0
                elif r.type == "INVESTED_IN" and r.dst == node and num(r, "stake_percent") is not None:
                    owner, part = r.src, min(max(num(r, "stake_percent"), 0), 100) / 100
                elif r.type == "OWNS" and r.dst == node:  # an operator owns nothing
                    owner, part = r.src, owned_share(r)
                else:
                    continue
                if owner in visited or part <= 0:
                    continue
                found[owner] += frac * part
                if depth + 1 < 4:
                    walk(owner, visited | {owner}, frac * part, depth + 1)

        walk(x, {x}, 1.0, 0)
        return {o: min(1.0, f) for o, f in found.items()}

    # the chains
    def chains(self, a: str) -> list[Found]:
        ra, out = self.root(a), []

        def walk(orgs: list[str], score: float, kinds: list[str]) -> None:
            holder = orgs[-1]
            rival = self.root(holder)
            mids_ok = all(self.root(x) != ra and not self.compete(ra, self.root(x)) for x in orgs[1:-1])
            if mids_ok and rival != ra and self.compete(ra, rival) and score >= MIN_CHAIN:
                kind = min(kinds, key=KIND_RANK.get) if kinds else "control"
                out.append(Found(rival, score, len(orgs) - 2, kind, (orgs[1], holder)))
            if len(orgs) - 2 >= MAX_LEVEL:
                return
            for y, w, kind, _ in self.holds(holder):
                if y not in orgs and score * w * DECAY >= MIN_CHAIN:
                    walk(orgs + [y], score * w * DECAY, kinds + [kind])

        for x1, w, _ in self.deps(a):
            if w >= MIN_CHAIN:
                walk([a, x1], w, [])
        out += self.vendor_side(a, ra)
        return out

    def vendor_side(self, a: str, ra: str) -> list[Found]:
        out = []
        for x1, w, dep in self.deps(a):
            if dep.type not in ("SUPPLIES", "PARTNERS_WITH", "USES"):
                continue
            rx = self.root(x1)
            if rx == ra or self.compete(ra, rx):
                continue
            controls = [(rx, 1.0, None)]
            controls += [(y, 0.5 + f / 2, y) for y, f in self.effective(x1).items()
                         if f >= CONTROL and self.root(y) == y and y != rx]
            for fam, cw, y in controls:
                if fam == ra or self.compete(ra, fam):
                    continue
                for back_node, bw, investor, person in self.backing(fam):
                    rival = self.root(back_node)
                    if rival in (ra, fam) or not self.compete(ra, rival) or back_node in (a, x1):
                        continue
                    orgs = [a, x1] + ([y] if y and y != x1 else [])
                    if investor not in orgs:
                        orgs.append(investor)
                    if back_node in orgs or any(self.root(o) == ra for o in orgs[1:]):
                        continue
                    score = w * cw * bw * DECAY * DECAY
                    if score >= MIN_CHAIN:
                        out.append(Found(rival, score, len(orgs) - 1, "vendor-side", (x1, back_node)))
        return out

    def backing(self, fam: str) -> list[tuple[str, float, str, str | None]]:
        out = []
        for r in self.rels:
            if r.type == "INVESTED_IN" and self.root(r.src) == fam:
                out.append((r.dst, base_weight(r) * damp(len(self.investees[r.src])) * recent(r, self.on), r.src, None))
        for p in self.pos:
            if not p.valid(self.on) or self.root(p.dst) != fam:
                continue
            for seat in self.pos:
                if seat.src == p.src and seat.row["kind"] == "board" and seat.dst != p.dst and seat.valid(self.on):
                    w = base_weight(p) * base_weight(seat) * TIE * recent(p, self.on) * recent(seat, self.on)
                    out.append((seat.dst, w, p.dst, p.src))
        return out

    def links(self, orgs: list[str] | None = None, level: int = 2) -> dict[tuple[str, str], dict]:
        """(A, rival) -> score, paths, kind of the best chain, at most `level` intermediaries."""
        result: dict[tuple[str, str], dict] = {}
        for a in orgs if orgs is not None else sorted(self.m.orgs):
            by_rival: dict[str, list[Found]] = defaultdict(list)
            for f in self.chains(a):
                if f.level <= level:
                    by_rival[f.rival].append(f)
            for rival, found in by_rival.items():
                best = max(found, key=lambda f: f.score)
                result[(a, rival)] = {"score": round(sum(f.score for f in found), 3), "paths": len({f.pair for f in found}),
                                      "best_score": best.score, "kinds": {f.kind for f in found if f.score >= best.score - 1e-9}}
        return result
