"""Exports: CSV cells that a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from graph.output import terminal_columns, to_csv


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
