"""p50/p95 latency of every stored query on generated graphs, with PROFILE checks of the plans.

Usage: .venv/bin/python bench/bench_queries.py --sizes 10000 100000 1000000 [--runs 30]

For each size: a throwaway server, a generated folder (seed 1) loaded with our loader, then each
query run `--runs` times with parameters drawn from the data (different entities each run, a fixed
random seed), after two warm-up runs. Single-entity forms and whole-graph forms (the entity
parameter left empty) are timed separately. One PROFILE per query tells whether it starts from an
index seek or scans. Results go to the "Stored queries" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import command_line, machine_block, machine_info, table, temp_server, update_section

from graph.config import Settings
from graph.db import connect
from graph.generate import generate
from graph.loader import load_folder
from graph.local_neo4j import USERNAME
from graph.queries import StoredQuery, load_queries

BUDGET_S = 60.0
ENTITY_PARAMS = {"org_id", "entity_id", "vendor_id", "lab_a", "lab_b", "from_id", "to_id"}
SCANS = ("AllNodesScan", "NodeByLabelScan", "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan",
         "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan")
SEEKS = ("NodeIndexSeek", "NodeUniqueIndexSeek", "MultiNodeIndexSeek", "NodeIndexContainsScan",
         "DirectedRelationshipIndexSeek", "UndirectedRelationshipIndexSeek", "DirectedRelationshipUniqueIndexSeek",
         "UndirectedRelationshipUniqueIndexSeek")


def organizations(folder: Path) -> dict[str, list[str]]:
    """Ids of organizations by role, and of people and publishers, from the generated files."""
    ids: dict[str, list[str]] = {"lab": [], "vendor": [], "investor": [], "government": [], "any": []}
    with open(folder / "organizations.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids["any"].append(row["id"])
            for role in row["roles"].split(";"):
                ids[role].append(row["id"])
    with open(folder / "sources.csv", encoding="utf-8") as f:
        ids["publisher"] = sorted({row["publisher"] for row in csv.DictReader(f)})
    return ids


def pick(param: str, ids: dict[str, list[str]], rng: random.Random) -> Any:
    if param in ("vendor_id",):
        return rng.choice(ids["vendor"])
    if param in ("lab_a", "lab_b", "org_id"):
        return rng.choice(ids["lab"])
    if param in ("entity_id", "from_id", "to_id"):
        return rng.choice(ids["any"])
    if param == "publisher":
        return rng.choice(ids["publisher"])
    if param == "as_of":
        return "2024-06-15"
    if param == "from_date":
        return "2024-01-01"
    if param == "to_date":
        return "2024-03-31"
    return None


def plan_operators(plan: Any) -> list[str]:
    found = [plan["operatorType"].split("@")[0]] if plan else []
    for child in (plan or {}).get("children", []):
        found += plan_operators(child)
    return found


def measure(conn, query: StoredQuery, ids: dict[str, list[str]], runs: int, whole_graph: bool,
            rng: random.Random) -> tuple[list[float], str, int]:
    def values() -> dict[str, Any]:
        out = {}
        for p in query.params:
            if p.name in ENTITY_PARAMS and whole_graph and not p.required:
                continue
            value = pick(p.name, ids, rng)
            if value is not None:
                out[p.name] = value
        return out

    for _ in range(2):  # warm-up: plan cache and page cache
        conn.read(query.text, query.bind(values()), timeout=120)
    times, rows = [], 0
    budget = time.monotonic() + BUDGET_S
    for _ in range(runs):
        if time.monotonic() > budget and len(times) >= 5:
            break  # a slow query gets fewer runs, never fewer than 5
        bound = query.bind(values())
        start = time.perf_counter()
        result = conn.read(query.text, bound, timeout=120)
        times.append(time.perf_counter() - start)
        rows += len(result.records)
    profile = conn.read("PROFILE " + query.text, query.bind(values()), timeout=120)
    operators = plan_operators(profile.summary.profile)
    starts = "index seek" if any(o.startswith(SEEKS) for o in operators) else "no seek"
    if any(o.startswith(SCANS) for o in operators):
        starts += " + scan"
    return times, starts, rows // max(len(times), 1)


def form_and_goal(query: StoredQuery, whole: bool) -> tuple[str, int]:
    """How a run is labelled and the issue's p95 goal for it (ms): 50 for a lookup from one entity's id,
    2,000 for whole-graph rankings and reports (queries with no entity id, such as a publisher's report)."""
    if any(p.name in ENTITY_PARAMS for p in query.params) and not whole:
        return "one entity", 50
    if any(p.name == "publisher" for p in query.params):
        return "one publisher (whole graph)", 2000
    return "whole graph", 2000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    info = machine_info()
    queries = load_queries()
    rows: list[list[str]] = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp, \
                temp_server(heap="2g", page_cache="1g") as local:
            folder = Path(tmp) / "data"
            generate(folder, relationships=size, seed=1)
            conn = connect(Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None))
            started = time.perf_counter()
            load_folder(conn, folder)
            print(f"{size}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
            ids = organizations(folder)
            rng = random.Random(1)
            for query in queries.values():
                forms = [False]
                if any(p.name in ENTITY_PARAMS and not p.required for p in query.params):
                    forms.append(True)
                for whole in forms:
                    form, goal_ms = form_and_goal(query, whole)
                    try:
                        times, starts, mean_rows = measure(conn, query, ids, args.runs, whole, rng)
                    except Exception as e:  # a query that fails at this size is a result too
                        rows.append([f"{size:,}", query.name, form, "0", "error", "error", "", str(e)[:80],
                                     f"{goal_ms:,}", "no"])
                        print(f"{size} {query.name}: {e}", flush=True)
                        continue
                    p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
                    rows.append([f"{size:,}", query.name, form, str(len(times)), f"{p50:.1f}", f"{p95:.1f}",
                                 str(mean_rows), starts, f"{goal_ms:,}", "yes" if p95 <= goal_ms else "no"])
                    print(f"{size} {query.name} ({form}): p50 {p50:.1f} ms, p95 {p95:.1f} ms, {starts}", flush=True)
            conn.close()
        write_results(args, info, rows)  # after each size, so a long run leaves what it measured


def write_results(args: argparse.Namespace, info: dict[str, str], rows: list[list[str]]) -> None:
    body = (
        f"Command (from the project root): `{command_line()}`\n\n" + machine_block(info) + "\n"
        f"Each query ran up to {args.runs} times per size (after 2 warm-up runs; a query stops after "
        f"{BUDGET_S:.0f} s of runs, with at least 5) with parameters drawn from the "
        "generated data (a different entity each run, `as_of` 2024-06-15). \"one entity\" gives the query's "
        "entity parameters; \"whole graph\" leaves the optional ones empty (rankings over every lab) or is a "
        "query with no entity (concentration, changes_between, a publisher's report). "
        "Plan: from one `PROFILE` run; \"index seek\" means the query starts from an index lookup, "
        "\"scan\" that some operator scans a label or relationship type.\n\n"
        "Goals (issue 4): single-entity queries under 50 ms p95 at 10^6 relationships, whole-graph rankings "
        "under 2 s.\n\n"
        + table(["relationships", "query", "form", "runs", "p50 ms", "p95 ms", "rows", "plan", "goal p95 ms", "met"],
                rows)
    )
    update_section("Stored queries", body)


if __name__ == "__main__":
    main()
