"""The exposure engine: indirect competitor links with the days they hold (docs/queries.md, the contract).

For an organization A, a *chain* is a way a rival family can reach what A depends on:
  (a) held: A depends on X1, then holds upwards (invested in, owns, partners with, or a person who led
      one now works at the next) until the first organization of a family that competes with A's;
  (b) vendor-side: A depends on X1, the family F of an organization that controls X1 (X1 is in F, or
      its effective stake in X1 is at least 25%) holds a stake in, or a board seat at, a member of a
      family that competes with A's, while F itself does not compete with A.
Each chain is found once, with the interval on which all its facts hold; the days on which its family
and competition conditions hold and its score are then read off at the chain's own change points, and
a link (A, rival) is the sum of its chains on each day. Nothing here depends on a query's date: every
link is stored as pieces (valid_from, valid_to) whose boundaries are change points of the base facts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

from graph.facts import Fact, Facts, other
from graph.families import Families, Timeline
from graph.model import FAMILY_TYPES
from graph.ownership import Ownership
from graph.validity import FIRST, LAST, Interval, intersect, is_empty, years_later
from graph.wording import percent, phrase

CONFIDENCE = {"high": 1.0, "medium": 0.7, "low": 0.4}
STATUS = {"active": 1.0, "ended": 1.0, "paused": 0.6}  # announced, reported (and anything else): 0.5
STEP_DECAY = 0.7          # per step after the first
PERSON_TIE = 0.8          # a person tie, on top of its two positions' weights
HUB_FREE = 10             # partners or investees an organization may have before its steps weigh less
MIN_CHAIN_SCORE = 0.1     # a chain below this tells an analyst nothing: it is not a chain
MAX_INTERMEDIARIES = 3
CONTROL_STAKE = 0.25      # the usual beneficial-ownership threshold
RECENT_YEARS = 2
LEVELS = range(MAX_INTERMEDIARIES + 1)
VENDOR_SIDE_DEPENDENCIES = ("SUPPLIES", "PARTNERS_WITH")
# A chain's kind is its weakest hold.
KIND_OF_STEP = {"family": "control", "invest": "stake", "person": "people", "partner": "partnership"}
KIND_STRENGTH = ("partnership", "people", "stake", "control")
# An organization's standing towards A on a day, when it is not in a competing family (then it is that
# family's root); neither can be an organization id.
OWN, NEUTRAL = "\0own", "\0neutral"


def hub(count: int) -> float:
    """How much a step through an organization with `count` partners (or investees) tells."""
    return 1.0 if count <= HUB_FREE else math.sqrt(HUB_FREE / count)


def weight(fact: Fact) -> float:
    """Confidence, status and size of one fact (recency apart, which depends on the day)."""
    w = CONFIDENCE.get(fact.confidence, 0.4) * STATUS.get(fact.status, 0.5)
    if fact.type == "INVESTED_IN":
        if fact.stake is not None:
            w *= 0.5 + min(max(fact.stake, 0.0), 100.0) / 200.0
        elif fact.amount is not None:
            w *= 0.8 if fact.amount >= 1e9 else 0.6
        else:
            w *= 0.5
    elif fact.type == "PARTNERS_WITH":
        w *= 0.6
    return w


def recency(fact: Fact, day: int) -> float:
    return 1.0 if fact.since is not None and day < years_later(fact.since, RECENT_YEARS) else 0.8


@dataclass(frozen=True, slots=True)
class Step:
    kind: str                 # dep, invest, family, partner, person; control, backing (vendor-side)
    facts: tuple[Fact, ...]
    weight: float
    node: str                 # the organization the step reaches
    person: str | None = None
    days: Interval = (-1, LAST + 1)


@dataclass(frozen=True, slots=True)
class Chain:
    orgs: tuple[str, ...]     # A, X1, ..., holder
    steps: tuple[Step, ...]
    days: Interval            # where every fact of the chain holds
    bound: float              # the score with every fact recent: no day scores more
    control: tuple[str, str, str | None] | None = None  # vendor-side: (family root F, way, stake holder Y)
    facts: tuple[Fact, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", tuple(f for s in self.steps for f in s.facts))

    @property
    def level(self) -> int:
        return len(self.orgs) - 2

    @property
    def holder(self) -> str:
        return self.orgs[-1]

    def kind(self) -> str:
        if self.control:
            return "vendor-side"
        holds = [KIND_OF_STEP[s.kind] for s in self.steps[1:]]
        return min(holds, key=KIND_STRENGTH.index) if holds else "control"

    def refs(self) -> tuple[str, ...]:
        """The nodes to draw, in order: 'o:id' for organizations, 'p:id' for people."""
        if self.control:
            person = self.steps[2].person
            return tuple(f"o:{o}" for o in self.orgs[:-1]) + ((f"p:{person}",) if person else ()) + (f"o:{self.holder}",)
        out = [f"o:{self.orgs[0]}"]
        for step in self.steps:
            if step.person:
                out.append(f"p:{step.person}")
            if f"o:{step.node}" not in out:
                out.append(f"o:{step.node}")
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Piece:
    """A chain counted for a link on [start, end), with its score there."""

    start: int
    end: int
    rival: str
    score: float
    chain: Chain


class Engine:
    """Finds every organization's chains and links, with their days."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.families = Families(facts)
        self.ownership = Ownership(facts)
        # The nodes read for the organization being derived (graph.incremental: what its facts depend on).
        self.touched: set[str] = set()

    def forget_pairs(self) -> None:
        """Drops the caches kept per pair of organizations (A, x): a derivation asks them for one A at a
        time, and on a large graph they would hold most pairs (memory)."""
        for cached in (Engine.standing, Engine._standing, Engine.family_blocks):
            cached.cache_clear()

    def touch(self, *nodes: str | None) -> None:
        self.touched.update(n for n in nodes if n is not None)

    # -- steps --------------------------------------------------------------------------------------

    def dependencies(self, a: str) -> Iterator[Step]:
        f = self.facts
        for fact in f.supplies_to.get(a, ()):
            yield Step("dep", (fact,), weight(fact), fact.src, days=fact.interval)
        for fact in f.invested_in.get(a, ()):
            yield Step("dep", (fact,), weight(fact), fact.src, days=fact.interval)
        for fact in f.invests.get(a, ()):
            yield Step("dep", (fact,), weight(fact), fact.dst, days=fact.interval)
        for fact in f.partners.get(a, ()):
            x = other(fact, a)
            damp = hub(max(f.partner_count.get(a, 0), f.partner_count.get(x, 0)))
            yield Step("dep", (fact,), weight(fact) * damp, x, days=fact.interval)

    @lru_cache(maxsize=None)
    def holds(self, x: str) -> tuple[Step, ...]:
        """Who holds x, one step up: investors, owners, partners, and organizations its past leaders work at."""
        f, out = self.facts, []
        for fact in f.invested_in.get(x, ()):
            if fact.stake is None and fact.amount is None:
                continue  # a participation of unknown size is not a hold
            out.append(Step("invest", (fact,), weight(fact) * hub(f.investee_count.get(fact.src, 0)), fact.src,
                            days=fact.interval))
        for fact in f.parents.get(x, ()):
            out.append(Step("family", (fact,), weight(fact), fact.dst, days=fact.interval))
        for fact in f.partners.get(x, ()):
            y = other(fact, x)
            damp = hub(max(f.partner_count.get(x, 0), f.partner_count.get(y, 0)))
            out.append(Step("partner", (fact,), weight(fact) * damp, y, days=fact.interval))
        for led, now, days in f.leader_ties(x):
            out.append(Step("person", (led, now), weight(led) * weight(now) * PERSON_TIE, now.dst, led.src, days))
        return tuple(sorted((s for s in out if s.node != x), key=lambda s: -s.weight))  # strongest first

    # -- chains -------------------------------------------------------------------------------------

    def held_chains(self, a: str) -> list[Chain]:
        found: list[Chain] = []
        self.touch(a)

        def extend(chain: Chain) -> None:
            self.touch(chain.holder)
            if self.may_rival(a, chain.holder, chain.days):
                found.append(chain)
            # Its holder would become an intermediary: not when it is in A's or a competing family on
            # every day the chain holds (then so are the days of every longer chain through it).
            if chain.level >= MAX_INTERMEDIARIES or not self.may_pass(a, chain.holder, chain.days):
                return
            lowest = MIN_CHAIN_SCORE / (chain.bound * STEP_DECAY)  # the weakest step still worth taking
            start, end = chain.days
            for step in self.holds(chain.holder):
                if step.weight < lowest:
                    break  # the rest weigh less
                if step.days[1] <= start or step.days[0] >= end or step.node in chain.orgs:
                    continue
                days = (max(start, step.days[0]), min(end, step.days[1]))
                extend(Chain(chain.orgs + (step.node,), chain.steps + (step,), days, chain.bound * step.weight * STEP_DECAY))

        for dep in self.dependencies(a):
            if dep.node != a and dep.weight >= MIN_CHAIN_SCORE and not is_empty(dep.days):
                extend(Chain((a, dep.node), (dep,), dep.days, dep.weight))
        return found

    @lru_cache(maxsize=None)
    def standing(self, a: str, x: str) -> Timeline[str]:
        """What x is to A on each day: in A's family (OWN), in a family competing with A's (that family's
        root), or neither (NEUTRAL). Its pieces change only where a family or a competition changes."""
        # The same for every pair of organizations with the same family pieces.
        return self._standing(tuple(self.families.root_pieces(a)), tuple(self.families.root_pieces(x)))

    @lru_cache(maxsize=None)
    def _standing(self, root_pieces_a: tuple[tuple[int, int, str], ...],
                  root_pieces_x: tuple[tuple[int, int, str], ...]) -> Timeline[str]:
        pieces = []
        for sa, ea, ra in root_pieces_a:
            for sx, ex, rx in root_pieces_x:
                start, end = max(sa, sx), min(ea, ex)
                if start >= end:
                    continue
                if rx == ra:
                    pieces.append((start, end, OWN))
                    continue
                for s, e, rival in self._rivalry(ra, rx).pieces:
                    if s < end and e > start:
                        pieces.append((max(s, start), min(e, end), rx if rival else NEUTRAL))
        return Timeline(pieces) if len(pieces) > 1 else _constant(pieces[0][2])

    @lru_cache(maxsize=None)
    def _rivalry(self, ra: str, rx: str) -> Timeline[bool]:
        """Whether two families compete, on each day."""
        fam = self.families
        labs_a, labs_x = fam.labs(ra).pieces, fam.labs(rx).pieces
        if len(labs_a) == 1 and len(labs_x) == 1 and not fam.explicitly_compete(ra, rx):
            return _ALWAYS if labs_a[0][2] and labs_x[0][2] else _NEVER  # most pairs of a large graph
        starts = sorted(d for d in fam.competition_bounds(ra, rx) | {FIRST} if FIRST <= d < LAST)
        if len(starts) == 1:
            return _ALWAYS if fam.competes(ra, rx, FIRST) else _NEVER
        return Timeline((s, e, fam.competes(ra, rx, s)) for s, e in zip(starts, starts[1:] + [LAST]))

    def may_rival(self, a: str, x: str, days: Interval = (FIRST, LAST)) -> bool:
        """x is, on some of the days, in a family that competes with A's: a chain may end there."""
        pieces = self.standing(a, x).pieces
        if len(pieces) == 1:
            s, e, v = pieces[0]
            return v is not OWN and v is not NEUTRAL and s < days[1] and e > days[0]
        return any(v not in (OWN, NEUTRAL) and s < days[1] and e > days[0] for s, e, v in pieces)

    def may_pass(self, a: str, x: str, days: Interval = (FIRST, LAST)) -> bool:
        """x is, on some of the days, in neither A's family nor a competing one: a chain may pass through it."""
        pieces = self.standing(a, x).pieces
        if len(pieces) == 1:
            s, e, v = pieces[0]
            return v is NEUTRAL and s < days[1] and e > days[0]
        return any(v == NEUTRAL and s < days[1] and e > days[0] for s, e, v in pieces)

    @lru_cache(maxsize=None)
    def family_blocks(self, a: str, root: str) -> bool:
        """The family of `root` is A's own or competes with A's on every day: it cannot be a vendor-side F."""
        fam = self.families
        points = {FIRST} | fam.root_bounds(a)
        for _, _, ra in fam.root_pieces(a):
            points |= fam.competition_bounds(ra, root)
        for day in sorted(d for d in points if FIRST <= d < LAST):
            ra = fam.root(a, day)
            if root != ra and not fam.competes(ra, root, day):
                return False
        return True

    @lru_cache(maxsize=None)
    def controllers(self, x: str) -> list[tuple[str, Interval, str | None, float, tuple[Fact, ...]]]:
        """(family root F, days, stake holder Y or None, weight, facts): the families that control x."""
        out = [(root, (s, e), None, 1.0, ()) for s, e, root in self.families.root_pieces(x)]
        # A stake is a family's through its root, whose effective stake includes its members' stakes.
        facts_of: dict[str, set[Fact]] = defaultdict(set)
        for c in self.ownership.chains(x):
            facts_of[c.owner].update(c.facts)
        for owner, line in self.ownership.effective(x).items():
            if all(fraction < CONTROL_STAKE for _, _, fraction in line.pieces):
                continue  # most owners of a large graph: no control on any day
            facts = tuple(sorted(facts_of[owner], key=lambda f: (f.type, f.id)))
            for s, e, fraction in line.pieces:
                if fraction < CONTROL_STAKE:
                    continue
                for rs, re_, root in self.families.root_pieces(owner):
                    days = intersect((s, e), (rs, re_))
                    if root == owner and not is_empty(days):
                        out.append((root, days, owner, 0.5 + fraction / 2, facts))
        return out

    @lru_cache(maxsize=None)
    def backing(self, root: str) -> tuple[Step, ...]:
        """Stakes and board seats that members of the family hold in other organizations."""
        f, out = self.facts, []
        for s, e, member in self.families.member_pieces(root):
            for fact in f.invests.get(member, ()):
                days = intersect((s, e), fact.interval)
                if not is_empty(days):
                    out.append(Step("backing", (fact,), weight(fact) * hub(f.investee_count.get(member, 0)),
                                    fact.dst, days=days, person=None))
            for pos in f.positions_at.get(member, ()):
                for seat in f.positions_of.get(pos.src, ()):
                    if seat.kind != "board" or seat.dst == member:
                        continue
                    days = intersect(intersect((s, e), pos.interval), seat.interval)
                    if not is_empty(days):
                        out.append(Step("backing", (pos, seat), weight(pos) * weight(seat) * PERSON_TIE, seat.dst,
                                        pos.src, days))
        return tuple(sorted(out, key=lambda s: -s.weight))  # strongest first

    @lru_cache(maxsize=None)
    def backing_reads(self, root: str) -> frozenset[str]:
        """The nodes `backing` reads: the family's members and the people who hold positions at them."""
        f = self.facts
        members = {m for _, _, m in self.families.member_pieces(root)}
        return frozenset(members | {pos.src for m in members for pos in f.positions_at.get(m, ())})

    def vendor_side_chains(self, a: str) -> list[Chain]:
        found: list[Chain] = []
        for dep in self.dependencies(a):
            x1 = dep.node
            self.touch(a, x1)
            # Vendors and partners only: an investor of A that also backs a rival is a co-investor (every
            # large fund is one), which investment_web shows.
            if x1 == a or is_empty(dep.days) or dep.facts[0].type not in VENDOR_SIDE_DEPENDENCIES:
                continue
            if not self.may_pass(a, x1, dep.days):
                continue
            for root, control_days, holder_y, control_w, control_facts in self.controllers(x1):
                self.touch(root, holder_y, *self.backing_reads(root))
                base = dep.weight * control_w * STEP_DECAY * STEP_DECAY
                days = intersect(dep.days, control_days)
                if base < MIN_CHAIN_SCORE or is_empty(days) or self.family_blocks(a, root):
                    continue
                control = Step("control", control_facts, control_w, holder_y or x1, days=control_days)
                lowest = MIN_CHAIN_SCORE / base
                for back in self.backing(root):
                    if back.weight < lowest:
                        break  # the rest weigh less
                    if back.days[1] <= days[0] or back.days[0] >= days[1]:
                        continue
                    bound = base * back.weight
                    chain_days = (max(days[0], back.days[0]), min(days[1], back.days[1]))
                    self.touch(back.node, back.facts[0].src, back.facts[0].dst)
                    if back.node in (a, x1) or not self.may_rival(a, back.node, chain_days):
                        continue
                    orgs = [a, x1]
                    if holder_y and holder_y not in orgs:
                        orgs.append(holder_y)
                    investor = back.facts[0].src if back.facts[0].type == "INVESTED_IN" else back.facts[0].dst
                    if investor not in orgs:
                        orgs.append(investor)
                    if back.node in orgs:
                        continue
                    steps = (dep, control, Step("backing", back.facts, back.weight, back.node, back.person, back.days))
                    found.append(Chain(tuple(orgs) + (back.node,), steps, chain_days, bound,
                                       (root, "stake" if holder_y else "family", holder_y)))
        return found

    # -- days -------------------------------------------------------------------------------------

    def _change_points(self, a: str, chain: Chain) -> list[int]:
        """The days within the chain's on which whether it counts, for which rival, or its score may change."""
        start, end = chain.days
        points = {start}
        lines = [self.standing(a, o) for o in chain.orgs[1:]]
        if chain.control:
            root, _, holder_y = chain.control
            lines.append(self.standing(a, root))
            fam = self.families
            for org in chain.orgs[1:-1]:  # whose family X1, Y and the investor belong to
                points |= fam.root_bounds(org)
            if holder_y:
                points |= self.ownership.effective(chain.orgs[1]).get(holder_y).bounds()
        for line in lines:
            if len(line.pieces) > 1:
                points |= line.bounds()
        points |= self._fact_points(chain.facts)
        return sorted(p for p in points if start <= p < end)

    @staticmethod
    @lru_cache(maxsize=1 << 16)
    def _fact_points(facts: tuple[Fact, ...]) -> frozenset[int]:
        """Where a chain's facts change its score or wording: their starts, two years on, a position's end."""
        points = set()
        for fact in facts:
            if fact.since is not None:
                points.add(years_later(fact.since, RECENT_YEARS))
                points.add(fact.since)
            if fact.type == "HOLDS_POSITION" and fact.until is not None:
                points.add(fact.until)  # 'is' becomes 'was'
        return frozenset(points)

    def _held_on(self, a: str, chain: Chain, day: int) -> str | None:
        """The rival this held chain links A to on the day, or None."""
        rival = self.standing(a, chain.holder).at(day)
        if rival in (OWN, NEUTRAL):
            return None
        for x in chain.orgs[1:-1]:
            if self.standing(a, x).at(day) != NEUTRAL:
                return None
        return rival

    def _vendor_side_on(self, a: str, chain: Chain, day: int) -> str | None:
        fam = self.families
        root, way, holder_y = chain.control or ("", "", None)
        x1 = chain.orgs[1]
        if way == "family" and fam.root(x1, day) != root:
            return None
        if way == "stake":  # by its stake, when X1 is not in the family already
            line = self.ownership.effective(x1).get(holder_y)
            if (fam.root(holder_y, day) != root or fam.root(x1, day) == root
                    or (line.at(day, 0.0) or 0.0) < CONTROL_STAKE):
                return None
        back = chain.steps[2].facts[0]
        investor = back.src if back.type == "INVESTED_IN" else back.dst
        if fam.root(investor, day) != root:
            return None
        # F is neither A's family nor a rival of it, the holder is in a rival family other than F, X1 is
        # in neither A's nor a rival family, and no other intermediary is in A's.
        rival = self.standing(a, chain.holder).at(day)
        if rival in (OWN, NEUTRAL, root) or self.standing(a, root).at(day) != NEUTRAL:
            return None
        for x in chain.orgs[1:-1]:
            standing = self.standing(a, x).at(day)
            if standing == OWN or (x == x1 and standing != NEUTRAL):
                return None
        return rival

    def score(self, chain: Chain, day: int) -> float:
        """The chain's bound times each fact's recency (the control behind a vendor-side chain weighs as a
        share, whatever its age)."""
        s = chain.bound
        for step in chain.steps:
            if step.kind != "control":
                for fact in step.facts:
                    s *= recency(fact, day)
        return s

    def pieces(self, a: str) -> list[Piece]:
        """Every chain of A, counted where it holds, cut at its change points."""
        out: list[Piece] = []
        for chain in self.held_chains(a) + self.vendor_side_chains(a):
            on = self._vendor_side_on if chain.control else self._held_on
            points = self._change_points(a, chain)
            ends = points[1:] + [chain.days[1]]
            for start, end in zip(points, ends):
                rival = on(a, chain, start)
                if rival is None:
                    continue
                score = self.score(chain, start)
                if score < MIN_CHAIN_SCORE:
                    continue
                last = out[-1] if out else None
                if last and last.chain is chain and last.end == start and last.rival == rival and last.score == score:
                    out[-1] = Piece(last.start, end, rival, score, chain)
                else:
                    out.append(Piece(start, end, rival, score, chain))
        return out

    # -- words ------------------------------------------------------------------------------------

    def sentence(self, chain: Chain, rival: str, day: int) -> str:
        name = self.facts.name
        parts = [phrase(self.facts, chain.steps[0].facts[0], day)]
        if chain.control:
            root, way, holder_y = chain.control
            x1 = chain.orgs[1]
            if way == "family" and x1 != root:
                parts.append(f"{name(x1)} belongs to {name(root)}")
            elif way == "stake":
                fraction = self.ownership.effective(x1)[holder_y].at(day, 0.0) or 0.0
                parts.append(f"{name(holder_y)} holds {percent(round(fraction * 100, 1))} of {name(x1)}"
                             + ("" if holder_y == root else f"; {name(holder_y)} belongs to {name(root)}"))
            parts += [phrase(self.facts, f, day) for f in chain.steps[2].facts]
            investor = chain.orgs[-2]
            if investor not in (root, holder_y) and investor != x1:
                parts.append(f"{name(investor)} belongs to {name(root)}")
        else:
            parts += [phrase(self.facts, f, day) for s in chain.steps[1:] for f in s.facts]
            stakes = [share_of(s) for s in chain.steps[1:]]
            if len(stakes) >= 2 and all(x is not None for x in stakes):
                parts.append(f"{name(chain.holder)} effectively holds "
                             f"{percent(round(math.prod(stakes) * 100, 1))} of {name(chain.orgs[1])}")
        if chain.holder != rival:
            parts.append(f"{name(chain.holder)} belongs to {name(rival)}")
        return "; ".join(parts)

    def rival_clause(self, a: str, rival: str, day: int) -> str:
        labs = self.families.labs(rival).at(day) or ()
        name = self.facts.name
        if labs:
            return f"; {name(rival)} runs rival lab work ({', '.join(labs)})"
        return f"; {name(rival)} competes with {name(a)}"


@lru_cache(maxsize=None)
def _constant(value: str) -> Timeline[str]:
    return Timeline([(FIRST, LAST, value)])


_ALWAYS, _NEVER = Timeline([(FIRST, LAST, True)]), Timeline([(FIRST, LAST, False)])


def share_of(step: Step) -> float | None:
    fact = step.facts[0]
    if step.kind == "family" and fact.type in FAMILY_TYPES:
        return 1.0
    if step.kind == "invest" and fact.stake is not None:
        return min(max(fact.stake, 0.0), 100.0) / 100.0
    return None


def chain_order(piece: Piece) -> tuple[Any, ...]:
    """Best first: the higher score, then fewer facts, then the node ids, then the facts' ids (a total order:
    the same graph gives the same words, whatever order the database returns it in)."""
    return (-piece.score, len(piece.chain.facts), piece.chain.refs(), tuple((f.type, f.id) for f in piece.chain.facts))


def link_content(engine: Engine, a: str, rival: str, ordered: list[Piece], day: int) -> dict[str, list[Any]]:
    """What a link says on a day, at each allowed number of intermediaries (0 to 3), from its pieces
    active that day, best first (chain_order)."""
    facts = engine.facts
    content: dict[str, list[Any]] = defaultdict(list)
    clause = engine.rival_clause(a, rival, day)
    previous: list[Piece] | None = None
    for level in LEVELS:
        kept = [p for p in ordered if p.chain.level <= level]
        if previous is not None and len(kept) == len(previous):  # the same chains: the same words
            for values in content.values():
                values.append(values[-1])
            continue
        previous = kept
        if not kept:
            for key, empty in (("scores", 0.0), ("paths", 0), ("kinds", ""), ("holders", ""), ("intermediaries", ""),
                               ("explanations", ""), ("sources", ""), ("best_nodes", ""), ("best_rels", ""),
                               ("chains", 0)):
                content[key].append(empty)
            continue
        best = kept[0].chain
        sentences = [engine.sentence(p.chain, rival, day) for p in kept[:2]]
        explanation = sentences[0] + clause
        if len(kept) > 1:
            explanation += ". Also: " + sentences[1]
        if len(kept) > 2:
            more = len(kept) - 2
            explanation += f" (and {more} more chain{'s' if more > 1 else ''})"
        sources = list(dict.fromkeys(s for p in kept for f in p.chain.facts for s in f.sources))
        refs = best.refs()
        rels = [FIELD_SEP.join((str(refs.index(_ref(start, fact))), str(refs.index(_ref(end, fact, end=True))),
                                rel_type, fact.id))
                for fact in best.facts for rel_type, start, end in (fact.edge,)
                if _ref(start, fact) in refs and _ref(end, fact, end=True) in refs]
        content["scores"].append(round(sum(p.score for p in kept), 3))
        content["paths"].append(len({(p.chain.orgs[1], p.chain.holder) for p in kept}))
        content["kinds"].append(best.kind())
        content["holders"].append(facts.name(best.holder))
        content["intermediaries"].append(SEP.join(facts.name(o) for o in best.orgs[1:-1]))
        content["explanations"].append(explanation)
        content["sources"].append(SEP.join(sources))
        content["best_nodes"].append(SEP.join(refs))
        content["best_rels"].append(SEP.join(rels))
        content["chains"].append(len(kept))
    return dict(content)


SEP = "\u001f"        # joins the items of one level in a list property (Neo4j lists cannot nest)
FIELD_SEP = "\u001e"  # joins the fields of one item: start index, end index, type, id of a relationship


def _ref(node: str, fact: Fact, end: bool = False) -> str:
    if fact.type == "HOLDS_POSITION" and not end:
        return f"p:{node}"
    return f"o:{node}"


GENERIC_CAUSE = "a change of corporate family or competition on this day"


def _causes(engine: Engine, pieces: list[Piece], level: int, day: int, starting: bool) -> str:
    """The facts of the link's chains (best first) that start (or end) on the day, in words."""
    found = []
    for p in pieces:
        if p.chain.level > level:
            continue
        for fact in p.chain.facts:
            if (fact.since == day) if starting else (fact.interval[1] == day):
                found.append(phrase(engine.facts, fact, day if starting else day - 1))
    return "; ".join(dict.fromkeys(found)) or GENERIC_CAUSE


def link_segments(engine: Engine, a: str) -> list[dict[str, Any]]:
    """A's links as pieces of days on which each says the same thing, with where each level starts and ends."""
    by_rival: dict[str, list[Piece]] = defaultdict(list)
    for piece in engine.pieces(a):
        by_rival[piece.rival].append(piece)
    records = []
    for rival, pieces in sorted(by_rival.items()):
        engine.touch(rival)
        pieces.sort(key=chain_order)  # so every day's active pieces are best first
        first, last = min(p.start for p in pieces), max(p.end for p in pieces)
        points = {p.start for p in pieces} | {p.end for p in pieces} | engine.families.labs(rival).bounds()
        points = sorted(d for d in points if first <= d <= last)
        segments: list[dict[str, Any]] = []
        for start, end in zip(points, points[1:]):
            active = [p for p in pieces if p.start <= start < p.end]
            if not active:
                continue
            content = link_content(engine, a, rival, active, start)
            content["rival_labs"] = list(engine.families.labs(rival).at(start) or ())
            if segments and segments[-1]["end"] == start and segments[-1]["content"] == content:
                segments[-1]["end"] = end
            else:
                segments.append({"start": start, "end": end, "content": content, "active": active})
        for level in LEVELS:
            _spans(engine, segments, level)
        for seg in segments:
            records.append({"org_id": a, "rival_id": rival, "start": seg["start"], "end": seg["end"],
                            **seg["content"], **{k: seg[k] for k in ("span_from", "span_to", "opens", "closes",
                                                                      "open_causes", "close_causes")}})
    return records


def _spans(engine: Engine, segments: list[dict[str, Any]], level: int) -> None:
    """For one level: since when each segment's link holds, until when, and where it starts or ends."""
    has = [seg["content"]["scores"][level] > 0 for seg in segments]
    i = 0
    while i < len(segments):
        if not has[i]:
            for key, empty in (("span_from", None), ("span_to", None), ("opens", False), ("closes", False),
                               ("open_causes", ""), ("close_causes", "")):
                segments[i].setdefault(key, []).append(empty)
            i += 1
            continue
        j = i
        while j + 1 < len(segments) and has[j + 1] and segments[j + 1]["start"] == segments[j]["end"]:
            j += 1
        span = (segments[i]["start"], segments[j]["end"])
        for k in range(i, j + 1):
            seg = segments[k]
            seg.setdefault("span_from", []).append(span[0])
            seg.setdefault("span_to", []).append(span[1])
            seg.setdefault("opens", []).append(k == i)
            seg.setdefault("closes", []).append(k == j and span[1] < LAST)
            seg.setdefault("open_causes", []).append(_causes(engine, seg["active"], level, span[0], True) if k == i else "")
            seg.setdefault("close_causes", []).append(
                _causes(engine, seg["active"], level, span[1], False) if k == j and span[1] < LAST else "")
        i = j + 1
