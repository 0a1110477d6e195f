"""Turning Neo4j results into plain data, and plain data into tables, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any, Iterable, Sequence

import neo4j
import neo4j.graph
import neo4j.time
import neo4j.spatial

FORMATS = ("table", "json", "csv")
# Cells starting with these are formulas to a spreadsheet; CSV exports neutralise them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """A JSON-ready copy of a Neo4j value: nodes, relationships and paths become dicts."""
    if isinstance(value, neo4j.graph.Node):
        return {"element_id": value.element_id, "labels": sorted(value.labels),
                "properties": {k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Relationship):
        return {"element_id": value.element_id, "type": value.type,
                "start": value.start_node.element_id, "end": value.end_node.element_id,
                "properties": {k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Path):
        return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, (neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time)):
        return value.iso_format()
    if isinstance(value, neo4j.time.Duration):
        return str(value)
    if isinstance(value, neo4j.spatial.Point):
        return list(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def records_to_rows(records: Iterable[neo4j.Record]) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in record.items()} for record in records]


def is_graph_value(value: Any) -> bool:
    """A node, relationship or path as plain() writes it, or a non-empty list of them."""
    if isinstance(value, dict):
        return "element_id" in value or {"nodes", "relationships"} <= value.keys()
    if isinstance(value, list):
        return bool(value) and all(is_graph_value(v) for v in value)
    return False


def terminal_columns(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns worth a terminal table: graph values (paths, nodes) are for pictures and JSON."""
    return [c for c in columns if not any(is_graph_value(row.get(c)) for row in rows)]


# The explanation is what a reader came for: it goes right after the names (org, rival), and a terminal
# table of a query that has one shows only these key columns, the rest staying in json/csv.
EXPLANATION = "explanation"
NAME_COLUMNS = ("date", "change", "org", "rival")
KEY_COLUMNS = (*NAME_COLUMNS, "kind", "score", "since", "until", "cause", EXPLANATION)
WRAPPED = ("cause", EXPLANATION)  # the sentences: they share the width the short columns leave


def reading_order(columns: Sequence[str]) -> list[str]:
    """The columns with the explanation moved to right after the names (date, change, org, rival) it
    explains; columns of a query with no explanation stay as they are."""
    if EXPLANATION not in columns:
        return list(columns)
    names = [c for c in columns if c in NAME_COLUMNS]
    return [*names, EXPLANATION, *(c for c in columns if c not in names and c != EXPLANATION)]


def key_columns(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns of a terminal table: for a query with an explanation, the few a person reads first
    (names, kind, score, since, until, then the explanation, last so that it takes the width the short
    columns leave); otherwise every column but graph values."""
    if EXPLANATION not in columns:
        return terminal_columns(columns, rows)
    return [c for c in KEY_COLUMNS if c in columns]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def safe_cell(text: str) -> str:
    """Prefixes a quote to cells a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])  # a column name is the query's text: a formula too
    for row in rows:
        # Bare carriage returns become newlines, which the writer quotes; a lone \r would split the row.
        writer.writerow([safe_cell(cell_text(row.get(c))).replace("\r\n", "\n").replace("\r", "\n")
                         for c in columns])
    return out.getvalue()


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    """Valid JSON: NaN and infinities (which Cypher can return) become null, as JSON has no such numbers."""
    return json.dumps(_finite(rows), ensure_ascii=False, indent=2, default=str, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
