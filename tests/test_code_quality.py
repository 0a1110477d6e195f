"""Static checks of the project's own Python: unused imports, undefined names, shadowed definitions."""

from __future__ import annotations

import io
from pathlib import Path

from pyflakes.api import checkRecursive
from pyflakes.reporter import Reporter

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["graph", "tests", "bench", "pages", "app.py"]


def test_pyflakes_finds_nothing() -> None:
    out, err = io.StringIO(), io.StringIO()
    warnings = checkRecursive([str(ROOT / p) for p in CHECKED], Reporter(out, err))
    assert (warnings, err.getvalue()) == (0, ""), out.getvalue()
