"""The network picture: rows of a query become a networkx graph, then a self-contained HTML page.

`graph_from_rows` reads neighbourhood-style rows (from_id, to_id, type, status, ...) and rows that hold
plain nodes, relationships or paths (dicts from `graph.output.plain`), so the network view, the query
gallery and the Cypher console draw the same way.

`render_html` draws with pyvis (vis-network) and returns one HTML string that:
- needs no network: vis-network is inlined and pyvis's CDN links (bootstrap) are removed;
- draws at once: positions are precomputed (graph.layout) and physics is off;
- is safe with hostile names: tooltips are plain text (vis-network 9.1.2 sets a string title with
  `innerText`), the header, legend and footnote are escaped, and the data is embedded with Jinja's
  `tojson`, which escapes `<`, `>` and `&`;
- is deterministic: nodes and edges sorted, seeded layout, no random ids, so the same rows give
  byte-identical HTML (and, through graph.snapshot, identical PNGs).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Hashable, Iterable, Mapping, Sequence

import jinja2
import networkx as nx
import pyvis.network
from pyvis.network import Network

from graph import layout
from graph.model import POSITION_TYPE, ROLE_LABELS, ROLES

DEFAULT_MAX_NODES = 1500

# Role -> (legend name, fill colour, vis-network shape). An organization with several roles is drawn
# as its first role in ROLES order: lab > vendor > investor > government.
ROLE_STYLES: dict[str, tuple[str, str, str]] = {
    "Lab": ("Lab", "#4263eb", "dot"),
    "Vendor": ("Vendor", "#f08c00", "square"),
    "Investor": ("Investor", "#2f9e44", "diamond"),
    "Government": ("Government", "#c92a2a", "triangle"),
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
    POSITION_TYPE: "#ae3ec9",
}
OTHER_EDGE_COLOUR = "#868e96"
ENDED_COLOUR = "#909296"
# Status -> (vis-network dashes, opacity, legend text). Active is solid; the others dashed and lighter;
# ended is grey as well, so it stands apart from everything still in force.
STATUS_STYLES: dict[str, tuple[Any, float, str]] = {
    "active": (False, 1.0, "active"),
    "announced": ([10, 6], 0.6, "announced"),
    "reported": ([10, 6], 0.6, "reported (unconfirmed)"),
    "paused": ([2, 5], 0.6, "paused"),
    "ended": ([6, 6], 0.8, "ended"),
}
SYMMETRIC_TYPES = frozenset({"COMPETES_WITH"})
MAX_LABEL = 40
MAX_FOOTNOTE_SOURCES = 40
# Remote <script src> and <link href> that pyvis's template adds (bootstrap from a CDN).
REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*</script>", re.I)
REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", re.I)
EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*", re.I)
REMOTE_URL = re.compile(r"\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)


# ---------------------------------------------------------------------------------------------------
# Rows -> graph


def role_of(labels: Iterable[str]) -> str:
    """The role a node is drawn as: lab > vendor > investor > government, then Person, Source."""
    labels = set(labels or ())
    for role in ROLES:
        if ROLE_LABELS[role] in labels:
            return ROLE_LABELS[role]
    for label in ("Person", "Organization", "Source"):
        if label in labels:
            return label
    return "Other"


def graph_from_rows(rows: Iterable[Mapping[str, Any]]) -> nx.MultiDiGraph:
    """A graph of the nodes and relationships that rows describe.

    A row with `from_id` and `to_id` is one relationship (the neighbourhood query's shape). Any other
    value, at any depth in lists and maps, that is a plain node, relationship or path is added too.
    Nodes are keyed by their `id` property when they have one, else by element id; relationships by
    their `id` property or element id, so one seen twice is drawn once.
    """
    graph = nx.MultiDiGraph()
    nodes: dict[str, dict[str, Any]] = {}  # element id -> node dict
    relationships: list[dict[str, Any]] = []
    for row in rows:
        if "from_id" in row and "to_id" in row and row.get("from_id") is not None and row.get("to_id") is not None:
            _add_fact_row(graph, row)
            continue
        for value in row.values():
            _collect(value, nodes, relationships)
    keys = {element_id: _node_key(node) for element_id, node in nodes.items()}
    for element_id, node in nodes.items():
        props = node.get("properties") or {}
        _add_node(graph, keys[element_id], props.get("name") or props.get("title") or props.get("id"),
                  node.get("labels") or [], props)
    for rel in relationships:
        start, end = rel.get("start"), rel.get("end")
        for element_id in (start, end):
            if element_id not in keys:
                keys[element_id] = element_id
                _add_node(graph, element_id, None, [], {})
        props = rel.get("properties") or {}
        key = str(props.get("id") or rel.get("element_id"))
        if graph.has_edge(keys[start], keys[end], key):
            continue
        graph.add_edge(keys[start], keys[end], key=key, type=rel.get("type") or "", status=props.get("status"),
                       since=props.get("since_text") or _text(props.get("since")),
                       until=props.get("until_text") or _text(props.get("until")),
                       detail=_detail(props), sources=list(props.get("sources") or []),
                       confidence=props.get("confidence"))
    return graph


def _add_fact_row(graph: nx.MultiDiGraph, row: Mapping[str, Any]) -> None:
    from_id, to_id = str(row["from_id"]), str(row["to_id"])
    _add_node(graph, from_id, row.get("from_name"), row.get("from_labels") or [], {})
    _add_node(graph, to_id, row.get("to_name"), row.get("to_labels") or [], {})
    key = str(row.get("rel_id") or f"{from_id}|{row.get('type')}|{to_id}|{row.get('since')}")
    if graph.has_edge(from_id, to_id, key):
        return
    sources = row.get("sources") or []
    graph.add_edge(from_id, to_id, key=key, type=row.get("type") or "", status=row.get("status"),
                   since=row.get("since"), until=row.get("until"), detail=row.get("detail") or "",
                   sources=list(sources) if isinstance(sources, (list, tuple)) else [str(sources)],
                   confidence=row.get("confidence"))


def _add_node(graph: nx.MultiDiGraph, key: str, name: Any, labels: Sequence[str], props: Mapping[str, Any]) -> None:
    if key in graph and graph.nodes[key].get("name") and not name:
        return  # already known with a name; a bare mention adds nothing
    graph.add_node(key, name=str(name) if name not in (None, "") else str(key), labels=sorted(labels),
                   role=role_of(labels), description=props.get("description") if props else None)


def _collect(value: Any, nodes: dict[str, dict[str, Any]], relationships: list[dict[str, Any]]) -> None:
    if isinstance(value, dict):
        if "element_id" in value and "labels" in value:
            nodes.setdefault(value["element_id"], value)
        elif "element_id" in value and "start" in value and "end" in value:
            relationships.append(value)
        elif "nodes" in value and "relationships" in value:
            for part in (*value["nodes"], *value["relationships"]):
                _collect(part, nodes, relationships)
        else:
            for inner in value.values():
                _collect(inner, nodes, relationships)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            _collect(inner, nodes, relationships)


def _node_key(node: Mapping[str, Any]) -> str:
    props = node.get("properties") or {}
    return str(props.get("id") or node.get("element_id"))


def _detail(props: Mapping[str, Any]) -> str:
    for name in ("service", "title", "kind", "round"):
        if props.get(name):
            return str(props[name])
    return ""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------------------------------------------
# Graph -> HTML


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
                note: str | None = None) -> str:
    """A self-contained HTML page drawing `graph` (see the module docstring).

    Args:
        graph: from graph_from_rows.
        title: shown at the top.
        as_of: the date the picture describes, shown under the title.
        focus_id: the node drawn larger, with a thick border; kept first when capping.
        sources: source id -> {publisher, title, date, url}, for the sources footnote; ids not in it
            are listed by id alone.
        max_nodes: draw at most this many nodes (nearest the focus first), and say so.
        note: an extra line under the title, e.g. "showing 300 of 420 relationships".
    """
    shown = cap_graph(graph, max_nodes, focus_id)
    notes = [n for n in (note, cap_note(graph, shown)) if n]
    net = _network(shown, focus_id)
    page = _pyvis_html(net)
    overlay = _overlay(shown, title, as_of, sources or {}, notes)
    page = page.replace("</body>", overlay + "\n</body>", 1)
    sizes = f":root {{ --sg-top: {58 + 17 * len(notes)}px; --sg-bottom: 86px; --sg-right: 205px; }}"
    page = page.replace("<head>", "<head>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                        f"<title>{html.escape(title)}</title>\n<style>{sizes}{_CSS}</style>", 1)
    remote = remote_references(page)
    if remote:  # a pyvis template with other remote tags: refuse rather than reach out
        raise AssertionError(f"the network page still refers to remote resources: {remote[:3]}")
    return page


def _network(graph: nx.MultiDiGraph, focus_id: Hashable | None) -> Network:
    pos = layout.positions(graph)
    # Distinct neighbours, whatever the direction or number of relationships between two nodes.
    degree = {n: len(set(graph.successors(n)) | set(graph.predecessors(n))) for n in graph.nodes}
    big = graph.number_of_nodes() > 1000
    net = Network(height="100vh", width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    # Filled directly (pyvis's add_node/add_edge check membership in lists: quadratic at 5,000 nodes).
    for node in sorted(graph.nodes, key=str):
        data = graph.nodes[node]
        role = data.get("role") or "Other"
        _, colour, shape = ROLE_STYLES.get(role, ROLE_STYLES["Other"])
        is_focus = focus_id is not None and node == focus_id
        size = min(60.0, 9.0 + 5.0 * math.sqrt(degree.get(node, 0))) + (8.0 if is_focus else 0.0)
        label = data.get("name") or str(node)
        # Only what differs from the defaults in net.options: the page's data stays small at 5,000 nodes.
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
        if is_focus:
            options.update(color={"background": colour, "border": "#212529",
                                  "highlight": {"background": colour, "border": "#000000"}},
                           borderWidth=4, font={"size": 18, "bold": True})
        if shape == "box":
            options["font"] = {"color": "#212529"}
        net.nodes.append(options)
        net.node_ids.append(str(node))
        net.node_map[str(node)] = options
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
        if rel_type in SYMMETRIC_TYPES:
            edge["arrows"] = ""
        if index:  # parallel relationships between one pair: curve them apart
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if index % 2 else "curvedCCW",
                              "roundness": round(0.15 * ((index + 1) // 2), 2)}
        net.edges.append(edge)
    net.options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "edges": {"smooth": False, "width": 2.5, "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                  "color": {"inherit": False}},
        "nodes": {"borderWidth": 1, "font": {"size": 13, "face": "DejaVu Sans, Arial, sans-serif", "strokeWidth": 3,
                                             "strokeColor": "#ffffff"}},
        "interaction": {"hover": not big, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False},
    }
    return net


@functools.lru_cache(maxsize=1)
def _pyvis_template() -> jinja2.Template:
    """pyvis's own page template, compiled once (each pyvis Network would compile it again)."""
    folder = Path(pyvis.network.__file__).resolve().parent / "templates"
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder))).get_template("template.html")


def _pyvis_html(net: Network) -> str:
    """pyvis's page, rendered from its own template with the choices made here, then made offline.

    pyvis's generate_html switches to a popup that sets tooltips with innerHTML as soon as any title
    contains the text "href", which would turn a crafted name into markup; rendering the template here
    keeps that switch off, so tooltips stay plain text.
    """
    nodes, edges, heading, height, width, options = net.get_network_data()
    page = _pyvis_template().render(
        height=height, width=width, nodes=nodes, edges=edges, heading="", options=options,
        physics_enabled=False, use_DOT=False, dot_lang="", widget=False, bgcolor=net.bgcolor, conf=False,
        tooltip_link=False, neighborhood_highlight=False, select_menu=False, filter_menu=False,
        notebook=False, cdn_resources="in_line",
    )
    page = REMOTE_SCRIPT.sub("", page)
    page = REMOTE_LINK.sub("", page)
    return EMPTY_HEADING.sub("", page)


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


def _swatch(shape: str, colour: str) -> str:
    """A small inline SVG of a node shape (no external resource)."""
    shapes = {
        "dot": f'<circle cx="8" cy="8" r="6" fill="{colour}"/>',
        "square": f'<rect x="2" y="2" width="12" height="12" fill="{colour}"/>',
        "diamond": f'<polygon points="8,1 15,8 8,15 1,8" fill="{colour}"/>',
        "triangle": f'<polygon points="8,1 15,14 1,14" fill="{colour}"/>',
        "hexagon": f'<polygon points="4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8" fill="{colour}"/>',
        "box": f'<rect x="1" y="4" width="14" height="8" rx="2" fill="#ffffff" stroke="{colour}"/>',
    }
    return f'<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">{shapes[shape]}</svg>'


def _line(colour: str, dashes: Any, opacity: float) -> str:
    dash = f' stroke-dasharray="{" ".join(str(d) for d in dashes)}"' if dashes else ""
    return (f'<svg width="34" height="10" viewBox="0 0 34 10" aria-hidden="true"><line x1="1" y1="5" x2="33" y2="5" '
            f'stroke="{colour}" stroke-width="2.5" stroke-opacity="{opacity}"{dash}/></svg>')


def _legend(graph: nx.MultiDiGraph) -> str:
    roles = {data.get("role") or "Other" for _, data in graph.nodes(data=True)}
    types = {data.get("type") or "" for *_, data in graph.edges(data=True)}
    statuses = {data.get("status") or "active" for *_, data in graph.edges(data=True)}
    items = ['<div class="sg-legend-head">Nodes (size: connections)</div>']
    for role in ROLE_ORDER:
        if role in roles:
            name, colour, shape = ROLE_STYLES[role]
            items.append(f'<div class="sg-item">{_swatch(shape, colour)}<span>{html.escape(name)}</span></div>')
    if types:
        items.append('<div class="sg-legend-head">Relationships</div>')
        known = [t for t in EDGE_COLOURS if t in types] + sorted(t for t in types if t not in EDGE_COLOURS)
        for rel_type in known:
            colour = EDGE_COLOURS.get(rel_type, OTHER_EDGE_COLOUR)
            items.append(f'<div class="sg-item">{_line(colour, False, 1.0)}'
                         f'<span>{html.escape(rel_type or "(untyped)")}</span></div>')
    if statuses - {"active"}:
        items.append('<div class="sg-legend-head">Status</div>')
        for status, (dashes, opacity, text) in STATUS_STYLES.items():
            if status in statuses:
                colour = ENDED_COLOUR if status == "ended" else "#343a40"
                items.append(f'<div class="sg-item">{_line(colour, dashes, opacity)}<span>{html.escape(text)}</span></div>')
        for status in sorted(s for s in statuses if s not in STATUS_STYLES):
            items.append(f'<div class="sg-item">{_line("#343a40", [10, 6], 0.6)}<span>{html.escape(status)}</span></div>')
    return '<div id="sg-legend" class="sg-panel">' + "".join(items) + "</div>"


def _footnote(graph: nx.MultiDiGraph, sources: Mapping[str, Mapping[str, Any]]) -> str:
    ids = sorted({str(s) for *_, data in graph.edges(data=True) for s in data.get("sources") or []})
    if not ids:
        return '<div id="sg-sources" class="sg-panel">Sources: none recorded for what is shown.</div>'
    # Publisher and date read best in a picture; the ids are in the tooltips and the details table.
    by_publisher: dict[str, list[str]] = defaultdict(list)
    for source_id in ids[:MAX_FOOTNOTE_SOURCES]:
        info = sources.get(source_id) or {}
        publisher = str(info.get("publisher") or "")
        by_publisher[publisher].append(str(info.get("date") or source_id) if publisher else source_id)
    parts = []
    for publisher in sorted(by_publisher, key=lambda p: (p == "", p.lower())):
        listed = ", ".join(html.escape(s) for s in sorted(by_publisher[publisher]))
        parts.append(f"<b>{html.escape(publisher)}</b> {listed}" if publisher else listed)
    more = len(ids) - MAX_FOOTNOTE_SOURCES
    tail = f" · and {more} more (see the details table)" if more > 0 else ""
    return (f'<div id="sg-sources" class="sg-panel"><b>Sources ({len(ids)})</b> · ' + " · ".join(parts) + tail
            + "</div>")


def _overlay(graph: nx.MultiDiGraph, title: str, as_of: dt.date | str | None, sources: Mapping[str, Mapping[str, Any]],
             notes: list[str]) -> str:
    as_of_text = as_of.isoformat() if isinstance(as_of, dt.date) else (str(as_of) if as_of else "")
    counts = f"{graph.number_of_nodes():,} nodes · {graph.number_of_edges():,} relationships"
    counts = f"as of {html.escape(as_of_text)} · {counts}" if as_of_text else counts
    note_html = "".join(f'<div class="sg-note">{html.escape(n)}</div>' for n in notes)
    header = (f'<div id="sg-header" class="sg-panel"><div id="sg-title">{html.escape(title)}</div>'
              f'<div id="sg-asof">{counts}</div>{note_html}</div>')
    drawn_flag = (
        "<script>(function () {"
        # Marks the page once vis-network has drawn, for the PNG export and the benchmark.
        "function done() { document.body.setAttribute('data-drawn', '1'); }"
        "if (typeof network === 'undefined' || network === null) { done(); return; }"
        "network.once('afterDrawing', done); network.fit({animation: false}); network.redraw();"
        "})();</script>"
    )
    empty = ('<div id="sg-empty">Nothing to draw: no relationships match. Widen the filters or pick '
             'another date.</div>' if graph.number_of_nodes() == 0 else "")
    return header + _legend(graph) + _footnote(graph, sources) + empty + drawn_flag


_CSS = """
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; background: #ffffff;
  font-family: "DejaVu Sans", Arial, sans-serif; color: #212529; }
.card { border: none !important; }
/* Header on top, legend on the right, sources at the bottom: the network gets the rest, so nothing
   covers a node. Sizes are fixed so vis-network sees its final size when it draws. */
#mynetwork { position: absolute !important; top: var(--sg-top); bottom: var(--sg-bottom); left: 0;
  right: var(--sg-right); width: auto !important; height: auto !important; float: none !important;
  border: none !important; }
.sg-panel { position: absolute; z-index: 10; background: #ffffff; font-size: 12px; line-height: 1.35;
  overflow: hidden; }
#sg-header { top: 0; left: 0; right: 0; height: var(--sg-top); box-sizing: border-box; padding: 8px 14px 0;
  border-bottom: 1px solid #e9ecef; }
#sg-title { font-size: 19px; font-weight: bold; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#sg-asof { font-size: 13px; color: #495057; }
.sg-note { font-size: 12px; color: #c92a2a; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#sg-legend { top: var(--sg-top); bottom: var(--sg-bottom); right: 0; width: var(--sg-right); box-sizing: border-box;
  padding: 8px 10px; border-left: 1px solid #e9ecef; }
.sg-legend-head { font-weight: bold; margin-top: 6px; }
.sg-item { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
#sg-sources { bottom: 0; left: 0; right: 0; height: var(--sg-bottom); box-sizing: border-box; padding: 5px 14px;
  border-top: 1px solid #e9ecef; font-size: 11px; color: #495057; }
#sg-empty { position: absolute; top: 45%; left: 0; right: var(--sg-right); text-align: center; font-size: 16px;
  color: #495057; }
div.vis-tooltip { white-space: pre-wrap; max-width: 420px; font-family: "DejaVu Sans", Arial, sans-serif; }
"""
