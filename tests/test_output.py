"""Exports: CSV cells that a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import io
import json

import pytest

from graph.output import key_columns, reading_order, terminal_columns, to_csv, to_json


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_quoted(text: str) -> None:
    out = to_csv([{"name": text}], ["name"])
    cell = list(csv.reader(io.StringIO(out, newline="")))[1][0]
    assert cell == "'" + text.replace("\r", "\n")


def test_plain_cells_and_lists_are_kept() -> None:
    out = to_csv([{"name": "Scale AI", "labs": ["OpenAI", "Google"], "n": 3, "none": None}], ["name", "labs", "n", "none"])
    assert out == 'name,labs,n,none\nScale AI,"[""OpenAI"", ""Google""]",3,\n'


def test_terminal_columns_leave_out_graph_values() -> None:
    node = {"element_id": "4:x:1", "labels": ["Organization"], "properties": {"id": "openai"}}
    path = {"nodes": [node], "relationships": []}
    rows = [{"org": "OpenAI", "path": path, "path_nodes": [node, node], "sources": ["a"], "empty": []},
            {"org": "xAI", "path": None, "path_nodes": [], "sources": [], "empty": []}]
    assert terminal_columns(["org", "path", "path_nodes", "sources", "empty"], rows) == ["org", "sources", "empty"]


@pytest.mark.parametrize("column", ["=cmd()", "+1", "-1", "@x", "\t=1"])
def test_formula_column_names_are_quoted_like_cells(column: str) -> None:
    header = list(csv.reader(io.StringIO(to_csv([{column: 1}], [column]), newline="")))[0]
    assert header == ["'" + column]


def test_json_has_null_for_nan_and_infinities() -> None:
    text = to_json([{"nan": float("nan"), "inf": [float("inf"), {"x": float("-inf")}], "n": 1.5}])
    assert json.loads(text) == [{"nan": None, "inf": [None, {"x": None}], "n": 1.5}]
    assert "NaN" not in text and "Infinity" not in text


def test_reading_order_puts_the_explanation_after_the_names() -> None:
    columns = ["org_id", "org", "rival_id", "rival", "kind", "score", "explanation", "sources"]
    assert reading_order(columns) == ["org", "rival", "explanation", "org_id", "rival_id", "kind", "score", "sources"]
    assert reading_order(["a", "b"]) == ["a", "b"]  # no explanation: as the query wrote them


def test_key_columns_of_a_terminal_table() -> None:
    columns = ["date", "change", "org_id", "org", "rival_id", "rival", "kind", "score", "cause", "explanation",
               "sources"]
    assert key_columns(columns, []) == ["date", "change", "org", "rival", "kind", "score", "cause", "explanation"]
    node = {"element_id": "4:x:1", "labels": ["Organization"], "properties": {}}
    assert key_columns(["org", "path"], [{"org": "OpenAI", "path": node}]) == ["org"]  # no explanation: all but graphs
