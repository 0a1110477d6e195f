"""The console guard's own cost per query: EXPLAIN on the server plus our plan walk and text checks.

Usage: .venv/bin/python bench/bench_guard.py [--rounds 30]

On a throwaway local Neo4j holding the seed: every stored query (with example parameters) and a few
typed console queries are checked with graph.readonly.check_read_only, round after round (the
server's plan cache warm after the first, as in a running app); the lexer alone is timed too.
The p50/p95 in ms go to the section "Console guard cost" of docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import random
import time

from _common import ROOT, command_line, machine_block, machine_info, table, temp_server, update_section
from bench_queries import organizations, pick

from graph.config import Settings
from graph.cypher_lexer import shape
from graph.db import connect
from graph.loader import load_folder
from graph.local_neo4j import USERNAME
from graph.queries import load_queries
from graph import readonly
from graph.readonly import check_read_only

TYPED = [
    "MATCH (o:Organization) RETURN o.name LIMIT 5",
    "MATCH p = (:Organization {id: 'scale-ai'})-[r]-(other) WHERE type(r) <> 'SOURCED_FROM' RETURN p LIMIT 50",
    "MATCH (a:Organization)-[:INVESTED_IN*1..2]->(b) RETURN a.name, count(DISTINCT b) AS n ORDER BY n DESC LIMIT 10",
    "CALL db.index.fulltext.queryNodes('entity_names', 'scale') YIELD node, score RETURN node.id, score",
]


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (ordered[len(ordered) // 2] * 1000, ordered[min(len(ordered) - 1, int(0.95 * (len(ordered) - 1)))] * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    info = machine_info()
    folder = ROOT / "seed_data"
    with temp_server(heap="1g", page_cache="256m") as local:
        conn = connect(Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None))
        load_folder(conn, folder)
        ids = organizations(folder)
        rng = random.Random(0)
        cases = [(q.text, {p.name: v for p in q.params if (v := pick(p.name, ids, rng)) is not None}, q)
                 for q in load_queries().values()] + [(t, {}, None) for t in TYPED]
        guard: list[float] = []
        cold: list[float] = []
        lexer: list[float] = []
        for round_ in range(args.rounds + 1):
            for text, values, stored in cases:
                params = stored.bind(values) if stored else {}
                started = time.perf_counter()
                check_read_only(conn, text, params)
                elapsed = time.perf_counter() - started
                readonly.single_statement.cache_clear()  # our own caches of the text and plan checks
                readonly._check_calls.cache_clear()
                started = time.perf_counter()
                check_read_only(conn, text, params)
                uncached = time.perf_counter() - started
                started = time.perf_counter()
                shape(text)
                lexed = time.perf_counter() - started
                if round_:  # the first round fills the server's plan cache
                    guard.append(elapsed)
                    cold.append(uncached)
                    lexer.append(lexed)
        conn.close()
    g50, g95 = quantiles(guard)
    c50, c95 = quantiles(cold)
    l50, l95 = quantiles(lexer)
    body = (f"Command (from the project root): `{command_line()}`\n\n" + machine_block(info) + "\n"
            f"{len(cases)} queries ({len(cases) - len(TYPED)} stored, {len(TYPED)} typed), {args.rounds} rounds "
            f"after a warm-up round, {len(guard)} checks in all, on the seed.\n\n"
            + table(["what", "p50 ms", "p95 ms"], [["whole guard (lexer, EXPLAIN round trip, plan walk), "
                                                    "a text seen before (our caches warm)", f"{g50:.2f}", f"{g95:.2f}"],
                                                   ["whole guard, our caches of the text and plan checks cleared "
                                                    "(the server's plan cache warm)", f"{c50:.2f}", f"{c95:.2f}"],
                                                   ["lexer alone (length, statements, nesting)", f"{l50:.3f}",
                                                    f"{l95:.3f}"]]))
    update_section("Console guard cost", body, ROOT / "docs" / "RELIABILITY.md")
    print(body)


if __name__ == "__main__":
    main()
