"""The one-page PDF brief and the SVG export (graph.brief, `supplygraph brief`): one A4 page with the
story and its sources on the seed, byte-stable, and still one page whatever the names hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import graph.cli
import graph.errors
from graph import brief, workbench
from graph.db import Connection
import test_story
from test_story import HOSTILE, hostile_story, svg_texts

A4_POINTS = (595, 842)


seed = test_story.seed  # the seed, loaded once for the module


def pdf_text(data: bytes) -> tuple[int, str, tuple[int, int]]:
    """Pages, the text of all of them (ligatures such as "ﬁ" as their letters), and the first page's size in points."""
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    return len(reader.pages), text, (round(box.width), round(box.height))


def openai_brief(conn: Connection, **kwargs) -> brief.Brief:
    return brief.make_brief(conn, "openai", "OpenAI", dt.date(2025, 6, 15), dt.date(2025, 6, 1), **kwargs)


def test_the_openai_brief_is_one_a4_page_telling_the_scale_ai_story(seed: Connection) -> None:
    made = openai_brief(seed, highlight="meta")
    data = brief.brief_pdf(made)
    pages, text, size = pdf_text(data)
    assert pages == 1 and size == A4_POINTS
    flat = " ".join(text.split())
    assert "Exposure brief: OpenAI" in flat and "as of 2025-06-15" in flat
    assert "49% stake · $14.3B" in flat and "Scale AI" in flat and "Meta Platforms" in flat  # the picture, as text
    assert "Meta Platforms owns 49% of Scale AI (since 2025-06-12)" in flat  # a top link's explanation
    assert "What changed from 2025-06-01 to 2025-06-15" in flat and "people link to Meta Platforms started" in flat
    assert "Sources (" in flat and "Reuters, 2025-06-12: Meta to invest about $14.3 billion for 49% of Scale AI" in flat
    assert [c.rival for c in made.links] == ["Microsoft", "Meta Platforms", "Alphabet", "Apple"]
    assert b"/Subtype /Image" not in data  # the picture is drawn as vectors and text, not a bitmap
    assert brief.brief_pdf(openai_brief(seed, highlight="meta")) == data  # byte-stable


def test_the_page_counts_what_it_leaves_out(seed: Connection) -> None:
    made = openai_brief(seed)
    assert made.more_links == 0 and len(made.sources) <= brief.TOP_SOURCES
    cut = dataclasses.replace(made, links=made.links[:1], more_links=3)
    assert "and 3 more on the Exposure page" in " ".join(pdf_text(brief.brief_pdf(cut))[1].split())


def test_cli_writes_the_pdf_and_the_svg(seed: Connection, neo4j_env, tmp_path: Path) -> None:
    runner = CliRunner()
    pdf, svg = tmp_path / "openai.pdf", tmp_path / "openai.svg"
    result = runner.invoke(graph.cli.cli, ["brief", "OpenAI", "--as-of", "2025-06-15", "--compare", "2025-06-01",
                                           "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    pages, text, _ = pdf_text(pdf.read_bytes())
    assert pages == 1 and "Exposure brief: OpenAI" in text and "Sources" in text
    result = runner.invoke(graph.cli.cli, ["brief", "openai", "--as-of", "2025-06-15", "--highlight", "meta",
                                           "--out", str(svg)])
    assert result.exit_code == 0, result.output
    picture = svg.read_text(encoding="utf-8")
    texts = svg_texts(picture)
    assert ET.fromstring(picture).tag.endswith("svg")
    assert "OpenAI: how rivals reach what it depends on" in texts and "49% stake · $14.3B" in texts
    assert {"Scale AI", "Meta Platforms", "OpenAI"} <= set(texts)
    first = pdf.read_bytes()
    runner.invoke(graph.cli.cli, ["brief", "openai", "--as-of", "2025-06-15", "--compare", "2025-06-01", "-o", str(pdf)])
    assert pdf.read_bytes() == first  # the same graph and options: the same bytes


@pytest.mark.parametrize(("args", "message"), [
    (["nobody-at-all", "-o", "x.pdf"], "no organization is called or has the id 'nobody-at-all'"),
    (["Alexandr Wang", "-o", "x.pdf"], "no organization is called or has the id 'Alexandr Wang'"),  # a person
    (["openai", "-o", "x.png"], "write the brief to a .pdf file or its picture to a .svg file"),
    (["openai", "--as-of", "15/06/2025", "-o", "x.pdf"], "--as-of '15/06/2025' is not a date"),
    (["openai", "--compare", "last month", "-o", "x.pdf"], "--compare 'last month' is not a date"),
])
def test_cli_refuses_in_clear_words_and_writes_nothing(seed: Connection, neo4j_env, tmp_path: Path,
                                                        args: list[str], message: str) -> None:
    out = tmp_path / args[-1]
    result = CliRunner().invoke(graph.cli.cli, ["brief", *args[:-1], str(out)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert not out.exists()


def test_an_ambiguous_name_lists_the_candidates(seed: Connection) -> None:
    with pytest.raises(graph.errors.QueryError, match=r"could be several organizations: .*\(id microsoft-azure|\(id azure"):
        brief.organization(seed, "Micro")
    assert brief.organization(seed, "Microsoft")["id"] == "microsoft"  # an exact name is no question
    assert brief.organization(seed, "ChatGPT")["id"] == "openai"  # nor is an alias


# ---------------------------------------------------------------------------------------------------
# Hostile names and long lists: still one page, every text escaped.

class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.append(tag)


def hostile_brief(name: str, copies: int = 1) -> brief.Brief:
    told = hostile_story(name)
    source = workbench.SourceLink("s1", name, name * 2, "2025-06-12", "https://example.org/" + name)
    card = workbench.Card(rival_id="r", rival=name, kind="stake", kind_words=workbench.KIND_WORDS["stake"], score=1.5,
                          bar=1.0, steps=(f"{name} supplies data labeling to Alpha Lab", f"{name} rival owns 12.5% of {name}"),
                          also=(f"{name} " * 30,), since="2025-06-01", until=None, holds="since 2025-06-01, still holding",
                          sources=(source,))
    change = workbench.Change("2025-06-12", "started", "r", name, "stake", f"{name} rival owns 12.5% of {name}", "")
    from graph import story_svg

    return brief.Brief(org_id="a", org_name=name, as_of="2025-06-15", start="2025-06-01", end="2025-06-15",
                       title=brief.brief_title(name), picture=story_svg.svg(told), links=(card,) * (4 * copies),
                       more_links=copies, changes=(change,) * (6 * copies), more_changes=copies,
                       sources=(source,) * (12 * copies), more_sources=copies)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_text_and_the_brief_stays_one_page(name: str) -> None:
    made = hostile_brief(name, copies=3)
    page = brief.brief_html(made)
    tags = Tags()
    tags.feed(page)
    assert "script" not in tags.tags and "b" in tags.tags  # the template's own <b>, no name's
    assert tags.tags.count("svg") == 1 and "foreignobject" not in tags.tags
    pages, text, size = pdf_text(brief.brief_pdf(made))
    assert pages == 1 and size == A4_POINTS
    visible = " ".join(text.split())
    assert "Exposure brief:" in visible and "The top links, best first" in visible and "Sources (" in visible
    assert "supplygraph · A4" in visible  # the footer is still on the page
    if name.startswith("<script>"):
        assert '<script>alert("x")</script>' in visible  # shown as the text it is


def test_an_empty_brief_says_so_on_one_page() -> None:
    made = dataclasses.replace(hostile_brief("Plain"), links=(), more_links=0, changes=(), more_changes=0,
                               sources=(), more_sources=0)
    pages, text, _ = pdf_text(brief.brief_pdf(made))
    flat = " ".join(text.split())
    assert pages == 1 and "No indirect link to a rival holds on 2025-06-15." in flat
    assert "No link started or ended in these days." in flat and "No source recorded for what is shown." in flat
