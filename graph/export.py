"""The database's base facts written back as a data folder or a workbook that loads to the same graph.

Generic over graph.model.FILES: a node file is read from its label (graph.load_cypher.NODE_LABELS),
an edge file from its relationship types (its `type` column's values, or HOLDS_POSITION) with its two
`*_id` columns as the ends. Each column is written as the text the loader read: lists joined with ';',
a date as the text it was given (`since_text`), a number with every digit it has. Derived facts are
not exported: the load that reads the export derives them again.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from graph.cells import exact_number_text, number_text
from graph.db import Connection
from graph.errors import SupplyGraphError
from graph.load_cypher import ALL_RELATIONSHIP_TYPES, NODE_LABELS
from graph.model import FILES, POSITION_TYPE, FileSpec
from graph.workbook import EXCEL_MAX_ROWS, is_workbook, sheet_name

PAGE = 20_000
READ_TIMEOUT_S = 600.0


def export(conn: Connection, target: Path) -> dict[str, int]:
    """Writes the base facts to `target` (a folder, or a workbook when it ends in .xlsx); returns the
    rows written per file. Refuses to overwrite: the folder's files or the workbook must not exist."""
    target = Path(target)
    tables = {spec.name: list(table_rows(conn, spec)) for spec in FILES}
    if is_workbook(target):
        write_workbook(target, tables)
    else:
        write_folder(target, tables)
    return {name: len(rows) for name, rows in tables.items()}


def edge_types(spec: FileSpec) -> tuple[str, ...]:
    """The relationship types an edge file holds."""
    return tuple(t for t in spec.enums["type"] if t in ALL_RELATIONSHIP_TYPES) if "type" in spec.columns \
        else (POSITION_TYPE,)


def table_rows(conn: Connection, spec: FileSpec) -> Iterator[list[str]]:
    """The rows of one file, as cell text in spec.columns order, by id."""
    label = NODE_LABELS.get(spec.name)
    if label is not None:
        for record in _pages(conn, f"MATCH (n:{label}) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $page "
                                   "RETURN n.id AS id, properties(n) AS p"):
            yield [cell(spec, c, record["p"]) for c in spec.columns]
        return
    ends = [c for c in spec.columns if c.endswith("_id")][:2]
    for rel_type in edge_types(spec):  # the types are the model's (pasted: the type's id index is used)
        for record in _pages(conn, f"MATCH (a)-[r:{rel_type}]->(b) WHERE r.id > $after WITH a, r, b ORDER BY r.id "
                                   "LIMIT $page RETURN r.id AS id, a.id AS a, b.id AS b, properties(r) AS p"):
            given = {**record["p"], ends[0]: record["a"], ends[1]: record["b"], "type": rel_type}
            yield [cell(spec, c, given) for c in spec.columns]


def _pages(conn: Connection, query: str) -> Iterator[dict[str, Any]]:
    after = ""
    while True:
        records = conn.read(query, {"after": after, "page": PAGE}, timeout=READ_TIMEOUT_S).records
        yield from records
        if len(records) < PAGE:
            return
        after = records[-1]["id"]


def cell(spec: FileSpec, column: str, props: dict[str, Any]) -> str:
    """One column's text as the file held it."""
    if column in spec.date_columns:
        text = props.get(f"{column}_text")
        value = props.get(column)  # a neo4j.time.Date, when the text was not kept (written by hand)
        return text if text else (value.iso_format() if hasattr(value, "iso_format") else str(value or ""))
    value = props.get(column)
    if value is None:
        return ""
    if column in spec.list_columns:
        return ";".join(value) if isinstance(value, list) else str(value)
    if column in spec.number_columns and isinstance(value, (int, float)):
        return exact_number_text(value)
    return str(value)


def write_folder(folder: Path, tables: dict[str, list[list[str]]]) -> None:
    """One CSV file per table, created new (an existing file, or a link planted in its place, is refused)."""
    folder.mkdir(parents=True, exist_ok=True)
    taken = [name for name in tables if os.path.lexists(folder / name)]
    if taken:
        raise SupplyGraphError(f"{folder} already holds {', '.join(taken)}: export into a new or empty folder")
    specs = {spec.name: spec for spec in FILES}
    for name, rows in tables.items():
        with open(folder / name, "x", encoding="utf-8", newline="") as f:  # O_EXCL: no link is followed
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(specs[name].columns)
            writer.writerows(rows)


def write_workbook(path: Path, tables: dict[str, list[list[str]]]) -> None:
    """One sheet per table. Every cell is text except the numbers of number columns; a text that starts
    with '=' stays text (openpyxl would make it a formula)."""
    specs = {spec.name: spec for spec in FILES}
    for name, rows in tables.items():
        if len(rows) + 1 > EXCEL_MAX_ROWS:
            raise SupplyGraphError(f"{name} has {len(rows):,} rows, more than a sheet holds "
                                   f"({EXCEL_MAX_ROWS - 1:,}): export to a folder instead")
    try:
        f = open(path, "xb")
    except FileExistsError:
        raise SupplyGraphError(f"{path} exists already: export to a new file name") from None
    try:
        with f, pd.ExcelWriter(f, engine="openpyxl") as writer:
            for name, rows in tables.items():
                spec = specs[name]
                numbers = [i for i, c in enumerate(spec.columns) if c in spec.number_columns]
                typed = [_typed(row, numbers) for row in rows] if numbers else rows
                frame = pd.DataFrame(typed, columns=list(spec.columns), dtype=object)
                frame.to_excel(writer, sheet_name=sheet_name(spec), index=False)
                for row in writer.sheets[sheet_name(spec)].iter_rows():
                    for c in row:
                        if c.data_type == "f":
                            c.data_type = "s"
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _typed(row: list[str], numbers: list[int]) -> list[Any]:
    """A row with its numbers as Excel numbers, where Excel's 15 digits give the very same value back."""
    out: list[Any] = list(row)
    for i in numbers:
        if row[i]:
            value = float(row[i])
            if float(number_text(value)) == value:  # else kept as text, every digit
                out[i] = int(value) if value.is_integer() and abs(value) < 2 ** 53 else value
    return out
