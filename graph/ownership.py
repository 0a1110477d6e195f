"""Effective ownership: stakes multiplied along ownership chains and summed over chains (the UBO method).

Ownership edges are INVESTED_IN with a `stake_percent` (owner -> owned) and the family edges
SUBSIDIARY_OF / ACQUIRED_BY (the owner holds 100%). Y's effective stake in X on day D is the sum, over
every chain of such edges valid on D from Y down to X that visits no organization twice and has at
most MAX_OWNERSHIP_DEPTH edges, of the product of the chain's stakes, capped at 100%: 50% of 60% is 30%.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from graph.facts import Fact, Facts
from graph.families import Timeline, sample_points
from graph.model import FAMILY_TYPES
from graph.validity import LAST, Interval, contains, intersect, is_empty

MAX_OWNERSHIP_DEPTH = 4


@dataclass(frozen=True, slots=True)
class OwnershipChain:
    owner: str
    facts: tuple[Fact, ...]  # from the owned organization upwards
    fraction: float
    interval: Interval


def share(fact: Fact) -> float | None:
    """The fraction of its lower end that an ownership edge gives its upper end, or None."""
    if fact.type in FAMILY_TYPES:
        return 1.0
    if fact.type == "INVESTED_IN" and fact.stake is not None:
        return max(0.0, min(fact.stake, 100.0)) / 100.0
    return None


class Ownership:
    """Every organization's direct and effective owners, as timelines."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def edges_up(self, org: str) -> list[tuple[Fact, str, float]]:
        up = [(f, f.dst, 1.0) for f in self.facts.parents.get(org, ()) if f.type in FAMILY_TYPES]  # an operator owns nothing
        up += [(f, f.src, s) for f in self.facts.invested_in.get(org, ()) if (s := share(f)) is not None]
        return up

    @lru_cache(maxsize=None)
    def chains(self, org: str) -> tuple[OwnershipChain, ...]:
        """Every ownership chain ending at `org`, with the days it holds."""
        found: list[OwnershipChain] = []

        def walk(node: str, trail: tuple[Fact, ...], visited: frozenset[str], fraction: float, days: Interval) -> None:
            for fact, owner, part in self.edges_up(node):
                if owner in visited or part <= 0:
                    continue
                held = intersect(days, fact.interval)
                if is_empty(held):
                    continue
                chain = OwnershipChain(owner, trail + (fact,), fraction * part, held)
                found.append(chain)
                if len(chain.facts) < MAX_OWNERSHIP_DEPTH:
                    walk(owner, chain.facts, visited | {owner}, chain.fraction, held)

        walk(org, (), frozenset({org}), 1.0, (-1, LAST + 1))
        return tuple(found)

    @lru_cache(maxsize=None)
    def effective(self, org: str) -> dict[str, Timeline[float]]:
        """owner -> its effective fraction of `org` on each day (no piece where it holds nothing)."""
        by_owner: dict[str, list[OwnershipChain]] = defaultdict(list)
        for chain in self.chains(org):
            by_owner[chain.owner].append(chain)
        out: dict[str, Timeline[float]] = {}
        for owner, chains in by_owner.items():
            points = sample_points(c.interval for c in chains)
            ends = points[1:] + [LAST]
            out[owner] = Timeline((start, end, round(min(1.0, sum(c.fraction for c in chains if contains(c.interval, start))), 6))
                                  for start, end in zip(points, ends)
                                  if any(contains(c.interval, start) for c in chains))
        return out
