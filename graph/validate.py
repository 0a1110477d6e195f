"""Reading and validating a data folder, before anything is written.

Every problem is collected (up to a limit) with its file, row, column, value and reason, so an
analyst can fix a spreadsheet in one go. Row numbers are the spreadsheet's: the header is row 1.
No rows or relationship ids are kept (see FolderIndex); the loader reads the files a second time
to write them. Every read goes through open_data_file: symbolic links and anything but a regular
file are refused (without reading them), and the bytes validated are hashed, so the loader can
make sure, before its first write, that it writes the very files that were checked.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import datetime as dt
import hashlib
import json
import math
import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Any, Callable, Iterator, TextIO

import numpy as np

from graph.errors import SupplyGraphError
from graph.model import (
    FACILITIES,
    FACILITY,
    FILES,
    OPTIONAL_FILES,
    ORGANIZATION,
    ORGANIZATIONS,
    PEOPLE,
    POSITIONS,
    RELATIONSHIP_TYPES,
    RELATIONSHIPS,
    REQUIRED_BY_TYPE,
    SOURCES,
    TYPE_SPECIFIC_COLUMNS,
    FileSpec,
    targets,
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
        self.truncated = truncated
        count = f"{len(problems)}{'+' if truncated else ''}"
        lines = [f"{count} problem{'s' if len(problems) != 1 else ''} in {folder}; nothing was written:"]
        lines += [f"  {p}" for p in problems]
        if truncated:
            lines.append(f"  (stopped after {MAX_PROBLEMS} problems; fix these and run again)")
        super().__init__("\n".join(lines))


@dataclass
class FolderIndex:
    """What validation learned of a folder: its row counts, and each file's size and time to tell
    if it changed before the load ended.

    No ids are kept: whoever needs them again reads the files again. During validation only the ids of
    sources, organizations and people are held (other rows refer to them); those of positions and
    relationships are checked for duplicates as 8-byte hashes. So a load's memory does not grow with
    the relationships, and the node ids are gone before the first write.
    """

    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    stamps: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # device, inode, size, mtime
    digests: dict[str, str] = field(default_factory=dict)  # SHA-256 of the bytes validated

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
        raise SupplyGraphError(f"{folder} is not a folder: give a folder holding {', '.join(s.name for s in FILES)}, "
                               "or an Excel workbook (.xlsx) with one sheet per file")
    index = FolderIndex(folder)
    found = _Collector()
    ids: dict[str, set[str]] = {name: set() for name in NODE_FILES}  # for reference checks only
    for spec in FILES:
        path = folder / spec.name
        try:
            stat = os.lstat(path)
        except FileNotFoundError:
            if spec.name not in OPTIONAL_FILES:
                found.add(spec.name, None, None, None,
                          f"file is missing: create it with the header {','.join(spec.columns)}")
            continue
        if not _is_regular(spec.name, stat, found):
            continue
        index.stamps[spec.name] = _stamp(stat)
        index.rows[spec.name] = _check_file(path, spec, ids, found, index.digests)
    if found.problems:
        raise ValidationError(folder, found.problems, truncated=found.full)
    return index


def _stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _is_regular(name: str, stat: os.stat_result, found: _Collector) -> bool:
    """A data file must be the file itself: a link could point at any file the user can read (a password
    file would be printed as a column name), a FIFO or device would block or never end."""
    if S_ISLNK(stat.st_mode):
        found.add(name, None, None, None, "is a symbolic link, which is not followed: copy the file itself into the folder")
        return False
    if not S_ISREG(stat.st_mode):
        found.add(name, None, None, None,
                  "is not a regular file (a folder, pipe or device): put the CSV file itself in the folder")
        return False
    return True


class _Hashing(io.RawIOBase):
    """A raw file that hashes every byte read through it."""

    def __init__(self, raw: io.FileIO) -> None:
        self.raw, self.sha = raw, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.raw.fileno()

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.sha.update(memoryview(buffer)[:n])
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_regular_file(path: Path, put: str) -> io.FileIO:
    """The file opened for reading, refused if it is a symbolic link (O_NOFOLLOW) or, checked on the open
    file itself, anything but a regular file; `put` says what to put there instead."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise SupplyGraphError(f"{path} is a symbolic link, which is not followed: copy the file itself "
                                   "into the folder") from None
        raise SupplyGraphError(f"{path} cannot be read ({e.strerror}): check that it exists and you may read it") from None
    raw = io.FileIO(fd, "r", closefd=True)
    if not S_ISREG(os.fstat(fd).st_mode):
        raw.close()
        raise SupplyGraphError(f"{path} is not a regular file (a folder, pipe or device): put {put}")
    return raw


@contextlib.contextmanager
def open_data_file(path: Path) -> Iterator[tuple[TextIO, "hashlib._Hash"]]:
    """The file as CSV text, and the SHA-256 of the bytes read so far; refuses a symbolic link or a
    non-regular file at the moment of opening (O_NOFOLLOW, then fstat on the open file), so a file
    swapped for a link after the folder was listed is not followed either."""
    hashing = _Hashing(open_regular_file(path, "the CSV file itself in the folder"))
    with io.TextIOWrapper(io.BufferedReader(hashing), encoding="utf-8-sig", newline="") as text:
        yield text, hashing.sha


NODE_FILES = (SOURCES.name, ORGANIZATIONS.name, PEOPLE.name, FACILITIES.name)
# Columns holding the id of a row in another file, and that file (to_id and org_id: see _check_end).
REFERENCES = {"person_id": PEOPLE}
# The file of the nodes of each label an end may name.
FILE_OF_LABEL = {ORGANIZATION: ORGANIZATIONS.name, FACILITY: FACILITIES.name}
WHOLE_NUMBER_COLUMNS = ("chip_count",)


@dataclass(frozen=True)
class _Column:
    """One column's rules, and where it is in this file's header (None: not in the header)."""

    name: str
    index: int | None
    required: bool
    limit: int
    is_list: bool
    allowed: tuple[str, ...] | None
    is_date: bool
    is_number: bool


def _columns(spec: FileSpec, header: list[str]) -> list[_Column]:
    where = {h: i for i, h in enumerate(header)}
    return [_Column(c, where.get(c), c in spec.required,
                    MAX_LENGTH.get(c, 100 if c == "id" or c.endswith("_id") else MAX_OTHER_LENGTH),
                    c in spec.list_columns, spec.enums.get(c), c in spec.date_columns, c in spec.number_columns)
            for c in spec.columns]


def iter_cells(path: Path, spec: FileSpec) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells in spec.columns order, '' where absent) of a validated file.

    Positional (csv.reader, not DictReader): the loader reads every row of every file through this.
    """
    with open_data_file(path) as (f, _):
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        where = [header.index(c) if c in header else None for c in spec.columns]
        width = len(header)
        if where == list(range(width)):  # the usual case: the header lists every column, in order
            for cells in reader:
                cells = [c.strip() for c in cells]
                if any(cells):  # rows of empty cells are skipped, as validation skips them
                    yield reader.line_num, cells
            return
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):
                yield reader.line_num, ["" if i is None else cells[i] for i in where]


def read_rows(path: Path, spec: FileSpec) -> Iterator[tuple[int, dict[str, str]]]:
    """Yields (row number, cells) of a validated file; cells stripped, absent columns empty."""
    for line, cells in iter_cells(path, spec):
        yield line, dict(zip(spec.columns, cells))


def _check_file(path: Path, spec: FileSpec, ids: dict[str, set[str]], found: _Collector,
                digests: dict[str, str]) -> int:
    name = spec.name
    rows = 0
    first_problem = len(found.problems)
    # Duplicate ids: an 8-byte hash per row here (not the id itself); the rows of any duplicates are
    # found by reading the file again (see _report_duplicates).
    id_hashes = array("q")
    try:
        with open_data_file(path) as (f, sha):
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                found.add(name, None, None, None, f"file is empty: it needs the header {','.join(spec.columns)}")
                return 0
            header = [h.strip() for h in header]
            if not _check_header(name, header, spec, found):
                return 0
            checker = _RowChecker(spec, header, ids, found)
            width = len(header)
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue  # blank lines are common at the end of spreadsheet exports
                rows += 1
                if len(cells) != width:
                    found.add(name, line, None, None,
                              f"row has {len(cells)} fields but the header has {width}: "
                              "check for an unquoted comma or a missing field")
                    continue
                row_id = checker.check([c.strip() for c in cells], line)
                if row_id:
                    id_hashes.append(hash(row_id))
                if found.full:
                    break
            digests[name] = sha.hexdigest()
    except UnicodeDecodeError as e:
        found.add(name, None, None, None,
                  f"not UTF-8 text (byte {e.start}: {e.reason}): save it as 'CSV UTF-8' and load again")
    except csv.Error as e:
        found.add(name, None, None, None, f"not valid CSV ({e}): check quoting, and remove NUL bytes")
    else:
        _report_duplicates(path, name, header, id_hashes, found, first_problem, reader.line_num)
    return rows


def _duplicated(hashes: array) -> set[int]:
    """The values that occur more than once in an array of 64-bit hashes."""
    if len(hashes) < 2:
        return set()
    ordered = np.sort(np.frombuffer(hashes, dtype=np.int64))
    return set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())


def _report_duplicates(path: Path, name: str, header: list[str], hashes: array, found: _Collector,
                       first_problem: int, last_line: int) -> None:
    """Reports each repeated id at the rows after its first, in row order among the file's problems."""
    suspects = _duplicated(hashes)
    if not suspects:
        return
    # Read again for the rows of the suspect hashes; equal hashes of different ids are not duplicates.
    column = header.index("id")
    first_row_of: dict[str, int] = {}
    duplicates: list[Problem] = []
    with open_data_file(path) as (f, _):
        reader = csv.reader(f)
        next(reader)
        for cells in reader:
            if reader.line_num > last_line:
                break  # the check stopped there (too many problems)
            if len(cells) != len(header):
                continue
            row_id = cells[column].strip()
            if hash(row_id) not in suspects or not ID_PATTERN.fullmatch(row_id):
                continue
            if row_id in first_row_of:
                duplicates.append(Problem(name, reader.line_num, "id", row_id,
                                          f"duplicate id: row {first_row_of[row_id]} has it too"))
            else:
                first_row_of[row_id] = reader.line_num
    if not duplicates:
        return
    # This file's problems, in row order (a duplicate after the other problems of its row).
    mine = found.problems[first_problem:] + duplicates
    mine.sort(key=lambda p: p.row if p.row is not None else math.inf)
    found.problems[first_problem:] = mine
    del found.problems[MAX_PROBLEMS:]


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


class _RowChecker:
    """Checks the rows of one file, by position: the rules of each column are looked up once."""

    def __init__(self, spec: FileSpec, header: list[str], ids: dict[str, set[str]], found: _Collector) -> None:
        self.spec, self.name, self.found = spec, spec.name, found
        self.columns = [c for c in _columns(spec, header) if c.index is not None]
        self.where = {c.name: c.index for c in self.columns}
        self.ids = ids.get(spec.name)  # node files: filled here, for the files that refer to them
        self.references = [(column, self.where[column], ids[target.name], target.name)
                           for column, target in REFERENCES.items() if column in self.where]
        self.sources = self.where.get("sources")
        self.source_ids = ids[SOURCES.name]
        self.since, self.until = self.where.get("since"), self.where.get("until")
        self.type_column = self.where.get("type") if spec is RELATIONSHIPS else None
        self.from_column, self.to_column = self.where.get("from_id"), self.where.get("to_id")
        self.roles, self.services = self.where.get("roles"), self.where.get("services")
        self.ids_by_label = {label: ids[name] for label, name in FILE_OF_LABEL.items()}
        self.org_column = self.where.get("org_id") if spec is POSITIONS else None
        # Ids of the files before this one that share its namespace (organizations and facilities).
        self.other_ids = ([(ids[ORGANIZATIONS.name], ORGANIZATIONS.name), (ids[PEOPLE.name], PEOPLE.name)]
                          if spec is FACILITIES else [])

    def check(self, cells: list[str], line: int) -> str:
        """Adds the row's problems; returns its id if that id is well formed (else '')."""
        name, found = self.name, self.found

        def problem(index: int | None, column: str, reason: str) -> None:
            found.add(name, line, column, "" if index is None else cells[index], reason)

        controls = CONTROL_CHARS.search("".join(cells)) is not None  # one search per row, not per cell
        for col in self.columns:
            value = cells[col.index]
            if not value:
                if col.required:
                    problem(col.index, col.name, "required value is empty")
                continue
            if len(value) > col.limit:
                problem(col.index, col.name, f"too long ({len(value)} characters; at most {col.limit})")
                continue
            if controls and CONTROL_CHARS.search(value):
                problem(col.index, col.name, "holds control characters (such as NUL): remove them")
                continue
            allowed = col.allowed
            if allowed is not None:
                items = [v.strip() for v in value.split(";") if v.strip()] if col.is_list else (value,)
                for item in items:
                    if item not in allowed:
                        problem(col.index, col.name, f"{item!r} is not one of: {', '.join(allowed)}")
            if col.is_date:
                try:
                    parse_date(value)
                except ValueError as e:
                    problem(col.index, col.name, str(e))
            elif col.is_number:
                try:
                    number = parse_number(value)
                except ValueError:
                    problem(col.index, col.name,
                            "not a number: write plain digits such as 14300000000 (no commas or symbols)")
                    continue
                if number < 0:
                    problem(col.index, col.name, "must not be negative")
                elif col.name in WHOLE_NUMBER_COLUMNS and number != int(number):
                    problem(col.index, col.name, "a count is a whole number")
                elif col.name == "stake_percent" and number > 100:
                    problem(col.index, col.name, "a stake is a percentage from 0 to 100")
            elif col.name == "url" and not value.startswith(("https://", "http://")):
                problem(col.index, col.name, "a URL must start with https:// or http://")
            elif col.name == "country" and not COUNTRY_PATTERN.fullmatch(value):
                problem(col.index, col.name, "use a two-letter ISO 3166 country code such as US or GB")

        id_index = self.where["id"]
        row_id = cells[id_index]
        if row_id and not ID_PATTERN.fullmatch(row_id):
            problem(id_index, "id",
                    "ids use lowercase letters, digits, '-', '_' and '.', starting with a letter or digit")
            row_id = ""
        elif row_id and self.ids is not None:
            self.ids.add(row_id)
            for ids, other in self.other_ids:
                if row_id in ids:
                    problem(id_index, "id", f"{other} has this id too: organizations, people and facilities "
                                            "share one set of ids, so give one of them another id")

        for column, index, ids, target in self.references:
            value = cells[index]
            if value and value not in ids:
                problem(index, column, f"no row in {target} has this id: add it there or fix the id")
        if self.sources is not None:
            for source_id in (s.strip() for s in cells[self.sources].split(";")):
                if source_id and source_id not in self.source_ids:
                    problem(self.sources, "sources",
                            f"source {source_id!r} is not in {SOURCES.name}: add it there or fix the id")
        from_id = cells[self.from_column] if self.type_column is not None else ""
        if from_id and from_id == cells[self.to_column]:
            problem(self.to_column, "to_id", "a relationship from an organization to itself")
        if self.since is not None and self.until is not None:
            since, until = cells[self.since], cells[self.until]
            if since and until:
                try:
                    if parse_date(until) < parse_date(since):
                        problem(self.until, "until", f"ends before it starts (since {since})")
                except ValueError:
                    pass  # already reported
        if self.type_column is not None:
            kind = cells[self.type_column]
            self._check_end(cells, self.from_column, "from_id", (ORGANIZATION,), "every relationship starts at", problem)
            if kind in RELATIONSHIP_TYPES:
                self._check_end(cells, self.to_column, "to_id", targets(kind), f"{kind} goes to", problem)
            self._check_relationship_columns(cells, problem)
        if self.org_column is not None:
            self._check_end(cells, self.org_column, "org_id", (ORGANIZATION, FACILITY), "a position is at", problem)
        if self.services is not None and cells[self.services] and "vendor" not in cells[self.roles].split(";"):
            problem(self.services, "services", "only vendors have services: add 'vendor' to roles or clear services")
        return row_id

    def _check_end(self, cells: list[str], index: int | None, column: str, allowed: tuple[str, ...], what: str,
                   problem: Callable[[int | None, str, str], None]) -> None:
        """The id in `column` names a node of an allowed label (an organization, a facility)."""
        value = cells[index] if index is not None else ""
        if not value:
            return
        found = [label for label, ids in self.ids_by_label.items() if value in ids]
        if not found:
            files = " or ".join(FILE_OF_LABEL[label] for label in allowed)
            problem(index, column, f"no row in {files} has this id: add it there or fix the id")
        elif not any(label in allowed for label in found):
            wanted = " or ".join(_a(label) for label in allowed)
            problem(index, column, f"is {_a(found[0])} ({FILE_OF_LABEL[found[0]]}), but {what} {wanted}: "
                                   "fix the id or the type")

    def _check_relationship_columns(self, cells: list[str], problem: Callable[[int | None, str, str], None]) -> None:
        kind = cells[self.type_column]
        if kind not in RELATIONSHIP_TYPES:
            return
        allowed = RELATIONSHIP_TYPES[kind]
        for column in TYPE_SPECIFIC_COLUMNS:
            index = self.where.get(column)
            if index is not None and cells[index] and column not in allowed:
                problem(index, column, f"does not apply to {kind}: clear it"
                        + (f" (columns for {kind}: {', '.join(allowed)})" if allowed else ""))
        for column in REQUIRED_BY_TYPE.get(kind, ()):
            index = self.where.get(column)
            if index is None or not cells[index]:
                problem(index, column, f"required for {kind}")
        # A quantity is a count of something: the two go together; a contract value is money, in a currency.
        filled = {c: self.where.get(c) is not None and bool(cells[self.where[c]])
                  for c in ("quantity", "unit", "value", "currency")}
        if filled["quantity"] != filled["unit"]:
            missing = "unit" if filled["quantity"] else "quantity"
            problem(self.where.get(missing), missing,
                    "quantity and unit go together: give both (e.g. 100000 and gpus) or neither")
        if filled["value"] and not filled["currency"]:
            problem(self.where.get("currency"), "currency", "a value needs its currency (e.g. USD)")


def _a(label: str) -> str:
    """'an organization', 'a facility'."""
    return f"{'an' if label[0] in 'AEIOU' else 'a'} {label.lower()}"


def verify_unchanged(index: FolderIndex) -> None:
    """Before the first write: each file still holds the very bytes validated (SHA-256), and is the same
    file, not one swapped in since."""
    for name, digest in index.digests.items():
        path = index.folder / name
        with open_data_file(path) as (f, sha):
            while f.buffer.read(1 << 20):  # the bytes, undecoded
                pass
            if sha.hexdigest() != digest or _stamp(os.fstat(f.fileno())) != index.stamps[name]:
                raise SupplyGraphError(f"{path} changed after it was checked; nothing was written: run the load again")


def unchanged_since_check(index: FolderIndex) -> None:
    """Refuses to write if a file was edited or replaced between validation and writing."""
    for name, stamp in index.stamps.items():
        if _stamp(os.lstat(index.folder / name)) != stamp:
            raise SupplyGraphError(f"{index.folder / name} changed while loading: run the load again")
