"""How long the story picture and the one-page PDF brief take, from the graph to a drawn page, on the seed.

    .venv/bin/python bench/bench_story.py [--runs 5] [--no-doc]

A throwaway local Neo4j with seed_data/ loaded; OpenAI as of 2025-06-15 (the Scale AI story, 4 links),
compared with 2025-06-01. Each run measures:
  query    the stored queries the picture needs (graph.story.load_story: indirect_links, family_paths,
           sources), warm (the first run's planning is left out by one unmeasured run before);
  svg      the story's graph laid out and written as SVG (graph.story_svg.svg);
  browser  the SVG page loaded in headless Chromium (Playwright, Debian's /usr/bin/chromium) until its
           `load` event, i.e. drawn (an SVG has no script: it is drawn when the page has loaded);
  picture  query + svg + browser: from the analyst's choice to a drawn story picture;
  brief    graph.brief.make_brief + brief_pdf: every query of the brief, the HTML, and Chromium started
           and printing the A4 page (a new Chromium each time, as `supplygraph brief` runs it).
The median of --runs runs is reported. Writes the "## Drawing the story and the brief" section of
docs/BENCHMARKS.md unless --no-doc.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from graph import brief, story, story_svg  # noqa: E402
from graph.config import Settings  # noqa: E402
from graph.db import connect  # noqa: E402
from graph.local_neo4j import USERNAME  # noqa: E402
from graph.loader import load_folder  # noqa: E402
from graph.shipped import shipped  # noqa: E402

SECTION = "Drawing the story and the brief"
GOAL_S = 1.0  # issue 13: the story picture, rows to drawn canvas
AS_OF, COMPARE = dt.date(2025, 6, 15), dt.date(2025, 6, 1)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def measure(conn, page, work: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    told = story.load_story(conn, "openai", "OpenAI", AS_OF)
    t1 = time.perf_counter()
    picture = story_svg.svg(told)
    t2 = time.perf_counter()
    path = work / "story.html"
    path.write_text(story_svg.page(picture), encoding="utf-8")
    t3 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    drawn = page.evaluate("() => document.querySelectorAll('svg text').length")
    t4 = time.perf_counter()
    if drawn < 10:
        raise RuntimeError(f"the story picture did not draw: {drawn} texts")
    pdf = brief.brief_pdf(brief.make_brief(conn, "openai", "OpenAI", AS_OF, COMPARE))
    t5 = time.perf_counter()
    return {"query": t1 - t0, "svg": t2 - t1, "browser": t4 - t3, "picture": (t2 - t0) + (t4 - t3),
            "brief": t5 - t4, "nodes": told.graph.number_of_nodes(), "edges": told.graph.number_of_edges(),
            "svg_kb": len(picture.encode("utf-8")) / 1e3, "pdf_kb": len(pdf) / 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-doc", action="store_true", help="Print only; do not update docs/BENCHMARKS.md.")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    info = c.machine_info()
    with c.temp_server("768m", "128m", prefix="bench-story-") as server, \
            tempfile.TemporaryDirectory(prefix="bench-story-") as tmp:
        conn = connect(Settings(uri=server.uri, username=USERNAME, password=server.password(), database=None))
        try:
            load_folder(conn, shipped("seed_data"))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                runs = []
                for i in range(args.runs + 1):
                    page = browser.new_page(viewport={"width": 1300, "height": 800})
                    result = measure(conn, page, Path(tmp))
                    page.close()
                    if i:  # the first run plans the queries: not what an analyst waits for after that
                        runs.append(result)
                browser.close()
        finally:
            conn.close()
    med = {k: statistics.median(r[k] for r in runs) for k in ("query", "svg", "browser", "picture", "brief")}
    first = runs[0]
    print(f"story: {first['nodes']} nodes, {first['edges']} edges, SVG {first['svg_kb']:.1f} kB; query {med['query']:.3f} s "
          f"+ svg {med['svg']:.3f} s + browser {med['browser']:.3f} s = {med['picture']:.3f} s; "
          f"brief (PDF, {first['pdf_kb']:.0f} kB) {med['brief']:.2f} s", flush=True)
    if not args.no_doc:
        c.update_section(SECTION, doc_body(med, first, info, args.runs))
        print(f"updated {c.BENCHMARKS_MD}")


def doc_body(med: dict[str, float], first: dict[str, float], info: dict[str, str], runs: int) -> str:
    verdict = f"under {GOAL_S:g} s: yes" if med["picture"] < GOAL_S else f"under {GOAL_S:g} s: NO"
    rows = [["story picture (OpenAI, 2025-06-15)", f"{first['nodes']:.0f} / {first['edges']:.0f}",
             f"{med['query']:.3f}", f"{med['svg']:.3f}", f"{med['browser']:.3f}", f"**{med['picture']:.3f}**", verdict],
            ["one-page PDF brief (same, compared with 2025-06-01)", "", "", "", "", f"**{med['brief']:.2f}**",
             "(no goal; a new Chromium prints each)"]]
    return f"""
The Exposure page's story picture and the `supplygraph brief` PDF on the seed (`bench/bench_story.py`):
the picture from its queries (warm) to a page drawn in headless Chromium, and the brief from its
queries to the printed PDF. Median of {runs} runs after one unmeasured run, seconds (the total is the
median of each run's total, not the sum of the medians). Load average was high: see below. SVG
{first['svg_kb']:.1f} kB, PDF {first['pdf_kb']:.0f} kB.

{c.table(["what", "nodes / edges", "queries s", "svg s", "browser s", "total s", "goal"], rows)}

How it was run:

- Command (from the project root): `{c.command_line()}`
{c.machine_block(info)}"""


if __name__ == "__main__":
    main()
