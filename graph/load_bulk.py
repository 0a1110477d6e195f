"""The files Neo4j's import tool reads for a bulk first load, written from the rows a transactional load sends.

`graph.load_rows.rows` builds each row once (properties, row hash, labels, type, ends, dates as ISO
text); here each becomes a line of a CSV file for `neo4j-admin database import full`, with what the
transactional Cypher adds to it (graph.load_cypher) done the same way: every row's props, its date
columns typed as dates, each relationship's `valid_from` / `valid_to` (graph.validity.stored_validity),
role labels, and one SOURCED_FROM edge per distinct source of a node. Nothing here names a column of
the model: a new file or column of graph.model reaches the import as it reaches the transactional load.

A file's header is written apart from its data (the import tool takes `header,data`), once the rows
are written, so a column can be added when a row first has a value in it; rows written before simply
end early, which the import tool reads as no value. A property whose values come with two types
(a number here, text there) gets a second file, so no value changes type.
"""

from __future__ import annotations

import csv
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from graph.errors import SupplyGraphError
from graph.load_cypher import NODE_LABELS
from graph.load_rows import rows
from graph.model import FILES, SOURCES
from graph.validate import FolderIndex
from graph.validity import stored_validity

ENTITY_GROUP, SOURCE_GROUP = "Entity", "Source"  # the import's id spaces: organizations, people (...) share one
ARRAY_DELIMITER = ";"
LINE_END = "\r\n"
SOURCED_FROM = "SOURCED_FROM"
_ROW_FIELDS = {"props", "labels", "type", "from_id", "to_id"}
_EDGE_COLUMNS = (f":START_ID({ENTITY_GROUP})", f":END_ID({ENTITY_GROUP})", ":TYPE")
_SOURCED_FROM_COLUMNS = (f":START_ID({ENTITY_GROUP})", f":END_ID({SOURCE_GROUP})", ":TYPE")
_NONE: dict[str, Any] = {}


class NotBulkLoadable(SupplyGraphError):
    """The folder is valid but the import tool cannot write it as the transactional load would."""


_IMPORT_TYPES = {str: "string", float: "double", list: "string[]", int: "long", bool: "boolean"}
DATE = "date"


@dataclass
class _Table:
    """One data file of the import and the header it will get: fixed columns, then `key:type` ones."""

    path: Path
    fixed: tuple[str, ...]
    slots: dict[str, tuple[int, str]] = field(default_factory=dict)  # property -> (its cell, import type), in order
    multiline: bool = False
    file: TextIO | None = None
    writer: Any = None

    def __post_init__(self) -> None:
        self.file = open(self.path, "w", encoding="utf-8", newline="")
        # CRLF lines: csv quotes a field holding any character of the line terminator, and the import tool
        # reads a lone CR as a line break, so a text with one must be quoted (with "\n" it was not).
        self.writer = csv.writer(self.file, lineterminator=LINE_END)

    def write(self, file: str, fixed: list[str], props: dict[str, Any], dates: dict[str, str]) -> bool:
        """Writes one row (props, and `dates` typed as dates), unless a value's import type differs from
        its column's: then it writes nothing and returns False. A property first seen adds a column; the
        rows before end early, which the import tool reads as no value. This runs for every row of the
        folder: one type lookup and one column lookup per value, no copies."""
        slots = self.slots
        cells: list[str | None] = [*fixed, *[None] * len(slots)]
        added: list[str] = []
        for values, dated in ((props, False), (dates, True)):
            for key, value in values.items():
                kind = DATE if dated else _IMPORT_TYPES.get(type(value))
                if kind == "string" or kind == DATE:
                    text = value
                elif kind == "double":
                    text = repr(value)
                elif kind == "string[]":
                    text = _array_text(file, key, value)
                else:  # int, bool, or a type known only by isinstance (a subclass)
                    kind, text = _typed(file, key, value)
                slot = slots.get(key)
                if slot is None:
                    slot = slots[key] = (len(cells), kind)
                    cells.append(None)
                    added.append(key)
                elif slot[1] != kind:  # another file of this group, or a new one, takes the row
                    for key in added:
                        del slots[key]
                    return False
                cells[slot[0]] = text
                if not self.multiline and kind != DATE and ("\n" in text or "\r" in text):
                    self.multiline = True
        while cells[-1] is None:  # a row ends at its last value: the import tool reads a short row's missing
            cells.pop()  # cells as no value, but misreads the line after a row ending in empty ones (5.26)
        if "" in cells:  # an empty text (a relationship's `detail` can be one): see _quoted_line
            self.file.write(_quoted_line(cells))  # type: ignore[union-attr]
        else:
            self.writer.writerow(cells)  # None is written as an empty cell
        return True

    def close(self) -> Path:
        """Closes the data file and writes the header file next to it; returns the header's path."""
        if self.file is not None:
            self.file.close()
        header = self.path.with_name(self.path.stem + "-header.csv")
        with open(header, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator=LINE_END).writerow(
                [*self.fixed, *(f"{key}:{kind}" for key, (_, kind) in self.slots.items())])
        return header


@dataclass
class ImportFiles:
    """What write_import_files wrote: the import tool's arguments (paths relative to its folder), and
    how many nodes and relationships of each label and type a load creates with them."""

    folder: Path
    arguments: list[str]
    created: Counter


class _Tables:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.groups: dict[tuple[str, str], list[_Table]] = {}
        self.last: dict[tuple[str, str], _Table] = {}  # the table of a group that took its last row

    def write(self, kind: str, name: str, fixed_columns: tuple[str, ...], fixed: list[str], props: dict[str, Any],
              dates: dict[str, str]) -> None:
        group = (kind, name)
        last = self.last.get(group)
        if last is not None and last.write(name, fixed, props, dates):
            return
        tables = self.groups.setdefault(group, [])
        table = next((t for t in tables if t is not last and t.write(name, fixed, props, dates)), None)
        if table is None:  # a new, empty table takes any row
            table = _Table(self.folder / f"{kind}-{name.removesuffix('.csv')}-{len(tables)}.csv", fixed_columns)
            tables.append(table)
            if not table.write(name, fixed, props, dates):
                raise NotBulkLoadable(f"a row of {name} gives one property two types")
        self.last[group] = table

    def arguments(self) -> list[str]:
        args: list[str] = []
        multiline: list[str] = []
        for (kind, _), tables in self.groups.items():
            for table in tables:
                header = table.close()
                args.append(f"--{kind}={header.name},{table.path.name}")
                if table.multiline:
                    multiline.append(table.path.name)
        if multiline:
            args += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(multiline)}"]
        return args


def write_import_files(index: FolderIndex, folder: Path) -> ImportFiles:
    """Writes the CSV files of a checked folder for the import tool into `folder` (which exists)."""
    tables = _Tables(folder)
    created: Counter = Counter()
    entity_ids = array("q")
    for spec in FILES:
        name, label, date_columns = spec.name, NODE_LABELS.get(spec.name), spec.date_columns
        known = _ROW_FIELDS | set(date_columns)
        id_space = SOURCE_GROUP if spec is SOURCES else ENTITY_GROUP
        node_columns = (f":ID({id_space})", ":LABEL")
        for row in rows(index, spec):
            if not known.issuperset(row):  # a change of graph.load_rows this module does not know: refuse
                raise NotBulkLoadable(f"the rows of {name} carry {sorted(row.keys() - known)}, which the bulk "
                                      "load does not write")
            props = row["props"]
            dates = {column: row[column] for column in date_columns if row.get(column) is not None}
            if label is None:  # a relationship, as load_cypher writes it
                dates["valid_from"], dates["valid_to"] = stored_validity(row.get("since"), row.get("until"),
                                                                         props.get("status"))
                rel_type = row["type"]
                tables.write("relationships", name, _EDGE_COLUMNS, [row["from_id"], row["to_id"], rel_type], props,
                             dates)
                created[rel_type] += 1
                continue
            node_id = props["id"]
            labels = row.get("labels")
            tables.write("nodes", name, node_columns,
                         [node_id, ARRAY_DELIMITER.join(dict.fromkeys([label, *labels]) if labels else (label,))],
                         props, dates)
            created[label] += 1
            if id_space == ENTITY_GROUP:
                entity_ids.append(hash(node_id))
                for source in dict.fromkeys(props.get("sources", ())):  # one edge per source named
                    tables.write("relationships", SOURCED_FROM, _SOURCED_FROM_COLUMNS, [node_id, source, SOURCED_FROM],
                                 _NONE, _NONE)
    hashes = np.frombuffer(entity_ids, dtype=np.int64) if entity_ids else np.zeros(0, dtype=np.int64)
    if len(np.unique(hashes)) != len(hashes):
        # A person and an organization with one id: the transactional load tells them apart by label.
        raise NotBulkLoadable("an id is used in more than one of the node files")
    return ImportFiles(folder, tables.arguments(), created)


def _quoted_line(cells: list[str | None]) -> str:
    """A line with every value quoted and each missing cell (None) empty: the import tool reads an empty
    cell as no value and a quoted empty one ("") as an empty text, which the transactional load stores
    (csv's writer writes both as nothing, and with QUOTE_NONNUMERIC both as "")."""
    return ",".join("" if cell is None else '"' + cell.replace('"', '""') + '"' for cell in cells) + LINE_END


def _array_text(file: str, key: str, value: list) -> str:
    """A list of texts as one cell of a `string[]` column: refused if one holds the delimiter, or is no text."""
    try:
        text = ARRAY_DELIMITER.join(value)
    except TypeError:  # an item is no text
        text = None
    if text is None or not value or text.count(ARRAY_DELIMITER) != len(value) - 1:
        return _typed(file, key, value)[1]  # raises NotBulkLoadable, naming the file and the property
    return text


def _typed(file: str, key: str, value: Any) -> tuple[str, str]:
    """A property's import type and text, from its Python value (as the driver would send it)."""
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int):
        return "long", str(value)
    if isinstance(value, float):
        return "double", repr(value)
    if isinstance(value, str):
        return "string", value
    if isinstance(value, list) and value and all(isinstance(v, str) and ARRAY_DELIMITER not in v for v in value):
        return "string[]", ARRAY_DELIMITER.join(value)
    raise NotBulkLoadable(f"{file}: the value of {key!r} ({type(value).__name__}) has no import type here")
