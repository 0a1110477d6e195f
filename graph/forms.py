"""Forms without ids: which widget a stored query's parameter gets, with what label, help and choices,
and the name -> id lookups behind the pickers. graph.ui only draws what this says.

The header decides (graph.queries): an `organization` or `entity` parameter is picked by searching a
name or alias (the form shows names, the query gets the id), a `publisher` from the publishers the
graph's sources name, a date from a date picker, an int with a small "(LO to HI)" range from its
values, a bool as a checkbox. The label is the header's `// label:`, the help its help text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from graph import explore
from graph.db import Connection
from graph.errors import SupplyGraphError
from graph.queries import INT_RANGE, Param, StoredQuery, run_query

MAX_CHOICES = 12  # an int range of at most this many values is offered as choices
ORGANIZATION, PERSON = "Organization", "Person"
ENTITY_KINDS: dict[str, tuple[str, ...]] = {"organization": (ORGANIZATION,), "entity": (ORGANIZATION, PERSON)}
EMPTY_MEANS = re.compile(r"empty for ([^;,)]+)")


@dataclass(frozen=True)
class Field:
    """One parameter as a form shows it."""

    name: str
    widget: str  # "entity", "choice", "date", "checkbox", "number" or "text"
    label: str
    help: str
    required: bool
    default: Any  # the value the form starts at (an id for an entity picker)
    choices: tuple[Any, ...] = ()  # for "choice" fixed values; a publisher's are read from the graph
    kinds: tuple[str, ...] = ()  # for "entity": the labels it may pick (Organization, Person)
    none_label: str | None = None  # for an optional picker: the words of "no value" ("(every lab)")
    type: str = "string"

    @property
    def from_graph(self) -> bool:
        """Whether the choices are read from the graph (a publisher's)."""
        return self.type == "publisher"


def label_of(param: Param) -> str:
    """The header's label, or the name in words ("as_of" -> "As of")."""
    return param.label or param.name.replace("_", " ").capitalize()


def int_choices(param: Param) -> tuple[int, ...]:
    """The values of an int parameter whose help ends with a small "(LO to HI)" range; () otherwise."""
    bounds = INT_RANGE.search(param.help) if param.type == "int" else None
    if not bounds:
        return ()
    low, high = int(bounds[1]), int(bounds[2])
    return tuple(range(low, high + 1)) if 0 < high - low + 1 <= MAX_CHOICES else ()


def field_for(param: Param) -> Field:
    """The widget for one parameter, from its declared type (see the module docstring)."""
    start = param.default_value() if not param.required else _example(param)
    common = dict(name=param.name, label=label_of(param), help=param.help, required=param.required,
                  type=param.type)
    if param.type in ENTITY_KINDS:
        none_label = None
        if not param.required:
            empty = EMPTY_MEANS.search(param.help)
            none_label = f"({empty.group(1).strip()})" if empty else "(none)"
        return Field(widget="entity", default=start, kinds=ENTITY_KINDS[param.type], none_label=none_label, **common)
    if param.type == "publisher":
        return Field(widget="choice", default=start, **common)
    if param.type == "date":
        return Field(widget="date", default=start, **common)
    if param.type == "bool":
        return Field(widget="checkbox", default=bool(start), **common)
    choices = int_choices(param)
    if choices:
        return Field(widget="choice", default=start if start in choices else choices[0], choices=choices, **common)
    if param.type in ("int", "float"):
        return Field(widget="number", default=start, **common)
    return Field(widget="text", default="" if start is None else str(start), **common)


def form_fields(query: StoredQuery) -> list[Field]:
    return [field_for(p) for p in query.params]


def _example(param: Param) -> Any:
    try:
        return param.coerce(explore.example_value(param.help))
    except SupplyGraphError:
        return None


# ---------------------------------------------------------------------------------------------------
# Picking entities by name


@dataclass(frozen=True)
class Option:
    """A choice of a picker: the id passed to the query, the words shown."""

    id: str
    label: str


def entity_options(rows: Iterable[Mapping[str, Any]], kinds: Sequence[str] = (ORGANIZATION, PERSON)) -> list[Option]:
    """Matches of a search (or the default entity) as choices: only entities of the kinds asked for, each
    shown by name and role ("Scale AI (Vendor · scale-ai)"), in the order given."""
    wanted = set(kinds)
    kept = [row for row in rows if row and wanted & set(row.get("labels") or [])]
    return [Option(str(row["id"]), explore.entity_label(row)) for row in kept]


def search(conn: Connection, text: str, kinds: Sequence[str] = (ORGANIZATION, PERSON)) -> list[Option]:
    """Organizations (and people, when asked) whose name, alias or id matches `text`."""
    return entity_options(explore.search_entities(conn, text), kinds)


def option_for(conn: Connection, entity_id: str | None, kinds: Sequence[str] = (ORGANIZATION, PERSON)) -> Option | None:
    """The choice for a known id (a form's starting value), None when no entity of those kinds has it."""
    if not entity_id:
        return None
    found = explore.entity(conn, entity_id)
    options = entity_options([found] if found else [], kinds)
    return options[0] if options else None


def nothing_found(text: str, kinds: Sequence[str]) -> str:
    what = "organization or person" if PERSON in kinds else "organization"
    return f"No {what} matches {text.strip()!r}: try another spelling or part of the name."


def publishers(conn: Connection) -> list[str]:
    """Every publisher the graph's sources name, once, sorted without regard to case."""
    _, rows = run_query(conn, explore.app_query("publishers"))
    return [row["publisher"] for row in rows]


def start_choice(field: Field, choices: Sequence[Any]) -> int:
    """The index of the field's starting value among the choices (the first when it is not there)."""
    for index, choice in enumerate(choices):
        if choice == field.default or (isinstance(choice, str) and isinstance(field.default, str)
                                       and choice.lower() == field.default.lower()):
            return index
    return 0


# ---------------------------------------------------------------------------------------------------
# Reading back what was chosen


def missing(fields: Iterable[Field], values: Mapping[str, Any]) -> list[str]:
    """The labels of required fields left empty."""
    return [f.label for f in fields if f.required and values.get(f.name) in (None, "")]


def focus_of(fields: Iterable[Field], values: Mapping[str, Any]) -> str | None:
    """The first entity chosen: the node a picture of the results centres on."""
    return next((values[f.name] for f in fields if f.widget == "entity" and values.get(f.name)), None)


def as_of_of(fields: Iterable[Field], values: Mapping[str, Any]) -> dt.date | None:
    """The date a picture of the results describes: the first date chosen."""
    return next((values[f.name] for f in fields if f.widget == "date" and isinstance(values.get(f.name), dt.date)),
                None)


def describe(fields: Iterable[Field], values: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The choices in words for a picture's title, entities by name: "Organization OpenAI, Hops out 2".
    Dates are left out (the picture says its date)."""
    parts = []
    for f in fields:
        value = values.get(f.name)
        if value in (None, "") or f.widget == "date":
            continue
        shown = names.get(str(value), str(value)) if f.widget == "entity" else value
        parts.append(f"{f.label} {'yes' if value is True else shown}")
    return ", ".join(parts)


def chosen_ids(fields: Iterable[Field], values: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids the pickers chose, in form order."""
    return tuple(str(values[f.name]) for f in fields if f.widget == "entity" and values.get(f.name))


def names_of(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """id -> name for the entities of `ids` that exist."""
    out = {}
    for entity_id in sorted({i for i in ids if i}):
        found = explore.entity(conn, entity_id)
        if found:
            out[entity_id] = found.get("name") or entity_id
    return out

