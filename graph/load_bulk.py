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
SOURCED_FROM = "SOURCED_FROM"
_ROW_FIELDS = {"props", "labels", "type", "from_id", "to_id"}


class NotBulkLoadable(SupplyGraphError):
    """The folder is valid but the import tool cannot write it as the transactional load would."""


@dataclass
class _Table:
    """One data file of the import and the header it will get: fixed columns, then `key:type` ones."""

    path: Path
    fixed: tuple[str, ...]
    types: dict[str, str] = field(default_factory=dict)  # property -> import type, in column order
    multiline: bool = False
    rows: int = 0
    file: TextIO | None = None
    writer: Any = None

    def fits(self, values: dict[str, tuple[str, str]]) -> bool:
        return all(self.types.get(key, kind) == kind for key, (kind, _) in values.items())

    def write(self, fixed: list[str], values: dict[str, tuple[str, str]]) -> None:
        if self.file is None:
            self.file = open(self.path, "w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.file, lineterminator="\n")
        for key, (kind, _) in values.items():
            self.types.setdefault(key, kind)
        cells = fixed + [""] * len(self.types)
        offset = len(fixed)
        for position, key in enumerate(self.types):
            if key in values:
                text = values[key][1]
                cells[offset + position] = text
                if "\n" in text or "\r" in text:
                    self.multiline = True
        while cells and cells[-1] == "":  # the import tool reads a short row's missing cells as no value
            cells.pop()
        self.writer.writerow(cells)
        self.rows += 1

    def close(self) -> Path:
        """Closes the data file and writes the header file next to it; returns the header's path."""
        if self.file is not None:
            self.file.close()
        header = self.path.with_name(self.path.stem + "-header.csv")
        with open(header, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerow([*self.fixed, *(f"{k}:{t}" for k, t in self.types.items())])
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

    def write(self, kind: str, name: str, fixed_columns: tuple[str, ...], fixed: list[str],
              values: dict[str, tuple[str, str]]) -> None:
        tables = self.groups.setdefault((kind, name), [])
        table = next((t for t in tables if t.fits(values)), None)
        if table is None:
            table = _Table(self.folder / f"{kind}-{name.removesuffix('.csv')}-{len(tables)}.csv", fixed_columns)
            tables.append(table)
        table.write(fixed, values)

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
        label = NODE_LABELS.get(spec.name)
        group = SOURCE_GROUP if spec is SOURCES else ENTITY_GROUP
        for row in rows(index, spec):
            unknown = row.keys() - _ROW_FIELDS - set(spec.date_columns)
            if unknown:  # a change of graph.load_rows this module does not know: refuse rather than differ
                raise NotBulkLoadable(f"the rows of {spec.name} carry {sorted(unknown)}, which the bulk load "
                                      "does not write")
            props = row["props"]
            values = {key: _typed(spec.name, key, value) for key, value in props.items()}
            for column in spec.date_columns:
                if row.get(column) is not None:
                    values[column] = ("date", row[column])
            if label is None:  # a relationship, as load_cypher writes it
                values["valid_from"], values["valid_to"] = (
                    ("date", d) for d in stored_validity(row.get("since"), row.get("until"), props.get("status")))
                tables.write("relationships", spec.name, (f":START_ID({ENTITY_GROUP})", f":END_ID({ENTITY_GROUP})",
                                                           ":TYPE"), [row["from_id"], row["to_id"], row["type"]], values)
                created[row["type"]] += 1
                continue
            labels = list(dict.fromkeys([label, *row.get("labels", ())]))
            tables.write("nodes", spec.name, (f":ID({group})", ":LABEL"), [props["id"], ARRAY_DELIMITER.join(labels)],
                         values)
            created[label] += 1
            if group == ENTITY_GROUP:
                entity_ids.append(hash(props["id"]))
                for source in dict.fromkeys(props.get("sources", ())):  # one edge per source named
                    tables.write("relationships", SOURCED_FROM, (f":START_ID({ENTITY_GROUP})",
                                                                 f":END_ID({SOURCE_GROUP})", ":TYPE"),
                                 [props["id"], source, SOURCED_FROM], {})
    hashes = np.frombuffer(entity_ids, dtype=np.int64) if entity_ids else np.zeros(0, dtype=np.int64)
    if len(np.unique(hashes)) != len(hashes):
        # A person and an organization with one id: the transactional load tells them apart by label.
        raise NotBulkLoadable("an id is used in more than one of the node files")
    return ImportFiles(folder, tables.arguments(), created)


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
