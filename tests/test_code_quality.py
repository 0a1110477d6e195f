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


# Blocks of BLOCK_LINES or more code lines (comments and blank lines aside, whitespace ignored) that the
# stored queries write twice. Cypher has no functions of its own, so one query cannot call another's
# expression: a repeat is named here, per pair of files, until it is gone (the way out is usually a fact
# the loader or the derivation stores, as it stores `detail` and `valid_from`). Any pair fails.
BLOCK_LINES = 6
KNOWN_CYPHER_REPEATS: set[tuple[str, str]] = set()


def cypher_repeats(folder: Path, size: int = BLOCK_LINES) -> set[tuple[str, str]]:
    """Pairs of .cypher files (a file with itself when it repeats itself) sharing a block of `size` code lines."""
    seen: dict[tuple[str, ...], list[str]] = {}
    for path in sorted(folder.rglob("*.cypher")):
        code = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.strip().startswith("//")]
        for start in range(len(code) - size + 1):
            seen.setdefault(tuple(code[start:start + size]), []).append(path.name)
    return {tuple(sorted(names[i:i + 2])) for names in seen.values() if len(names) > 1 for i in range(len(names) - 1)}


def test_the_stored_queries_repeat_no_block_of_six_lines(tmp_path: Path) -> None:
    assert cypher_repeats(ROOT / "cypher") - KNOWN_CYPHER_REPEATS == set()
    # The check itself finds a repeat, across files and within one.
    block = "\n".join(f"MATCH (n{i}) RETURN n{i}" for i in range(BLOCK_LINES))
    (tmp_path / "a.cypher").write_text(f"// a\n{block}\n", encoding="utf-8")
    (tmp_path / "b.cypher").write_text(f"WITH 1 AS x\n{block}\n\n{block}\n", encoding="utf-8")
    assert cypher_repeats(tmp_path) == {("a.cypher", "b.cypher"), ("b.cypher", "b.cypher")}
