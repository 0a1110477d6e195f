"""Load test: concurrent clients run the stored queries for a fixed time; throughput, latency, errors.

Usage: .venv/bin/python bench/load_test.py [--clients 20] [--seconds 60] [--generated 100000] [--guard]

Two graphs, each on a throwaway local Neo4j on loopback: the seed, and a generated folder of
`--generated` relationships. Each client is a process with its own driver (like separate app
sessions), picking stored queries and parameters at random (seeded) until the time is up. The
whole-graph form of indirect_links is left out: it is a batch ranking, not an interactive query.
Results go to the "Load" section of docs/RELIABILITY.md. With --guard each query goes the console's
way instead (graph.readonly.run_read_only: the text checks, EXPLAIN and the plan walk, then the READ
transaction), and the results go to the section "Load through the console guard"; --generated 0
runs the seed only.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, command_line, machine_block, machine_info, table, temp_server, update_section
from bench_queries import organizations, pick

from graph.config import Settings
from graph.db import connect
from graph.generate import generate
from graph.loader import load_folder
from graph.local_neo4j import USERNAME
from graph.queries import load_queries
from graph.readonly import run_read_only

RELIABILITY_MD = ROOT / "docs" / "RELIABILITY.md"


def client(uri: str, password: str, ids: dict[str, list[str]], seconds: float, seed: int,
           out: "mp.Queue[tuple[list[float], list[str]]]", guard: bool = False) -> None:
    conn = connect(Settings(uri=uri, username=USERNAME, password=password, database=None))
    queries = list(load_queries().values())
    rng = random.Random(seed)
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        query = rng.choice(queries)
        values: dict[str, Any] = {}
        for p in query.params:
            value = pick(p.name, ids, rng)
            if value is not None:
                values[p.name] = value
        if query.name == "indirect_links" and "org_id" not in values:
            values["org_id"] = rng.choice(ids["lab"])
        started = time.perf_counter()
        try:
            if guard:
                run_read_only(conn, query.text, query.bind(values), timeout=30)
            else:
                conn.read(query.text, query.bind(values), timeout=30)
            latencies.append(time.perf_counter() - started)
        except Exception as e:  # every failure counts; the test's goal is none
            errors.append(f"{query.name}: {type(e).__name__}: {str(e)[:120]}")
    conn.close()
    out.put((latencies, errors))


def run(uri: str, password: str, ids: dict[str, list[str]], clients: int, seconds: float,
        guard: bool = False) -> dict[str, Any]:
    # Warm-up: each query planned once, as a running app would have it in the server's plan cache.
    warm = connect(Settings(uri=uri, username=USERNAME, password=password, database=None))
    rng = random.Random(0)
    for query in load_queries().values():
        values = {p.name: v for p in query.params if (v := pick(p.name, ids, rng)) is not None}
        values.setdefault("org_id", rng.choice(ids["lab"])) if query.name == "indirect_links" else None
        try:  # the same way the clients go: through the guard, its EXPLAIN planned once too
            if guard:
                run_read_only(warm, query.text, query.bind(values), timeout=120)
            else:
                warm.read(query.text, query.bind(values), timeout=120)
        except Exception:  # a query that fails here fails for the clients too, and is counted there
            pass
    warm.close()
    out: mp.Queue = mp.Queue()
    procs = [mp.Process(target=client, args=(uri, password, ids, seconds, i, out, guard)) for i in range(clients)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 300) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = [e for _, errs in results for e in errs]

    def q(f: float) -> float:
        return latencies[min(len(latencies) - 1, int(f * (len(latencies) - 1)))] * 1000 if latencies else float("nan")

    return {"queries": len(latencies), "throughput": len(latencies) / elapsed, "p50": q(0.5), "p95": q(0.95),
            "p99": q(0.99), "errors": len(errors), "error_examples": sorted(set(errors))[:5],
            "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--generated", type=int, default=100_000, help="relationships of the generated graph (0: none)")
    parser.add_argument("--guard", action="store_true", help="each query through the console's guard")
    args = parser.parse_args()
    info = machine_info()
    rows = []
    notes = []
    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp:
        graphs = [("seed", ROOT / "seed_data")]
        if args.generated:
            generated = Path(tmp) / "generated"
            generate(generated, relationships=args.generated, seed=1)
            graphs.append((f"generated {args.generated:,}", generated))
        for label, folder in graphs:
            with temp_server(heap="2g", page_cache="1g") as local:
                conn = connect(Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None))
                load_folder(conn, folder)
                conn.close()
                ids = organizations(folder)
                result = run(local.uri, local.password(), ids, args.clients, args.seconds, args.guard)
                print(label, result, flush=True)
                rows.append([label, str(args.clients), f"{args.seconds:.0f}", str(result["queries"]),
                             f"{result['throughput']:.1f}", f"{result['p50']:.1f}", f"{result['p95']:.1f}",
                             f"{result['p99']:.1f}", str(result["errors"])])
                notes += [f"- {label}: {e}" for e in result["error_examples"]]
    body = (
        f"Command (from the project root): `{command_line()}`\n\n" + machine_block(info) + "\n"
        f"{args.clients} client processes, each with its own driver, ran randomly chosen stored queries with "
        "random parameters (single-entity forms) back to back against a local Neo4j on 127.0.0.1"
        + (", each through the console's guard (text checks, EXPLAIN, plan walk, READ transaction)" if args.guard
           else "") + ". Goal: zero errors.\n\n"
        + table(["graph", "clients", "seconds", "queries", "queries/s", "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
        + ("\n\nErrors seen:\n" + "\n".join(notes) if notes else "\n\nNo errors.")
    )
    update_section("Load through the console guard" if args.guard else "Load", body, RELIABILITY_MD)
    print(body)


if __name__ == "__main__":
    main()
