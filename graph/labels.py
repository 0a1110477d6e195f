"""Node labels that do not overlap: each label's box on the canvas, estimated from the layout the way
vis-network draws it (centred under the node, or inside a box-shaped node), and a greedy placement that
shows the labels of the most important nodes first and leaves out any label that would overlap one
already shown (its name stays in the tooltip, and clicking the node shows its neighbours' labels).

The estimate is deliberately generous (DejaVu Sans averages about 0.6 em a character), so that boxes
that do not overlap here do not overlap on screen; tests measure overlaps with the same boxes.
"""

from __future__ import annotations

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


class _Grid:
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


def place(nodes: Sequence[Mapping[str, Any]], order: Sequence[str]) -> set[str]:
    """The ids of the nodes whose label is shown: in `order` (most important first), each label that
    overlaps none shown before it."""
    by_id = {str(n["id"]): n for n in nodes}
    grid = _Grid()
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
