"""Reading and validating a data folder, before anything is written.

Every problem is collected (up to a limit) with its file, row, column, value and reason, so an
analyst can fix a spreadsheet in one go. Row numbers are the spreadsheet's: the header is row 1.
Only ids are kept in memory; the loader reads the files a second time to write them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from graph.errors import SupplyGraphError
from graph.model import (
    FILES,
    ORGANIZATIONS,
    PEOPLE,
    RELATIONSHIP_TYPES,
    RELATIONSHIPS,
    REQUIRED_BY_TYPE,
    SOURCES,
    TYPE_SPECIFIC_COLUMNS,
    FileSpec,
)

MAX_PROBLEMS = 200
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")
DATE_PATTERN = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
COUNTRY_PATTERN = re.compile(r"[A-Z]{2}")
# Longest text accepted in a cell: names and titles are short; notes and descriptions may be long.
MAX_LENGTH = {"name": 300, "title": 500, "publisher": 200, "url": 2000}
MAX_OTHER_LENGTH = 5000
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data folder, and where."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        place = self.file
        if self.row is not None:
            place += f", row {self.row}"
        if self.column is not None:
            place += f", column {self.column!r}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            place += f", value {shown!r}"
        return f"{place}: {self.reason}"


class ValidationError(SupplyGraphError):
    """The folder has problems; nothing was written."""

    def __init__(self, folder: Path, problems: list[Problem], truncated: bool = False) -> None:
        self.folder = folder
        self.problems = problems
        count = f"{len(problems)}{'+' if truncated else ''}"
        lines = [f"{count} problem{'s' if len(problems) != 1 else ''} in {folder}; nothing was written:"]
        lines += [f"  {p}" for p in problems]
        if truncated:
            lines.append(f"  (stopped after {MAX_PROBLEMS} problems; fix these and run again)")
        super().__init__("\n".join(lines))


@dataclass
class FolderIndex:
    """What validation learned of a folder: its ids, by file and by relationship type."""

    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    ids: dict[str, set[str]] = field(default_factory=dict)
    relationship_ids: dict[str, set[str]] = field(default_factory=dict)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    @property
    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def add(self, file: str, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        if not self.full:
            self.problems.append(Problem(file, row, column, value, reason))


def parse_date(text: str) -> dt.date:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD (a partial date means its first day)."""
    match = DATE_PATTERN.fullmatch(text)
    if not match:
        raise ValueError("not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as e:
        raise ValueError(f"impossible date ({e})") from None


def parse_number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError
    return value


def read_rows(path: Path, spec: FileSpec) -> Iterator[tuple[int, dict[str, str]]]:
    """Yields (row number, cells) of a validated file; cells stripped, absent columns empty."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for cells in reader:
            row = {c: (cells.get(c) or "").strip() for c in spec.columns}
            if any(row.values()):  # rows of empty cells are skipped, as validation skips them
                yield reader.line_num, row


def convert(spec: FileSpec, cells: dict[str, str]) -> dict[str, Any]:
    """Typed values of a valid row: lists split on ';', dates as dates, numbers as floats."""
    out: dict[str, Any] = {}
    for column in spec.columns:
        text = cells.get(column, "")
        if column in spec.list_columns:
            out[column] = [v.strip() for v in text.split(";") if v.strip()]
        elif not text:
            out[column] = None
        elif column in spec.date_columns:
            out[column] = parse_date(text)
            out[f"{column}_text"] = text
        elif column in spec.number_columns:
            out[column] = parse_number(text)
        else:
            out[column] = text
    return out


def row_hash(values: dict[str, Any]) -> str:
    """A fingerprint of a row, stored on its node or edge to tell updated from unchanged."""
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def check_folder(folder: Path) -> FolderIndex:
    """Validates every file of a data folder; raises ValidationError listing all problems."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SupplyGraphError(f"{folder} is not a folder: give a folder holding {', '.join(s.name for s in FILES)}")
    index = FolderIndex(folder)
    found = _Collector()
    for spec in FILES:
        index.ids[spec.name] = set()
        path = folder / spec.name
        if not path.is_file():
            found.add(spec.name, None, None, None,
                      f"file is missing: create it with the header {','.join(spec.columns)}")
            continue
        stat = path.stat()
        index.stamps[spec.name] = (stat.st_size, stat.st_mtime_ns)
        index.rows[spec.name] = _check_file(path, spec, index, found)
    if found.problems:
        raise ValidationError(folder, found.problems, truncated=found.full)
    return index


def _check_file(path: Path, spec: FileSpec, index: FolderIndex, found: _Collector) -> int:
    name = spec.name
    rows = 0
    first_row_of: dict[str, int] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                found.add(name, None, None, None, f"file is empty: it needs the header {','.join(spec.columns)}")
                return 0
            header = [h.strip() for h in header]
            if not _check_header(name, header, spec, found):
                return 0
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue  # blank lines are common at the end of spreadsheet exports
                rows += 1
                if len(cells) != len(header):
                    found.add(name, line, None, None,
                              f"row has {len(cells)} fields but the header has {len(header)}: "
                              "check for an unquoted comma or a missing field")
                    continue
                row = {h: c.strip() for h, c in zip(header, cells)}
                _check_row(name, line, row, spec, index, found, first_row_of)
                if found.full:
                    return rows
    except UnicodeDecodeError as e:
        found.add(name, None, None, None,
                  f"not UTF-8 text (byte {e.start}: {e.reason}): save it as 'CSV UTF-8' and load again")
    except csv.Error as e:
        found.add(name, None, None, None, f"not valid CSV ({e}): check quoting, and remove NUL bytes")
    return rows


def _check_header(name: str, header: list[str], spec: FileSpec, found: _Collector) -> bool:
    ok = True
    for column in sorted({h for h in header if header.count(h) > 1}):
        found.add(name, 1, column, None, "column appears twice in the header: keep one")
        ok = False
    for column in header:
        if column not in spec.columns:
            found.add(name, 1, column, None,
                      f"unknown column: the columns are {','.join(spec.columns)} (rename or remove it)")
            ok = False
    for column in spec.required:
        if column not in header:
            found.add(name, 1, column, None, "required column is missing from the header: add it")
            ok = False
    return ok


def _check_row(name: str, line: int, row: dict[str, str], spec: FileSpec, index: FolderIndex,
               found: _Collector, first_row_of: dict[str, int]) -> None:
    def problem(column: str, reason: str) -> None:
        found.add(name, line, column, row.get(column, ""), reason)

    for column in spec.columns:
        value = row.get(column, "")
        if column in spec.required and not value:
            problem(column, "required value is empty")
            continue
        if not value:
            continue
        limit = MAX_LENGTH.get(column, 100 if column == "id" or column.endswith("_id") else MAX_OTHER_LENGTH)
        if len(value) > limit:
            problem(column, f"too long ({len(value)} characters; at most {limit})")
            continue
        if CONTROL_CHARS.search(value):
            problem(column, "holds control characters (such as NUL): remove them")
            continue
        values = [v.strip() for v in value.split(";") if v.strip()] if column in spec.list_columns else [value]
        allowed = spec.enums.get(column)
        for item in values:
            if allowed is not None and item not in allowed:
                problem(column, f"{item!r} is not one of: {', '.join(allowed)}")
        if column in spec.date_columns:
            try:
                parse_date(value)
            except ValueError as e:
                problem(column, str(e))
        if column in spec.number_columns:
            try:
                number = parse_number(value)
            except ValueError:
                problem(column, "not a number: write plain digits such as 14300000000 (no commas or symbols)")
                continue
            if number < 0:
                problem(column, "must not be negative")
            elif column == "stake_percent" and number > 100:
                problem(column, "a stake is a percentage from 0 to 100")
        if column == "url" and not value.startswith(("https://", "http://")):
            problem(column, "a URL must start with https:// or http://")
        if column == "country" and not COUNTRY_PATTERN.fullmatch(value):
            problem(column, "use a two-letter ISO 3166 country code such as US or GB")

    row_id = row.get("id", "")
    if row_id and not ID_PATTERN.fullmatch(row_id):
        problem("id", "ids use lowercase letters, digits, '-', '_' and '.', starting with a letter or digit")
    elif row_id in first_row_of:
        problem("id", f"duplicate id: row {first_row_of[row_id]} has it too")
    elif row_id:
        first_row_of[row_id] = line
        index.ids[name].add(row_id)

    _check_references(name, row, spec, index, problem)
    since, until = row.get("since", ""), row.get("until", "")
    if since and until:
        try:
            if parse_date(until) < parse_date(since):
                problem("until", f"ends before it starts (since {since})")
        except ValueError:
            pass  # already reported
    if spec is RELATIONSHIPS:
        _check_relationship_columns(row, problem)
        if row_id and row.get("type") in RELATIONSHIP_TYPES:
            index.relationship_ids.setdefault(row["type"], set()).add(row_id)
    if spec is ORGANIZATIONS and row.get("services") and "vendor" not in row.get("roles", "").split(";"):
        problem("services", "only vendors have services: add 'vendor' to roles or clear services")


def _check_references(name: str, row: dict[str, str], spec: FileSpec, index: FolderIndex, problem) -> None:
    targets = {"from_id": ORGANIZATIONS, "to_id": ORGANIZATIONS, "org_id": ORGANIZATIONS, "person_id": PEOPLE}
    for column, target in targets.items():
        value = row.get(column, "")
        if column in spec.columns and value and value not in index.ids[target.name]:
            problem(column, f"no row in {target.name} has this id: add it there or fix the id")
    for source_id in (s.strip() for s in row.get("sources", "").split(";")):
        if source_id and source_id not in index.ids[SOURCES.name]:
            problem("sources", f"source {source_id!r} is not in {SOURCES.name}: add it there or fix the id")
    if spec is RELATIONSHIPS and row.get("from_id") and row.get("from_id") == row.get("to_id"):
        problem("to_id", "a relationship from an organization to itself")


def _check_relationship_columns(row: dict[str, str], problem) -> None:
    kind = row.get("type", "")
    if kind not in RELATIONSHIP_TYPES:
        return
    allowed = RELATIONSHIP_TYPES[kind]
    for column in TYPE_SPECIFIC_COLUMNS:
        if row.get(column) and column not in allowed:
            problem(column, f"does not apply to {kind}: clear it"
                    + (f" (columns for {kind}: {', '.join(allowed)})" if allowed else ""))
    for column in REQUIRED_BY_TYPE.get(kind, ()):
        if not row.get(column):
            problem(column, f"required for {kind}")


def unchanged_since_check(index: FolderIndex) -> None:
    """Refuses to write if a file was edited between validation and writing."""
    for name, stamp in index.stamps.items():
        stat = (index.folder / name).stat()
        if (stat.st_size, stat.st_mtime_ns) != stamp:
            raise SupplyGraphError(f"{index.folder / name} changed while loading: run the load again")

