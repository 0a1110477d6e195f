"""An Excel workbook as a data folder: one sheet per file, read with pandas (openpyxl), checked and
loaded by the very code that checks and loads a folder.

Each sheet the model knows (`organizations` for organizations.csv, ...) is read into rows of cell
text, the text a CSV file of the same table holds (graph.cells says how a typed cell becomes text),
and written as that CSV file into a private temporary folder; graph.validate then checks the folder
and graph.loader writes it, as for any folder. What validation finds is told back in the workbook's
terms: the sheet, the row as Excel numbers it, the column, the value.

The workbook gets a folder's care: a symbolic link or anything but a regular file is refused, its
bytes are read once (what is checked is what is loaded, whatever happens to the file meanwhile), and a
zip that would inflate past MAX_UNZIPPED_BYTES is refused before it is parsed. Formulas give the value
Excel last computed (openpyxl's data_only); external links are not followed.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from graph.cells import cell_text
from graph.duplicates import possible_duplicates
from graph.errors import SupplyGraphError
from graph.model import FILES, FileSpec
from graph.validate import FolderIndex, Problem, ValidationError, check_folder, open_regular_file

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
MAX_WORKBOOK_BYTES = 1 << 30        # 1 GiB on disk
MAX_UNZIPPED_BYTES = 8 << 30        # what its parts inflate to: a zip bomb is refused before parsing
EXCEL_MAX_ROWS = 1_048_576


def sheet_name(spec: FileSpec) -> str:
    """The sheet that holds a file: its name without .csv."""
    return spec.name.removesuffix(".csv")


def is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


@dataclass
class Workbook:
    """A workbook read into a temporary data folder, and how to say the folder's places in its terms."""

    path: Path
    folder: Path
    excel_rows: dict[str, list[int]] = field(default_factory=dict)  # file -> Excel row of each CSV line (index)
    warnings: list[str] = field(default_factory=list)
    blank_header: list[str] = field(default_factory=list)  # sheets with values but an empty row 1

    def place(self, problem: Problem) -> Problem:
        """A problem of the temporary folder, at its sheet and Excel row."""
        spec = next((s for s in FILES if s.name == problem.file), None)
        if spec is None:
            return problem
        row = problem.row
        lines = self.excel_rows.get(spec.name)
        if row is not None and lines is not None and 0 <= row < len(lines):
            row = lines[row]
        return replace(problem, file=f"sheet {sheet_name(spec)!r}", row=row, reason=in_sheet_terms(problem.reason))


def in_sheet_terms(reason: str) -> str:
    """A reason written for a folder, said of sheets: 'organizations.csv' -> "sheet 'organizations'"."""
    reason = re.sub(r"^file is (missing|empty): create it", r"sheet is \1: add a sheet of that name", reason)
    reason = re.sub(r"^file is (missing|empty)", r"sheet is \1", reason)
    for spec in FILES:
        reason = reason.replace(spec.name, f"sheet {sheet_name(spec)!r}")
    return reason


@contextlib.contextmanager
def open_workbook(path: Path) -> Iterator[Workbook]:
    """The workbook as a checked-to-be-readable temporary data folder, removed afterwards."""
    path = Path(path)
    data = _read_bytes(path)
    frames, extra = _read_sheets(path, data)
    with tempfile.TemporaryDirectory(prefix="supplygraph-book-") as tmp:  # mode 0700: ours only
        book = Workbook(path, Path(tmp))
        known = {sheet_name(s) for s in FILES}
        for name in extra:
            like = difflib.get_close_matches(name.strip().lower().removesuffix(".csv"), sorted(known), n=1, cutoff=0.8)
            hint = f": rename it to {like[0]!r} if it holds that file" if like else ""
            book.warnings.append(f"{path}: sheet {name!r} is not one of the model's sheets "
                                 f"({', '.join(sorted(known))}) and was ignored{hint}")
        for spec in FILES:
            frame = frames.get(sheet_name(spec))
            if frame is not None:
                lines = book.excel_rows[spec.name] = _write_csv(book.folder / spec.name, frame)
                if len(lines) > 1 and frame.shape[0] and not any(cell_text(v).strip() for v in frame.iloc[0]):
                    book.blank_header.append(sheet_name(spec))
        yield book


@dataclass
class Checked:
    """A checked data folder or workbook: the folder the loader reads, what validation learned of it,
    warnings, and how to tell a place of the folder in the terms of what the analyst gave."""

    given: Path
    folder: Path
    index: FolderIndex
    warnings: list[str]
    place: Callable[[Problem], Problem]
    duplicates: list[str]  # possible duplicates, in words, at their places (graph.duplicates)

    def part(self, file: str) -> str:
        """A file's name as the analyst knows it: the file, or the workbook's sheet."""
        return file.removesuffix(".csv") if self.given != self.folder else file


@contextlib.contextmanager
def checked_data(path: Path) -> Iterator[Checked]:
    """A folder, or a workbook read into a temporary folder (removed afterwards), validated."""
    path = Path(path)
    if is_workbook(path) and not path.is_dir():
        with open_workbook(path) as book:
            index = check_workbook(book)
            yield Checked(path, book.folder, index, book.warnings, book.place, _duplicates(book.folder, book.place))
    else:
        index = check_folder(path)
        yield Checked(path, path, index, [], _same_place, _duplicates(path, _same_place))


def _same_place(problem: Problem) -> Problem:
    return problem


def _duplicates(folder: Path, place: Callable[[Problem], Problem]) -> list[str]:
    return [p.message(place) for p in possible_duplicates(folder)]


def check_workbook(book: Workbook) -> FolderIndex:
    """graph.validate.check_folder on the workbook's folder, its problems at their sheets and Excel rows."""
    try:
        return check_folder(book.folder)
    except ValidationError as e:
        problems = [book.place(p) for p in e.problems]
        # A sheet whose row 1 is blank has its table lower down: one problem says so, not one per column.
        for sheet in book.blank_header:
            problems = [p for p in problems if p.file != f"sheet {sheet!r}"] + [Problem(
                f"sheet {sheet!r}", 1, None, None,
                "row 1 is empty: the header must be in row 1 (delete the rows above it)")]
        raise ValidationError(book.path, problems, truncated=e.truncated) from None


def _read_bytes(path: Path) -> bytes:
    with open_regular_file(path, "the workbook file itself there") as f:
        data = f.read(MAX_WORKBOOK_BYTES + 1)
    if len(data) > MAX_WORKBOOK_BYTES:
        raise SupplyGraphError(f"{path} is larger than {MAX_WORKBOOK_BYTES >> 20} MiB: split it, or save its "
                               "sheets as CSV files in a folder and load the folder")
    return data


def _read_sheets(path: Path, data: bytes) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The model's sheets as frames of raw cells (row i of a frame is Excel row i + 1), and the other sheets' names."""
    not_a_workbook = (f"{path} is not an Excel workbook (.xlsx) that can be read: save it from Excel as "
                      "'Excel Workbook (.xlsx)' and load it again")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise SupplyGraphError(f"{path} inflates to more than {MAX_UNZIPPED_BYTES >> 30} GiB when unzipped: "
                                       "it is not loaded (split it, or load its sheets as CSV files)")
    except zipfile.BadZipFile:
        raise SupplyGraphError(not_a_workbook + " (an old .xls or a CSV file renamed .xlsx is not one)") from None
    known = {sheet_name(s) for s in FILES}
    try:
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as excel:
            names = [str(n) for n in excel.sheet_names]
            frames = {name: pd.read_excel(excel, sheet_name=name, header=None, dtype=object, na_filter=False, keep_default_na=False)
                      for name in names if name in known}
    except SupplyGraphError:
        raise
    except Exception as e:  # openpyxl's many ways of saying the package is broken
        raise SupplyGraphError(f"{not_a_workbook} ({type(e).__name__}: {e})") from None
    return frames, [n for n in names if n not in known]


def _write_csv(path: Path, frame: pd.DataFrame) -> list[int]:
    """Writes a sheet's cells as CSV text; returns, for each line number of the file, its Excel row."""
    rows = [[cell_text(v) for v in values] for values in frame.itertuples(index=False, name=None)]
    width = _width(rows)
    excel_row_of_record: list[int] = []
    if width == 0:  # an empty sheet is an empty file: validation says what header it needs
        path.touch(exist_ok=False)
        return [0]
    with open(path, "x", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for number, cells in enumerate(rows, start=1):
            cells = cells[:width]
            if number > 1 and not any(c.strip() for c in cells):
                continue  # a blank row, skipped by validation as in a CSV file; row 1 is the header wherever it is
            writer.writerow(cells + [""] * (width - len(cells)))
            excel_row_of_record.append(number)
    # Read back: a cell holding a line break spans lines of the CSV file, and validation names a row
    # by its last line (csv.reader.line_num).
    lines = [0]
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        for number in excel_row_of_record:
            next(reader)
            lines += [number] * (reader.line_num + 1 - len(lines))
    return lines


def _width(rows: list[list[str]]) -> int:
    """The sheet's columns up to the last with a header or any value (formatted empty columns aside)."""
    width = 0
    for cells in rows:
        for i in range(len(cells) - 1, width - 1, -1):
            if cells[i].strip():
                width = i + 1
                break
    return width
