"""The app in a real browser: `supplygraph app` as a subprocess, Debian's Chromium driven by Playwright.

Against the test Neo4j with the seed plus one organization named like an XSS payload. Checks that
the network draws, the widgets work, a PNG exports, nothing is fetched from another host, and the
payload runs no script. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, FrameLocator, Page, expect, sync_playwright

import graph.cli
from graph.config import Settings
from graph.db import Connection
from graph.loader import load_folder
from graph.local_neo4j import free_port
from graph.queries import load_queries

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
XSS = "<img src=x onerror=alert(1)>"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
NETWORK_FRAME = 'iframe[title="Network of organizations and people"]'
EDITOR_FRAME = 'iframe[title="streamlit_ace.streamlit_ace"]'
EDITOR_TEXT = ".ace_editor:not(.ace_autocomplete) .ace_content"  # (the completion list is an editor too)
expect.set_options(timeout=30_000)  # the first run of a page queries and lays out before it shows


def empty(conn: Connection) -> None:
    with conn.driver.session(database=conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def append_row(path: Path, values: dict[str, str]) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        columns = next(csv.reader(f))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in columns])
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_seed(session_conn: Connection, tmp_path_factory: pytest.TempPathFactory) -> Connection:
    """The seed plus an investor in Scale AI whose name is an XSS payload."""
    folder = tmp_path_factory.mktemp("seed-xss")
    for path in graph.cli.SEED_DIR.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    append_row(folder / "organizations.csv", {"id": "xss-capital", "name": XSS, "roles": "investor", "country": "US",
                                              "description": XSS, "sources": "reuters-2025-06-12-meta-scale",
                                              "confidence": "low"})
    append_row(folder / "relationships.csv", {"id": "xss-invests-scale", "from_id": "xss-capital",
                                              "type": "INVESTED_IN", "to_id": "scale-ai", "since": "2024-05",
                                              "status": "active", "round": XSS, "note": XSS,
                                              "sources": "reuters-2025-06-12-meta-scale", "confidence": "low"})
    empty(session_conn)
    load_folder(session_conn, folder)
    return session_conn


@pytest.fixture(scope="module")
def app_url(hostile_seed: Connection, settings: Settings) -> Iterator[str]:
    """`supplygraph app` on a free port, pointed at the test Neo4j; stopped (its process group) after."""
    port = free_port()
    env = {**os.environ, "NEO4J_URI": settings.uri or "", "NEO4J_USERNAME": settings.username,
           "NEO4J_PASSWORD": settings.password or ""}
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "browser-app.log", "w", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "graph", "app", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start: see {ARTIFACTS / 'browser-app.log'}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with every request's URL and every dialog recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.urls: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda socket: self.urls.append(socket.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def foreign(self) -> list[str]:
        out = []
        for url in self.urls:
            parsed = urlparse(url)
            if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield Watched(page)
    context.close()


def picture(page: Page) -> FrameLocator:
    """The network picture's frame, found afresh on each use (a rerun replaces the iframe)."""
    return page.frame_locator(NETWORK_FRAME).first


def in_picture(page: Page, script: str):
    """Evaluates `script` (a function of no argument) inside the drawn picture's page."""
    body = picture(page).locator("body[data-drawn='1']")
    body.wait_for(state="attached", timeout=30_000)
    return body.evaluate(f"(_body) => ({script})()")


INKED = """() => {
    const canvas = document.querySelector('#mynetwork canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4 * 13) { if (data[i] > 0) inked++; }
    return inked;
}"""


def test_network_view_search_slider_png_offline_and_no_script(watched: Watched, app_url: str) -> None:
    page = watched.page
    page.goto(app_url)
    # Every page titled in the sidebar, the network first (not "app"), then the Exposure page.
    expect(page.locator('[data-testid="stSidebarNav"] a')).to_have_text(
        ["Network", "Exposure", "Query gallery", "Cypher console", "Timeline"])
    search = page.get_by_label("Search an organization or person")
    search.fill("Scale AI")
    search.press("Enter")
    expect(page.get_by_role("combobox", name="Entity")).to_have_value("Scale AI (Vendor · scale-ai)")
    expect(picture(page).locator("#sg-title")).to_have_text("Scale AI: 1-hop neighbourhood")
    assert in_picture(page, "() => network.body.data.nodes.length") > 20
    assert in_picture(page, INKED) > 1000
    assert in_picture(page, "() => network.physics.options.enabled") is False
    # The hostile name is in the picture, as text: label and tooltip, no element made of it.
    # (its label may be left out where it would overlap another, graph.labels; the name is kept as sgName)
    assert in_picture(page, "() => { const n = network.body.data.nodes.get('xss-capital'); return n.label || n.sgName; }") == XSS
    position = in_picture(page, """() => {
        const dom = network.canvasToDOM(network.getPositions(['xss-capital'])['xss-capital']);
        const rect = document.querySelector('#mynetwork').getBoundingClientRect();
        return {x: rect.left + dom.x, y: rect.top + dom.y};
    }""")
    box = page.locator(NETWORK_FRAME).first.bounding_box()
    page.mouse.move(box["x"] + position["x"] - 30, box["y"] + position["y"] - 30)
    page.mouse.move(box["x"] + position["x"], box["y"] + position["y"], steps=5)
    expect(picture(page).locator("div.vis-tooltip")).to_contain_text(XSS)
    assert picture(page).locator("div.vis-tooltip img").count() == 0
    assert picture(page).locator("img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "network-scale-ai.png"), full_page=True)

    # The as-of slider: to its first date, where Meta's 2025 stake did not exist yet, and back.
    has_meta_stake = "() => network.body.data.edges.get().some(e => e.id.includes('meta-invests-scale-ai-2025'))"
    today = picture(page).locator("#sg-asof").inner_text()
    assert in_picture(page, has_meta_stake)
    slider = page.get_by_role("slider", name="As of")
    slider.focus()
    slider.press("Home")
    expect(picture(page).locator("#sg-asof")).not_to_have_text(today)
    assert not in_picture(page, has_meta_stake)
    slider.press("End")
    expect(picture(page).locator("#sg-asof")).to_have_text(today)
    assert in_picture(page, has_meta_stake)

    # PNG export, made server-side by headless Chromium.
    page.get_by_role("button", name="Make a PNG").click()
    download_button = page.get_by_role("button", name="Download PNG")
    expect(download_button).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_button.click()
    png_path = ARTIFACTS / "export-scale-ai.png"
    info.value.save_as(png_path)
    image = Image.open(png_path).convert("L")
    assert image.size == (1600, 1000)
    assert ImageStat.Stat(image).stddev[0] > 10  # not blank

    # Searching for the payload itself shows it as text in the select box and draws its own view.
    search.fill(XSS)
    search.press("Enter")
    expect(page.get_by_role("combobox", name="Entity")).to_have_value(f"{XSS} (Investor · xss-capital)")
    expect(picture(page).locator("#sg-title")).to_have_text(f"{XSS}: 1-hop neighbourhood")
    assert in_picture(page, INKED) > 100
    page.screenshot(path=str(ARTIFACTS / "network-hostile-name.png"), full_page=True)

    assert watched.dialogs == [], "a script from the data ran"
    assert watched.foreign() == [], "requests left the machine"
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_network_diff_draws_started_green_and_ended_dashed(watched: Watched, app_url: str) -> None:
    page = watched.page
    page.goto(app_url)
    expect(picture(page).locator("#sg-title")).to_have_text("Scale AI: 1-hop neighbourhood")
    page.get_by_text("Compare with another date").click()
    expect(picture(page).locator("#sg-title")).to_contain_text("what changed from")
    expect(page.get_by_text(re.compile(r"\d+ started, \d+ ended, \d+ unchanged between"))).to_be_visible()
    # The date field's spin buttons: typing a part moves on to the next; leaving the field sets it.
    page.get_by_role("spinbutton", name="year, Compare with").click()
    page.keyboard.type("2025")
    page.get_by_role("spinbutton", name="month, Compare with").click()
    page.keyboard.type("06")
    page.get_by_role("spinbutton", name="day, Compare with").click()
    page.keyboard.type("01")
    page.keyboard.press("Tab")
    page.get_by_role("heading", name="The AI supply chain, as a network").click()
    expect(picture(page).locator("#sg-title")).to_contain_text("what changed from 2025-06-01")
    style = """() => Object.fromEntries(network.body.data.edges.get().map(e => [e.id.split('|')[1],
        [e.color.color, !!e.dashes, e.color.opacity]]))"""
    styles = in_picture(page, style)
    assert styles["meta-invests-scale-ai-2025"] == ["#2f9e44", False, 1]  # started: green, solid
    assert styles["scale-ai-supplies-openai"][1] is True  # ended: dashed
    assert styles["scale-ai-supplies-openai"][0] == "#909296"  # and grey
    assert any(opacity < 0.5 for *_, opacity in styles.values())  # unchanged: faded
    assert in_picture(page, INKED) > 500
    page.screenshot(path=str(ARTIFACTS / "network-diff.png"), full_page=True)
    assert watched.dialogs == [] and watched.foreign() == []


def test_gallery_runs_a_query_and_draws_it(watched: Watched, app_url: str) -> None:
    page = watched.page
    name = "indirect_links" if "indirect_links" in load_queries() else "neighbourhood"
    page.goto(f"{app_url}/Query_gallery")
    page.get_by_role("combobox", name="Query", exact=True).click()
    page.get_by_role("option", name=name, exact=True).click()
    expect(page.get_by_role("combobox", name="Query", exact=True)).to_have_value(name)
    expect(picture(page).locator("#sg-title")).to_contain_text(name)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    assert in_picture(page, INKED) > 200
    page.screenshot(path=str(ARTIFACTS / f"gallery-{name}.png"), full_page=True)
    page.goto(f"{app_url}/Timeline")
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "timeline-scale-ai.png"), full_page=True)
    assert watched.dialogs == []
    assert watched.foreign() == []


def test_exposure_page_story_picture_and_its_svg_and_pdf_downloads(watched: Watched, app_url: str,
                                                                   tmp_path: Path) -> None:
    """OpenAI as of today (the AppTest tests check June 2025's 49% stake): the picture drawn as named,
    captioned SVG in the page, and both downloads open."""
    from pypdf import PdfReader

    page = watched.page
    page.goto(f"{app_url}/Exposure")
    expect(page.get_by_role("combobox", name="Entity")).to_have_value(re.compile("^OpenAI"))
    story = picture(page)
    expect(story.locator("svg text", has_text="OpenAI: how rivals reach what it depends on")).to_have_count(1)
    expect(story.locator("svg text", has_text="Microsoft Azure").first).to_be_attached()
    expect(story.locator("svg text", has_text="cloud compute").first).to_be_attached()
    texts = story.locator("svg text").all_text_contents()
    assert len(texts) > 20 and not any(re.search(r"\d+:[0-9a-f]{8}-", t) for t in texts)
    page.screenshot(path=str(ARTIFACTS / "exposure-openai-today.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the picture (SVG)").click()
    svg_path = tmp_path / "story.svg"
    info.value.save_as(svg_path)
    assert "OpenAI: how rivals reach what it depends on" in svg_path.read_text(encoding="utf-8")
    page.get_by_role("button", name="Make the PDF brief").click()
    download = page.get_by_role("button", name="Download the PDF brief")
    expect(download).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download.click()
    pdf_path = tmp_path / "brief.pdf"
    info.value.save_as(pdf_path)
    reader = PdfReader(pdf_path)
    assert len(reader.pages) == 1 and "Exposure brief: OpenAI" in reader.pages[0].extract_text()


ELEMENT_ID = re.compile(r"\d+:[0-9a-f]{8}-")
LABELS = "() => network.body.data.nodes.get().map(n => n.label || n.sgName || '')"


def click_node(page: Page, node_id: str) -> None:
    """Clicks a node of the drawn picture where vis-network drew it."""
    position = in_picture(page, f"""() => {{
        const dom = network.canvasToDOM(network.getPositions([{node_id!r}])[{node_id!r}]);
        const rect = document.querySelector('#mynetwork').getBoundingClientRect();
        return {{x: rect.left + dom.x, y: rect.top + dom.y}};
    }}""")
    box = page.locator(NETWORK_FRAME).first.bounding_box()
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])


def test_pictures_name_caption_group_and_focus(watched: Watched, app_url: str) -> None:
    page = watched.page
    page.goto(app_url)
    expect(picture(page).locator("#sg-title")).to_have_text("Scale AI: 1-hop neighbourhood")
    captions = in_picture(page, "() => network.body.data.edges.get().map(e => e.label || '')")
    tooltips = in_picture(page, "() => network.body.data.edges.get().map(e => e.title || '')")
    # A caption that would overlap a label or another caption is shortened or left to its tooltip.
    assert any(c.startswith("49% stake") for c in captions) or any(
        t.endswith("caption: 49% stake · $14.3B") for t in tooltips)
    assert any(c.startswith("data labeling") for c in captions)
    assert not [label for label in in_picture(page, LABELS) if ELEMENT_ID.search(label)]
    # Click a node: the view focuses on it and its neighbours; the background gives the picture back.
    click_node(page, "meta")
    expect(picture(page).locator("body[data-focus='meta']")).to_be_attached()
    faded = in_picture(page, "() => network.body.data.nodes.get().filter(n => n.opacity < 0.5).length")
    assert faded > 5
    page.screenshot(path=str(ARTIFACTS / "network-focus-meta.png"), full_page=True)
    # OpenAI's people are a group; a click opens it.
    search = page.get_by_label("Search an organization or person")
    search.fill("OpenAI")
    search.press("Enter")
    expect(picture(page).locator("#sg-title")).to_have_text("OpenAI: 1-hop neighbourhood")
    group = in_picture(page, "() => network.body.data.nodes.get().filter(n => n.sgGroupSize && !n.hidden).map(n => n.id)")
    assert group, "no grouped leaves around OpenAI"
    click_node(page, group[0])
    expect(picture(page).locator(f"body[data-opened='{group[0]}']")).to_be_attached()
    opened = in_picture(page, f"() => network.body.data.nodes.get().filter(n => n.sgGroup === {group[0]!r} && !n.hidden).length")
    assert opened >= 5
    page.screenshot(path=str(ARTIFACTS / "network-group-opened.png"), full_page=True)
    # The console's result of relationships alone: every node named, none by element id.
    page.goto(f"{app_url}/Cypher_console")
    type_cypher(page, "MATCH (:Person {name: 'Alexandr Wang'})-[r]->() RETURN r LIMIT 25")
    page.get_by_role("button", name="Run").click()
    expect(picture(page).locator("#sg-title")).to_have_text("Cypher console result")
    labels = in_picture(page, LABELS)
    assert labels and not [label for label in labels if ELEMENT_ID.search(label)], labels
    assert "Alexandr Wang" in labels
    assert watched.dialogs == [] and watched.foreign() == []


def type_cypher(page: Page, text: str) -> None:
    """Replaces the console editor's text as a person would (select all, then the new text), and waits
    until the page has it (the editor sends its text 200 ms after the last change)."""
    editor = page.frame_locator(EDITOR_FRAME).first.locator(EDITOR_TEXT)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")  # closes Ace's word completion, if it opened
    expect(editor).to_contain_text(text.splitlines()[-1])
    page.wait_for_timeout(1500)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)


def test_console_runs_a_param_line_shows_the_schema_and_stays_offline(watched: Watched, app_url: str) -> None:
    page = watched.page
    page.goto(f"{app_url}/Cypher_console")
    # The schema beside the editor: labels with their counts (the seed's 124 organizations, plus one).
    organizations = page.locator("tr", has=page.get_by_role("cell", name="Organization", exact=True))
    expect(organizations.first).to_contain_text("125")
    expect(page.get_by_text("Derived labels")).to_be_visible()
    expect(page.locator("tr", has=page.get_by_role("cell", name="Exposure", exact=True)).first).to_be_visible()
    # The editor highlights: keywords and strings are coloured spans (Ace's tokens).
    editor = page.frame_locator(EDITOR_FRAME).first
    expect(editor.locator(".ace_keyword", has_text=re.compile("^RETURN$", re.I)).first).to_be_visible()
    expect(editor.locator(".ace_string").first).to_be_visible()
    type_cypher(page, ":param who => 'Alexandr Wang'\n"
                      "MATCH p = (:Person {name: $who})-[:HOLDS_POSITION]->() RETURN p LIMIT 5")
    page.get_by_role("button", name="Run").click()
    expect(picture(page).locator("#sg-title")).to_have_text("Cypher console result")
    assert "Alexandr Wang" in in_picture(page, LABELS)
    page.get_by_text("Parameters (1)").click()
    expect(page.get_by_text(":param who => 'Alexandr Wang'")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "console-param.png"), full_page=True)
    # The history loads a query back into the editor.
    page.get_by_text("History (1)").click()
    page.get_by_role("button", name=re.compile("^MATCH p = \\(:Person")).click()
    expect(editor.locator(EDITOR_TEXT)).to_contain_text("Alexandr Wang")
    served = [u for u in watched.urls if "streamlit_ace" in u]
    assert served and all(urlparse(u).hostname in LOCAL_HOSTS for u in served)  # the editor's own files
    assert watched.dialogs == [] and watched.foreign() == [], watched.foreign()


def test_exposure_deep_link_shows_the_meta_card_and_the_address_follows_the_picks(watched: Watched,
                                                                                  app_url: str) -> None:
    page = watched.page
    page.goto(f"{app_url}/Exposure?org=openai&as_of=2025-06-15&compare=2025-06-01")
    expect(page.get_by_role("combobox", name="Entity")).to_have_value(re.compile("^OpenAI"))
    meta = page.locator('[class*="st-key-exposure_card_"]', has_text="Meta Platforms").first
    expect(meta).to_contain_text("Scale AI")
    expect(meta).to_contain_text("49%")
    expect(page.get_by_text("2025-06-01: the people link to Meta Platforms started")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "exposure-openai-2025-06-15.png"), full_page=True)
    # A pick goes into the address, so it can be shared.
    search = page.get_by_label("Search an organization")
    search.fill("Anthropic")
    search.press("Enter")
    expect(page.get_by_role("combobox", name="Entity")).to_have_value(re.compile("^Anthropic"))
    expect(page).to_have_url(re.compile(r"org=anthropic&as_of=2025-06-15&compare=2025-06-01$"))
    # A bad address says so and shows the page as when opened plainly.
    page.goto(f"{app_url}/Exposure?org=openai&as_of=15-06-2025")
    expect(page.get_by_text("as_of='15-06-2025' in the address is not a date written YYYY-MM-DD")).to_be_visible()
    expect(page.locator('[class*="st-key-exposure_card_"]').first).to_be_visible()
    assert watched.dialogs == [] and watched.foreign() == []
