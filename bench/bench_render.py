"""How long from a user's action to a drawn network, for 100, 1,000 and 5,000 nodes, in Chromium, and
for a hub of 1,000 neighbours drawn grouped (graph.hubs).

    .venv/bin/python bench/bench_render.py [--sizes 100,1000,5000] [--runs 3] [--no-doc]

The rows are neighbourhood-shaped rows (from_id, to_id, type, status, ...) taken from a synthetic data
folder (`supplygraph generate`, seed 1): a breadth-first walk from the biggest hub until N nodes are
reached, plus relationships among those nodes up to 1.5 N relationships in all, i.e. what the network
view gets from a 2- or 3-hop neighbourhood with a high limit. No Neo4j: the query's own time is
measured by the query benchmarks; this one measures the picture.

Each run measures, for one size:
  python  rows -> graph (graph.network.graph_from_rows) -> layout + HTML (graph.drawing.render_html);
  browser the page loaded in headless Chromium (Playwright, Debian's /usr/bin/chromium) until
          vis-network has drawn (its first `afterDrawing` event, which the page marks on <body>);
          physics is off, so the first drawing is also the settled one (checked: no stabilization
          runs, and the canvas holds non-background pixels);
  total   python + browser: from the user's action to a drawn, settled network.
Every picture is drawn as the app draws it: edges captioned, hubs' leaves grouped, labels placed. The
grouped hub: a chip maker supplying chips to 800 labs, backed by 150 investors and partnering with 50
vendors, 30 of the labs also joined to each other (drawn on their own), which the picture shows as
three groups and the 30 labs. The median of --runs runs is reported (each run in a fresh browser page). Writes the
"## Drawing the network" section of docs/BENCHMARKS.md unless --no-doc.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from graph import drawing, network  # noqa: E402
from graph.generate import generate  # noqa: E402

SECTION = "Drawing the network"
GOALS_S = {1000: 2.0, 5000: 5.0, "hub": 1.0}
HUB = "chip-maker"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1600, "height": 1000}


def synthetic_rows(folder: Path, n_nodes: int) -> list[dict]:
    """Neighbourhood-shaped rows over about n_nodes nodes of a generated data folder."""
    names: dict[str, tuple[str, list[str]]] = {}
    with open(folder / "organizations.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels = ["Organization", *(r.capitalize() for r in row["roles"].split(";"))]
            names[row["id"]] = (row["name"], labels)
    with open(folder / "people.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["id"]] = (row["name"], ["Person"])
    edges: list[dict] = []
    with open(folder / "relationships.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            edges.append({"id": row["id"], "from": row["from_id"], "to": row["to_id"], "type": row["type"],
                          "status": row["status"], "since": row["since"] or None, "until": row["until"] or None,
                          "detail": row["service"] or row["kind"] or row["round"] or "",
                          "sources": row["sources"].split(";")})
    with open(folder / "positions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            edges.append({"id": row["id"], "from": row["person_id"], "to": row["org_id"], "type": "HOLDS_POSITION",
                          "status": row["status"], "since": row["since"] or None, "until": row["until"] or None,
                          "detail": row["title"] or row["kind"], "sources": row["sources"].split(";")})
    adjacent: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        adjacent[e["from"]].append(i)
        adjacent[e["to"]].append(i)
    hub = max(adjacent, key=lambda n: (len(adjacent[n]), n))
    chosen, picked = {hub}, []
    queue = deque([hub])
    while queue and len(chosen) < n_nodes:
        node = queue.popleft()
        for i in adjacent[node]:
            other = edges[i]["to"] if edges[i]["from"] == node else edges[i]["from"]
            if other not in chosen and len(chosen) < n_nodes:
                chosen.add(other)
                picked.append(i)
                queue.append(other)
    taken = set(picked)
    for i, e in enumerate(edges):
        if len(taken) >= int(1.5 * n_nodes):
            break
        if i not in taken and e["from"] in chosen and e["to"] in chosen:
            taken.add(i)
    rows = []
    for i in sorted(taken):
        e = edges[i]
        rows.append({"from_id": e["from"], "from_name": names[e["from"]][0], "from_labels": names[e["from"]][1],
                     "type": e["type"], "to_id": e["to"], "to_name": names[e["to"]][0],
                     "to_labels": names[e["to"]][1], "status": e["status"], "since": e["since"], "until": e["until"],
                     "detail": e["detail"], "sources": e["sources"], "confidence": "high", "rel_id": e["id"],
                     "total": len(taken)})
    return rows


def hub_rows(labs: int = 800, investors: int = 150, partners: int = 50, linked: int = 30) -> list[dict]:
    """A chip maker with labs + investors + partners neighbours, `linked` of the labs joined in pairs."""
    def row(a: str, b: str, rel_type: str, a_role: str, b_role: str, detail: str) -> dict:
        return {"from_id": a, "from_name": a.replace("-", " ").title(), "from_labels": ["Organization", a_role],
                "type": rel_type, "to_id": b, "to_name": b.replace("-", " ").title(),
                "to_labels": ["Organization", b_role], "status": "active", "since": "2024-01", "until": None,
                "detail": detail, "sources": ["bench-1"], "confidence": "high", "rel_id": f"{a}-{rel_type}-{b}",
                "total": 0}
    rows = [row(HUB, f"lab-{i:04}", "SUPPLIES", "Vendor", "Lab", "chips") for i in range(labs)]
    rows += [row(f"fund-{i:03}", HUB, "INVESTED_IN", "Investor", "Vendor", "") for i in range(investors)]
    rows += [row(HUB, f"partner-{i:03}", "PARTNERS_WITH", "Vendor", "Vendor", "compute") for i in range(partners)]
    rows += [row(f"lab-{i:04}", f"lab-{i + 1:04}", "COMPETES_WITH", "Lab", "Lab", "") for i in range(0, linked, 2)]
    return rows


def measure(page, rows: list[dict], hub: str, work: Path) -> dict[str, float]:
    """One run: rows -> HTML in Python, then the page in Chromium until vis-network has drawn."""
    t0 = time.perf_counter()
    graph = network.graph_from_rows(rows)
    html = drawing.render_html(graph, f"Benchmark: {graph.number_of_nodes():,} nodes", dt.date(2025, 7, 1),
                             focus_id=hub, max_nodes=10_000, captions=True, group_hubs=True)
    t1 = time.perf_counter()
    path = work / "view.html"
    path.write_text(html, encoding="utf-8")
    t2 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="commit")
    page.wait_for_selector("body[data-drawn='1']", state="attached", timeout=120_000)
    t3 = time.perf_counter()
    state = page.evaluate("""() => {
        const canvas = document.querySelector('#mynetwork canvas');
        const ctx = canvas.getContext('2d');
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 0; i < data.length; i += 4 * 97) { if (data[i + 3] > 0) inked++; }
        return {physics: network.physics.options.enabled, inked: inked,
                nodes: network.body.data.nodes.length, edges: network.body.data.edges.length};
    }""")
    if state["physics"] or state["inked"] == 0:
        raise RuntimeError(f"the network did not draw as expected: {state}")
    return {"python": t1 - t0, "browser": t3 - t2, "total": (t1 - t0) + (t3 - t2), "nodes": state["nodes"],
            "edges": state["edges"], "html_mb": len(html.encode("utf-8")) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="Print only; do not update docs/BENCHMARKS.md.")
    args = parser.parse_args()
    sizes: list[int | str] = [int(s) for s in args.sizes.split(",")] + ["hub"]
    from playwright.sync_api import sync_playwright

    info = c.machine_info()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        work = Path(tmp)
        generate(work / "data", 30_000, seed=1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for size in sizes:
                rows = hub_rows() if size == "hub" else synthetic_rows(work / "data", size)
                hub = HUB if size == "hub" else (rows[0]["from_id"] if rows else None)
                runs = []
                for _ in range(args.runs):
                    page = browser.new_page(viewport=VIEWPORT)
                    runs.append(measure(page, rows, hub, work))
                    page.close()
                med = {k: statistics.median(r[k] for r in runs) for k in ("python", "browser", "total")}
                result = {"size": size, **med, "nodes": runs[0]["nodes"], "edges": runs[0]["edges"],
                          "html_mb": runs[0]["html_mb"], "runs": [r["total"] for r in runs]}
                results.append(result)
                print(f"{size:>5}: {result['nodes']} drawn, {result['edges']} edges, html {result['html_mb']:.1f} MB; "
                      f"python {med['python']:.2f} s + browser {med['browser']:.2f} s = {med['total']:.2f} s "
                      f"(runs: {', '.join(f'{t:.2f}' for t in result['runs'])})", flush=True)
            browser.close()
    if not args.no_doc:
        c.update_section(SECTION, doc_body(results, info, args.runs))
        print(f"updated {c.BENCHMARKS_MD}")


def doc_body(results: list[dict], info: dict[str, str], runs: int) -> str:
    rows = []
    for r in results:
        goal = GOALS_S.get(r["size"])
        verdict = "" if goal is None else (f"under {goal:g} s: yes" if r["total"] < goal else f"under {goal:g} s: NO")
        asked = "hub of 1,000 neighbours, grouped" if r["size"] == "hub" else f"{r['size']:,}"
        rows.append([asked, f"{r['nodes']:,} / {r['edges']:,}", f"{r['html_mb']:.1f}", f"{r['python']:.2f}",
                     f"{r['browser']:.2f}", f"**{r['total']:.2f}**", verdict or "(no goal)"])
    return f"""
Time from a user's action to a drawn, settled network picture: rows -> graph -> layout -> HTML in Python
(`graph.drawing.render_html`), then the page in headless Chromium until vis-network's first `afterDrawing`
event. Physics is off (positions are precomputed by `graph.layout`), so the first drawing is the settled
one; the script checks that physics is off and that the canvas has pixels. Median of {runs} runs, seconds.
Rows: a breadth-first neighbourhood of the biggest hub of a synthetic folder (`supplygraph generate`,
30,000 relationships, seed 1), with up to 1.5 relationships per node. The Neo4j query is not included
(see the query benchmarks). Each picture is drawn as the app draws it: edges captioned, hubs' leaves
grouped (a group's members are in the page but drawn, and counted, only when it opens), labels placed
so that none overlaps; edge captions only up to 1,000 nodes. The grouped hub: a chip maker with 1,000 neighbours (800 labs it supplies chips
to, 30 of them joined to each other; 150 investors; 50 partners), shown as three groups and the 30 labs.

{c.table(["nodes asked", "nodes / edges drawn", "HTML MB", "python s", "browser s", "total s", "goal"], rows)}

For comparison (measured while building this, with pyvis's defaults: physics on, no positions): 300
nodes took about 80 s to settle in headless Chromium, and 1,000 nodes never settled.

How it was run:

- Command (from the project root): `{c.command_line()}`
{c.machine_block(info)}"""


if __name__ == "__main__":
    main()
