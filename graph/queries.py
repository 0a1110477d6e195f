"""Stored Cypher queries: one named query per `.cypher` file, described by its comment header.

    // name: vendor_exposure
    // description: Labs that depend on a vendor, and who else holds that vendor.
    // param: vendor_id organization (required) the vendor's id, e.g. "scale-ai"
    // param: as_of date (default: today) only relationships valid on this date
    // label: vendor_id Vendor
    // label: as_of As of
    // returns: lab, vendor, holder, explanation, sources
    MATCH ...

The header is the only source of a query's help: the CLI listing, the app's form and the docs
read it. The text below it runs as it is in cypher-shell (`:param vendor_id => 'scale-ai'`).
A parameter's type says what the form offers (graph.forms): `organization` (an organization's id),
`entity` (an organization's or a person's id) and `publisher` (a publisher's name) are strings that
the app picks by name; `label:` gives a parameter the words a form shows for it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from graph.cypher_lexer import parameters
from graph.db import Connection
from graph.derive import reads_derived
from graph.errors import QueryError
from graph.params import checked_int
from graph.output import records_to_rows
from graph.shipped import shipped

CYPHER_DIR = shipped("cypher")
# The picked types are strings (ids, or a publisher's name) that forms choose by name.
PICKED_TYPES = ("organization", "entity", "publisher")
PARAM_TYPES = ("string", "int", "float", "date", "bool", *PICKED_TYPES)
HEADER_LINE = re.compile(r"//\s*(name|description|param|label|returns|example):\s*(.*)")
LABEL_SPEC = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<label>\S.*)")
PARAM_SPEC = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)\s+\((?:(?P<required>required)|default:\s*(?P<default>[^)]*))\)\s*(?P<help>.*)"
)
QUERY_TIMEOUT_S = 60.0
INT_RANGE = re.compile(r"\((-?\d+) to (-?\d+)\)\s*$")


@dataclass(frozen=True)
class Param:
    """A declared parameter of a stored query."""

    name: str
    type: str
    required: bool
    default: str | None
    help: str
    label: str = ""  # the header's `// label:` for it; forms fall back to the name in words

    def coerce(self, value: Any) -> Any:
        """The value as the query expects it; text from a CLI or form is converted."""
        if value is None or value == "":
            return None
        try:
            if self.type == "int":
                return checked_int(self.name, int(value))
            if self.type == "float":
                return float(value)
            if self.type == "bool":
                if isinstance(value, bool):
                    return value
                return {"true": True, "false": False, "1": True, "0": False}[str(value).lower()]
            if self.type == "date":
                return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except (ValueError, KeyError):
            raise QueryError(f"parameter {self.name}: {value!r} is not a {self.type}") from None
        return str(value)

    def check_range(self, value: Any) -> None:
        """An int parameter whose help ends with "(LO to HI)" takes only those values."""
        bounds = INT_RANGE.search(self.help) if self.type == "int" else None
        if bounds and value is not None and not int(bounds[1]) <= value <= int(bounds[2]):
            raise QueryError(f"parameter {self.name}: {value} is out of range; it takes {bounds[1]} to {bounds[2]}")

    def default_value(self) -> Any:
        if self.default in (None, "null", "none"):
            return None
        if self.type == "date" and self.default == "today":
            return dt.date.today()
        return self.coerce(self.default.strip("'\""))


@dataclass(frozen=True)
class StoredQuery:
    """A named query read from a .cypher file."""

    name: str
    description: str
    params: tuple[Param, ...]
    returns: str
    examples: tuple[str, ...]
    text: str
    path: Path

    @property
    def reads_derived(self) -> bool:
        """Whether the query reads derived facts, which can be stale (graph.derive.staleness): derived
        nodes, or the validity and detail a derivation writes on relationships."""
        return reads_derived(self.text)

    @property
    def reads_derived_nodes(self) -> bool:
        """Whether the query reads derived nodes (Exposure, Ownership, ...): the slow ones to plan."""
        return reads_derived(self.text, properties=False)

    def bind(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """All parameters of the query: given values coerced, defaults filled, unknown names refused."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"{self.name} has no parameter {', '.join(unknown)}; it takes {', '.join(known) or 'none'}")
        bound: dict[str, Any] = {}
        for param in self.params:
            value = param.coerce(values.get(param.name))
            if value is None:
                if param.required:
                    raise QueryError(f"{self.name} needs the parameter {param.name} ({param.type}): {param.help}")
                value = param.default_value()
            param.check_range(value)
            bound[param.name] = value
        return bound


def used_parameters(text: str) -> set[str]:
    """The $parameters a query's text uses, strings and comments skipped."""
    return parameters(text)


def parse_query_file(path: Path) -> StoredQuery:
    """Reads one query file; every problem names file:line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fields: dict[str, str] = {}
    params: list[Param] = []
    examples: list[str] = []
    labels: dict[str, tuple[int, str]] = {}
    body_start = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            body_start = number - 1
            break
        match = HEADER_LINE.fullmatch(stripped)
        if not match:
            continue  # a plain comment
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            spec = PARAM_SPEC.fullmatch(value)
            if not spec or spec.group("type") not in PARAM_TYPES:
                raise QueryError(f"{path}:{number}: write params as `// param: NAME TYPE (required|default: X) help`"
                                 f" with TYPE one of {', '.join(PARAM_TYPES)}")
            params.append(Param(spec.group("name"), spec.group("type"), bool(spec.group("required")),
                                spec.group("default"), spec.group("help").strip()))
        elif key == "label":
            spec = LABEL_SPEC.fullmatch(value)
            if not spec:
                raise QueryError(f"{path}:{number}: write labels as `// label: NAME the words a form shows`")
            labels[spec.group("name")] = (number, spec.group("label").strip())
        elif key == "example":
            examples.append(value)
        else:
            fields[key] = value
    else:
        body_start = len(lines)
    for key in ("name", "description", "returns"):
        if not fields.get(key):
            raise QueryError(f"{path}:1: the header has no `// {key}:` line")
    if fields["name"] != path.stem:
        raise QueryError(f"{path}:1: the query is named {fields['name']!r} but the file is {path.name}")
    text = "\n".join(lines[body_start:]).strip()
    if not text:
        raise QueryError(f"{path}:{body_start + 1}: no Cypher after the header")
    declared = {p.name for p in params}
    for label_name, (number, _) in labels.items():
        if label_name not in declared:
            raise QueryError(f"{path}:{number}: a label for {label_name!r}, which is not a declared parameter")
    params = [replace(p, label=labels[p.name][1]) if p.name in labels else p for p in params]
    used = used_parameters(text)
    if used - declared:
        raise QueryError(f"{path}:{body_start + 1}: uses undeclared parameters {', '.join(sorted(used - declared))}")
    if declared - used:
        raise QueryError(f"{path}:1: declares parameters it never uses: {', '.join(sorted(declared - used))}")
    return StoredQuery(fields["name"], fields["description"], tuple(params), fields["returns"], tuple(examples),
                       text, path)


def load_queries(folder: Path = CYPHER_DIR) -> dict[str, StoredQuery]:
    """Every stored query of a folder, by name, sorted."""
    queries = [parse_query_file(p) for p in sorted(folder.glob("*.cypher"))]
    return {q.name: q for q in queries}


def get_query(name: str, folder: Path = CYPHER_DIR) -> StoredQuery:
    queries = load_queries(folder)
    if name not in queries:
        raise QueryError(f"no stored query named {name!r}; see `supplygraph queries` for the list")
    return queries[name]


def run_query(conn: Connection, query: StoredQuery, values: Mapping[str, Any] | None = None,
              timeout: float = QUERY_TIMEOUT_S) -> tuple[list[str], list[dict[str, Any]]]:
    """Runs a stored query in a READ transaction; returns its columns and plain-data rows."""
    result = conn.read(query.text, query.bind(values or {}), timeout=timeout)
    return list(result.keys), records_to_rows(result.records)


PLACEHOLDERS = {**{t: "-" for t in PICKED_TYPES}, "string": "-", "int": 1, "float": 1.0, "date": dt.date(2000, 1, 1), "bool": False}


WARM_UP_LINK = ("MATCH (s:DerivedState {name: 'exposure'}) MATCH (e:Exposure) WHERE e.born <= s.generation < e.died "
                "RETURN e.org_id AS org, e.valid_from AS day ORDER BY e.org_id, e.valid_from LIMIT 1")


def warm_up(conn: Connection, folder: Path = CYPHER_DIR) -> int:
    """Runs each stored query that reads derived nodes once, so that the server has planned it and run
    it on real rows before a user asks (a plan is cached per query text and parameter types; a fresh
    server's first plans take seconds, and its first rows through a plan's code about as long again).
    Values of its parameters' types: an organization with a derived link and a day it holds on.
    Returns how many it ran."""
    link = conn.read(WARM_UP_LINK).records
    values_of = dict(PLACEHOLDERS)
    if link:
        values_of.update({"organization": link[0]["org"], "entity": link[0]["org"], "date": link[0]["day"].to_native()})
    warmed = 0
    for query in load_queries(folder).values():
        if query.reads_derived_nodes:
            values = {p.name: values_of[p.type] if p.required or p.type != "int" else None for p in query.params}
            run_query(conn, query, values)
            warmed += 1
    return warmed
