"""How long the possible-duplicate check takes on 10^3-10^5 organizations, and what it finds.

Two kinds of made-up organizations files, side by side in one run:
- `names`: names of one to three invented words, half with a common word (Labs, Capital, AI...) and a
  fifth with a legal suffix (Inc, Ltd...), plus 1% planted near-duplicates of earlier rows (case,
  suffix, punctuation, one letter dropped or doubled);
- `generate`: the organizations of `supplygraph generate` ("Org 42 Labs"), which must give no warning.
Reported: seconds for graph.duplicates.possible_duplicates on the folder (reading the file included),
warnings, and how many planted pairs were found. No database is involved.

    .venv/bin/python bench/bench_duplicates.py [--sizes 1000,10000,100000] [--no-doc]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path
from random import Random

import _common as c

from graph.duplicates import THRESHOLD, possible_duplicates
from graph.generate import generate
from graph.model import ORGANIZATIONS

# Two vocabularies: 480 syllables (names about as varied as real ones), and 30 (a crowded worst case, where
# many invented names are close to others and the blocks are large).
SYLLABLES = {"480": tuple(c + v + e for c in "bcdfghklmnprstvz" for v in "aeiou" for e in ("", "n", "r", "s", "x", "l")),
             "30": ("ka", "ro", "mi", "ten", "sol", "ver", "dax", "lu", "quo", "zen", "bri", "tor", "nex", "vo", "al",
                    "fi", "gra", "hel", "ix", "jun", "mor", "pli", "sen", "tri", "ul", "wey", "yor", "cas", "den", "ev")}
COMMON = ("Labs", "Capital", "AI", "Systems", "Technologies", "Ventures", "Partners", "Robotics", "Cloud", "Data")
LEGAL = ("Inc", "Inc.", "Ltd", "LLC", "Corp", "GmbH", "PBC", "AG", "SA", "plc", "Co")


def word(rng: Random, syllables: tuple[str, ...]) -> str:
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()


def variant(rng: Random, name: str) -> str:
    """A spelling of the same name an analyst might meet in another spreadsheet."""
    how = rng.randrange(4)
    if how == 0:
        return name.upper() if rng.random() < 0.5 else name.lower()
    if how == 1:
        return f"{name}, {rng.choice(LEGAL)}"
    if how == 2:
        return name.replace(" ", "-") if " " in name else name + "."
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1:] if rng.random() < 0.5 else name[:i] + name[i] + name[i:]


def names_folder(folder: Path, n: int, syllables: tuple[str, ...], seed: int = 0) -> set[frozenset[str]]:
    """An organizations file of n made-up names with 1% planted near-duplicates; returns the planted pairs of ids."""
    rng = Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    planted: set[frozenset[str]] = set()
    while len(names) < n:
        if names and rng.random() < 0.01:
            original = rng.randrange(len(names))
            name = variant(rng, names[original])
            planted.add(frozenset((f"org-{original}", f"org-{len(names)}")))
        else:
            name = " ".join(word(rng, syllables) for _ in range(rng.choice((1, 1, 2, 3))))
            if rng.random() < 0.5:
                name += " " + rng.choice(COMMON)
            if rng.random() < 0.2:
                name += " " + rng.choice(LEGAL)
            if name.lower() in seen:
                continue
        seen.add(name.lower())
        names.append(name)
    with open(folder / ORGANIZATIONS.name, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(ORGANIZATIONS.columns)
        for i, name in enumerate(names):
            writer.writerow([f"org-{i}", name, "vendor", "", "", "", "", "s", "high"])
    return planted


def measure(folder: Path) -> tuple[float, set[frozenset[str]]]:
    start = time.perf_counter()
    found = possible_duplicates(folder)
    return time.perf_counter() - start, {frozenset((p.a.id, p.b.id)) for p in found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    info = c.machine_info()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            for vocabulary, syllables in SYLLABLES.items():
                made = Path(tmp) / f"names-{vocabulary}"
                made.mkdir()
                planted = names_folder(made, n, syllables)
                seconds, warned = measure(made)
                rows.append([f"names, {vocabulary} syllables", f"{n:,}", f"{seconds:.2f}", f"{len(warned):,}",
                             f"{len(planted):,}", f"{len(planted & warned):,}"])
                print(rows[-1], flush=True)
            generated = Path(tmp) / "generated"
            # graph.generate makes about one organization per 6.7 relationships
            generate(generated, relationships=int(n * 6.7), seed=1)
            orgs = sum(1 for _ in open(generated / ORGANIZATIONS.name, encoding="utf-8")) - 1
            seconds, warned = measure(generated)
            rows.append(["generate", f"{orgs:,}", f"{seconds:.2f}", f"{len(warned):,}", "0", "0"])
            print(rows[-1], flush=True)
    summary = c.table(["file", "organizations", "seconds", "warnings", "planted pairs", "planted pairs warned"], rows)
    body = f"""`graph.duplicates.possible_duplicates` (threshold {THRESHOLD}, see docs/data-dictionary.md) on made-up
organizations files, reading the file included; no database. `names`: invented names of one to three
words of two or three syllables (from 480 syllables, about as varied as real names, or from 30, a
crowded worst case where many invented names are near others and the blocks are large), half with a common word (Labs, Capital, AI...), a fifth with a legal suffix, and 1% planted
near-duplicates of earlier rows (case, a suffix, punctuation, a letter dropped or doubled); warnings
also count pairs of invented names that happen to be close, and a planted copy pairs with any row
close to its original; `generate`: the organizations of `supplygraph generate` (must warn 0).

Command (from the project root):

```
{c.command_line()}
```

{c.machine_block(info)}
{summary}
"""
    print(summary)
    if not args.no_doc:
        c.update_section("Possible duplicates", body)
        print(f"updated {c.BENCHMARKS_MD}")


if __name__ == "__main__":
    sys.exit(main())
