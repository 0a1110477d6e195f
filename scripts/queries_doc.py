"""Rewrites the reference part of docs/queries.md (after '## The queries') from the query headers.

Run after changing a header: .venv/bin/python scripts/queries_doc.py
tests/test_queries_doc.py fails when the page and the headers disagree.
"""

from pathlib import Path

from graph.queries import CYPHER_DIR, load_queries

DOC = CYPHER_DIR.parent / "docs" / "queries.md"
MARKER = "## The queries\n"


def reference() -> str:
    parts = []
    for q in load_queries().values():
        parts.append(f"\n### `{q.name}`\n\n{q.description}\n")
        if q.params:
            parts.append("\n| parameter | type | default | meaning |\n|---|---|---|---|\n")
            for p in q.params:
                parts.append(f"| `{p.name}` | {p.type} | {'required' if p.required else p.default} | {p.help} |\n")
        parts.append(f"\nReturns: {q.returns}\n")
        if q.examples:
            parts.append("\n```\n" + "\n".join(q.examples) + "\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(text[: text.index(MARKER) + len(MARKER)] + reference(), encoding="utf-8")
    print(f"wrote {DOC}")
