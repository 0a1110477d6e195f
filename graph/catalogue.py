"""The graph's schema beside the console: labels, relationship types and property keys, with counts.

Cheap at any size. The names come from the database's token lists (the stored app query
`cypher/app/schema_names.cypher`); each label's and type's count is a query of its own the server
answers from its count store (`MATCH (n:`Label`) RETURN count(n)`: one read, however many nodes). No
store counts property keys, so they are counted on a bounded sample: up to SAMPLE nodes of each label
and SAMPLE relationships of each type (a label scan with a LIMIT each). When no label and no type has
more than SAMPLE, that sample is the whole graph (every node with a label) and the counts are exact;
the panel says when they are not. The derived and bookkeeping labels (computed at load, graph.derive
and graph.load_record) are put apart, so a reader sees the analysts' data first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from graph.cypher_lexer import quoted_name
from graph.db import Connection
from graph.explore import app_query
from graph.load_record import COMPUTED_LABELS
from graph.queries import run_query

SAMPLE = 1000  # nodes per label and relationships per type whose property keys are counted


@dataclass(frozen=True)
class Catalogue:
    """Rows for the console's schema tables, each sorted by name."""

    labels: list[dict[str, Any]]  # label, nodes: the analysts' data
    derived: list[dict[str, Any]]  # label, nodes: computed at load
    types: list[dict[str, Any]]  # type, relationships
    keys: list[dict[str, Any]]  # key, nodes, relationships (None: the sample holds none)
    sample: int | None = None  # the keys' counts are of up to this many of each label and type; None: exact


def catalogue(names: Iterable[Mapping[str, Any]], counts: Mapping[tuple[str, str], int],
              held: Mapping[tuple[str, str], int], sample: int | None = None) -> Catalogue:
    """The console's tables from the `schema_names` rows, the count store's counts by (kind, name) and the
    keys' counts in the sample by (holder, key), holder 'node' or 'relationship'; `sample` is its size
    per label and type when it is not the whole graph.

    Every key the database knows is listed when the counts are of a sample (one no sampled node holds
    may still be in use); when they are exact, only the keys in use.
    """
    labels, derived, types, keys = [], [], [], []
    for row in names:
        kind, name = row.get("kind"), str(row.get("name"))
        if kind == "label":
            (derived if name in COMPUTED_LABELS else labels).append({"label": name, "nodes": counts[kind, name]})
        elif kind == "type":
            types.append({"type": name, "relationships": counts[kind, name]})
        elif kind == "key":
            nodes, relationships = held.get(("node", name), 0), held.get(("relationship", name), 0)
            if nodes or relationships:
                keys.append({"key": name, "nodes": nodes or None, "relationships": relationships or None}
                            if sample is not None else {"key": name, "nodes": nodes, "relationships": relationships})
            elif sample is not None:
                keys.append({"key": name, "nodes": None, "relationships": None})
    return Catalogue(*(sorted(table, key=lambda r: str(next(iter(r.values()))).lower())
                       for table in (labels, derived, types, keys)), sample=sample)


def count_store_query(labels: list[str], types: list[str]) -> str:
    """One query of every label's and type's count, each branch one the count store answers (a name
    written in the text, not a parameter: the planner reads a dynamic label `$(...)` by scanning)."""
    # (count alone in its WITH: grouped by the constants beside it, a label with no nodes would give no row)
    branches = [f"MATCH (n:{quoted_name(label)}) WITH count(n) AS count RETURN 'label' AS kind, {i} AS i, count"
                for i, label in enumerate(labels)]
    branches += [f"MATCH ()-[r:{quoted_name(type_)}]->() WITH count(r) AS count RETURN 'type' AS kind, {i} AS i, count"
                 for i, type_ in enumerate(types)]
    return "\nUNION ALL\n".join(branches)


def sample_query(labels: list[str], types: list[str]) -> str:
    """The property keys' counts on up to $sample nodes of each label (each node once) and $sample
    relationships of each type."""
    parts = []
    if labels:
        nodes = " UNION ".join(f"MATCH (n:{quoted_name(label)}) WITH n LIMIT $sample RETURN n" for label in labels)
        parts.append(f"CALL () {{ {nodes} }} UNWIND keys(n) AS key RETURN 'node' AS holder, key, count(*) AS held")
    if types:
        rels = " UNION ALL ".join(f"MATCH ()-[r:{quoted_name(type_)}]->() WITH r LIMIT $sample RETURN r"
                                  for type_ in types)
        parts.append(f"CALL () {{ {rels} }} UNWIND keys(r) AS key RETURN 'relationship' AS holder, key, "
                     "count(*) AS held")
    return "\nUNION ALL\n".join(parts)


def schema_counts(conn: Connection, sample: int = SAMPLE) -> Catalogue:
    """The graph's labels and relationship types with their counts, and its property keys with how many
    nodes and relationships hold them (on a sample of `sample` of each label and type when one has more)."""
    _, names = run_query(conn, app_query("schema_names"))
    labels = [str(r["name"]) for r in names if r["kind"] == "label"]
    types = [str(r["name"]) for r in names if r["kind"] == "type"]
    counts: dict[tuple[str, str], int] = {}
    held: dict[tuple[str, str], int] = {}
    if labels or types:  # (an empty graph has neither: no query to make)
        for row in conn.read(count_store_query(labels, types)).records:
            counts[row["kind"], (labels if row["kind"] == "label" else types)[row["i"]]] = row["count"]
        for row in conn.read(sample_query(labels, types), {"sample": sample}).records:
            held[row["holder"], row["key"]] = row["held"]
    return catalogue(names, counts, held, sample if any(count > sample for count in counts.values()) else None)
