"""The console's library: `:param` lines, Cypher literals (checked against the server's own reading of
the same text), the history, the schema with counts, and the guard the parameters run through."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from graph.catalogue import COMPUTED_LABELS, count_store_query, sample_query, schema_counts
from graph.console import history_label, params_lines, read_script, remember, stored_query_text
from graph.cypher_lexer import QUOTED_NAME, Token, name_of, quoted_name as quoted, tokens
from graph.cypher_literal import literal, map_key, parse_literal, parse_map
from graph.derive import reads_derived
from graph.db import Connection
from graph.errors import QueryError
from graph.queries import get_query
from graph.readonly import run_read_only

from oracles import fingerprint


# --------------------------------------------------------------------------------------------------
# `:param` lines


def test_param_lines_set_parameters_and_the_query_is_what_follows() -> None:
    script = read_script(":param org_id => 'openai'\n"
                         ":param {as_of: date('2025-06-15'), limit: 10}\n"
                         "// a comment line is no command\n"
                         ":param `odd name`: [1, 'x', null]\n"
                         "\n"
                         "MATCH (o:Organization {id: $org_id})\nRETURN o LIMIT $limit", {"kept": True})
    assert script.params == {"kept": True, "org_id": "openai", "as_of": dt.date(2025, 6, 15), "limit": 10,
                             "odd name": [1, "x", None]}
    assert script.statement == "MATCH (o:Organization {id: $org_id})\nRETURN o LIMIT $limit"
    assert script.changed == ("org_id", "as_of", "limit", "odd name") and not script.show_params


def test_params_shows_replaces_and_clears() -> None:
    assert read_script(":params", {"a": 1}) == read_script(":params", {"a": 1})
    shown = read_script(":params", {"a": 1})
    assert shown.show_params and shown.params == {"a": 1} and shown.statement == ""
    assert read_script(":params {b: 2}", {"a": 1}).params == {"b": 2}  # as in Browser: all replaced
    assert read_script(":params clear", {"a": 1}).params == {}
    assert read_script(":param {b: 2}", {"a": 1}).params == {"a": 1, "b": 2}  # merged
    assert read_script("RETURN 1", {"a": 1}).params == {"a": 1}  # a plain query keeps the session's


@pytest.mark.parametrize("text, line, words", [
    (":param", 1, "needs a name and a value"),
    (":param x =>", 1, "needs a name and a value"),
    (":param x => ", 1, "needs a name and a value"),
    (":param 1x => 2", 1, "needs a name and a value"),
    ("RETURN 1 AS a\n:param x => 1", 2, "go above the query"),
    (":param a => 1\n:param x => foo", 2, "foo is not a literal"),
    (":param x => date()", 1, "takes one 'text'"),
    (":param x => date('2025-13-01')", 1, "is not an ISO date"),
    (":param x => 'open", 1, "has no closing '"),
    (":param x => [1, 2", 1, "expected ']'"),
    (":param x => {a 1}", 1, "expected ':'"),
    (":param x => 1 2", 1, "text after the value"),
    (":param x => 9223372036854775808", 1, "outside the 64-bit integers"),
    (":param x => 1e999", 1, "too large for a float"),
    (":param x => 'a\\qb'", 1, "unknown escape"),
    (":param x => 'a\\U0001F600'", 1, "unknown escape"),
    (":param x => '\\uD800'", 1, "is not a character"),
    (":param x => 12abc", 1, "runs into letters"),
    (":param {1: 2}", 1, "expected a map key"),
    (":params [1]", 1, "expected a map"),
    (":load https://example.org/x.csv", 1, "knows :param and :params"),
    ("\n\n:parm x => 1", 3, "knows :param and :params"),
    (":param x => " + "[" * 40 + "]" * 40, 1, "nests more than"),
    (":param x => toUpper('a')", 1, "never runs a query"),
])
def test_bad_param_lines_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(QueryError, match=rf"^line {line} \(") as caught:
        read_script(text, {"a": 1})
    assert words in str(caught.value)


def test_the_query_is_cut_from_the_text_as_typed() -> None:
    # Only \n, \r\n and \r end a line; \x1e, \x85 or \u2028 in a string or a quoted name stay as they are.
    for odd in ("\x1e", "\x1c", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"):
        query = f"RETURN 'a{odd}b' AS `c{odd}d`,\r\n  'e\r\nf' AS g"
        script = read_script(f":param `n{odd}m` => 'x{odd}y'\r\n{query}\n", {})
        assert script.params == {f"n{odd}m": f"x{odd}y"} and script.statement == query, repr(odd)
    assert read_script(":param a => 1\r:param b => 2\rRETURN $a", {}).params == {"a": 1, "b": 2}
    assert read_script(":param a => 1\n\n", {}).statement == ""


def test_a_bad_line_leaves_the_session_parameters_alone() -> None:
    session = {"a": 1}
    with pytest.raises(QueryError):
        read_script(":param b => 2\n:param c => nope", session)
    assert session == {"a": 1}


# --------------------------------------------------------------------------------------------------
# Hostile nesting: refused in words at 32 levels (as the CLI's JSON), never a RecursionError


@pytest.mark.parametrize("text", [
    ":param x => " + "[" * 100_000,
    ":param x => " + "[" * 100_000 + "]" * 100_000,
    ":param x => " + "{a: " * 100_000,
    ":param x => " + "[{a: " * 50_000,
    ":param {a: " + "[" * 100_000,
    ":params {a: " + "{`b`: " * 100_000,
    ":param x => " + "[" * 33 + "]" * 33,
    ":params {x: " + "[" * 33 + "]" * 33 + "}",
])
def test_hostile_nesting_is_refused_in_words(text: str) -> None:
    with pytest.raises(QueryError, match=r"^line 1 \(.*the value nests more than 32 levels deep"):
        read_script(text, {})


def test_values_nest_32_levels_deep_as_the_server_reads_them(session_conn: Connection) -> None:
    deepest = "[" * 32 + "]" * 32
    for text in (f":param x => {deepest}", f":params {{x: {deepest}}}", f":param {{x: {deepest}}}"):
        assert read_script(text, {}).params == {"x": server_value(session_conn, deepest)}, text
    nested = "{a: " * 32 + "1" + "}" * 32
    assert read_script(f":param x => {nested}", {}).params == {"x": server_value(session_conn, nested)}


def test_a_hostile_query_is_refused_without_a_recursion_error(session_conn: Connection) -> None:
    for text in ("RETURN " + "[" * 100_000, "RETURN " + "[" * 100_000 + "]" * 100_000, "RETURN " + "(" * 100_000):
        with pytest.raises(QueryError):
            run_read_only(session_conn, text)


# --------------------------------------------------------------------------------------------------
# Quoted names: one reading (graph.cypher_lexer.name_of) for the console, the literals and reads_derived


@pytest.mark.parametrize("quoted, name", [
    ("`a``b`", "a`b"), ("``", ""), ("````", "`"), ("``````", "``"), ("```a`", "`a"), ("`a```", "a`"),
    ("`é名🙂`", "é名🙂"), ("`a b.c`", "a b.c"), ("` `", " "), ("`//x /*y*/`", "//x /*y*/"), ("`'\"`", "'\""),
    ("plain_name", "plain_name"),
])
def test_quoted_names_read_as_the_server_reads_them(session_conn: Connection, quoted: str, name: str) -> None:
    assert name_of(quoted) == name
    assert session_conn.read(f"RETURN 1 AS {quoted}").keys == [name]
    assert read_script(f":param {quoted} => 1\nRETURN 1", {}).params == {name: 1}
    assert read_script(f":param {quoted}: 1", {}).params == {name: 1}
    assert parse_literal(f"{{{quoted}: 1, z: 2}}") == server_value(session_conn, f"{{{quoted}: 1, z: 2}}") == {
        name: 1, "z": 2}
    assert parse_map(f"{{ {quoted} : [1]}}") == {name: [1]}
    if quoted.startswith("`"):
        assert list(tokens(f"{quoted}x")) == [Token(QUOTED_NAME, quoted, 0), Token("word", "x", len(quoted))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=8)
       | st.text(alphabet="`` a.é", max_size=8))
def test_any_name_quoted_reads_back(session_conn: Connection, name: str) -> None:
    quoted = "`" + name.replace("`", "``") + "`"  # Cypher's quoting, written here apart from map_key's
    assert name_of(quoted) == name and [t.text for t in tokens(quoted)] == [quoted]
    assert parse_literal(f"{{{quoted}: 1}}") == {name: 1}
    assert session_conn.read(f"RETURN 1 AS {quoted}").keys == [name]
    if "\n" not in name and "\r" not in name:  # (a `:param` line is one line: it cannot hold them)
        assert read_script(f":param {quoted} => 1", {}).params == {name: 1}
        assert read_script(f":param {map_key(name)} => 2", {}).params == {name: 2}


def test_notes_name_an_unknown_quoted_name_whole(session_conn: Connection) -> None:
    notes = run_read_only(session_conn, "MATCH (n:`Org``x`)-[:`R``T y`]->() RETURN n.`a``b`, n.`c d.e`, n.````").notes
    assert notes == ("no node in the graph has the label Org`x (check its spelling)",
                     "no relationship in the graph has the type R`T y (check its spelling)",
                     "no node or relationship in the graph has the property a`b (check its spelling)",
                     "no node or relationship in the graph has the property c d.e (check its spelling)",
                     "no node or relationship in the graph has the property ` (check its spelling)")


def test_reads_derived_reads_quoted_labels_and_properties_as_names() -> None:
    for text in ("MATCH (n:`Exposure`) RETURN n", "MATCH (n:Organization|`FamilyMember`) RETURN n",
                 "MATCH ()-[r]->() RETURN r.`valid_from`", "MATCH (n:`DerivedState` ) RETURN n"):
        assert reads_derived(text), text
    for text in ("MATCH (n:`Expo``sure`) RETURN n", "MATCH (n:`Exposure ``) RETURN n", "MATCH (n:```Exposure`) RETURN n",
                 "MATCH (n) RETURN n.`valid from`", "RETURN '`Exposure`' AS n", "MATCH (n:` Exposure`) RETURN n"):
        assert not reads_derived(text), text


def test_unterminated_quoted_names_are_named() -> None:
    with pytest.raises(QueryError, match="no closing backtick"):
        parse_literal("{`a``: 1}")
    with pytest.raises(QueryError, match=r"^line 1 .*needs a name and a value"):
        read_script(":param `a => 1", {})
    assert name_of("`ab") == "ab" and name_of("`a``") == "a`"


# --------------------------------------------------------------------------------------------------
# Literals: what the parser reads is what the server reads from the same text


SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
           | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(alphabet="abc_ `x9", min_size=1, max_size=5), inner, max_size=3),
                      max_leaves=10)


def server_value(conn: Connection, text: str):
    """The server's reading of a literal's text (as the driver hands it to Python)."""
    value = conn.read(f"RETURN {text} AS v").records[0]["v"]
    return to_python(value)


def to_python(value):
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    return value


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(VALUES)
def test_written_literals_read_back_as_the_server_reads_them(session_conn: Connection, value) -> None:
    text = literal(value)
    ours = parse_literal(text)
    assert same(ours, value)
    assert same(ours, server_value(session_conn, text)), text


@pytest.mark.parametrize("text", [
    "0x1F", "-0o17", "1e3", "-2.5E-3", ".5", "'it\\'s'", '"say \\"hi\\""', "'tab\\tnew\\nline'", "'\\u00e9\\u00FC'",
    "TRUE", "Null", "[ ]", "{ }", "{a: {b: [1, {c: 'd'}]}}", "{`a``b`: 1}", "datetime('2025-06-15T10:30:00+02:00')",
    "localdatetime('2025-06-15T10:30:00')", "date('2025-06-15')", "-9223372036854775808", "'//not a comment'",
])
def test_typed_literals_read_as_the_server_reads_them(session_conn: Connection, text: str) -> None:
    assert same(parse_literal(text), server_value(session_conn, text)), text


# --------------------------------------------------------------------------------------------------
# Running: the parameters go through the read-only guard with the query


def test_params_pass_through_the_guard_and_a_write_is_still_refused(session_conn: Connection, loaded: str) -> None:
    script = read_script(":param n => 3\n:param word => 'x'\nUNWIND range(1, $n) AS i RETURN i, $word AS w", {})
    result = run_read_only(session_conn, script.statement, script.params)
    assert [r["i"] for r in result.rows] == [1, 2, 3] and {r["w"] for r in result.rows} == {"x"}
    for text in (":param name => 'Evil'\nCREATE (:Evil {name: $name})",
                 ":param rows => [{id: 'a'}]\nUNWIND $rows AS row MERGE (:Evil {id: row.id})",
                 ":param label => 'Organization'\nMATCH (n:$($label)) SET n.pwned = true"):
        script = read_script(text, {})
        with pytest.raises(QueryError, match="^Refused: "):
            run_read_only(session_conn, script.statement, script.params)
    assert fingerprint(session_conn) == loaded


def test_a_stored_query_opens_with_its_parameters_as_lines(session_conn: Connection) -> None:
    query = get_query("indirect_links")
    text = stored_query_text(query, {"org_id": "openai", "as_of": dt.date(2025, 6, 15)})
    assert text.startswith(":param org_id => 'openai'\n") and ":param as_of => date('2025-06-15')" in text
    script = read_script(text, {})
    assert script.params == query.bind({"org_id": "openai", "as_of": dt.date(2025, 6, 15)})
    assert script.statement == query.text.strip()


def test_params_lines_read_back() -> None:
    params = {"a": 1, "b c": "x'y", "d": [dt.date(2025, 1, 2), None], "e": {"f": True}}
    assert read_script(params_lines(params), {}).params == params


# --------------------------------------------------------------------------------------------------
# History


def test_history_is_newest_first_without_duplicates_and_capped() -> None:
    history: list[str] = []
    for text in ["RETURN 1", "RETURN 2", "  RETURN 1  ", "", "RETURN 3"]:
        history = remember(history, text, cap=3)
    assert history == ["RETURN 3", "RETURN 1", "RETURN 2"]
    for i in range(10):
        history = remember(history, f"RETURN {i + 10}", cap=3)
    assert history == ["RETURN 19", "RETURN 18", "RETURN 17"]


def test_history_labels_are_one_short_line() -> None:
    assert history_label(":param a => 1\n:param b => 2\nMATCH (n)\n   RETURN n") == "MATCH (n) RETURN n (+2 :param)"
    assert history_label(":params") == "(parameters only) (+1 :param)"
    long = history_label("RETURN " + "x" * 200)
    assert len(long) == 80 and long.endswith("…") and "\n" not in long


# --------------------------------------------------------------------------------------------------
# Schema with counts, against counts made another way


def test_schema_counts_match_the_graph(seed_only: Connection) -> None:
    found = schema_counts(seed_only)
    nodes = seed_only.read("MATCH (n) RETURN labels(n) AS labels, keys(n) AS keys").records
    rels = seed_only.read("MATCH ()-[r]->() RETURN type(r) AS type, keys(r) AS keys").records
    labels = Counter(label for r in nodes for label in r["labels"])
    node_keys = Counter(k for r in nodes for k in r["keys"])
    rel_keys = Counter(k for r in rels for k in r["keys"])
    assert {r["label"]: r["nodes"] for r in found.labels} == {k: v for k, v in labels.items() if k not in COMPUTED_LABELS}
    assert {r["label"]: r["nodes"] for r in found.derived} == {k: v for k, v in labels.items() if k in COMPUTED_LABELS}
    assert {"Exposure", "Ownership", "FamilyMember"} <= {r["label"] for r in found.derived}
    assert {r["type"]: r["relationships"] for r in found.types} == Counter(r["type"] for r in rels)
    assert {r["key"]: (r["nodes"], r["relationships"]) for r in found.keys} == {
        k: (node_keys[k], rel_keys[k]) for k in node_keys | rel_keys}
    assert [r["label"].lower() for r in found.labels] == sorted(r["label"].lower() for r in found.labels)
    assert found.sample is None  # no label or type of the seed has more than SAMPLE: exact


def test_schema_counts_on_a_sample_say_so_and_count_the_sample(seed_only: Connection) -> None:
    sample = 7
    found = schema_counts(seed_only, sample=sample)
    assert found.sample == sample
    exact = schema_counts(seed_only)
    assert (found.labels, found.derived, found.types) == (exact.labels, exact.derived, exact.types)  # count store
    # The sample, made here apart: each label's first `sample` nodes in its scan, each node once; each type's.
    names = {r["label"] for r in found.labels + found.derived}
    sampled: dict[str, list[str]] = {}
    for label in names:
        for r in seed_only.read(f"MATCH (n:{quoted(label)}) RETURN elementId(n) AS id, keys(n) AS keys LIMIT {sample}").records:
            sampled[r["id"]] = r["keys"]
    node_keys = Counter(k for keys in sampled.values() for k in keys)
    rel_keys: Counter = Counter()
    for r in found.types:
        rows = seed_only.read(f"MATCH ()-[r:{quoted(r['type'])}]->() RETURN keys(r) AS keys LIMIT {sample}").records
        rel_keys.update(k for row in rows for k in row["keys"])
    every = {r["propertyKey"] for r in seed_only.read("CALL db.propertyKeys()").records}
    assert {r["key"]: (r["nodes"], r["relationships"]) for r in found.keys} == {
        k: (node_keys[k] or None, rel_keys[k] or None) for k in every}  # every known key, counted or not
    assert 0 < len(sampled) <= sample * len(names)


def plan_operators(conn: Connection, text: str) -> Counter:
    with conn.driver.session(database=conn.database) as session:
        plan = session.run("EXPLAIN " + text, {"sample": 1}).consume().plan
    found: Counter = Counter()
    stack = [plan]
    while stack:
        node = stack.pop()
        found[node["operatorType"].split("@")[0]] += 1
        stack.extend(node.get("children", []))
    return found


def test_schema_counts_plans_read_the_count_store_and_bounded_scans(seed_only: Connection) -> None:
    labels = [r["label"] for r in seed_only.read("CALL db.labels()").records]
    types = [r["relationshipType"] for r in seed_only.read("CALL db.relationshipTypes()").records]
    counts = plan_operators(seed_only, count_store_query(labels, types))
    assert counts["NodeCountFromCountStore"] == len(labels) and counts["RelationshipCountFromCountStore"] == len(types)
    assert set(counts) <= {"ProduceResults", "Union", "Projection", "NodeCountFromCountStore",
                           "RelationshipCountFromCountStore"}  # no scan of any kind
    sampled = plan_operators(seed_only, sample_query(labels, types))
    assert sampled["NodeByLabelScan"] == len(labels) and sampled["DirectedRelationshipTypeScan"] == len(types)
    assert sampled["Limit"] == len(labels) + len(types)
    assert not {op for op in sampled if "AllNodes" in op or "AllRelationships" in op}


def test_schema_counts_read_any_name(conn: Connection) -> None:
    # Names that need quoting, in labels, types and keys (the counts are queries written with them).
    conn.driver.execute_query(
        "CREATE (a:`we``ird`:`x y.z` {`odd``key`: 1, `é名`: 2})-[:`R T`{`a.b`: 1}]->(:`é名` {`odd``key`: 3})"
        "-[:`R``T`]->(:`we``ird`)")
    found = schema_counts(conn)
    # (the labels and types of the schema's constraints are listed too, with no nodes: as the server lists them)
    assert {r["label"]: r["nodes"] for r in found.labels if r["nodes"]} == {"we`ird": 2, "x y.z": 1, "é名": 1}
    assert {r["type"]: r["relationships"] for r in found.types if r["relationships"]} == {"R T": 1, "R`T": 1}
    assert {r["key"]: (r["nodes"], r["relationships"]) for r in found.keys} == {
        "odd`key": (2, 0), "é名": (1, 0), "a.b": (0, 1)}
    for sample in (1, 0):  # one `we`ird` node of two, then none of any label
        few = schema_counts(conn, sample=sample)
        assert few.sample == sample and [r["nodes"] for r in few.labels if r["nodes"]] == [2, 1, 1]
    # Every key the server knows is listed (the session's earlier tests left theirs), none counted.
    listed = {r["key"]: (r["nodes"], r["relationships"]) for r in few.keys}
    assert {"odd`key", "é名", "a.b"} <= set(listed) and set(listed.values()) == {(None, None)}
