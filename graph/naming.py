"""Names and roles for the nodes of a query result drawn as a picture.

A result that returns only relationships, or rows of ids and names (changes_between, timeline), gives
nodes without labels, some known only by their Neo4j element id (`4:b81042c7-...`): drawn as grey
"Other" nodes labelled with that id. `unnamed` lists them, `lookup` asks the graph who they are (one
query), and `apply` names them, gives them their labels and role, and keys them by their entity id,
so a node met once by element id and once by id is one node.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import networkx as nx

from graph import explore, network
from graph.db import Connection
from graph.queries import run_query


def unnamed(graph: nx.MultiDiGraph) -> tuple[str, ...]:
    """The nodes drawn without labels (so without a role), sorted."""
    return tuple(sorted(str(n) for n, data in graph.nodes(data=True) if not data.get("labels")))


def lookup(conn: Connection, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Key (id or element id) -> {id, name, labels, description} for the keys that are entities."""
    wanted = sorted({str(k) for k in keys if k and ";" not in str(k)})
    if not wanted:
        return {}
    _, rows = run_query(conn, explore.app_query("nodes"), {"ids": ";".join(wanted)})
    return {row["key"]: row for row in rows}


def apply(graph: nx.MultiDiGraph, found: Mapping[str, Mapping[str, Any]]) -> nx.MultiDiGraph:
    """A copy of the graph with the found nodes named, labelled and keyed by their entity id."""
    mapping = {key: str(info["id"]) for key, info in found.items() if key in graph and info.get("id")}
    out = nx.relabel_nodes(graph, mapping, copy=True) if mapping else graph.copy()
    for key, info in found.items():
        node = mapping.get(key, key)
        if node not in out:
            continue
        data = out.nodes[node]
        labels = sorted(info.get("labels") or [])
        data.update(name=str(info.get("name") or data.get("name") or node), labels=labels,
                    role=network.role_of(labels))
        if info.get("description") and not data.get("description"):
            data["description"] = info["description"]
    return out


def named(conn: Connection, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph with its unlabelled nodes named from the database (uncached; the app caches lookup)."""
    return apply(graph, lookup(conn, unnamed(graph)))
