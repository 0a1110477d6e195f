"""Node positions for the network picture, computed before drawing so the browser runs no physics.

Small graphs get networkx's seeded spring layout. Past `SPRING_MAX` nodes, networkx's spring layout
needs scipy and costs seconds, so a cheaper layout takes over: the best-connected `CORE` nodes
(the "core") get the spring layout, and every other node is placed in a sunflower spiral around the
neighbour through which a breadth-first walk from the core reached it. That is linear in the size of
the graph (about 0.2 s for 5,000 nodes) and reads well on supply-chain graphs, which are hubs with
many spokes. Components the core does not reach are laid out on their own and packed in rows below.

Every step is ordered by node id and seeded, so the same graph always gets the same positions.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Hashable

import networkx as nx

SPRING_MAX = 300
# Past SPRING_MAX nodes, how many of the best connected get the spring layout.
CORE = 150
SEED = 7
# Pixels between neighbouring nodes on the canvas (vis-network's units).
SPACING = 90.0
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))

Position = tuple[float, float]


def positions(graph: nx.Graph, seed: int = SEED) -> dict[Hashable, Position]:
    """Canvas positions (x, y, in pixels) for every node of `graph`, rounded to 0.1 px."""
    simple = _undirected(graph)
    if simple.number_of_nodes() == 0:
        return {}
    components = sorted((sorted(c, key=str) for c in nx.connected_components(simple)),
                        key=lambda c: (-len(c), str(c[0])))
    placed: dict[Hashable, Position] = {}
    main = components[0]
    placed.update(_layout_component(simple.subgraph(main), seed))
    # The other components: laid out one by one, packed in rows under the main one.
    if len(components) > 1:
        placed.update(_pack(simple, components[1:], placed, seed))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in placed.items()}


def _undirected(graph: nx.Graph) -> nx.Graph:
    """A simple undirected copy with nodes inserted in sorted order (layouts depend on order)."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    simple.add_edges_from(sorted(((u, v) for u, v in graph.edges() if u != v), key=lambda e: (str(e[0]), str(e[1]))))
    return simple


def _layout_component(component: nx.Graph, seed: int) -> dict[Hashable, Position]:
    n = component.number_of_nodes()
    if n == 1:
        return {next(iter(component.nodes)): (0.0, 0.0)}
    if n <= SPRING_MAX:
        return _spring(component, seed)
    return _core_and_spokes(component, seed)


def _spring(component: nx.Graph, seed: int) -> dict[Hashable, Position]:
    n = component.number_of_nodes()
    iterations = 100 if n <= 100 else 60
    raw = nx.spring_layout(component, seed=seed, iterations=iterations, method="force")
    # spring_layout scales to [-1, 1]; spread so that nodes sit about SPACING apart.
    scale = SPACING * max(1.5, math.sqrt(n)) * 0.75
    return {node: (float(x) * scale, float(y) * scale) for node, (x, y) in raw.items()}


def _core_and_spokes(component: nx.Graph, seed: int) -> dict[Hashable, Position]:
    degree = dict(component.degree())
    by_importance = sorted(component.nodes, key=lambda n: (-degree[n], str(n)))
    core = by_importance[:CORE]
    # Breadth-first from the core: each other node hangs off the neighbour that reached it first.
    parent: dict[Hashable, Hashable] = {}
    children: dict[Hashable, list[Hashable]] = {n: [] for n in component.nodes}
    queue = deque(core)
    seen = set(core)
    while queue:
        node = queue.popleft()
        for neighbour in sorted(component.neighbors(node), key=str):
            if neighbour not in seen:
                seen.add(neighbour)
                parent[neighbour] = node
                children[node].append(neighbour)
                queue.append(neighbour)
    # The room each node's spokes need decides how far apart the core must be spread.
    subtree = _subtree_sizes(core, children)
    core_graph = component.subgraph(core)
    core_pos = _spring(core_graph, seed) if len(core) > 1 else {core[0]: (0.0, 0.0)}
    mean_room = sum(_radius(subtree[n]) for n in core) / len(core)
    spread = max(1.0, 1.6 * mean_room / SPACING)
    placed = {n: (x * spread, y * spread) for n, (x, y) in core_pos.items()}
    cx = sum(x for x, _ in placed.values()) / len(placed)
    cy = sum(y for _, y in placed.values()) / len(placed)
    # Spokes, in breadth-first order so a parent is always placed before its children.
    order = deque(core)
    while order:
        node = order.popleft()
        kids = children[node]
        if not kids:
            continue
        px, py = placed[node]
        anchor = placed.get(parent.get(node), (cx, cy))
        # Start the spiral facing away from where the node hangs from, so spokes grow outwards.
        base = math.atan2(py - anchor[1], px - anchor[0]) if (px, py) != anchor else 0.0
        for i, kid in enumerate(kids):
            radius = SPACING * (0.9 + 0.55 * math.sqrt(i + 1))
            angle = base + i * GOLDEN_ANGLE
            placed[kid] = (px + radius * math.cos(angle), py + radius * math.sin(angle))
            order.append(kid)
    return placed


def _subtree_sizes(roots: list[Hashable], children: dict[Hashable, list[Hashable]]) -> dict[Hashable, int]:
    sizes: dict[Hashable, int] = {}
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                sizes[node] = 1 + sum(sizes[k] for k in children[node])
            else:
                stack.append((node, True))
                stack.extend((k, False) for k in children[node])
    return sizes


def _radius(count: int) -> float:
    """How far the spiral of `count` spokes reaches."""
    return SPACING * (0.9 + 0.55 * math.sqrt(max(count, 1)))


def _bounds(points: dict[Hashable, Position]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points.values()]
    ys = [p[1] for p in points.values()]
    return min(xs), min(ys), max(xs), max(ys)


def _pack(simple: nx.Graph, components: list[list[Hashable]], placed: dict[Hashable, Position],
          seed: int) -> dict[Hashable, Position]:
    """Lays out each small component and shelves them left to right in rows below `placed`."""
    left, _, right, bottom = _bounds(placed)
    width = max(right - left, SPACING * 8)
    x, y, row_height = left, bottom + SPACING * 1.5, 0.0
    out: dict[Hashable, Position] = {}
    for component in components:
        local = _layout_component(simple.subgraph(component), seed)
        lx0, ly0, lx1, ly1 = _bounds(local)
        w, h = lx1 - lx0 + SPACING, ly1 - ly0 + SPACING
        if x > left and x + w > left + width:
            x, y, row_height = left, y + row_height, 0.0
        for node, (px, py) in local.items():
            out[node] = (x + (px - lx0), y + (py - ly0))
        x += w
        row_height = max(row_height, h)
    return out
