"""The story picture (graph.story) as a vector image: one SVG with title, as-of line, legend and sources.

The layout is computed here, not by a browser, so the same story always gives the same bytes:
organizations in columns by their steps from the chosen organization (A left, rivals right), rows in
the order of the links, edge captions slid along their edge until they cover no other label. The
template (graph/templates/story.svg.j2) autoescapes every text; characters XML cannot hold and the
bidirectional overrides (which would flip the text after a name) are removed first, and a long name
is cut with an ellipsis (its full text stays in the node's tooltip), so no name breaks the picture.
Styles, legend and footnote are graph.drawing's, as in the network pictures.
"""

from __future__ import annotations

import functools
import math
import re
import textwrap
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Hashable

import jinja2
import networkx as nx

from graph import drawing
from graph.story import Story

COLUMN = 290.0       # px between columns
ROW = 128.0          # px between rows
RADIUS = 15.0
FOCUS_RADIUS = 20.0
MARGIN = 70.0        # around the drawing, for labels
LEGEND_WIDTH = 210.0
HEADER = 64.0
FONT = 13.0
CAPTION_FONT = 12.0
FOOT_FONT = 11.0
FOOT_LINES = 4
MIN_WIDTH = 960.0
LABEL_CHARS = 24     # a name wraps at this many characters, on at most two lines
FADED = 0.35         # the opacity of the context: shapes and lines of the links not highlighted
CAPTION_SPOTS = (0.5, 0.36, 0.64, 0.24, 0.76, 0.14, 0.86)
# What XML 1.0 cannot hold at all, and the controls that would reorder the text after them.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def clean(text: Any) -> str:
    """Text an SVG (XML 1.0) can hold and that keeps its place in the line."""
    return UNSAFE.sub("", str(text if text is not None else ""))


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width (no font metrics at hand): wide East Asian characters count one em."""
    return sum(size * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62) for c in text)


def shorten(text: str, width: float, size: float) -> str:
    """`text`, cut with an ellipsis to fit `width`."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def label_lines(name: str) -> list[str]:
    lines = textwrap.wrap(name, LABEL_CHARS, break_long_words=True) or [name]
    if len(lines) > 2:
        lines = [lines[0], shorten(" ".join(lines[1:]), LABEL_CHARS * FONT * 0.62, FONT)]
    return lines


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def hits(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


def positions(graph: nx.MultiDiGraph) -> dict[Hashable, tuple[float, float]]:
    """Columns by layer; in a column, nodes in the order they first appear in the links, then by name."""
    order = {node: i for i, node in enumerate(graph.nodes)}  # insertion order: the links' order
    columns: dict[int, list[Hashable]] = defaultdict(list)
    for node in sorted(graph.nodes, key=lambda n: (order[n], str(n))):
        columns[graph.nodes[node].get("layer", 0)].append(node)
    tallest = max((len(c) for c in columns.values()), default=1)
    placed = {}
    for index, layer in enumerate(sorted(columns)):
        column = columns[layer]
        top = (tallest - len(column)) * ROW / 2
        for row, node in enumerate(column):
            placed[node] = (MARGIN + index * COLUMN, HEADER + MARGIN + top + row * ROW)
    return placed


def svg(story: Story) -> str:
    """The story picture as an SVG document (deterministic: the same story gives the same text)."""
    graph = story.graph
    pos = positions(graph)
    columns = len({p[0] for p in pos.values()}) or 1
    rows = max((sum(1 for p in pos.values() if p[0] == x) for x in {p[0] for p in pos.values()}), default=1)
    drawing_width = max(MIN_WIDTH - LEGEND_WIDTH, 2 * MARGIN + (columns - 1) * COLUMN + 120)
    width = drawing_width + LEGEND_WIDTH
    legend = drawing._legend(graph)
    legend_height = 40 + 20 * (len(legend["roles"]) + len(legend["types"]) + len(legend["statuses"]) + 6)
    body = max(2 * MARGIN + (rows - 1) * ROW + 40, legend_height)
    footnote = footnote_lines(graph, story.sources, width - 28) + ([shorten(clean(story.data), width - 28, FOOT_FONT)]
                                                                  if story.data else [])
    height = HEADER + body + 14 + FOOT_FONT * 1.5 * len(footnote) + 10
    nodes, taken = _nodes(graph, pos)
    edges, captions = _edges(graph, pos, taken)
    return _template().render(
        width=_n(width), height=_n(height), title=shorten(clean(story.title), width - 28, 19),
        subtitle=shorten(clean(story.subtitle), width - 28, 13), nodes=nodes, edges=edges, captions=captions,
        markers=sorted({e["colour"] for e in edges}), legend=legend, legend_x=_n(drawing_width), header=_n(HEADER),
        body=_n(body), footnote=footnote, foot_y=_n(HEADER + body + 14 + FOOT_FONT), foot_step=_n(FOOT_FONT * 1.5),
        empty=graph.number_of_nodes() == 0, clean=clean, n=_n,
    )


def _n(value: float) -> str:
    """A coordinate as short, stable text."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nodes(graph: nx.MultiDiGraph, pos: dict) -> tuple[list[dict[str, Any]], list[Box]]:
    nodes, taken = [], []
    for node in sorted(graph.nodes, key=str):
        data = graph.nodes[node]
        _, colour, shape = drawing.ROLE_STYLES.get(data.get("role") or "Other", drawing.ROLE_STYLES["Other"])
        x, y = pos[node]
        r = FOCUS_RADIUS if data.get("focus") else RADIUS
        name = clean(data.get("name") or node)
        lines = label_lines(name)
        label_y = y + r + FONT + 2
        widest = max(text_width(line, FONT) for line in lines)
        taken.append(Box(x - r, y - r, x + r, y + r))
        label = Box(x - widest / 2 - 3, label_y - FONT, x + widest / 2 + 3, label_y + FONT * 1.25 * (len(lines) - 1) + 4)
        taken.append(label)
        nodes.append({"x": _n(x), "y": _n(y), "r": _n(r), "shape": shape, "colour": colour, "lines": lines,
                      "label_y": _n(label_y), "line_step": _n(FONT * 1.25), "box_x": _n(label.x0), "box_y": _n(label.y0),
                      "box_w": _n(label.x1 - label.x0), "box_h": _n(label.y1 - label.y0), "tooltip": _tooltip(name, data),
                      "opacity": "1" if data.get("best") else str(FADED), "focus": bool(data.get("focus")),
                      "bold": bool(data.get("best"))})
    return nodes, taken


def _tooltip(name: str, data: dict) -> str:
    role = drawing.ROLE_STYLES.get(data.get("role") or "Other", drawing.ROLE_STYLES["Other"])[0]
    return f"{name} ({role})"


def _edges(graph: nx.MultiDiGraph, pos: dict, taken: list[Box]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    edges, captions = [], []
    parallel: dict[frozenset, int] = defaultdict(int)
    # The bold chain's captions are placed first, so theirs get the best spots.
    ordered = sorted(graph.edges(keys=True, data=True), key=lambda e: (not e[3].get("best"), str(e[0]), str(e[1]), str(e[2])))
    for u, v, key, data in ordered:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        pair = frozenset((u, v))
        index = parallel[pair]
        parallel[pair] += 1
        bend = 0.0 if not index else 46.0 * ((index + 1) // 2) * (1 if index % 2 else -1)
        r0 = FOCUS_RADIUS if graph.nodes[u].get("focus") else RADIUS
        r1 = (FOCUS_RADIUS if graph.nodes[v].get("focus") else RADIUS) + 3
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        cx, cy = (x0 + x1) / 2 - uy * bend, (y0 + y1) / 2 + ux * bend
        sx, sy, ex, ey = x0 + ux * r0, y0 + uy * r0, x1 - ux * r1, y1 - uy * r1
        status = data.get("status") or "active"
        dashes, opacity, _ = drawing.STATUS_STYLES.get(status, drawing.STATUS_STYLES["reported"])
        rel_type = data.get("type") or ""
        colour = drawing.ENDED_COLOUR if status == "ended" else drawing.EDGE_COLOURS.get(rel_type, drawing.OTHER_EDGE_COLOUR)
        best = bool(data.get("best"))
        edges.append({"d": f"M{_n(sx)},{_n(sy)} Q{_n(cx)},{_n(cy)} {_n(ex)},{_n(ey)}", "colour": colour,
                      "width": "4" if best else "2", "dashes": " ".join(str(d) for d in dashes) if dashes else "",
                      "opacity": f"{opacity * (1.0 if best else FADED):.2f}",
                      "marker": colour.lstrip("#"), "tooltip": clean(data.get("caption") or rel_type)})
        text = clean(data.get("caption") or "")
        if not text:
            continue
        text = shorten(text, COLUMN - 30, CAPTION_FONT)
        w, h = text_width(text, CAPTION_FONT) + 8, CAPTION_FONT + 6
        px, py, box = _caption_spot((sx, sy), (cx, cy), (ex, ey), w, h, taken)
        taken.append(box)
        captions.append({"x": _n(px), "y": _n(py + CAPTION_FONT * 0.36), "box_x": _n(box.x0), "box_y": _n(box.y0),
                         "w": _n(w), "h": _n(h), "text": text, "colour": "#212529" if best else "#495057",
                         "bold": best})
    return edges, captions


def _caption_spot(start: tuple[float, float], control: tuple[float, float], end: tuple[float, float], w: float,
                  h: float, taken: list[Box]) -> tuple[float, float, Box]:
    """Where a caption of w x h goes: on its edge at the first spot that covers no label, else just above
    or below the edge, a little further each time, else the middle."""
    candidates = []
    for shift in (0.0, -0.75 * h, 0.75 * h, -1.5 * h, 1.5 * h, -2.25 * h, 2.25 * h):
        for t in CAPTION_SPOTS:
            px = (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t * t * end[0]
            py = (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t * t * end[1] + shift
            candidates.append((px, py, Box(px - w / 2, py - h / 2, px + w / 2, py + h / 2)))
    return next((c for c in candidates if not any(c[2].hits(other) for other in taken)), candidates[0])


def footnote_lines(graph: nx.MultiDiGraph, sources: dict, width: float) -> list[str]:
    """The sources footnote of graph.drawing, as lines that fit `width` (at most FOOT_LINES)."""
    note = drawing._footnote(graph, sources)
    if not note["count"]:
        return ["Sources: none recorded for what is shown."]
    groups = " · ".join(clean(f"{p} {', '.join(items)}" if p else ", ".join(items)) for p, items in note["groups"])
    more = f" · and {note['more']} more" if note["more"] > 0 else ""
    text = f"Sources ({note['count']}): {groups}{more}"
    chars = max(20, int(width / (FOOT_FONT * 0.62)))
    lines = textwrap.wrap(text, chars, break_long_words=True)
    if len(lines) > FOOT_LINES:
        lines = lines[:FOOT_LINES - 1] + [shorten(" ".join(lines[FOOT_LINES - 1:]), width, FOOT_FONT)]
    return lines


def page(picture: str) -> str:
    """The SVG in a plain HTML page (for the app's frame and the PNG export): no script, nothing remote."""
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>story</title>"
            "<style>html,body{margin:0;background:#ffffff}svg{display:block;width:100%;height:auto}</style>"
            f"</head><body>{picture}</body></html>")


def frame_height(picture: str, frame_width: float = 1100.0) -> int:
    """How tall the app's frame must be to show the SVG `picture` at `frame_width` without scrolling."""
    found = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', picture)
    width, height = (float(found.group(1)), float(found.group(2))) if found else (MIN_WIDTH, 600.0)
    return int(math.ceil(frame_width * height / width)) + 16


@functools.lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("graph", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("story.svg.j2")
