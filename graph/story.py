"""The story picture: only the chains of an organization's chosen indirect links, every edge captioned.

What it draws comes from the derived Exposure facts, through the stored query `indirect_links` (its
best chain per link: A, what A depends on, the holders) and the app query `family_paths` (how the last
holder belongs to the rival's family root, and any link of a chain the facts join through a family
rather than one relationship). The chain of the highlighted link is drawn bold; the other chosen links
are context, faded. Captions come from graph.wording ("49% stake · $14.3B", "data labeling",
"CEO 2016-2025"); nodes are named and coloured by role as in every other picture (graph.drawing).

`load_story` asks the graph; `build_graph` is the pure part (rows in, graph out); graph.story_svg
draws the result as a vector picture.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import networkx as nx

from graph import network, wording
from graph.db import Connection
from graph.explore import app_query, source_details, status_on
from graph.load_record import data_words, last_load
from graph.queries import get_query, run_query

MAX_STORY_LINKS = 5
QUERY_LIMIT = 50
# A holder joined to its rival's root only through the family, with no dated chain on the day
# (e.g. a stake counted as control): drawn as this untyped edge so the chain stays whole.
FAMILY_EDGE = "SAME_FAMILY"
FAMILY_CAPTION = "same corporate family"


@dataclass(frozen=True)
class Link:
    """One chosen link's best chain: node ids in the chain's order and the plain rows to draw it from."""

    rival_id: str
    rival: str
    kind: str
    score: float
    node_ids: tuple[str, ...]
    nodes: tuple[dict[str, Any], ...]
    relationships: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Story:
    """What the story picture shows: the graph (node attribute `best`, `layer`, edge `caption`, `best`)
    and the words around it."""

    org_id: str
    org_name: str
    as_of: str
    title: str
    subtitle: str
    highlighted: str | None  # the rival id of the bold chain
    links: tuple[Link, ...]
    graph: nx.MultiDiGraph
    sources: dict[str, dict[str, Any]]
    data: str = ""  # what the graph was loaded from and when (graph.load_record), under the sources


def story_title(org_name: str) -> str:
    return f"{org_name}: how rivals reach what it depends on"


def link_rows(conn: Connection, org_id: str, as_of: dt.date, limit: int = QUERY_LIMIT) -> list[dict[str, Any]]:
    """`indirect_links` of `org_id` on `as_of`, best first, with their best chains."""
    _, rows = run_query(conn, get_query("indirect_links"), {"org_id": org_id, "as_of": as_of, "limit": limit})
    return rows


def chosen_links(rows: Sequence[Mapping[str, Any]], rivals: Sequence[str] | None = None,
                 most: int = MAX_STORY_LINKS) -> list[Link]:
    """The links to draw, in the query's order: those of `rivals` when given, else the first `most`."""
    picked = [r for r in rows if rivals is None or str(r.get("rival_id")) in set(rivals)]
    return [_link(r) for r in (picked if rivals is not None else picked[:most])]


def _link(row: Mapping[str, Any]) -> Link:
    nodes = tuple(n for n in row.get("path_nodes") or [] if n)
    ids = tuple(dict.fromkeys(_node_id(n) for n in nodes))
    return Link(rival_id=str(row.get("rival_id") or ""), rival=str(row.get("rival") or row.get("rival_id") or ""),
                kind=str(row.get("kind") or ""), score=float(row.get("score") or 0.0), node_ids=ids, nodes=nodes,
                relationships=tuple(r for r in row.get("path_relationships") or [] if r))


def _node_id(node: Mapping[str, Any]) -> str:
    return str((node.get("properties") or {}).get("id") or node.get("element_id"))


def _is_org(node: Mapping[str, Any]) -> bool:
    return "Organization" in (node.get("labels") or [])


def family_pairs(links: Iterable[Link]) -> list[tuple[str, str]]:
    """The pairs of organizations a chain joins without one of its own relationships: two organizations
    next to each other in the chain with none between them (a vendor-side chain's vendor and its
    controller's member), and the last organization and the rival's root when they differ."""
    pairs: dict[tuple[str, str], None] = {}
    for link in links:
        joined = {frozenset((_endpoint(link, r["start"]), _endpoint(link, r["end"]))) for r in link.relationships}
        orgs = [_node_id(n) for n in link.nodes if _is_org(n)]
        steps = [(a, b) for a, b in zip(link.node_ids, link.node_ids[1:]) if a in orgs and b in orgs]
        if orgs and orgs[-1] != link.rival_id:
            steps.append((orgs[-1], link.rival_id))
        for a, b in steps:
            if a != b and frozenset((a, b)) not in joined:
                pairs.setdefault((a, b))
    return list(pairs)


def _endpoint(link: Link, element_id: str) -> str:
    for node in link.nodes:
        if node.get("element_id") == element_id:
            return _node_id(node)
    return element_id


def family_rows(conn: Connection, pairs: Sequence[tuple[str, str]], as_of: dt.date) -> list[dict[str, Any]]:
    """`family_paths` for the pairs (ids holding ';' or '>' cannot be asked and are left out)."""
    wanted = [f"{a}>{b}" for a, b in pairs if not any(c in a + b for c in ";>")]
    if not wanted:
        return []
    _, rows = run_query(conn, app_query("family_paths"), {"pairs": ";".join(wanted), "as_of": as_of})
    return rows


def build_graph(org_id: str, links: Sequence[Link], families: Sequence[Mapping[str, Any]],
                highlighted: str | None, as_of: dt.date | None = None) -> nx.MultiDiGraph:
    """The story's graph: the links' chains and family paths, each edge captioned and with its status on
    `as_of` (one marked ended whose end is later was in force then), the highlighted link's chain marked
    `best`, and each node's `layer` (steps from the organization, for the layout)."""
    by_pair = {(str(f["from_id"]), str(f["to_id"])): f for f in families}
    rows: list[dict[str, Any]] = []
    best_nodes: set[str] = set()
    best_edges: set[str] = set()
    missing: list[tuple[str, str, bool]] = []  # family pairs without a dated chain, and whether best
    for link in links:
        found = by_pair.keys() & set(family_pairs([link]))
        parts = [{"nodes": list(link.nodes), "relationships": list(link.relationships)}]
        for pair in sorted(found):
            family = by_pair[pair]
            parts.append({"from": family.get("from_node"), "to": family.get("to_node"), "path": family.get("path")})
            if not family.get("path"):
                missing.append((*pair, link.rival_id == highlighted))
        rows.extend(parts)
        if link.rival_id == highlighted:
            best_nodes |= {_node_id(n) for part in parts for n in _plain_nodes(part)}
            best_edges |= {_rel_key(r) for part in parts for r in _plain_relationships(part)}
    graph = network.graph_from_rows(rows)
    props = {_rel_key(r): r.get("properties") or {} for row in rows for r in _plain_relationships(row)}
    for u, v, key, data in graph.edges(keys=True, data=True):
        data["caption"] = wording.caption(data.get("type") or "", props.get(key, {}))
        data["best"] = key in best_edges
        if as_of is not None:
            data["status"] = status_on(data, as_of) or data.get("status")
    for a, b, best in missing:
        if a in graph and b in graph:
            key = f"{FAMILY_EDGE}|{a}|{b}"
            graph.add_edge(a, b, key=key, type=FAMILY_EDGE, status="active", since=None, until=None, detail="",
                           sources=[], confidence=None, caption=FAMILY_CAPTION, best=best)
    layers = (nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), org_id)
              if org_id in graph else {})
    far = max(layers.values(), default=0) + 1
    for node, data in graph.nodes(data=True):
        data["best"] = node in best_nodes or highlighted is None
        data["layer"] = layers.get(node, far)
        data["focus"] = node == org_id
    return graph


def _plain_nodes(part: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = list(part.get("nodes") or [])
    path = part.get("path") or {}
    found += list(path.get("nodes") or [])
    found += [n for n in (part.get("from"), part.get("to")) if n]
    return found


def _plain_relationships(part: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(part.get("relationships") or []) + list((part.get("path") or {}).get("relationships") or [])


def _rel_key(rel: Mapping[str, Any]) -> str:
    """The key graph.network gives the relationship's edge."""
    return str((rel.get("properties") or {}).get("id") or rel.get("element_id"))


def subtitle(as_of: str, links: Sequence[Link], highlighted: str | None) -> str:
    """"as of 2025-06-15 · 4 links · bold: the chain to Microsoft (control)"."""
    count = f"{len(links)} link{'s' if len(links) != 1 else ''}"
    best = next((l for l in links if l.rival_id == highlighted), None)
    shown = f" · bold: the chain to {best.rival} ({best.kind}), the others faded" if best else ""
    return f"as of {as_of} · {count}{shown}"


def load_story(conn: Connection, org_id: str, org_name: str, as_of: dt.date, rivals: Sequence[str] | None = None,
               highlight: str | None = None) -> Story:
    """The story of `org_id` on `as_of`: the links to `rivals` (default the best MAX_STORY_LINKS), the
    chain of `highlight` (default the best link) bold."""
    links = chosen_links(link_rows(conn, org_id, as_of), rivals)
    highlighted = highlight if any(l.rival_id == highlight for l in links) else (links[0].rival_id if links else None)
    graph = build_graph(org_id, links, family_rows(conn, family_pairs(links), as_of), highlighted, as_of)
    day = as_of.isoformat()
    return Story(org_id=org_id, org_name=org_name, as_of=day, title=story_title(org_name),
                 subtitle=subtitle(day, links, highlighted), highlighted=highlighted, links=tuple(links), graph=graph,
                 sources=source_details(conn, network.sources_of(graph)), data=data_words(last_load(conn)))
