"""The graph's schema beside the console: labels, relationship types and property keys, with counts.

One stored app query (`cypher/app/schema_counts.cypher`) reads them; the derived and bookkeeping
labels (computed at load, graph.derive and graph.load_record) are put apart, so a reader sees the
analysts' data first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from graph.db import Connection
from graph.explore import app_query
from graph.load_record import COMPUTED_LABELS
from graph.queries import run_query



@dataclass(frozen=True)
class Catalogue:
    """Rows for the console's schema tables, each sorted by name."""

    labels: list[dict[str, Any]]  # label, nodes: the analysts' data
    derived: list[dict[str, Any]]  # label, nodes: computed at load
    types: list[dict[str, Any]]  # type, relationships
    keys: list[dict[str, Any]]  # key, nodes, relationships


def catalogue(rows: Iterable[Mapping[str, Any]]) -> Catalogue:
    """The `schema_counts` rows as the console's tables."""
    labels, derived, types, keys = [], [], [], []
    for row in rows:
        kind, name = row.get("kind"), str(row.get("name"))
        if kind == "label":
            (derived if name in COMPUTED_LABELS else labels).append({"label": name, "nodes": int(row.get("nodes") or 0)})
        elif kind == "type":
            types.append({"type": name, "relationships": int(row.get("relationships") or 0)})
        elif kind == "key":
            keys.append({"key": name, "nodes": int(row.get("nodes") or 0),
                         "relationships": int(row.get("relationships") or 0)})
    return Catalogue(*(sorted(table, key=lambda r: str(next(iter(r.values()))).lower())
                       for table in (labels, derived, types, keys)))


def schema_counts(conn: Connection) -> Catalogue:
    """The graph's labels, relationship types and property keys in use, with their counts."""
    _, rows = run_query(conn, app_query("schema_counts"))
    return catalogue(rows)
