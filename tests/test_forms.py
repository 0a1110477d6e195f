"""Forms without ids (graph.forms): the widget each parameter gets, its label, choices and the name -> id
lookups, without a browser; the lookups against the test Neo4j holding the seed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph import forms
from graph.db import Connection
from graph.errors import QueryError
from graph.queries import Param, load_queries, parse_query_file

HEADER = """// name: {name}
// description: A query written for this test, long enough to say what it answers.
{lines}
// returns: x
RETURN {uses} AS x
"""


def query_file(tmp_path: Path, lines: str, uses: str = "$org_id") -> Path:
    path = tmp_path / "probe.cypher"
    path.write_text(HEADER.format(name="probe", lines=lines, uses=uses), encoding="utf-8")
    return path


# -- the header --------------------------------------------------------------------------------------


def test_labels_come_from_the_header(tmp_path: Path) -> None:
    path = query_file(tmp_path, '// param: org_id organization (required) the id, e.g. "openai"\n'
                                "// label: org_id The organization A")
    (param,) = parse_query_file(path).params
    assert (param.type, param.label) == ("organization", "The organization A")


@pytest.mark.parametrize("lines, message", [
    ('// param: org_id organization (required) x\n// label: orgid Organization', "a label for 'orgid'"),
    ('// param: org_id organization (required) x\n// label: org_id', "write labels as"),
    ('// param: org_id organisation (required) x', "TYPE one of"),
    ('// label: org_id Organization\n// param: org_id company (required) x', "TYPE one of"),
])
def test_bad_labels_and_types_name_the_line(tmp_path: Path, lines: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as error:
        parse_query_file(query_file(tmp_path, lines))
    assert "probe.cypher:" in str(error.value)


def test_a_picked_parameter_is_text_to_the_cli() -> None:
    param = Param("org_id", "organization", True, None, "x")
    assert param.coerce("openai") == "openai" and param.coerce("") is None


# -- which widget ------------------------------------------------------------------------------------


def param(type_: str, help_: str = "", required: bool = False, default: str | None = None, label: str = "") -> Param:
    return Param("p_id" if type_ in ("organization", "entity") else "p", type_, required, default, help_, label)


def test_widget_by_type() -> None:
    assert forms.field_for(param("organization", 'e.g. "openai"', True)).widget == "entity"
    assert forms.field_for(param("organization", 'e.g. "openai"', True)).kinds == ("Organization",)
    assert forms.field_for(param("entity", "x", True)).kinds == ("Organization", "Person")
    assert forms.field_for(param("date", default="today")).widget == "date"
    assert forms.field_for(param("bool", default="false")).widget == "checkbox"
    assert forms.field_for(param("int", "how far (1 to 3)", default="1")).choices == (1, 2, 3)
    assert forms.field_for(param("int", "how far (1 to 3)", default="1")).widget == "choice"
    assert forms.field_for(param("int", "rows (1 to 5000)", default="10")).widget == "number"  # too many to list
    assert forms.field_for(param("int", "rows (3 to 1)", default="1")).widget == "number"  # no values at all
    assert forms.field_for(param("publisher", 'e.g. "Reuters"', True)).widget == "choice"
    assert forms.field_for(param("string", default="null")).widget == "text"


def test_starting_values() -> None:
    assert forms.field_for(param("organization", 'the id, e.g. "scale-ai"', True)).default == "scale-ai"
    assert forms.field_for(param("int", "(0 to 3)", default="7")).default == 0  # a default off the range
    optional = forms.field_for(param("organization", 'e.g. "openai"; empty for every lab', default="null"))
    assert optional.default is None and optional.none_label == "(every lab)"
    assert forms.field_for(param("entity", "no hint", default="null")).none_label == "(none)"
    assert forms.field_for(param("date", "e.g. 2025-06-01", True)).default == dt.date(2025, 6, 1)
    assert forms.field_for(param("date", "no example", True)).default is None


def test_labels_fall_back_to_the_name_in_words() -> None:
    assert forms.label_of(Param("as_of", "date", False, "today", "x")) == "As of"
    assert forms.label_of(Param("as_of", "date", False, "today", "x", "On")) == "On"


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_no_stored_query_asks_for_an_id_in_a_text_box(name: str) -> None:
    query = load_queries()[name]
    for field in forms.form_fields(query):
        assert field.label and field.help
        if field.name.endswith("_id") or field.name.startswith("lab_") or field.name == "publisher":
            assert field.widget in ("entity", "choice"), f"{name}.{field.name} would be typed"
        assert field.widget != "text", f"{name}.{field.name}: every stored parameter has a widget of its own"


def test_reading_back_the_choices() -> None:
    fields = forms.form_fields(load_queries()["paths_between"])
    values = {"from_id": "openai", "to_id": "meta", "as_of": dt.date(2025, 6, 15), "max_hops": 4, "limit": 25}
    assert forms.focus_of(fields, values) == "openai"
    assert forms.as_of_of(fields, values) == dt.date(2025, 6, 15)
    assert forms.chosen_ids(fields, values) == ("openai", "meta")
    words = forms.describe(fields, values, {"openai": "OpenAI", "meta": "Meta Platforms"})
    assert words == "From OpenAI, To Meta Platforms, At most this many hops 4, At most this many paths 25"
    assert forms.missing(fields, {**values, "to_id": None}) == ["To"]
    assert forms.focus_of(fields, {**values, "from_id": None}) == "meta"


def test_start_choice_matches_without_case() -> None:
    field = forms.field_for(param("publisher", 'e.g. "reuters"', True))
    assert forms.start_choice(field, ["AP", "Reuters"]) == 1
    assert forms.start_choice(field, ["AP"]) == 0


# -- lookups on the seed -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(seed_only: Connection) -> Connection:
    return seed_only


def test_search_by_name_or_alias_gives_ids(seeded: Connection) -> None:
    options = forms.search(seeded, "Scale AI")
    assert options[0] == forms.Option("scale-ai", "Scale AI (Vendor · scale-ai)")
    assert "alexandr-wang" in [o.id for o in forms.search(seeded, "Alexandr")]
    assert forms.search(seeded, "Alexandr", (forms.ORGANIZATION,)) == []  # an organization picker: no people
    assert forms.search(seeded, "') RETURN 1 //") == []  # text, never Cypher or Lucene
    assert forms.search(seeded, "   ") == []
    assert forms.nothing_found(" Zzz ", ("Organization",)) == ("No organization matches 'Zzz': try another "
                                                                 "spelling or part of the name.")


def test_option_for_a_known_id(seeded: Connection) -> None:
    assert forms.option_for(seeded, "openai").label.startswith("OpenAI (Lab")
    assert forms.option_for(seeded, "alexandr-wang", (forms.ORGANIZATION,)) is None
    assert forms.option_for(seeded, "no-such-id") is None and forms.option_for(seeded, None) is None
    assert forms.names_of(seeded, ["meta", "no-such-id", ""]) == {"meta": "Meta Platforms"}


def test_publishers_are_the_sources_names(seeded: Connection) -> None:
    names = forms.publishers(seeded)
    assert "Reuters" in names and len(names) == len(set(names))
    assert names == sorted(names, key=lambda n: (n.lower(), n))
    expected = {r["p"] for r in seeded.read("MATCH (s:Source) WHERE trim(coalesce(s.publisher, '')) <> '' "
                                            "RETURN DISTINCT trim(s.publisher) AS p").records}
    assert set(names) == expected
