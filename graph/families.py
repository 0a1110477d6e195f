"""Corporate families over time: each organization's root, who runs a lab, which families compete.

An organization's family root on day D is found by following its SUBSIDIARY_OF / ACQUIRED_BY edges
valid on D upwards; the roots are the organizations reached that have no such edge (in a cycle with no
way out, every organization reached counts); when several are reached, the one whose id sorts first
is the root. The family of a root is every organization whose root it is. Everything here is a
piecewise-constant function of the day, kept as sorted (start, end, value) pieces whose boundaries are
those of the family edges: the change points of the base facts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from functools import lru_cache
from typing import Generic, Iterable, TypeVar

from graph.facts import Facts, Fact
from graph.validity import FIRST, LAST, Interval, contains, intersect, is_empty, union

T = TypeVar("T")


class Timeline(Generic[T]):
    """A value per day, as sorted disjoint pieces (start, end, value); days outside any piece have none."""

    def __init__(self, pieces: Iterable[tuple[int, int, T]]) -> None:
        merged: list[tuple[int, int, T]] = []
        for start, end, value in sorted(pieces, key=lambda p: p[0]):
            if start >= end:
                continue
            if merged and merged[-1][1] == start and merged[-1][2] == value:
                merged[-1] = (merged[-1][0], end, value)
            else:
                merged.append((start, end, value))
        self.pieces = merged
        self.starts = [p[0] for p in merged]
        self._bounds = frozenset(d for p in merged for d in p[:2])

    def at(self, day: int, default: T | None = None) -> T | None:
        i = bisect_right(self.starts, day) - 1
        if i >= 0 and day < self.pieces[i][1]:
            return self.pieces[i][2]
        return default

    def bounds(self) -> frozenset[int]:
        return self._bounds


def sample_points(intervals: Iterable[Interval]) -> list[int]:
    """The starts of the pieces cut by every boundary of the given intervals, from FIRST."""
    cuts = {FIRST}
    for start, end in intervals:
        cuts.add(start)
        cuts.add(end)
    return sorted(d for d in cuts if FIRST <= d < LAST)


class Families:
    """Family roots, lab-running families and competing families, as timelines."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._roots: dict[str, Timeline[str]] = {}
        members: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for org in facts.org_names:
            if org in facts.parents:
                line = self._root_timeline(org)
                self._roots[org] = line
                for start, end, root in line.pieces:
                    members[root].append((start, end, org))
        self._members = members
        self._competing = self._competition()

    # -- roots ------------------------------------------------------------------------------------

    def _upward_edges(self, org: str) -> list[Fact]:
        seen, todo, edges = {org}, [org], []
        while todo:
            for f in self.facts.parents.get(todo.pop(), ()):
                edges.append(f)
                if f.dst not in seen:
                    seen.add(f.dst)
                    todo.append(f.dst)
        return edges

    def _root_on(self, org: str, day: int) -> str:
        seen, todo, roots = {org}, [org], []
        while todo:
            node = todo.pop()
            ups = [f.dst for f in self.facts.parents.get(node, ()) if contains(f.interval, day)]
            if not ups:
                roots.append(node)
            for up in ups:
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        return min(roots) if roots else min(seen)

    def _root_timeline(self, org: str) -> Timeline[str]:
        points = sample_points(f.interval for f in self._upward_edges(org))
        ends = points[1:] + [LAST]
        return Timeline((start, end, self._root_on(org, start)) for start, end in zip(points, ends))

    def root(self, org: str, day: int) -> str:
        line = self._roots.get(org)
        return line.at(day, org) if line else org

    def root_bounds(self, org: str) -> frozenset[int]:
        line = self._roots.get(org)
        return line.bounds() if line else frozenset()

    def root_pieces(self, org: str) -> list[tuple[int, int, str]]:
        line = self._roots.get(org)
        return line.pieces if line else [(FIRST, LAST, org)]

    # -- members and labs -------------------------------------------------------------------------

    def member_pieces(self, root: str) -> list[tuple[int, int, str]]:
        """(start, end, org): the family's members, the root itself while it has no owner."""
        if root in self._roots:  # its own pieces are among the members already
            return self._members.get(root, [])
        return [(FIRST, LAST, root)] + self._members.get(root, [])

    @lru_cache(maxsize=None)
    def labs(self, root: str) -> Timeline[tuple[str, ...]]:
        """The names of the family's labs, sorted, on each day."""
        pieces = [(s, e, o) for s, e, o in self.member_pieces(root) if o in self.facts.labs]
        points = sample_points((s, e) for s, e, _ in pieces)
        ends = points[1:] + [LAST]
        return Timeline((start, end, tuple(sorted({self.facts.org_names[o] for s, e, o in pieces if s <= start < e})))
                        for start, end in zip(points, ends))

    # -- competition ------------------------------------------------------------------------------

    def _competition(self) -> dict[tuple[str, str], list[Interval]]:
        """COMPETES_WITH between members of two families, as the days it holds, per pair of roots."""
        pairs: dict[tuple[str, str], list[Interval]] = defaultdict(list)
        for f in self.facts.competes:
            for s1, e1, r1 in self.root_pieces(f.src):
                for s2, e2, r2 in self.root_pieces(f.dst):
                    days = intersect(intersect(f.interval, (s1, e1)), (s2, e2))
                    if r1 != r2 and not is_empty(days):
                        pairs[(r1, r2)].append(days)
                        pairs[(r2, r1)].append(days)
        return {pair: union(days) for pair, days in pairs.items()}

    def explicitly_compete(self, root_a: str, root_b: str) -> bool:
        """A COMPETES_WITH joins members of the two families on some day."""
        return (root_a, root_b) in self._competing

    def competes(self, root_a: str, root_b: str, day: int) -> bool:
        """Two families compete: both run a lab, or a COMPETES_WITH joins them, on the day."""
        if root_a == root_b:
            return False
        if self.labs(root_a).at(day) and self.labs(root_b).at(day):
            return True
        return any(contains(i, day) for i in self._competing.get((root_a, root_b), ()))

    @lru_cache(maxsize=None)
    def competition_bounds(self, root_a: str, root_b: str) -> frozenset[int]:
        days = {d for i in self._competing.get((root_a, root_b), ()) for d in i}
        return frozenset(days | self.labs(root_a).bounds() | self.labs(root_b).bounds())
