"""The docs run from any clone: commands are relative to the project root, never a checkout's own path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# An absolute path into one of the project's folders (/home/me/supplygraph/.venv/bin/python ...): a
# newcomer's clone is elsewhere. URLs (://host/docs/) are not paths.
CHECKOUT_PATH = re.compile(r"(?<![\w.~:/-])/(?:[\w.-]+/)+"
                           r"(?:\.venv|bench|graph|cypher|seed_data|docs|tests|scripts|pages)/")


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_checkout_path(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert str(ROOT) not in text
    assert CHECKOUT_PATH.findall(text) == []


def test_the_pattern_finds_a_checkout_path() -> None:
    assert CHECKOUT_PATH.findall("run `/work/main/.venv/bin/python bench/x.py`") == ["/work/main/.venv/"]
    assert CHECKOUT_PATH.findall("see https://github.com/neo4j/docs/x and .venv/bin/python bench/x.py") == []
