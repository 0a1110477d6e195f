"""The load record: which folder or workbook the graph was loaded from, when, how many rows; shown in the
brief's footer and the story picture, byte-stable for the same graph."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from datafolder import write_folder
from graph.brief import brief_html, make_brief
from graph.cli import cli
from graph.db import Connection
from graph.errors import SupplyGraphError
from graph.load_record import LOAD_LABEL, data_words, last_load
from graph.loader import load_folder
from graph.story import load_story
from graph.story_svg import svg
from graph.validate import check_folder

from oracles import fingerprint

ROOT = Path(__file__).resolve().parent.parent


def test_a_load_records_its_folder_time_and_rows(conn: Connection, tmp_path: Path) -> None:
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    folder = write_folder(tmp_path / "my-data")
    summary = load_folder(conn, folder)
    record = last_load(conn)
    assert record is not None and record.source == "my-data" and record.method == summary.method
    assert record.rows == check_folder(folder).total_rows > 0
    at = dt.datetime.fromisoformat(record.loaded_at.replace("Z", "+00:00"))
    assert before <= at <= dt.datetime.now(dt.timezone.utc)
    assert data_words(record).startswith(f"Data: my-data, loaded {at.strftime('%Y-%m-%d %H:%M')} UTC (")
    # Loading again (nothing changed) keeps one record, and the graph's fingerprint leaves it out.
    print_before = fingerprint(conn)
    load_folder(conn, folder, source="renamed.xlsx")
    assert last_load(conn).source == "renamed.xlsx"
    assert conn.read(f"MATCH (r:{LOAD_LABEL}) RETURN count(r) AS n").records[0]["n"] == 1
    assert fingerprint(conn) == print_before


def test_a_refused_load_keeps_the_record_of_the_graph_it_leaves(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "good"))
    kept = last_load(conn)
    bad = write_folder(tmp_path / "bad", people_csv=b"\xff\xfe not UTF-8")
    with pytest.raises(SupplyGraphError):
        load_folder(conn, bad)
    assert last_load(conn) == kept


def test_a_graph_without_a_record_says_so(conn: Connection) -> None:
    assert last_load(conn) is None
    assert data_words(None).startswith("Data: not recorded")


def test_the_cli_records_a_workbook_by_its_file_name(neo4j_env, conn: Connection, tmp_path: Path) -> None:
    from test_workbook import write_book

    result = CliRunner().invoke(cli, ["load", str(write_book(tmp_path / "book.xlsx")), "--transactional"])
    assert result.exit_code == 0, result.output
    assert last_load(conn).source == "book.xlsx"


def test_the_brief_and_the_story_picture_name_the_data_and_stay_byte_stable(seed_only: Connection) -> None:
    record = last_load(seed_only)
    assert record is not None and record.source == "seed_data"
    words = data_words(record)
    as_of = dt.date(2025, 6, 15)
    picture = svg(load_story(seed_only, "openai", "OpenAI", as_of))
    assert words in picture
    assert svg(load_story(seed_only, "openai", "OpenAI", as_of)) == picture
    page = brief_html(make_brief(seed_only, "openai", "OpenAI", as_of, dt.date(2025, 6, 1)))
    assert f'<div class="footer one-line">{words} · supplygraph' in page
    assert brief_html(make_brief(seed_only, "openai", "OpenAI", as_of, dt.date(2025, 6, 1))) == page


def test_the_readme_picture_is_drawn_again_by_its_script(seed_only: Connection, neo4j_env, tmp_path: Path) -> None:
    import importlib.util

    from PIL import Image, ImageStat

    spec = importlib.util.spec_from_file_location("readme_picture", ROOT / "scripts" / "readme_picture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "story.png"
    module.main(out)
    image = Image.open(out).convert("L")
    shipped = Image.open(ROOT / "docs" / "img" / "story-openai-2025-06-15.png")
    assert image.size == shipped.size and image.size[0] == 1600  # the same picture, drawn again
    assert ImageStat.Stat(image).stddev[0] > 10  # not blank
    assert "docs/img/story-openai-2025-06-15.png" in (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
