"""Independent views of a whole graph, for tests to compare loads with: counts and a fingerprint."""

from __future__ import annotations

import hashlib

from graph.db import Connection
from graph.load_cypher import ALL_RELATIONSHIP_TYPES, NODE_LABELS


def count_graph(conn: Connection) -> dict[str, int]:
    """Nodes per label and relationships per type."""
    counts: dict[str, int] = {}
    for label in NODE_LABELS.values():
        counts[label] = conn.read(f"MATCH (n:{label}) RETURN count(n) AS n").records[0]["n"]
    for rel_type in ALL_RELATIONSHIP_TYPES:
        counts[rel_type] = conn.read(f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n").records[0]["n"]
    return counts


# A derivation's bookkeeping, which says when and in which generation a derived fact was written, not what it is.
BOOKKEEPING = {"born", "died", "generation", "derived_at"}
# Nodes that say how the graph was made (the last load's folder and time, graph.load_record), not what it holds.
BOOKKEEPING_LABELS = {"LoadRecord"}


def fingerprint(conn: Connection) -> str:
    """A hash of every node and relationship with its properties: equal graphs, equal hashes."""
    digest = hashlib.sha256()
    nodes = conn.read("""
        MATCH (n) RETURN labels(n) AS labels, properties(n) AS props, elementId(n) AS eid""", timeout=600)
    keys = {}
    lines = []
    for r in nodes.records:
        if BOOKKEEPING_LABELS & set(r["labels"]):
            continue
        props = {k: v for k, v in r["props"].items() if k not in BOOKKEEPING}
        key = f"{sorted(r['labels'])}{sorted(props.items(), key=lambda kv: kv[0])}"
        keys[r["eid"]] = key
        lines.append(key)
    rels = conn.read("""
        MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props, elementId(b) AS b""",
                     timeout=600)
    for r in rels.records:
        lines.append(f"{keys[r['a']]}-{r['type']}{sorted(r['props'].items(), key=lambda kv: kv[0])}->{keys[r['b']]}")
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()
