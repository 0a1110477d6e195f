"""Every validation rule, each with a bad file: the load is refused with the place and the reason,
and the database is left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.db import Connection
from graph.loader import load_folder
from graph.validate import ValidationError, check_folder

from datafolder import VALID, with_replaced, with_row, write_folder
from oracles import fingerprint

REL = "relationships_csv"
ORG = "organizations_csv"
REL_ROW = "x,meta,SUPPLIES,openai,2024,,active,data_labeling,,,,,,,reuters-1,high"

BAD_FILES = [
    # (id, replacements, expected message)
    ("missing file", {REL: None}, "relationships.csv: file is missing: create it with the header id,from_id,type"),
    ("empty file", {"people_csv": ""}, "people.csv: file is empty: it needs the header id,name,aliases"),
    ("not utf-8", {ORG: VALID["organizations.csv"].replace("Data labeling", "Soci\xe9t\xe9").encode("latin-1")},
     "organizations.csv: not UTF-8 text"),
    ("utf-16", {"people_csv": VALID["people.csv"].encode("utf-16")}, "people.csv: not UTF-8 text"),
    ("missing required column", {"people_csv": "id,name,aliases,description,sources\nx,X,,,reuters-1\n"},
     "people.csv, row 1, column 'confidence': required column is missing from the header"),
    ("unknown column", {"people_csv": VALID["people.csv"].replace("confidence\n", "confidence,ceo\n", 1)},
     "people.csv, row 1, column 'ceo': unknown column"),
    ("duplicate header", {"sources_csv": "id,publisher,title,date,url,url\n"},
     "sources.csv, row 1, column 'url': column appears twice"),
    ("extra field", {REL: with_row("relationships.csv", REL_ROW + ",extra")},
     "relationships.csv, row 7: row has 17 fields but the header has 16"),
    ("missing field", {REL: with_row("relationships.csv", "x,meta,SUPPLIES,openai")},
     "relationships.csv, row 7: row has 4 fields but the header has 16"),
    ("duplicate id", {REL: with_row("relationships.csv", REL_ROW.replace("x,", "scale-meta,", 1))},
     "relationships.csv, row 7, column 'id', value 'scale-meta': duplicate id: row 4 has it too"),
    ("bad id", {REL: with_row("relationships.csv", REL_ROW.replace("x,", "Meta Supplies,", 1))},
     "column 'id', value 'Meta Supplies': ids use lowercase letters"),
    ("required empty", {REL: with_row("relationships.csv", REL_ROW.replace(",high", ","))},
     "relationships.csv, row 7, column 'confidence', value '': required value is empty"),
    ("dangling from", {REL: with_row("relationships.csv", REL_ROW.replace(",meta,", ",meat,"))},
     "relationships.csv, row 7, column 'from_id', value 'meat': no row in organizations.csv has this id"),
    ("dangling to", {REL: with_row("relationships.csv", REL_ROW.replace(",openai,", ",open-ai,"))},
     "column 'to_id', value 'open-ai': no row in organizations.csv or facilities.csv has this id"),
    ("dangling person", {"positions_csv": with_row("positions.csv", "p,sam-altman,openai,executive,CEO,,,active,reuters-1,high,")},
     "positions.csv, row 5, column 'person_id', value 'sam-altman': no row in people.csv has this id"),
    ("unknown source", {REL: with_row("relationships.csv", REL_ROW.replace("reuters-1", "reuters-1;nyt-9"))},
     "column 'sources', value 'reuters-1;nyt-9': source 'nyt-9' is not in sources.csv"),
    ("impossible date", {REL: with_row("relationships.csv", REL_ROW.replace(",2024,", ",2025-02-30,"))},
     "column 'since', value '2025-02-30': impossible date"),
    ("unparsable date", {REL: with_row("relationships.csv", REL_ROW.replace(",2024,", ",June 2025,"))},
     "column 'since', value 'June 2025': not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("until before since", {REL: with_row("relationships.csv", REL_ROW.replace(",2024,,", ",2024-05,2023,"))},
     "column 'until', value '2023': ends before it starts (since 2024-05)"),
    ("negative amount", {REL: with_replaced("relationships.csv", "14300000000", "-5")},
     "column 'amount', value '-5': must not be negative"),
    ("text amount", {REL: with_replaced("relationships.csv", "14300000000", "$14.3B")},
     "column 'amount', value '$14.3B': not a number"),
    ("stake over 100", {REL: with_replaced("relationships.csv", "USD,49,", "USD,149,")},
     "column 'stake_percent', value '149': a stake is a percentage from 0 to 100"),
    ("unknown type", {REL: with_row("relationships.csv", REL_ROW.replace("SUPPLIES", "OWNS_PART_OF"))},
     "column 'type', value 'OWNS_PART_OF': 'OWNS_PART_OF' is not one of: INVESTED_IN, SUPPLIES"),
    ("unknown status", {REL: with_row("relationships.csv", REL_ROW.replace("active", "rumoured"))},
     "column 'status', value 'rumoured': 'rumoured' is not one of: active, ended"),
    ("unknown role", {ORG: with_row("organizations.csv", "x,X,lab;startup,,,,,reuters-1,high")},
     "column 'roles', value 'lab;startup': 'startup' is not one of: lab, vendor, investor, government"),
    ("column for another type", {REL: with_row("relationships.csv", "y,meta,PARTNERS_WITH,openai,,,active,chips,research,,,,,,reuters-1,high")},
     "column 'service', value 'chips': does not apply to PARTNERS_WITH: clear it (columns for PARTNERS_WITH: kind)"),
    ("supplies without service", {REL: with_row("relationships.csv", REL_ROW.replace("data_labeling", ""))},
     "column 'service', value '': required for SUPPLIES"),
    ("self loop", {REL: with_row("relationships.csv", REL_ROW.replace(",openai,", ",meta,"))},
     "column 'to_id', value 'meta': a relationship from an organization to itself"),
    ("services of a non-vendor", {ORG: with_row("organizations.csv", "x,X,lab,chips,,,,reuters-1,high")},
     "column 'services', value 'chips': only vendors have services"),
    ("country name", {ORG: with_row("organizations.csv", "x,X,lab,,USA,,,reuters-1,high")},
     "column 'country', value 'USA': use a two-letter ISO 3166 country code"),
    ("javascript url", {"sources_csv": with_row("sources.csv", "s,X,T,2024,javascript:alert(1)")},
     "column 'url', value 'javascript:alert(1)': a URL must start with https:// or http://"),
    ("long name", {ORG: with_row("organizations.csv", f"x,{'A' * 400},lab,,,,,reuters-1,high")},
     "column 'name', value 'AAAA"),
    ("huge field", {ORG: with_row("organizations.csv", f"x,X,lab,,,,{'d' * 200_000},reuters-1,high")},
     "organizations.csv: not valid CSV (field larger than field limit"),
    ("nul byte", {"people_csv": with_row("people.csv", "x,Nul\x00Name,,,reuters-1,high")},
     "people.csv"),
]


@pytest.mark.parametrize("replacements,message", [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_refused_and_nothing_changes(tmp_path: Path, session_conn: Connection, loaded: str,
                                                 replacements: dict, message: str) -> None:
    folder = write_folder(tmp_path / "bad", **replacements)
    with pytest.raises(ValidationError) as refused:
        load_folder(session_conn, folder)
    assert message in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert fingerprint(session_conn) == loaded


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    rows = [REL_ROW.replace(",meta,", ",nobody,").replace("x,", f"x{i},", 1) for i in range(5)]
    folder = write_folder(tmp_path / "bad", relationships_csv=VALID["relationships.csv"] + "\n".join(rows) + "\n",
                          people_csv=with_row("people.csv", "bad id,X,,,reuters-1,high"))
    with pytest.raises(ValidationError) as refused:
        check_folder(folder)
    assert len(refused.value.problems) == 6
    assert str(refused.value).startswith(f"6 problems in {folder}; nothing was written:\n")


def test_cli_prints_problems_and_exits_nonzero(tmp_path: Path, neo4j_env, session_conn, loaded) -> None:
    folder = write_folder(tmp_path / "bad", relationships_csv=with_replaced("relationships.csv", "14300000000", "-5"))
    result = CliRunner().invoke(cli, ["load", str(folder)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: 1 problem in {folder}; nothing was written:\n"
        "  relationships.csv, row 2, column 'amount', value '-5': must not be negative\n"
    )
    assert fingerprint(session_conn) == loaded


def test_dry_run_validates_without_writing(tmp_path: Path, neo4j_env, session_conn, loaded) -> None:
    folder = write_folder(tmp_path / "ok", organizations_csv=with_row("organizations.csv", "x,New Lab,lab,,,,,reuters-1,high"))
    result = CliRunner().invoke(cli, ["load", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "18 rows valid" in result.output
    assert fingerprint(session_conn) == loaded


def test_a_million_row_file_with_one_bad_row_is_refused_at_that_row(tmp_path: Path, session_conn, loaded) -> None:
    rows = [VALID["relationships.csv"].rstrip("\n")]
    rows += [f"r{i},meta,SUPPLIES,openai,2024,,active,data_labeling,,,,,,,reuters-1,high" for i in range(999_999)]
    rows.append("bad,meta,SUPPLIES,openai,2024-13,,active,data_labeling,,,,,,,reuters-1,high")
    folder = write_folder(tmp_path / "big", relationships_csv="\n".join(rows) + "\n")
    with pytest.raises(ValidationError) as refused:
        load_folder(session_conn, folder)
    assert "relationships.csv, row 1000006, column 'since', value '2024-13': impossible date" in str(refused.value)
    assert fingerprint(session_conn) == loaded


def test_duplicate_ids_are_told_apart_from_equal_hashes(tmp_path: Path, monkeypatch) -> None:
    # Duplicates are first found by 8-byte hashes of the ids; give every id the same hash, and only
    # real duplicates may still be reported, each with the row that had the id first.
    import graph.validate
    monkeypatch.setattr(graph.validate, "hash", lambda value: 7, raising=False)
    check_folder(write_folder(tmp_path / "ok"))
    rows = [REL_ROW.replace("x,", "scale-meta,", 1), REL_ROW.replace("x,", "new-one,", 1),
            REL_ROW.replace("x,", "new-one,", 1)]
    folder = write_folder(tmp_path / "bad", relationships_csv=VALID["relationships.csv"] + "\n".join(rows) + "\n",
                          people_csv=with_row("people.csv", "jason-droege,Someone Else,,,reuters-1,high"))
    with pytest.raises(ValidationError) as refused:
        check_folder(folder)
    assert [str(p) for p in refused.value.problems] == [
        "people.csv, row 4, column 'id', value 'jason-droege': duplicate id: row 3 has it too",
        "relationships.csv, row 7, column 'id', value 'scale-meta': duplicate id: row 4 has it too",
        "relationships.csv, row 9, column 'id', value 'new-one': duplicate id: row 8 has it too",
    ]


def test_a_duplicate_is_listed_in_row_order_among_the_files_other_problems(tmp_path: Path) -> None:
    rows = [REL_ROW.replace("x,", "a,", 1).replace(",2024,", ",2024-13,"),
            REL_ROW.replace("x,", "scale-meta,", 1),
            REL_ROW.replace("x,", "b,", 1).replace(",high", ",sure")]
    folder = write_folder(tmp_path / "bad", relationships_csv=VALID["relationships.csv"] + "\n".join(rows) + "\n")
    with pytest.raises(ValidationError) as refused:
        check_folder(folder)
    assert [(p.row, p.column) for p in refused.value.problems] == [(7, "since"), (8, "id"), (9, "confidence")]
