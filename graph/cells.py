"""A spreadsheet cell's value as the text a CSV file of the same table holds, and back.

Excel types what an analyst types: 2016 becomes a number, 2025-06-12 a date, 49 the float 49.0, an
id such as 1234 a number. The data folder's rules are written for text, so every value read from a
workbook becomes the text that a CSV export of the same sheet would hold: 2016 -> "2016",
2025-06-12 00:00 -> "2025-06-12", 49.0 -> "49", 0.25 -> "0.25", TRUE -> "TRUE". Numbers are written
with at most 15 significant digits, as Excel shows them (its floating point keeps no more that mean
anything: 0.1 + 0.2 is shown, and given, as 0.3).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

EXCEL_DIGITS = 15


def cell_text(value: Any) -> str:
    """The CSV text of a cell's value as pandas/openpyxl give it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value) if math.isfinite(value) else ""
    if isinstance(value, dt.datetime):  # pandas' Timestamp is one too
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")  # not a date the model takes: validation says so at its place
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if value != value:  # NaN and NaT, whatever their type: an empty cell
        return ""
    return str(value)


def number_text(value: float) -> str:
    """A number as plain text: no '.0' on a whole number, at most 15 significant digits, no exponent
    below 10^15."""
    if value.is_integer() and abs(value) < 10 ** EXCEL_DIGITS:
        return str(int(value))
    text = format(value, f".{EXCEL_DIGITS}g")
    return text


def exact_number_text(value: float | int) -> str:
    """A stored number as text that parses back to the very same float (export: no digit lost)."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 2 ** 53):
        return str(int(value))
    return repr(float(value))
