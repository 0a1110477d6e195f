"""Cypher literals as values and back: what a console's `:param name => value` line may hold.

Only literals are taken (null, booleans, numbers, strings, lists, maps) and the temporal calls
`date('...')`, `datetime('...')` and `localdatetime('...')` of a literal string, so a parameter
line can never run anything: it is parsed here, not sent to the server. `literal` writes a value the
other way, for the console's `:param` lines of a stored query's parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Callable

from graph.cypher_lexer import name_of, quoted_name, quoted_name_end
from graph.errors import QueryError
from graph.params import MAX_DEPTH, checked_int, checked_text

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Cypher's number literals: hexadecimal, octal, then decimal with an optional fraction and exponent.
NUMBER = re.compile(r"0x[0-9A-Fa-f]+|0o[0-7]+|(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
ESCAPES = {"\\": "\\", "'": "'", '"': '"', "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
WRITTEN_ESCAPES = {v: f"\\{k}" for k, v in ESCAPES.items() if k != '"'}
TEMPORAL = {"date": dt.date.fromisoformat, "datetime": dt.datetime.fromisoformat,
            "localdatetime": dt.datetime.fromisoformat}
WORDS = {"null": None, "true": True, "false": False}


class _Reader:
    """A cursor over one value's text; every error names what was expected and where."""

    def __init__(self, text: str, name: str) -> None:
        self.text, self.name, self.i = text, name, 0

    def fail(self, what: str) -> QueryError:
        near = self.text[self.i:self.i + 20] or "the end"
        return QueryError(f"the value of {self.name}: {what} at character {self.i + 1} (near {near!r})")

    def skip_space(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.i] if self.i < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r}")
        self.i += 1

    def value(self, depth: int = 0) -> Any:
        """One value; `depth` is how many lists and maps are open around it."""
        c = self.peek()
        if c in ("'", '"'):
            return self.string()
        if c == "[":
            return self.items("]", depth, lambda: self.value(depth + 1))
        if c == "{":
            return dict(self.items("}", depth, lambda: self.entry(depth)))
        if c == "-" or c.isdigit() or (c == "." and self.text[self.i + 1:self.i + 2].isdigit()):
            return self.number()
        word = IDENTIFIER.match(self.text, self.i)
        if not word:
            raise self.fail("expected a value (a number, 'text', true, false, null, [a list], {a: map} or date('...'))")
        lower = word.group().lower()
        if lower in WORDS:
            self.i = word.end()
            return WORDS[lower]
        if lower in TEMPORAL and self.text[word.end():].lstrip().startswith("("):
            self.i = word.end()
            return self.temporal(lower)
        raise self.fail(f"{word.group()} is not a literal (only literals and date('...'), datetime('...') or "
                        "localdatetime('...') of a string are taken; a parameter never runs a query)")

    def items(self, close: str, depth: int, item: Callable[[], Any]) -> list[Any]:
        """The comma-separated items of a list or map opened at this character, `depth` others open around
        it; `item` reads one. At most MAX_DEPTH levels, as the CLI's JSON (graph.params): hostile text
        such as [[[[... 10^5 deep is refused here, before Python's recursion limit."""
        if depth >= MAX_DEPTH:
            raise self.fail(f"the value nests more than {MAX_DEPTH} levels deep")
        self.i += 1  # the opening bracket
        found: list[Any] = []
        if self.peek() == close:
            self.i += 1
            return found
        while True:
            found.append(item())
            if self.peek() == ",":
                self.i += 1
                continue
            self.expect(close)
            return found

    def entry(self, depth: int) -> tuple[str, Any]:
        key = self.key()
        self.expect(":")
        return key, self.value(depth + 1)

    def key(self) -> str:
        self.skip_space()
        if self.peek() == "`":
            end = quoted_name_end(self.text, self.i)
            if end is None:
                raise self.fail("a `quoted key` has no closing backtick")
            start, self.i = self.i, end
            return name_of(self.text[start:end])
        word = IDENTIFIER.match(self.text, self.i)
        if not word:
            raise self.fail("expected a map key (a name such as org_id)")
        self.i = word.end()
        return word.group()

    def number(self) -> int | float:
        sign = -1 if self.text[self.i] == "-" else 1
        if sign < 0:
            self.i += 1
        found = NUMBER.match(self.text, self.i)
        if not found:
            raise self.fail("expected a number")
        self.i = found.end()
        if IDENTIFIER.match(self.text, self.i):
            raise self.fail("a number runs into letters")
        text = found.group()
        if text.startswith(("0x", "0o")):
            return checked_int(self.name, sign * int(text[2:], 16 if text[1] == "x" else 8))
        if re.fullmatch(r"\d+", text):
            return checked_int(self.name, sign * int(text))
        number = sign * float(text)
        if math.isinf(number):
            raise self.fail(f"{text} is too large for a float")
        return number

    def string(self) -> str:
        quote = self.text[self.i]
        self.i += 1
        out: list[str] = []
        while True:
            if self.i >= len(self.text):
                raise self.fail(f"the text has no closing {quote}")
            c = self.text[self.i]
            if c == quote:
                self.i += 1
                return checked_text(self.name, "".join(out))
            if c == "\\":
                out.append(self.escape())
                continue
            out.append(c)
            self.i += 1

    def escape(self) -> str:
        code = self.text[self.i + 1:self.i + 2]
        if code in ESCAPES:
            self.i += 2
            return ESCAPES[code]
        width = 4 if code == "u" else 0  # (the server reads no \U escape: it keeps the backslash)
        digits = self.text[self.i + 2:self.i + 2 + width] if width else ""
        if not width or not re.fullmatch(r"[0-9A-Fa-f]+", digits) or len(digits) != width:
            raise self.fail("an unknown escape in text (use \\\\, \\', \\\", \\n, \\t, \\uXXXX)")
        point = int(digits, 16)
        if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
            raise self.fail(f"\\{code}{digits} is not a character")
        self.i += 2 + width
        return chr(point)

    def temporal(self, function: str) -> dt.date | dt.datetime:
        self.expect("(")
        if self.peek() not in ("'", '"'):
            raise self.fail(f"{function}(...) takes one 'text' such as '2025-06-15' here")
        text = self.string()
        self.expect(")")
        try:
            value = TEMPORAL[function](text)
        except ValueError:
            raise self.fail(f"{text!r} is not an ISO date{'time' if function != 'date' else ''}") from None
        if function == "datetime" and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)  # Cypher's datetime('...') without a zone is UTC
        if function == "localdatetime" and value.tzinfo is not None:
            raise self.fail("localdatetime(...) takes no time zone")
        return value


def parse_literal(text: str, name: str = "the parameter") -> Any:
    """The value a Cypher literal writes; raises QueryError saying where it is not one."""
    reader = _Reader(text, name)
    value = reader.value()
    if reader.peek():
        raise reader.fail("text after the value")
    return value


def parse_map(text: str, name: str = "the parameters") -> dict[str, Any]:
    """A Cypher map literal `{a: 1, b: 'x'}` as a dict."""
    reader = _Reader(text, name)
    if reader.peek() != "{":
        raise reader.fail("expected a map such as {org_id: 'openai', limit: 10}")
    # Its values are parameters: each may nest as deep as one `:param name => value` line's.
    params = dict(reader.items("}", 0, lambda: reader.entry(-1)))
    if reader.peek():
        raise reader.fail("text after the value")
    return params


def literal(value: Any) -> str:
    """`value` as a Cypher literal that parse_literal (and the server) reads back as the same value."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QueryError(f"{value} has no Cypher literal")
        return repr(value)
    if isinstance(value, str):
        return "'" + "".join(WRITTEN_ESCAPES.get(c, c) for c in value) + "'"
    if isinstance(value, dt.datetime):
        return f"{'datetime' if value.tzinfo else 'localdatetime'}('{value.isoformat()}')"
    if isinstance(value, dt.date):
        return f"date('{value.isoformat()}')"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{map_key(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise QueryError(f"a {type(value).__name__} has no Cypher literal")


def map_key(key: str) -> str:
    """A map key or parameter name as written: bare when it is a plain name, else in backticks."""
    return key if IDENTIFIER.fullmatch(key) else quoted_name(key)
