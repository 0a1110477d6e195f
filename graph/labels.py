"""Node labels that do not overlap: each label's box on the canvas, estimated from the layout the way
vis-network draws it (centred under the node, or inside a box-shaped node), and a greedy placement that
shows the labels of the most important nodes first and leaves out any label that would overlap one
already shown (its name stays in the tooltip, and clicking the node shows its neighbours' labels).

The estimate is deliberately generous (DejaVu Sans averages about 0.6 em a character), so that boxes
that do not overlap here do not overlap on screen; tests measure overlaps with the same boxes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Iterable, Mapping, Sequence

CHAR_WIDTH_EM = 0.62
LINE_HEIGHT_EM = 1.25
LABEL_GAP = 4.0  # vis-network's gap between a node and its label, with a little room
PAD = 2.0  # room kept around each box
DEFAULT_FONT = 13.0
CELL = 120.0  # grid cell for finding neighbouring boxes

Box = tuple[float, float, float, float]  # left, top, right, bottom


def font_size(node: Mapping[str, Any]) -> float:
    font = node.get("font")
    return float(font.get("size", DEFAULT_FONT)) if isinstance(font, dict) else DEFAULT_FONT


def box(node: Mapping[str, Any], label: str | None = None) -> Box | None:
    """The label's box on the canvas for a vis-network node dict (x, y, size, shape, font), or None
    when it has no label."""
    text = node.get("label") if label is None else label
    if not text:
        return None
    size = font_size(node)
    lines = str(text).split("\n")
    width = max(len(line) for line in lines) * size * CHAR_WIDTH_EM + 2 * PAD
    height = len(lines) * size * LINE_HEIGHT_EM + 2 * PAD
    x, y = float(node["x"]), float(node["y"])
    if node.get("shape") == "box":
        return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
    top = y + float(node.get("size") or 0) + LABEL_GAP - PAD
    return (x - width / 2, top, x + width / 2, top + height)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Grid:
    """Boxes bucketed by CELL, so that a new box meets only its neighbours."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def _keys(self, b: Box) -> Iterable[tuple[int, int]]:
        for i in range(int(b[0] // CELL), int(b[2] // CELL) + 1):
            for j in range(int(b[1] // CELL), int(b[3] // CELL) + 1):
                yield (i, j)

    def hits(self, b: Box) -> bool:
        return any(overlaps(b, other) for key in self._keys(b) for other in self.cells.get(key, ()))

    def add(self, b: Box) -> None:
        for key in self._keys(b):
            self.cells[key].append(b)


def place(nodes: Sequence[Mapping[str, Any]], order: Sequence[str], grid: Grid | None = None) -> set[str]:
    """The ids of the nodes whose label is shown: in `order` (most important first), each label that
    overlaps none shown before it (nor any box already in `grid`, which takes the shown ones)."""
    by_id = {str(n["id"]): n for n in nodes}
    grid = grid if grid is not None else Grid()
    shown: set[str] = set()
    for node_id in order:
        b = box(by_id[node_id])
        if b is None or grid.hits(b):
            continue
        grid.add(b)
        shown.add(node_id)
    return shown


def overlapping_pairs(nodes: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of nodes whose drawn labels overlap (what a test measures)."""
    boxes = [(str(n["id"]), b) for n in nodes if (b := box(n)) is not None]
    pairs = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            if overlaps(box_a, box_b):
                pairs.append((a, b))
    return pairs


# -- edge captions ------------------------------------------------------------------------------------
# vis-network writes an edge's caption at the middle of the edge (of its curve, for a curved one),
# turned along it and just above the line (font align "top": the text's foot on the line, on the side
# that reads upright). Its box here is the upright box around the turned text, with the same room
# around it as a label's and a curve's middle estimated generously.

CAPTION_FONT = 11.0
CAPTION_PARTS = " · "  # a caption's parts ("49% stake · $14.3B"): the first alone is its short form


def caption_box(edge: Mapping[str, Any], ends: Mapping[str, Mapping[str, Any]], label: str | None = None) -> Box | None:
    """The box of an edge's caption for a vis-network edge dict (from, to, label, smooth), its end nodes
    by id; None when it has no caption or an end is not drawn."""
    text = edge.get("label") if label is None else label
    a, b = ends.get(str(edge.get("from"))), ends.get(str(edge.get("to")))
    if not text or a is None or b is None:
        return None
    (x1, y1), (x2, y2) = (float(a["x"]), float(a["y"])), (float(b["x"]), float(b["y"]))
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    smooth = edge.get("smooth")
    if isinstance(smooth, dict) and smooth.get("enabled"):
        # A curve's control point lies `roundness` x length off the middle; the curve's middle, half that.
        bend = float(smooth.get("roundness") or 0.5) * length / 2 * (1 if smooth.get("type") == "curvedCW" else -1)
        mx, my = mx - dy / length * bend, my + dx / length * bend
    width = len(str(text)) * CAPTION_FONT * CHAR_WIDTH_EM + 2 * PAD
    height = CAPTION_FONT * LINE_HEIGHT_EM + 2 * PAD
    # Half a line off the edge, on its upper side (the left one for an upright edge).
    nx_, ny_ = dy / length, -dx / length
    if ny_ > 0 or (ny_ == 0 and nx_ > 0):
        nx_, ny_ = -nx_, -ny_
    mx, my = mx + nx_ * height / 2, my + ny_ * height / 2
    cos, sin = abs(dx) / length, abs(dy) / length
    half_w = (width * cos + height * sin) / 2
    half_h = (width * sin + height * cos) / 2
    return (mx - half_w, my - half_h, mx + half_w, my + half_h)


def place_captions(nodes: Sequence[Mapping[str, Any]], edges: Sequence[dict[str, Any]], order: Sequence[str],
                   grid: Grid) -> dict[str, str]:
    """Captions that overlap nothing in `grid` (the labels and captions placed before) nor each other: in
    `order` (edge ids, most important first), each edge keeps its caption if it fits, else its short
    form (the first part) if that fits, else none. Changes the edges' `label`s; returns edge id -> the
    caption it had, for each one shortened or dropped (to be kept in its tooltip)."""
    ends = {str(n["id"]): n for n in nodes if not n.get("hidden")}
    by_id = {str(e["id"]): e for e in edges}
    changed: dict[str, str] = {}
    for edge_id in order:
        edge = by_id[edge_id]
        full = edge.get("label")
        if not full:
            continue
        short = str(full).split(CAPTION_PARTS)[0]
        for text in dict.fromkeys((str(full), short)):
            b = caption_box(edge, ends, text)
            if b is not None and not grid.hits(b):
                grid.add(b)
                break
        else:
            text = ""
        if text != full:
            edge["label"] = text
            changed[edge_id] = str(full)
    return changed


def overlapping_captions(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> \
        list[tuple[str, str]]:
    """Pairs (edge id, edge or node id) whose drawn caption overlaps another caption or a drawn node label
    (what a test measures)."""
    ends = {str(n["id"]): n for n in nodes if not n.get("hidden")}
    captions = [(str(e["id"]), b) for e in edges if (b := caption_box(e, ends)) is not None]
    node_boxes = [(node_id, b) for node_id, n in ends.items() if (b := box(n)) is not None]
    pairs = []
    for i, (a, box_a) in enumerate(captions):
        for b, box_b in captions[i + 1:] + node_boxes:
            if overlaps(box_a, box_b):
                pairs.append((a, b))
    return pairs
