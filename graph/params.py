"""Query parameters given as text (the CLI's -p KEY VALUE): parsed with bounds, refused in clear words.

A value Neo4j cannot take would otherwise fail deep in the driver with a traceback: an integer past
64 bits, text that is not UTF-8, JSON nested thousands deep (Python's parser recurses).
"""

from __future__ import annotations

import json
from typing import Any

from graph.errors import QueryError

MAX_VALUE_CHARS = 1_000_000
MAX_DEPTH = 32
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def checked_text(name: str, text: str) -> str:
    """The text, if Neo4j can take it: valid UTF-8 (command lines may carry raw bytes) and bounded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"parameter {name}: the value is not valid UTF-8 text; retype it or save it as UTF-8") from None
    if len(text) > MAX_VALUE_CHARS:
        raise QueryError(f"parameter {name}: the value is {len(text):,} characters long, at most "
                         f"{MAX_VALUE_CHARS:,} are taken")
    return text


def checked_int(name: str, value: int) -> int:
    """An integer Neo4j can store (64 bits)."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise QueryError(f"parameter {name}: {value} is outside the 64-bit integers Neo4j stores; "
                         "pass it as text (in quotes) or as a float (such as 1e25)")
    return value


def json_value(name: str, text: str) -> Any:
    """A parameter's value as JSON when it parses (numbers, lists, null), else the plain string."""
    checked_text(name, text)
    depth = _nesting(text)
    if depth > MAX_DEPTH:
        raise QueryError(f"parameter {name}: the JSON value nests {depth} levels deep, at most {MAX_DEPTH} are taken")
    try:
        value = json.loads(text)
    except ValueError:  # not JSON (or an integer of over 4,300 digits): the plain string
        return text
    _check_ints(name, value)
    return value


def _nesting(text: str) -> int:
    """How deep [ and { nest outside JSON strings (a linear scan, before the recursive parser runs)."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def _check_ints(name: str, value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            checked_int(name, item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
