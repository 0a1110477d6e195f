"""The network a query's rows describe, as a networkx graph (drawn by graph.drawing).

`graph_from_rows` reads neighbourhood-style rows (from_id, to_id, type, status, ...) and rows that hold
plain nodes, relationships or paths (dicts from `graph.output.plain`), so the network view, the query
gallery and the Cypher console draw the same way.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import networkx as nx

from graph import captions, wording
from graph.model import ROLE_LABELS, ROLES



def role_of(labels: Iterable[str]) -> str:
    """The role a node is drawn as: lab > vendor > investor > government, then Person, Source."""
    labels = set(labels or ())
    for role in ROLES:
        if ROLE_LABELS[role] in labels:
            return ROLE_LABELS[role]
    for label in ("Facility", "Person", "Organization", "Source"):
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
                       detail=str(props.get("detail") or ""), sources=list(props.get("sources") or []),
                       confidence=props.get("confidence"), props=captions.caption_props(props))
    return graph


def sources_of(graph: nx.MultiDiGraph) -> tuple[str, ...]:
    """The ids of the sources the graph's relationships cite, sorted."""
    return tuple(sorted({str(s) for *_, data in graph.edges(data=True) for s in data.get("sources") or []}))


def _add_fact_row(graph: nx.MultiDiGraph, row: Mapping[str, Any]) -> None:
    from_id, to_id = str(row["from_id"]), str(row["to_id"])
    _add_node(graph, from_id, row.get("from_name"), row.get("from_labels") or [], {})
    _add_node(graph, to_id, row.get("to_name"), row.get("to_labels") or [], {})
    key = str(row.get("rel_id") or f"{from_id}|{row.get('type')}|{to_id}|{row.get('since')}")
    if graph.has_edge(from_id, to_id, key):
        return
    sources = row.get("sources") or []
    # A neighbourhood row holds the relationship's terms once (`props`); other queries' rows their `detail`.
    terms = row.get("props") or {}
    detail = row.get("detail") or (wording.detail(str(row.get("type") or ""), terms) if terms else "")
    graph.add_edge(from_id, to_id, key=key, type=row.get("type") or "", status=row.get("status"),
                   since=row.get("since"), until=row.get("until"), detail=detail,
                   sources=list(sources) if isinstance(sources, (list, tuple)) else [str(sources)],
                   confidence=row.get("confidence"), change=row.get("change"),
                   props=captions.caption_props({**terms, "since_text": row.get("since"),
                                                 "until_text": row.get("until"), "status": row.get("status")}))


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


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
