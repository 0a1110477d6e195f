"""The hub view: a node with many neighbours (a chip maker with 143) has its leaves, the neighbours joined
to nothing else in the view, grouped by relationship type, direction and role into one node that says
what they are ("supplies chips to 120 labs"). A group opens in the picture (graph/templates/behaviour.js):
its members are in the page, placed around it, and added to the picture when it opens.

Every step is ordered by id, so the same graph groups the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Hashable

import networkx as nx

from graph.wording import code_words

HUB_MIN = 25  # a node with at least this many distinct neighbours is a hub
GROUP_MIN = 5  # at least this many leaves of one kind make a group
GROUP_PREFIX = "group:"
PLURALS = {"Lab": "labs", "Vendor": "vendors", "Investor": "investors", "Government": "governments",
           "Customer": "customers", "Facility": "facilities", "Person": "people", "Organization": "organizations"}
# Relationship type -> (words when the hub is the source, words when the leaves are). {n} {what}: count, role.
WORDS: dict[str, tuple[str, str]] = {
    "SUPPLIES": ("supplies {detail}to {n} {what}", "supplied {detail}by {n} {what}"),
    "INVESTED_IN": ("invested in {n} {what}", "backed by {n} {what}"),
    "PARTNERS_WITH": ("partners with {n} {what}", "partners with {n} {what}"),
    "COMPETES_WITH": ("competes with {n} {what}", "competes with {n} {what}"),
    "SUBSIDIARY_OF": ("part of {n} {what}", "owns {n} {what}"),
    "ACQUIRED_BY": ("acquired by {n} {what}", "acquired {n} {what}"),
    "REVIEWS": ("reviews {n} {what}", "reviewed by {n} {what}"),
    "HOLDS_POSITION": ("holds positions at {n} {what}", "{n} {what} hold positions"),
    "OWNS": ("owns {n} {what}", "owned by {n} {what}"),
    "OPERATES": ("operates {n} {what}", "operated by {n} {what}"),
    "USES": ("uses {n} {what}", "used by {n} {what}"),
    "BUILDS": ("builds {n} {what}", "built by {n} {what}"),
}


@dataclass
class Group:
    """Leaves of one hub, one relationship type, one direction and one role."""

    id: str
    hub: Hashable
    type: str
    outgoing: bool  # the hub is the relationships' source
    role: str
    words: str
    members: list[Hashable] = field(default_factory=list)


def group_key(hub: Hashable, rel_type: str, outgoing: bool, role: str) -> str:
    return f"{GROUP_PREFIX}{hub}|{rel_type}|{'out' if outgoing else 'in'}|{role}"


def words(rel_type: str, outgoing: bool, role: str, count: int, detail: str = "") -> str:
    """"supplies chips to 120 labs", "backed by 12 investors"."""
    out, into = WORDS.get(rel_type, (f"{rel_type.replace('_', ' ').lower()} {{n}} {{what}}",) * 2)
    what = PLURALS.get(role, "others") if count != 1 else role.lower()
    return (out if outgoing else into).format(n=f"{count:,}", what=what,
                                              detail=f"{code_words(detail)} " if detail else "")


def find_groups(graph: nx.MultiDiGraph, keep: Hashable | None = None, hub_min: int = HUB_MIN,
                group_min: int = GROUP_MIN) -> list[Group]:
    """The groups of the graph's hubs; `keep` (the focus) is never grouped into another node."""
    neighbours = {n: set(graph.successors(n)) | set(graph.predecessors(n)) for n in graph.nodes}
    groups: list[Group] = []
    taken: set[Hashable] = set()
    hubs = sorted((n for n in graph.nodes if len(neighbours[n]) >= hub_min),
                  key=lambda n: (-len(neighbours[n]), str(n)))
    for hub in hubs:
        if hub in taken:
            continue
        kinds: dict[tuple[str, bool, str], list[Hashable]] = defaultdict(list)
        details: dict[tuple[str, bool, str], set[str]] = defaultdict(set)
        for leaf in sorted(neighbours[hub], key=str):
            if leaf == keep or leaf in taken or neighbours[leaf] != {hub} or leaf in hubs:
                continue
            edges = [(True, d) for d in graph.get_edge_data(hub, leaf, default={}).values()]
            edges += [(False, d) for d in graph.get_edge_data(leaf, hub, default={}).values()]
            kind = {(d.get("type") or "", outgoing) for outgoing, d in edges}
            if len(kind) != 1:
                continue  # joined in more than one way: drawn on its own
            rel_type, outgoing = kind.pop()
            key = (rel_type, outgoing, graph.nodes[leaf].get("role") or "Other")
            kinds[key].append(leaf)
            details[key].update(str(d.get("detail") or "") for _, d in edges)
        for (rel_type, outgoing, role), members in sorted(kinds.items()):
            if len(members) < group_min:
                continue
            detail = next(iter(details[(rel_type, outgoing, role)])) if len(details[(rel_type, outgoing, role)]) == 1 else ""
            groups.append(Group(group_key(hub, rel_type, outgoing, role), hub, rel_type, outgoing, role,
                                words(rel_type, outgoing, role, len(members), detail if rel_type == "SUPPLIES" else ""),
                                members))
            taken.update(members)
    return groups


def grouped(graph: nx.MultiDiGraph, groups: list[Group]) -> nx.MultiDiGraph:
    """The graph with each group's members replaced by one node and one relationship to its hub."""
    out = graph.copy()
    for group in groups:
        out.remove_nodes_from(group.members)
        out.add_node(group.id, name=group.words, labels=[], role=group.role, description=None,
                     group_size=len(group.members))
        ends = (group.hub, group.id) if group.outgoing else (group.id, group.hub)
        sources = sorted({str(s) for m in group.members for d in _edges(graph, group.hub, m) for s in d.get("sources") or []})
        statuses = {d.get("status") or "active" for m in group.members for d in _edges(graph, group.hub, m)}
        out.add_edge(*ends, key=group.id, type=group.type, status=statuses.pop() if len(statuses) == 1 else "active",
                     since=None, until=None, detail="",
                     sources=sources, confidence=None, group_size=len(group.members))
    return out


def _edges(graph: nx.MultiDiGraph, a: Hashable, b: Hashable) -> list[dict[str, Any]]:
    return [*graph.get_edge_data(a, b, default={}).values(), *graph.get_edge_data(b, a, default={}).values()]
