"""Briefing-grade finishing of a picture's vis-network data (graph.drawing calls it): edge captions, a
hub's leaves as groups that open on a click (graph.hubs), and node labels that never overlap
(graph.labels), the most connected nodes labelled first."""

from __future__ import annotations

import math
from typing import Any, Callable, Hashable, Mapping, Sequence

import networkx as nx

from graph import captions as edge_captions, hubs, labels, layout

GROUP_BORDER = [5, 3]
EDGE_FONT = {"size": 11, "align": "top", "color": "#343a40", "strokeWidth": 3, "strokeColor": "#ffffff",
             "face": "DejaVu Sans, Arial, sans-serif"}
VisData = Callable[..., tuple[list[dict], list[dict], dict]]


def add_captions(edges: list[dict[str, Any]], graph: nx.MultiDiGraph, options: dict[str, Any]) -> None:
    """Each edge's caption as its label (graph.captions), in a small font that sits above the line."""
    data = {f"{u}|{key}|{v}": d for u, v, key, d in graph.edges(keys=True, data=True)}
    for edge in edges:
        if data.get(edge["id"], {}).get("group_size"):
            continue  # a group's node says what its relationships are
        text = edge_captions.caption(data.get(edge["id"], {}))
        if text:
            edge["label"] = text
    options["edges"]["font"] = dict(EDGE_FONT)


def group_members(nodes: list[dict[str, Any]], shown: nx.MultiDiGraph, groups: Sequence[hubs.Group],
                  vis_data: VisData) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Styles each group's node, and returns its members and their relationships, placed around it:
    group id -> {"nodes": [...], "edges": [...]}, added to the picture when the group opens."""
    at = {n["id"]: n for n in nodes}
    members: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for group in groups:
        node = at[group.id]
        node.update(size=round(min(60.0, 12.0 + 3.0 * math.sqrt(len(group.members))), 1), borderWidth=2,
                    shapeProperties={"borderDashes": GROUP_BORDER}, sgGroupSize=len(group.members),
                    title=_group_tooltip(shown, group))
        part = shown.subgraph([group.hub, *group.members])
        pos = {m: _around(node, i) for i, m in enumerate(sorted(group.members, key=str))}
        pos[group.hub] = (at[str(group.hub)]["x"], at[str(group.hub)]["y"])
        member_nodes, member_edges, _ = vis_data(part, None, pos)
        members[group.id] = {"nodes": [{**m, "sgGroup": group.id} for m in member_nodes if m["id"] != str(group.hub)],
                             "edges": [{**e, "sgGroup": group.id} for e in member_edges]}
    return members


def _around(node: Mapping[str, Any], index: int) -> tuple[float, float]:
    """The index-th place of a sunflower spiral around a group's node."""
    radius = layout.SPACING * 0.5 * math.sqrt(index + 1)
    angle = index * layout.GOLDEN_ANGLE
    return (round(node["x"] + radius * math.cos(angle), 1), round(node["y"] + radius * math.sin(angle), 1))


def _group_tooltip(shown: nx.MultiDiGraph, group: hubs.Group, listed: int = 30) -> str:
    names = sorted(str(shown.nodes[m].get("name") or m) for m in group.members)
    more = f"\n... and {len(names) - listed} more" if len(names) > listed else ""
    return f"{shown.nodes[group.hub].get('name') or group.hub} {group.words}\nclick to show them\n" + \
        "\n".join(names[:listed]) + more


def place_labels(nodes: list[dict[str, Any]], drawn: nx.MultiDiGraph, focus_id: Hashable | None,
                 edges: list[dict[str, Any]] | None = None) -> None:
    """Shows the labels and edge captions that fit, none overlapping another (graph.labels): the focus's
    label, then the focus's captions that say a share or an amount ("49% stake"), then the labels of
    groups and of the most connected nodes, then the other captions (the focus's first, then those
    between the most connected nodes). A label left out keeps its name in the tooltip (and as `sgName`
    for the click); a caption is shortened to its first part or left out, and said in full in its
    edge's tooltip."""
    visible = [n for n in nodes if not n.get("hidden")]
    degree = {str(n): len(set(drawn.successors(n)) | set(drawn.predecessors(n))) for n in drawn.nodes}
    grouped = {n["id"] for n in visible if "sgGroupSize" in n}
    focus = str(focus_id) if focus_id is not None else None
    order = sorted((n["id"] for n in visible),
                   key=lambda i: (i != focus, i not in grouped, -degree.get(i, 0), i))
    ranked = sorted((_caption_rank(e, focus, degree) for e in edges or [] if e.get("label")))
    key = [rank[-1] for rank in ranked if rank[:2] == (False, False)]  # the focus's shares and amounts
    rest = [rank[-1] for rank in ranked if rank[:2] != (False, False)]
    grid = labels.Grid()
    first = order[:1] if order and order[0] == focus else []
    shown = labels.place(visible, first, grid)
    changed = labels.place_captions(visible, edges or [], key, grid)
    shown |= labels.place(visible, order[len(first):], grid)
    changed.update(labels.place_captions(visible, edges or [], rest, grid))
    for node in visible:
        if node["id"] not in shown and node.get("label"):
            node["sgName"] = node["label"]
            node["label"] = ""
    by_id = {str(e["id"]): e for e in edges or []}
    for edge_id, caption in changed.items():
        edge = by_id[edge_id]
        edge["title"] = f"{edge.get('title') or ''}\ncaption: {caption}".lstrip("\n")


MONEY_MARKS = ("$", "€", "£", "EUR ", "GBP ")


def _caption_rank(edge: Mapping[str, Any], focus: str | None, degree: Mapping[str, int]) -> tuple:
    """Which captions go first: the focus's, those with a share, then an amount, then between the most
    connected nodes."""
    ends, text = (str(edge["from"]), str(edge["to"])), str(edge["label"])
    says_share_or_amount = "%" in text or any(mark in text for mark in MONEY_MARKS)
    return (focus not in ends, not says_share_or_amount, "%" not in text, -sum(degree.get(e, 0) for e in ends),
            str(edge["id"]))
