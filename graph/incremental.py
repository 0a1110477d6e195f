"""Which organizations' derived facts a change of the base graph can touch (incremental derivation).

Every node of the base graph (organization, person, facility) has a *digest*: a hash of its name, whether
it runs a lab, every fact that starts or ends at it, with all their fields, and its neighbours' partner
and investee counts (a step through a neighbour weighs by them). Nodes are put into
BUCKETS buckets by a stable hash of their id, and a bucket's digest sums its nodes'.

While the engine computes an organization's derived facts it notes the nodes it reads (Engine.touch);
their *closure* (`Closures`) adds everything those reads depend on: the people at the node (their other
positions make person ties), its ancestors (its family root), the members of its roots'
families and their ancestors (labs and competition), and the owners up its ownership chains. The
buckets of that closure are the organization's *footprint*.

A computation that reads only what its footprint covers gives the same result on any graph whose
buckets in the footprint have the same digests: it reads the same values, so it takes the same path.
So after a change only the organizations whose footprint meets a bucket whose digest changed are
computed again (and new ones); a bucket shared by chance costs a needless recomputation, never a
wrong result.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from functools import lru_cache
from typing import Iterable

from graph.facts import Facts
from graph.families import Families
from graph.ownership import MAX_OWNERSHIP_DEPTH, Ownership

BUCKETS = 8192
MASK64 = (1 << 64) - 1


def bucket(node: str) -> int:
    """A node's bucket: the same in every process (Python's own hash of a string is not)."""
    return zlib.crc32(node.encode("utf-8")) % BUCKETS


def node_digests(facts: Facts) -> dict[str, int]:
    """Node id -> a 64-bit hash of what the engine can read about the node."""
    incident: dict[str, list[str]] = defaultdict(list)
    for fact in facts.facts:
        text = repr(fact)  # every field of the frozen dataclass, in a fixed order
        incident[fact.src].append(text + repr(_counts(facts, fact.dst)))
        incident[fact.dst].append(text + repr(_counts(facts, fact.src)))
    nodes = {**{p: ("person", n) for p, n in facts.person_names.items()},
             **{f: ("facility", n) for f, n in facts.facility_names.items()},
             **{o: ("organization", n, o in facts.labs) for o, n in facts.org_names.items()}}
    for node in incident.keys() - nodes.keys():
        nodes[node] = ("unknown",)
    out = {}
    for node, about in nodes.items():
        content = repr((node, about, sorted(incident.get(node, ()))))
        out[node] = int.from_bytes(hashlib.blake2b(content.encode("utf-8"), digest_size=8).digest(), "big")
    return out


def _counts(facts: Facts, node: str) -> tuple[int, int]:
    return facts.partner_count.get(node, 0), facts.investee_count.get(node, 0)


def bucket_digests(digests: dict[str, int]) -> list[int]:
    """Per bucket, the sum of its nodes' digests (mod 2^64), as signed 64-bit integers (Neo4j's)."""
    sums = [0] * BUCKETS
    for node, digest in digests.items():
        b = bucket(node)
        sums[b] = (sums[b] + digest) & MASK64
    return [s - (1 << 64) if s >= 1 << 63 else s for s in sums]


def changed_buckets(before: list[int] | None, after: list[int]) -> int:
    """The buckets whose digest differs, as a bit mask (every bucket when nothing was stored)."""
    if before is None or len(before) != len(after):
        return (1 << BUCKETS) - 1
    mask = 0
    for i, (b, a) in enumerate(zip(before, after)):
        if b != a:
            mask |= 1 << i
    return mask


def to_derive(orgs: Iterable[str], footprints: dict[str, int], before: list[int] | None,
              after: list[int]) -> tuple[list[str], list[str]]:
    """(organizations to compute, organizations gone): new ones, and those whose footprint meets a changed
    bucket; sorted."""
    dirty = changed_buckets(before, after)
    orgs = set(orgs)
    todo = sorted(o for o in orgs if (fp := footprints.get(o)) is None or fp & dirty)
    return todo, sorted(footprints.keys() - orgs)


def to_bytes(mask: int) -> bytes:
    return mask.to_bytes(BUCKETS // 8, "big")


def from_bytes(data: bytes | bytearray | None) -> int | None:
    return int.from_bytes(bytes(data), "big") if data is not None and len(data) == BUCKETS // 8 else None


class Closures:
    """Per node, the buckets of everything a read of it depends on (see the module's docstring)."""

    def __init__(self, facts: Facts, families: Families, ownership: Ownership) -> None:
        self.facts, self.families, self.ownership = facts, families, ownership

    @lru_cache(maxsize=None)
    def ancestors(self, node: str) -> frozenset[str]:
        """The node and every organization above it by family edges, on any day."""
        seen, todo = {node}, [node]
        while todo:
            for f in self.facts.parents.get(todo.pop(), ()):
                if f.dst not in seen:
                    seen.add(f.dst)
                    todo.append(f.dst)
        return frozenset(seen)

    @lru_cache(maxsize=None)
    def owners(self, node: str) -> frozenset[str]:
        """The node and every owner up its ownership chains on any day: the organizations graph.ownership's
        walk can reach (at most MAX_OWNERSHIP_DEPTH edges up)."""
        seen, layer = {node}, [node]
        for _ in range(MAX_OWNERSHIP_DEPTH):
            layer = [up for x in layer for _, up, _ in self.ownership.edges_up(x) if up not in seen]
            seen.update(layer)
        return frozenset(seen)

    @lru_cache(maxsize=None)
    def family(self, root: str) -> frozenset[str]:
        """A family's root and members on any day, with their ancestors (a member's root is found through them)."""
        members = {root} | {m for _, _, m in self.families.member_pieces(root)}
        return frozenset(a for m in members for a in self.ancestors(m))

    @lru_cache(maxsize=None)
    def bits(self, node: str) -> int:
        nodes: set[str] = {node} | {p.src for p in self.facts.positions_at.get(node, ())}
        for up in self.ancestors(node) | self.owners(node):
            nodes |= self.ancestors(up)
            for _, _, root in self.families.root_pieces(up):
                nodes |= self.family(root)
        mask = 0
        for n in nodes:
            mask |= 1 << bucket(n)
        return mask

    def footprint(self, touched: Iterable[str]) -> int:
        mask = 0
        for node in touched:
            mask |= self.bits(node)
        return mask
