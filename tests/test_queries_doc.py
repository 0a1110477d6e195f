"""docs/queries.md documents every stored query exactly as its header does."""

from __future__ import annotations

import pytest

from graph.queries import load_queries

from conftest import ROOT

DOC = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_query_is_documented_as_its_header_says(name: str) -> None:
    query = load_queries()[name]
    assert f"### `{query.name}`\n\n{query.description}\n" in DOC
    for param in query.params:
        default = "required" if param.required else param.default
        assert param.label, f"{name}: give {param.name} a `// label:` line (the words its form shows)"
        assert f"| `{param.name}` | {param.label} | {param.type} | {default} | {param.help} |" in DOC
    assert f"Returns: {query.returns}" in DOC
