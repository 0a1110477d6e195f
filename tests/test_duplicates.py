"""Possible-duplicate warnings (graph.duplicates): the rule on adversarial pairs, the blocked search
against an all-pairs implementation of the documented rule, the seed, and the CLI (--strict, --dry-run)."""

from __future__ import annotations

import csv
import itertools
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

import graph.duplicates as duplicates
from datafolder import VALID, with_row, write_folder
from graph.cli import SEED_DIR, cli
from graph.duplicates import THRESHOLD, normalise, possible_duplicates
from graph.model import ORGANIZATIONS, PEOPLE
from oracles import fingerprint


def org_folder(tmp_path: Path, *rows: tuple[str, str, str]) -> Path:
    """The valid folder with organizations (id, name, aliases) added."""
    text = VALID["organizations.csv"]
    for org_id, name, aliases in rows:
        text += f'{org_id},"{name}",lab,,,"{aliases}",,reuters-1,high\n'
    return write_folder(tmp_path / "folder", organizations_csv=text)


def pairs(folder: Path) -> set[tuple[str, str]]:
    """The pairs warned among the added rows (ids org-...), the valid folder's own rows aside."""
    return {tuple(sorted((p.a.id, p.b.id))) for p in possible_duplicates(folder)
            if p.a.id.startswith("org-") and p.b.id.startswith("org-")}


NEAR = [  # (name of a, name or alias of b): the same entity as analysts spell it
    ("CoreWeave", "Coreweave"), ("CoreWeave", "Coreweave, Inc."), ("xAI", "X AI"), ("xAI", "x.ai Corp"),
    ("Nestlé S.A.", "Nestle SA"), ("Anthropic PBC", "Antropic"), ("The Boston Consulting Group", "Boston Consulting Group"),
    ("Mistral AI", "MISTRAL AI SAS"), ("Hugging Face", "HuggingFace"), ("Safe Superintelligence Inc.", "Safe Superintelligence"),
    ("Thinking Machines Lab", "Thinking Machine Lab"), ("AT&T", "AT and T"), ("Société Générale", "Societe Generale"),
]
APART = [  # different entities whose names overlap
    ("Google", "Google DeepMind"), ("Meta", "Meta Superintelligence Labs"), ("OpenAI", "OpenAI Foundation"),
    ("Colossus 1", "Colossus 2"), ("Stargate Abilene 1", "Stargate Abilene 2"), ("Thrive Capital", "Thrive Labs"),
    ("Castor Labs", "Casmor Labs"), ("Apple", "Appen"), ("Microsoft", "Microsoft Azure"), ("Amazon", "Amazon Web Services"),
    ("Google", "Google Cloud"), ("AMD Ventures", "GM Ventures"), ("Inflection AI", "Reflection AI"), ("X", "xAI"),
]


@pytest.mark.parametrize("a, b", NEAR)
def test_near_duplicates_are_warned(tmp_path: Path, a: str, b: str) -> None:
    assert pairs(org_folder(tmp_path, ("org-a", a, ""), ("org-b", b, ""))) == {("org-a", "org-b")}
    # The same through an alias of either row.
    assert pairs(org_folder(tmp_path / "alias", ("org-a", "Unrelated Name", a), ("org-b", b, ""))) == {("org-a", "org-b")}


@pytest.mark.parametrize("a, b", APART)
def test_different_entities_with_overlapping_names_are_not(tmp_path: Path, a: str, b: str) -> None:
    assert pairs(org_folder(tmp_path, ("org-a", a, ""), ("org-b", b, ""))) == set()


def test_normalising() -> None:
    assert normalise("  Coreweave, Inc. ") == normalise("COREWEAVE") == "coreweave"
    assert normalise("Nestlé S.A.") == normalise("nestle") == "nestle"
    assert normalise("The Inc") == "inc"  # a name made only of a suffix keeps it
    assert normalise("Co") == "co" and normalise("AG Capital AG") == "agcapital"
    assert normalise("İstanbul Ventures") == normalise("istanbul ventures")


def test_rows_a_relationship_connects_are_known_to_be_two(tmp_path: Path) -> None:
    folder = org_folder(tmp_path, ("scale-uk", "Scale AI Ltd", ""))
    assert {(p.a.id, p.b.id) for p in possible_duplicates(folder)} == {("scale-ai", "scale-uk")}
    rels = with_row("relationships.csv", "scale-uk-sub,scale-uk,SUBSIDIARY_OF,scale-ai,,,active,,,,,,,,reuters-1,high")
    (folder / "relationships.csv").write_text(rels, encoding="utf-8")
    assert possible_duplicates(folder) == []


def test_people_are_compared_with_people_only(tmp_path: Path) -> None:
    people = with_row("people.csv", "wang-2,alexandr wang,,,reuters-1,high")
    people += "meta-person,Meta,,,reuters-1,high\n" + "j-droege,Jason Droge,,,reuters-1,high\n"
    folder = write_folder(tmp_path / "f", people_csv=people)
    found = possible_duplicates(folder)
    assert {tuple(sorted((p.a.id, p.b.id))) for p in found} == {("alexandr-wang", "wang-2"), ("j-droege", "jason-droege")}
    message = next(p for p in found if p.a.id == "alexandr-wang").message()
    assert message.startswith("possible duplicate in people.csv: row 2 (alexandr-wang, 'Alexandr Wang') and row 4 "
                              "(wang-2, 'alexandr wang') score 100")
    assert "keep one row" in message and "aliases" in message


def test_the_seed_has_no_possible_duplicate() -> None:
    """Runs on seed_data/ as it is, so it holds as the seed grows."""
    assert [p.message() for p in possible_duplicates(SEED_DIR)] == []


# --- the blocked search against every pair -------------------------------------------------------

def rule(a: tuple[str, str], b: tuple[str, str]) -> float | None:
    """The documented rule on two normalised (name, core) pairs, all pairs compared: the score, or None."""
    (full_a, core_a), (full_b, core_b) = a, b
    digits = lambda s: [d for d in "".join(c if c.isdigit() else " " for c in s).split()]  # noqa: E731
    if digits(full_a) != digits(full_b):
        return None
    if full_a == full_b:
        return 100.0
    def meet(k: int) -> bool:
        return core_a[:k] == core_b[:k] or core_a[-k:] == core_b[-k:]
    short = len(core_a) < duplicates.SHORT and len(core_b) < duplicates.SHORT
    if not (meet(duplicates.BLOCK_LETTERS) or (short and meet(duplicates.BLOCK_LETTERS - 1))):
        return None
    score = min(fuzz.ratio(core_a, core_b), fuzz.ratio(full_a, full_b))
    least = 92 if short else THRESHOLD  # docs/data-dictionary.md: two short names must score 92
    return score if score >= least else None


def every_pair(rows: list[tuple[str, list[str]]]) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    for (id_a, names_a), (id_b, names_b) in itertools.combinations(rows, 2):
        scores = [s for x in names_a for y in names_b
                  if normalise(x) and normalise(y) and (s := rule(duplicates.normalised(x), duplicates.normalised(y)))]
        if scores:
            found[tuple(sorted((id_a, id_b)))] = max(scores)
    return found


NAME = st.lists(st.sampled_from(["Kora", "Kore", "Korra", "Vex", "Vexa", "Labs", "Capital", "AI", "Inc", "1", "2",
                                 "Nova", "Novak", "the", "&", "Co", "é", "Ó"]), min_size=2, max_size=4).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.lists(NAME, min_size=1, max_size=2), min_size=2, max_size=30), window=st.integers(1, 5),
       small=st.sampled_from([0, 2, 32]))
def test_the_blocked_search_finds_what_comparing_every_pair_finds(tmp_path: Path, names: list[list[str]], window: int,
                                                                   small: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "WINDOW", window)  # tiny windows and blocks: every path of the search
    monkeypatch.setattr(duplicates, "SMALL_BLOCK", small)
    rows = [(f"o{i}", row) for i, row in enumerate(names)]
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    with open(folder / ORGANIZATIONS.name, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(ORGANIZATIONS.columns)
        for org_id, row_names in rows:
            writer.writerow([org_id, row_names[0], "lab", "", "", ";".join(row_names[1:]), "", "s", "high"])
    (folder / PEOPLE.name).write_text(",".join(PEOPLE.columns) + "\n", encoding="utf-8")
    got = {tuple(sorted((p.a.id, p.b.id))): p.score for p in possible_duplicates(folder)}
    assert got == pytest.approx(every_pair(rows))


# --- the CLI ---------------------------------------------------------------------------------------

def test_load_warns_and_strict_refuses_without_writing(neo4j_env, conn, tmp_path: Path) -> None:
    folder = org_folder(tmp_path, ("coreweave-inc", "Coreweave, Inc.", ""), ("coreweave", "CoreWeave", ""))
    before = fingerprint(conn)
    dry = CliRunner().invoke(cli, ["load", str(folder), "--dry-run"])
    assert dry.exit_code == 0 and "Warning: possible duplicate in organizations.csv: row 6 (coreweave-inc" in dry.stderr
    strict = CliRunner().invoke(cli, ["load", str(folder), "--strict"])
    assert strict.exit_code == 1, strict.output
    assert "1 possible duplicate and --strict: nothing was written" in strict.output
    assert fingerprint(conn) == before
    loose = CliRunner().invoke(cli, ["load", str(folder)])
    assert loose.exit_code == 0 and "Warning: possible duplicate" in loose.stderr
    assert conn.read("MATCH (o:Organization) RETURN count(o) AS n").records[0]["n"] == 6


def test_a_workbook_s_duplicates_are_told_at_their_sheet_and_excel_rows(neo4j_env, conn, tmp_path: Path) -> None:
    from test_workbook import table, write_book

    orgs = table("organizations.csv")
    orgs.insert(2, [])  # a blank row 3: Excel's numbers count it
    orgs.append(["scale-2", "SCALE AI LLC", "vendor", "", "", "", "", "reuters-1", "high"])
    result = CliRunner().invoke(cli, ["load", str(write_book(tmp_path / "b.xlsx", organizations=orgs)), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ("Warning: possible duplicate in sheet 'organizations': row 4 (scale-ai, 'Scale AI') and row 7 "
            "(scale-2, 'SCALE AI LLC') score 100") in result.stderr
