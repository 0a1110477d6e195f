"""The console's schema panel: graph.catalogue.schema_counts (count store and a bounded sample) side by side
with the whole-graph passes it replaced (bench/whole_graph_schema_counts.cypher), in one run.

    .venv/bin/python bench/bench_schema.py --sizes 10000 100000 --runs 5

For each size: a generated folder (`supplygraph generate`'s shape) is loaded into a fresh server (no
derivation above 5,000 relationships); each way of counting runs once to plan and warm, then `--runs`
times; p50 and the slowest in ms, and whether the keys' counts were of a sample. The results go to the
section "Console schema panel" of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, command_line, machine_block, machine_info, table, temp_server, update_section  # noqa: E402
from bench_exposure import generated_and_loaded  # noqa: E402

from graph.catalogue import SAMPLE, schema_counts  # noqa: E402
from graph.queries import parse_query_file, run_query  # noqa: E402

WHOLE_GRAPH = parse_query_file(ROOT / "bench" / "whole_graph_schema_counts.cypher")


def timings(fn, runs: int) -> list[float]:
    fn()  # plans the queries and warms the page cache
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        found.append((time.perf_counter() - began) * 1000)
    return sorted(found)


def measure(size: int, runs: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp, temp_server("1g", "256m") as server:
        _, conn, _, load_s = generated_and_loaded(tmp, server, size, local=server)
        nodes = conn.read("MATCH (n) RETURN count(n) AS c").records[0]["c"]
        rels = conn.read("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
        before = timings(lambda: run_query(conn, WHOLE_GRAPH), runs)
        after = timings(lambda: schema_counts(conn), runs)
        sampled = schema_counts(conn).sample is not None
        conn.close()
    return [f"{size:,}", f"{nodes:,}", f"{rels:,}", f"{before[len(before) // 2]:.0f} / {before[-1]:.0f}",
            f"{after[len(after) // 2]:.0f} / {after[-1]:.0f}", "sample" if sampled else "exact", f"{load_s:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    info = machine_info()
    rows = [measure(size, args.runs) for size in args.sizes]
    body = (f"Command (from the project root): `{command_line()}`\n\n" + machine_block(info) + "\n"
            f"The schema beside the console, p50 / slowest of {args.runs} runs after one to warm, in ms. Before: "
            "the whole-graph passes (`bench/whole_graph_schema_counts.cypher`). After: `graph.catalogue.schema_counts`"
            f": labels and types from the count store, property keys counted on up to {SAMPLE:,} nodes of each "
            "label and relationships of each type (keys: exact or sample).\n\n"
            + table(["generated relationships", "nodes", "relationships", "before (ms)", "after (ms)", "keys",
                     "load (s)"], rows))
    update_section("Console schema panel", body)
    print(body)


if __name__ == "__main__":
    main()
