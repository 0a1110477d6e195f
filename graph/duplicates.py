"""Possible duplicates: two rows of one file (organizations, people, facilities...) that look like the
same entity, found after validation and told as warnings (an error only with `load --strict`).

The rule (docs/data-dictionary.md, "Possible duplicates"), for the rows of each file with a `name`
column, comparing every name and alias of one row with every name and alias of another:
- a name is normalised: accents dropped, case folded, `&` read as `and`, punctuation and spaces
  removed, a leading "the" and trailing corporate suffixes (Inc, Ltd, LLC, Corp, GmbH, PBC, AG, SA,
  plc, Co, ...) dropped: "Coreweave, Inc." and "CoreWeave" are both `coreweave`, "xAI" and "X AI"
  both `xai`;
- equal normalised names score 100; otherwise the score is the lower of rapidfuzz's `fuzz.ratio` of
  the two (the whole strings: "Google" against "Google DeepMind" scores 60, not the 100 a partial
  or token-set ratio gives) and of their cores (the same without generic words such as Labs, Capital,
  AI: "Castor Labs" and "Casmor Labs" score 67), and a pair warns at THRESHOLD (90) or above
  (SHORT_THRESHOLD (92) when both cores are under SHORT letters: "Scale" / "Nscale" scores 91 and
  does not warn);
- names whose numbers differ are never the same ("Colossus 1", "Colossus 2");
- two rows that a row of relationships.csv connects are known to be two (an analyst linked them).

Fast on 10^5 rows: equal names meet in a dictionary; the near ones are scored in C by
`rapidfuzz.process.cdist`, only within blocks of cores that share their numbers and their first or
last 4 letters (cores under 9 letters: also their first or last 3), in windows of compatible lengths
(a score of 90 needs lengths within 22% of each other). A pair that differs both at the start and
at the end is therefore not found.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from rapidfuzz import fuzz, process

from graph.model import FILES, FileSpec
from graph.validate import Problem, read_rows

THRESHOLD = 90
SHORT_THRESHOLD = 92  # two short names (cores under SHORT letters) one letter apart are often two names: Scale / Nscale
BLOCK_LETTERS = 4  # names meet when they share their first or their last 4 letters; those under SHORT letters,
SHORT = 9          # also their first or last 3 (one typo can touch both ends of a short name)
SMALL_BLOCK = 32
WINDOW = 2000  # names scored against each other at a time: a window's matrix is WINDOW x (a bit more)
# Words many names share ("Thrive Capital", "Castor Labs"): a near name must be near without them too.
GENERIC = frozenset("""
    ai labs lab capital ventures venture partners systems technologies technology tech group holdings
    holding management research solutions fund
""".split())
SUFFIXES = frozenset("""
    inc incorporated corp corporation co company ltd limited llc llp lp plc pbc gmbh ag sa sas sarl srl
    spa bv nv kk pte pty oy ab as asa se
""".split())
WORD = re.compile(r"[^\W_]+")
NUMBER = re.compile(r"\d+")
# Lengths a score of THRESHOLD allows: ratio = 2M / (la + lb) <= 2 la / (la + lb).
LENGTH_FACTOR = 200 / THRESHOLD - 1


@dataclass(frozen=True)
class Entry:
    """One row of an entity file, as the comparison needs it."""

    file: str
    row: int
    id: str
    name: str
    keys: tuple[tuple[str, str], ...]  # its name and aliases, normalised, and their cores (no empty ones, no repeats)


@dataclass(frozen=True)
class PossibleDuplicate:
    a: Entry
    b: Entry
    score: float
    a_name: str  # the normalised names that matched
    b_name: str

    def message(self, place: Callable[[Problem], Problem] = lambda p: p) -> str:
        """What the analyst reads: both rows (file, row, id, name), the score, and what to do."""
        first, second = (place(Problem(e.file, e.row, None, None, "")) for e in (self.a, self.b))
        how = "the same name once normalised" if self.score >= 100 else f"names {self.a_name!r} and {self.b_name!r}"
        return (f"possible duplicate in {first.file}: row {first.row} ({self.a.id}, {self.a.name!r}) and "
                f"row {second.row} ({self.b.id}, {self.b.name!r}) score {int(self.score)} ({how}). "
                f"If they are one, keep one row, point the other's ids in the other files at it and add the "
                f"other's name to its aliases; if they are two, tell the names apart (such as 'Scale AI (UK)') or "
                f"record how they are related (a relationship between them, such as SUBSIDIARY_OF, marks them as two)")


def normalise(name: str) -> str:
    """A name as the comparison sees it (see the module's rule)."""
    return "".join(_words(name))


def normalised(name: str) -> tuple[str, str]:
    """The name normalised, and its core: the same without generic words (the whole when it has nothing else)."""
    words = _words(name)
    return "".join(words), "".join(w for w in words if w not in GENERIC) or "".join(words)


def _words(name: str) -> list[str]:
    text = name if name.isascii() else "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    words = WORD.findall(text.casefold().replace("&", " and ").replace(".", ""))  # S.A. is SA
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in SUFFIXES:
        words = words[:-1]
    return words


def entity_files() -> tuple[FileSpec, ...]:
    """The files whose rows are entities with names: generic over the model."""
    return tuple(spec for spec in FILES if "name" in spec.columns)


def entries(folder: Path, spec: FileSpec) -> Iterator[Entry]:
    has_aliases = "aliases" in spec.columns
    for line, cells in read_rows(folder / spec.name, spec):
        names = [cells["name"], *(cells["aliases"].split(";") if has_aliases else ())]
        keys = tuple(dict.fromkeys(k for k in map(normalised, names) if k[0]))
        if keys:
            yield Entry(spec.name, line, cells["id"], cells["name"], keys)


def possible_duplicates(folder: Path) -> list[PossibleDuplicate]:
    """Every pair of rows of a checked folder's entity files that may be one entity, best score first."""
    found: list[PossibleDuplicate] = []
    for spec in entity_files():
        if (folder / spec.name).exists():
            found += _pairs(list(entries(folder, spec)))
    if found:
        linked = _linked(folder, {frozenset((p.a.id, p.b.id)) for p in found})
        found = [p for p in found if frozenset((p.a.id, p.b.id)) not in linked]
    return sorted(found, key=lambda p: (-p.score, p.a.file, p.a.row, p.b.row))


def _pairs(rows: list[Entry]) -> list[PossibleDuplicate]:
    # Every (normalised name, row) once; a row's own names are never compared with each other.
    full: list[str] = []
    cores: list[str] = []
    owner: list[int] = []
    for i, entry in enumerate(rows):
        for key, key_core in entry.keys:
            full.append(key)
            cores.append(key_core)
            owner.append(i)
    numbers = [_numbers(key) for key in full]
    best: dict[tuple[int, int], tuple[float, int, int]] = {}

    def keep(x: int, y: int, score: float) -> None:
        a, b = owner[x], owner[y]
        if a == b or numbers[x] != numbers[y]:
            return
        pair = (a, b) if a < b else (b, a)
        if pair not in best or score > best[pair][0]:
            best[pair] = (score, x, y) if a < b else (score, y, x)

    # Equal names: one dictionary.
    same: dict[str, list[int]] = defaultdict(list)
    for x, key in enumerate(full):
        same[key].append(x)
    for group in same.values():
        for i, x in enumerate(group):  # a third row of the name pairs with each of the others
            for y in group[i + 1:]:
                keep(x, y, 100.0)
    # Near names: near without their generic words, found in blocks of cores sharing their numbers and
    # their first or last letters; then near as a whole too.
    blocks: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for x, key in enumerate(cores):
        digits = numbers[x]
        for k in (BLOCK_LETTERS, BLOCK_LETTERS - 1) if len(key) < SHORT else (BLOCK_LETTERS,):
            blocks[("<", digits, key[:k])].append(x)
            blocks[(">", digits, key[-k:])].append(x)
    for block in blocks.values():
        if len(block) > 1:
            for x, y, core_score in _near(block, cores):
                if full[x] != full[y]:
                    score = min(core_score, fuzz.ratio(full[x], full[y]))
                    if score >= threshold(cores[x], cores[y]):
                        keep(x, y, score)
    return [PossibleDuplicate(rows[a], rows[b], score, full[x], full[y])
            for (a, b), (score, x, y) in best.items()]


def threshold(core_a: str, core_b: str) -> int:
    """The score two names must reach: higher when both are short."""
    return SHORT_THRESHOLD if len(core_a) < SHORT and len(core_b) < SHORT else THRESHOLD


def _near(block: list[int], names: list[str]) -> Iterator[tuple[int, int, float]]:
    """Pairs of a block whose names score THRESHOLD or more, each once, scored in C a window at a time."""
    block = sorted(block, key=lambda x: len(names[x]))
    if len(block) <= SMALL_BLOCK:  # most blocks: a matrix's set-up costs more than scoring the pairs one by one
        for i, x in enumerate(block):
            for y in block[i + 1:]:
                if len(names[y]) > len(names[x]) * LENGTH_FACTOR:
                    break
                score = fuzz.ratio(names[x], names[y], score_cutoff=THRESHOLD)
                if score:
                    yield x, y, score
        return
    lengths = np.array([len(names[x]) for x in block])
    for start in range(0, len(block), WINDOW):
        stop = min(start + WINDOW, len(block))
        reach = int(np.searchsorted(lengths, lengths[stop - 1] * LENGTH_FACTOR, side="right"))
        queries = [names[x] for x in block[start:stop]]
        choices = [names[x] for x in block[start:reach]]
        scores = process.cdist(queries, choices, scorer=fuzz.ratio, score_cutoff=THRESHOLD,
                               workers=-1 if len(queries) * len(choices) > 1 << 20 else 1)
        for i, j in zip(*np.nonzero(scores)):
            if j > i:  # choices start where queries do: j > i is each pair once, never a name with itself
                yield block[start + i], block[start + j], float(scores[i, j])


def _numbers(key: str) -> str:
    return " ".join(NUMBER.findall(key))


def _linked(folder: Path, pairs: set[frozenset[str]]) -> set[frozenset[str]]:
    """The pairs that a row of a file with from_id and to_id connects (read once, only these pairs kept)."""
    ids = {i for pair in pairs for i in pair}
    linked: set[frozenset[str]] = set()
    for spec in FILES:
        if "from_id" in spec.columns and "to_id" in spec.columns and (folder / spec.name).exists():
            for _, cells in read_rows(folder / spec.name, spec):
                a, b = cells["from_id"], cells["to_id"]
                if a in ids and b in ids and frozenset((a, b)) in pairs:
                    linked.add(frozenset((a, b)))
    return linked
