"""A networkx graph (from graph.network) drawn as one self-contained HTML page, by vis-network.

`render_html` returns a page, rendered from `graph/templates/network.html.j2`, that:
- needs no network: vis-network's script and style (the files the pinned pyvis ships) are inlined;
- draws at once: positions are precomputed (graph.layout) and physics is off;
- is safe with hostile names: the template autoescapes the title, legend and footnote, the data goes
  in with Jinja's `tojson` (which escapes `<`, `>` and `&`), and tooltips are plain text (vis-network
  9.1.2 sets a string title with `innerText`; nothing here sets HTML);
- is deterministic: nodes and edges sorted, seeded layout, no random ids, so the same graph gives
  byte-identical HTML (and, through graph.snapshot, identical PNGs).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections import defaultdict
from html.parser import HTMLParser
from importlib import resources
from typing import Any, Hashable, Mapping

import jinja2
import networkx as nx
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from graph import hubs, layout, network, readable
from graph.model import POSITION_TYPE, ROLE_LABELS

DEFAULT_MAX_NODES = 1500
CAPTION_MAX_NODES = 1000  # past this, edge captions are unreadable and slow to draw: left out

# Role -> (legend name, fill colour, vis-network shape). An organization with several roles is drawn
# as its first role in ROLES order (graph.network.role_of): lab > vendor > investor > government >
# customer. A facility (a data center, GPU cluster, fab) is drawn as a cylinder.
ROLE_STYLES: dict[str, tuple[str, str, str]] = {
    "Lab": ("Lab", "#4263eb", "dot"),
    "Vendor": ("Vendor", "#f08c00", "square"),
    "Investor": ("Investor", "#2f9e44", "diamond"),
    "Government": ("Government", "#c92a2a", "triangle"),
    "Customer": ("Customer", "#d6336c", "star"),
    "Facility": ("Facility", "#0b7285", "database"),
    "Person": ("Person", "#ae3ec9", "hexagon"),
    "Organization": ("Other organization", "#868e96", "dot"),
    "Source": ("Source", "#adb5bd", "box"),
    "Other": ("Other", "#adb5bd", "dot"),
}
ROLE_ORDER = tuple(ROLE_STYLES)
EDGE_COLOURS: dict[str, str] = {
    "INVESTED_IN": "#2f9e44",
    "SUPPLIES": "#f08c00",
    "PARTNERS_WITH": "#1c7ed6",
    "COMPETES_WITH": "#e03131",
    "SUBSIDIARY_OF": "#495057",
    "ACQUIRED_BY": "#212529",
    "REVIEWS": "#c92a2a",
    "OWNS": "#5c940d",
    "OPERATES": "#0b7285",
    "USES": "#d6336c",
    "BUILDS": "#e67700",
    POSITION_TYPE: "#ae3ec9",
}
OTHER_EDGE_COLOUR = "#868e96"
ENDED_COLOUR = "#909296"
LEGEND_STATUS_COLOUR = "#343a40"
# Status -> (vis-network dashes, opacity, legend text). Active is solid; the others dashed and lighter;
# ended is grey as well, so it stands apart from everything still in force.
STATUS_STYLES: dict[str, tuple[Any, float, str]] = {
    "active": (False, 1.0, "active"),
    "announced": ([10, 6], 0.6, "announced"),
    "reported": ([10, 6], 0.6, "reported (unconfirmed)"),
    "paused": ([2, 5], 0.6, "paused"),
    "ended": ([6, 6], 0.8, "ended"),
    "unknown": ([10, 6], 0.6, "status unknown"),
}
# A diff between two dates (graph.diff): change -> (colour, dashes, opacity, width). Started stands out in
# green, ended is grey and dashed, unchanged fades into the background.
CHANGE_STYLES: dict[str, tuple[str | None, Any, float, float]] = {
    "started": ("#2f9e44", False, 1.0, 4.0),
    "ended": (ENDED_COLOUR, [6, 6], 0.9, 2.5),
    "came and went": (ENDED_COLOUR, [2, 5], 0.9, 2.5),
    "unchanged": (None, False, 0.25, 2.0),  # None: the type's colour
}
FADED_NODE_OPACITY = 0.35
SYMMETRIC_TYPES = frozenset({"COMPETES_WITH"})
MAX_LABEL = 40
MAX_FOOTNOTE_SOURCES = 40
# vis-network as the pinned pyvis ships it (the version pyvis's own pages used).
VIS_FILES = {"utils_js": "lib/bindings/utils.js", "vis_css": "lib/vis-9.1.2/vis-network.css",
             "vis_js": "lib/vis-9.1.2/vis-network.min.js"}
REMOTE_URL = re.compile(r"\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def cap_graph(graph: nx.MultiDiGraph, max_nodes: int, focus_id: Hashable | None = None) -> nx.MultiDiGraph:
    """At most max_nodes nodes: those nearest the focus (if any), then the best connected, by id."""
    if graph.number_of_nodes() <= max_nodes:
        return graph
    degree = dict(graph.degree())
    distance: dict[Hashable, int] = {}
    if focus_id is not None and focus_id in graph:
        distance = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), focus_id)
    far = len(graph) + 1
    ranked = sorted(graph.nodes, key=lambda n: (distance.get(n, far), -degree[n], str(n)))
    return graph.subgraph(ranked[:max_nodes]).copy()


def cap_note(graph: nx.MultiDiGraph, shown: nx.MultiDiGraph) -> str | None:
    """"showing N of M nodes ..." when `shown` is a capped part of `graph`, else None."""
    if shown.number_of_nodes() >= graph.number_of_nodes():
        return None
    return (f"showing {shown.number_of_nodes():,} of {graph.number_of_nodes():,} nodes "
            f"({shown.number_of_edges():,} of {graph.number_of_edges():,} relationships): "
            "those nearest the focus, then the best connected")


def render_html(graph: nx.MultiDiGraph, title: str, as_of: dt.date | str | None, focus_id: Hashable | None = None,
                sources: Mapping[str, Mapping[str, Any]] | None = None, max_nodes: int = DEFAULT_MAX_NODES,
                note: str | None = None, captions: bool = False, group_hubs: bool = False) -> str:
    """A self-contained HTML page drawing `graph` (see the module docstring).

    Args:
        graph: from graph.network.graph_from_rows.
        title: shown at the top.
        as_of: the date the picture describes, shown under the title.
        focus_id: the node drawn larger, with a thick border; kept first when capping.
        sources: source id -> {publisher, title, date, url}, for the sources footnote; ids not in it
            are listed by id alone.
        max_nodes: draw at most this many nodes (nearest the focus first), and say so.
        note: an extra line under the title, e.g. "showing 300 of 420 relationships".
        captions: each relationship captioned with why it matters (graph.captions).
        group_hubs: a hub's leaves drawn as groups that open on a click (graph.hubs).
    Labels never overlap (graph.readable); a click focuses the view on a node.
    """
    shown = cap_graph(graph, max_nodes, focus_id)
    notes = [n for n in (note, cap_note(graph, shown)) if n]
    groups = hubs.find_groups(shown, focus_id) if group_hubs else []
    drawn = hubs.grouped(shown, groups) if groups else shown
    nodes, edges, options = _vis_data(drawn, focus_id)
    if captions and drawn.number_of_nodes() <= CAPTION_MAX_NODES:
        readable.add_captions(edges, drawn, options)
    # A group's members wait outside vis-network's data until the group opens (behaviour.js).
    members = readable.group_members(nodes, shown, groups, _vis_data)
    readable.place_labels(nodes, drawn, focus_id, edges)
    as_of_text = as_of.isoformat() if isinstance(as_of, dt.date) else (str(as_of) if as_of else "")
    counts = f"{shown.number_of_nodes():,} nodes · {shown.number_of_edges():,} relationships"
    page = _template().render(
        title=title, top=58 + 17 * len(notes), assets=_assets(), nodes=nodes, edges=edges, options=options,
        members=members,
        counts=f"as of {as_of_text} · {counts}" if as_of_text else counts, notes=notes, legend=_legend(shown),
        sources=_footnote(shown, sources or {}), empty=shown.number_of_nodes() == 0,
    )
    remote = remote_references(page)
    if remote:  # a vis-network file with remote tags: refuse rather than reach out
        raise AssertionError(f"the network page still refers to remote resources: {remote[:3]}")
    return page


@functools.lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("graph", "templates"), autoescape=True)
    # The options keep their order as written here (tojson sorts keys), so pages stay as they were.
    env.filters["json_in_order"] = functools.partial(htmlsafe_json_dumps, dumps=json.dumps)
    return env.get_template("network.html.j2")


@functools.lru_cache(maxsize=1)
def _assets() -> dict[str, Markup]:
    """vis-network's script and style, read once; Markup: they are code to inline, not text to escape."""
    folder = resources.files("pyvis") / "templates"
    assets = {key: Markup(folder.joinpath(path).read_text(encoding="utf-8")) for key, path in VIS_FILES.items()}
    behaviour = resources.files("graph") / "templates" / "behaviour.js"
    return {**assets, "behaviour_js": Markup(behaviour.read_text(encoding="utf-8"))}


def _vis_data(graph: nx.MultiDiGraph, focus_id: Hashable | None,
              pos: Mapping[Hashable, tuple[float, float]] | None = None) -> tuple[list[dict], list[dict], dict]:
    """vis-network's nodes, edges and options for the graph: only what differs from the options' defaults,
    so the page's data stays small at 5,000 nodes. Positions from graph.layout unless given."""
    pos = pos if pos is not None else layout.positions(graph)
    # Distinct neighbours, whatever the direction or number of relationships between two nodes.
    degree = {n: len(set(graph.successors(n)) | set(graph.predecessors(n))) for n in graph.nodes}
    big = graph.number_of_nodes() > 1000
    faded = _faded_nodes(graph, focus_id)
    nodes: list[dict[str, Any]] = []
    for node in sorted(graph.nodes, key=str):
        data = graph.nodes[node]
        role = data.get("role") or "Other"
        _, colour, shape = ROLE_STYLES.get(role, ROLE_STYLES["Other"])
        is_focus = focus_id is not None and node == focus_id
        size = min(60.0, 9.0 + 5.0 * math.sqrt(degree.get(node, 0))) + (8.0 if is_focus else 0.0)
        label = data.get("name") or str(node)
        options: dict[str, Any] = {
            "id": str(node),
            "label": label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…",
            "title": _node_tooltip(node, data, degree.get(node, 0)),
            "shape": shape,
            "size": round(size, 1),
            "color": colour,
            "x": pos[node][0],
            "y": pos[node][1],
        }
        if node in faded:
            options["opacity"] = FADED_NODE_OPACITY
        if is_focus:
            options.update(color={"background": colour, "border": "#212529",
                                  "highlight": {"background": colour, "border": "#000000"}},
                           borderWidth=4, font={"size": 18, "bold": True})
        if shape == "box":
            options["font"] = {"color": "#212529"}
        nodes.append(options)
    edges: list[dict[str, Any]] = []
    parallel: dict[tuple[str, str], int] = defaultdict(int)
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2]))):
        status = data.get("status") or "active"
        dashes, opacity, _ = STATUS_STYLES.get(status, STATUS_STYLES["reported"])
        rel_type = data.get("type") or ""
        colour = ENDED_COLOUR if status == "ended" else EDGE_COLOURS.get(rel_type, OTHER_EDGE_COLOUR)
        pair = tuple(sorted((str(u), str(v))))
        index = parallel[pair]
        parallel[pair] += 1
        edge: dict[str, Any] = {
            "id": f"{u}|{key}|{v}",
            "from": str(u),
            "to": str(v),
            "title": _edge_tooltip(graph, u, v, data),
            "color": {"color": colour, "opacity": opacity},
        }
        if dashes:
            edge.update(dashes=dashes, width=1.5)
        if data.get("change") in CHANGE_STYLES:
            _style_change(edge, data["change"], colour)
        if rel_type in SYMMETRIC_TYPES:
            edge["arrows"] = ""
        if index:  # parallel relationships between one pair: curve them apart
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if index % 2 else "curvedCCW",
                              "roundness": round(0.15 * ((index + 1) // 2), 2)}
        edges.append(edge)
    options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "edges": {"smooth": False, "width": 2.5, "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                  "color": {"inherit": False}},
        "nodes": {"borderWidth": 1, "font": {"size": 13, "face": "DejaVu Sans, Arial, sans-serif", "strokeWidth": 3,
                                             "strokeColor": "#ffffff"}},
        "interaction": {"hover": not big, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False},
    }
    return nodes, edges, options


def _faded_nodes(graph: nx.MultiDiGraph, focus_id: Hashable | None) -> set[Hashable]:
    """In a diff, the nodes (but the focus) whose every relationship is unchanged: drawn faded."""
    changes: dict[Hashable, set[str]] = defaultdict(set)
    for u, v, data in graph.edges(data=True):
        if data.get("change"):
            changes[u].add(data["change"])
            changes[v].add(data["change"])
    return {n for n, seen in changes.items() if seen == {"unchanged"} and n != focus_id}


def _style_change(edge: dict[str, Any], change: str, type_colour: str) -> None:
    colour, dashes, opacity, width = CHANGE_STYLES[change]
    edge["color"] = {"color": colour or type_colour, "opacity": opacity}
    edge["width"] = width
    if dashes:
        edge["dashes"] = dashes
    else:
        edge.pop("dashes", None)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.remote: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster") and value and REMOTE_URL.match(value):
                self.remote.append(f"<{tag} {name}={value}>")


def remote_references(page: str) -> list[str]:
    """Attributes of the page's tags that would load something from another host (none should)."""
    parser = _References()
    parser.feed(page)
    parser.close()
    return parser.remote


def _node_tooltip(node: Hashable, data: Mapping[str, Any], degree: int) -> str:
    lines = [str(data.get("name") or node)]
    roles = [label for label in data.get("labels") or [] if label in ROLE_LABELS.values()]
    kind = ", ".join(roles) if roles else (data.get("role") or "")
    lines.append(f"{kind} · id {node}" if kind else f"id {node}")
    if data.get("description"):
        lines.append(str(data["description"]))
    lines.append(f"{degree} connection{'s' if degree != 1 else ''} in this view")
    return "\n".join(lines)


def _edge_tooltip(graph: nx.MultiDiGraph, u: Hashable, v: Hashable, data: Mapping[str, Any]) -> str:
    source_name = graph.nodes[u].get("name") or u
    target_name = graph.nodes[v].get("name") or v
    rel_type = data.get("type") or "RELATED"
    lines = [f"{source_name} {rel_type.replace('_', ' ').lower()} {target_name}"]
    if data.get("detail"):
        lines.append(f"detail: {data['detail']}")
    since, until = data.get("since"), data.get("until")
    if since or until:
        lines.append(f"from {since or '?'} to {until or 'now'}")
    status = data.get("status") or "active"
    confidence = f", confidence {data['confidence']}" if data.get("confidence") else ""
    lines.append(f"status: {status}{confidence}")
    if data.get("sources"):
        lines.append("sources: " + ", ".join(str(s) for s in data["sources"]))
    return "\n".join(lines)


def _legend(graph: nx.MultiDiGraph) -> dict[str, list[tuple]]:
    """What the legend lists: the roles, relationship types and statuses the picture shows."""
    roles = {data.get("role") or "Other" for _, data in graph.nodes(data=True)}
    types = {data.get("type") or "" for *_, data in graph.edges(data=True)}
    statuses = {data.get("status") or "active" for *_, data in graph.edges(data=True)}
    known = [t for t in EDGE_COLOURS if t in types] + sorted(t for t in types if t not in EDGE_COLOURS)
    shown_statuses: list[tuple] = []
    if statuses - {"active"}:
        shown_statuses = [(text, ENDED_COLOUR if status == "ended" else LEGEND_STATUS_COLOUR, dashes, opacity)
                          for status, (dashes, opacity, text) in STATUS_STYLES.items() if status in statuses]
        unknown_dashes, unknown_opacity, _ = STATUS_STYLES["reported"]
        shown_statuses += [(status, LEGEND_STATUS_COLOUR, unknown_dashes, unknown_opacity)
                           for status in sorted(s for s in statuses if s not in STATUS_STYLES)]
    changes = {data["change"] for *_, data in graph.edges(data=True) if data.get("change") in CHANGE_STYLES}
    status_head = "Status"
    if changes:  # a diff: its changes say more than the statuses
        status_head = "Change between the dates"
        shown_statuses = [(change, colour or LEGEND_STATUS_COLOUR, dashes, opacity)
                          for change, (colour, dashes, opacity, _) in CHANGE_STYLES.items() if change in changes]
    return {
        "status_head": status_head,
        "roles": [ROLE_STYLES[role] for role in ROLE_ORDER if role in roles],
        "types": [(rel_type or "(untyped)", EDGE_COLOURS.get(rel_type, OTHER_EDGE_COLOUR)) for rel_type in known],
        "statuses": shown_statuses,
    }


def _footnote(graph: nx.MultiDiGraph, sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The sources of what is shown, by publisher (publisher and date read best in a picture; the ids are
    in the tooltips and the details table); ids without details are listed by id."""
    ids = network.sources_of(graph)
    by_publisher: dict[str, list[str]] = defaultdict(list)
    for source_id in ids[:MAX_FOOTNOTE_SOURCES]:
        info = sources.get(source_id) or {}
        publisher = str(info.get("publisher") or "")
        by_publisher[publisher].append(str(info.get("date") or source_id) if publisher else source_id)
    groups = [(publisher, sorted(by_publisher[publisher]))
              for publisher in sorted(by_publisher, key=lambda p: (p == "", p.lower()))]
    return {"count": len(ids), "groups": groups, "more": len(ids) - MAX_FOOTNOTE_SOURCES}
