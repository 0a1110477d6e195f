"""The Cypher console's text as Neo4j Browser reads it: `:param` lines above a query, the session's
parameters and its history.

    :param org_id => 'openai'
    :param {as_of: date('2025-06-15'), limit: 10}
    MATCH (o:Organization {id: $org_id}) RETURN o

Values are Cypher literals parsed here (graph.cypher_literal), never run; the query below the lines
runs with every parameter of the session through the same read-only guard as any typed query
(graph.readonly). The page (pages/2_Cypher_console.py) only draws what this module returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from graph.cypher_lexer import name_of
from graph.cypher_literal import literal, map_key, parse_literal, parse_map
from graph.errors import QueryError
from graph.queries import StoredQuery
from graph.readonly import ReadOnlyResult

HISTORY_CAP = 30
LABEL_CHARS = 80
COMMAND = re.compile(r":(\w+)(.*)", re.S)
LINE_END = re.compile(r"\r\n|\r|\n")
PARAM_LINE = re.compile(r":params?\b", re.I)
# `:param name => value` (Browser's form) or `:param name: value` (its older one); a name may be quoted.
NAMED = re.compile(r"(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*)\s*(=>|:)\s*(.*)", re.S)
USAGE = ("write `:param name => value` (a Cypher literal such as 'openai', 10, true, [1, 2] or "
         "date('2025-06-15')), `:param {name: value, ...}`, `:params` to see them or `:params clear`")


@dataclass(frozen=True)
class Script:
    """What a console text asks: the query to run and the parameters once its lines are applied."""

    statement: str  # the query below the `:` lines; "" when there is none
    params: dict[str, Any]
    show_params: bool  # a `:params` line asked to see them
    changed: tuple[str, ...]  # the names its lines set, in order


@dataclass(frozen=True)
class Run:
    """The console's last run, as the page shows it: the text as it was when Run was pressed, the result
    of its query (None when the text held only `:` lines), and whether to open the parameters."""

    text: str
    result: ReadOnlyResult | None
    show_params: bool


def read_script(text: str, params: Mapping[str, Any]) -> Script:
    """The console text's `:` lines applied to the session's parameters, and the query below them.

    Raises QueryError naming the line (1-based) of a bad `:` line; the session's parameters are then
    unchanged, as the caller keeps its own mapping.
    """
    # Lines end at \n, \r\n or \r only: str.splitlines would also split at characters such as \x1e or
    # \u2028, which may stand in a quoted name or a string (the query is then cut from the text as typed).
    lines = LINE_END.split(text)
    starts = [0, *(end.end() for end in LINE_END.finditer(text))]
    current, show, changed = dict(params), False, []
    start = len(lines)
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        if not stripped.startswith(":"):
            start = number - 1
            break
        try:
            show = _command(stripped, current, changed) or show
        except QueryError as e:
            raise QueryError(f"line {number} ({_short(stripped)}): {e}") from None
    for number, line in enumerate(lines[start:], start + 1):
        if PARAM_LINE.match(line.strip()):
            raise QueryError(f"line {number} ({_short(line.strip())}): :param lines go above the query, "
                             "each on a line of its own")
    statement = text[starts[start]:].strip() if start < len(lines) else ""
    return Script(statement, current, show, tuple(changed))


def _command(line: str, params: dict[str, Any], changed: list[str]) -> bool:
    """Applies one `:` line to `params` (in place); True if it asks to see them.

    `:params` alone shows them, `:params clear` clears them, and a map after `:params` replaces them
    all, as in Browser; a map after `:param` is merged into them.
    """
    found = COMMAND.fullmatch(line)
    name, rest = (found.group(1).lower(), found.group(2).strip()) if found else ("", "")
    if name not in ("param", "params"):
        raise QueryError(f"the console knows :param and :params; {USAGE}")
    replace = name == "params"
    if replace and rest.lower() in ("", "clear"):
        if rest:
            params.clear()
        return True
    if replace or rest.startswith("{"):
        new = parse_map(rest)
        if replace:
            params.clear()
        params.update(new)
        changed.extend(new)
        return False
    named = NAMED.fullmatch(rest)
    if not named or not named.group(3).strip():
        raise QueryError(f"a parameter needs a name and a value: {USAGE}")
    key = name_of(named.group(1))
    params[key] = parse_literal(named.group(3).strip(), key)
    changed.append(key)
    return False


def _short(line: str) -> str:
    return line if len(line) <= 40 else line[:39] + "…"


def params_lines(params: Mapping[str, Any]) -> str:
    """The parameters as `:param` lines, one each, that read_script reads back as the same values."""
    return "\n".join(f":param {map_key(name)} => {literal(value)}" for name, value in params.items())


def stored_query_text(query: StoredQuery, values: Mapping[str, Any]) -> str:
    """A stored query for the console: its parameters as the form has them (defaults filled, as the
    query would run) as `:param` lines, then its text."""
    bound = query.bind(values)
    lines = params_lines(bound)
    return f"{lines}\n\n{query.text.strip()}" if lines else query.text.strip()


def remember(history: Sequence[str], text: str, cap: int = HISTORY_CAP) -> list[str]:
    """The history with `text` first (newest first), an equal older entry dropped, at most `cap` long."""
    text = text.strip()
    if not text:
        return list(history)
    return [text, *(h for h in history if h != text)][:cap]


def history_label(text: str) -> str:
    """A history entry in one short line: the query's first line of code, and how many `:` lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("//")]
    commands = sum(1 for line in lines if line.startswith(":"))
    code = " ".join(line for line in lines if not line.startswith(":")) or "(parameters only)"
    code = re.sub(r"\s+", " ", code)
    if len(code) > LABEL_CHARS:
        code = code[:LABEL_CHARS - 1] + "…"
    return f"{code} (+{commands} :param)" if commands else code
