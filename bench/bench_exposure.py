"""The exposure engine: derivation time and derived rows, and indirect_links read from derived facts side by
side with the live search it replaced (bench/live_indirect_links.cypher, the query of stop 10), in one run.

    .venv/bin/python bench/bench_exposure.py --sizes 1500 10000 --runs 20

For each size: a generated folder (the generator's shape as in earlier runs) is loaded into a fresh server;
the load's derivation time, its share of the load, the derived nodes per base relationship; then, on random
labs and dates, p50/p95 of one lab's links (derived and live) and of exposed_to, new_exposures over one
month and the every-lab ranking; a reload after a one-row edit (incremental derivation); a full derivation
again in a child process, for its peak memory; and the first indirect_links after a restart on the seed.

Sizes whose full derivation would take hours here (`--project`) are measured on a sample instead: the
folder is bulk-loaded, the engine derives randomly drawn organizations in this process (nothing written)
for `--budget` CPU seconds, and the full derivation's CPU time and size are projected from the sample.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, command_line, machine_block, machine_info, table, temp_server, update_section  # noqa: E402

from graph.db import Connection, connect  # noqa: E402
from graph.config import Settings  # noqa: E402
from graph.generate import generate  # noqa: E402
from graph.loader import LoadSummary, load_folder  # noqa: E402
from graph.local_neo4j import USERNAME  # noqa: E402
from graph.derive import DERIVED_LABELS, derive, derive_for, engine_for  # noqa: E402
from graph.facts import read_facts  # noqa: E402
from graph.queries import get_query, parse_query_file, run_query, warm_up  # noqa: E402

LIVE = parse_query_file(ROOT / "bench" / "live_indirect_links.cypher")


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def p(values: list[float], q: float) -> str:
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(q * len(values)))]:.0f}"


def connected(server) -> Connection:
    return connect(Settings(server.uri, USERNAME, server.password(), None), start_local=False)


def generated_and_loaded(tmp: str, server, size: int, **load: Any) -> tuple[Path, Connection, LoadSummary, float]:
    """A generated folder of `size` relationships (the generator's shape as in earlier runs), loaded into
    the server: (folder, connection, the load's summary, its seconds)."""
    folder = Path(tmp) / "data"
    generate(folder, relationships=size, seed=size)
    conn = connected(server)
    began = time.perf_counter()
    summary = load_folder(conn, folder, **load)
    return folder, conn, summary, time.perf_counter() - began


def measure(size: int, runs: int, rng: random.Random) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp, temp_server("1g", "256m") as server:
        folder, conn, summary, load_s = generated_and_loaded(tmp, server, size)
        derivation = summary.derived or derive(conn)  # past DERIVE_ON_LOAD_MAX the load leaves it to derive
        derive_s = derivation.seconds
        if summary.derived:
            load_s -= derive_s
        derived = sum(derivation.created.values())
        labs = [r["id"] for r in conn.read("MATCH (o:Lab) RETURN o.id AS id").records]
        dates = [f"{y}-{m:02d}-15" for y in range(2016, 2027) for m in (1, 7)]
        warm_up(conn)  # every query planned once, as `db start` does
        run_query(conn, LIVE, {"org_id": labs[0], "as_of": dates[0]}, timeout=120)
        derived_ms, live_ms, exposed_ms, changes_ms = [], [], [], []
        for _ in range(runs):
            lab, day = rng.choice(labs), rng.choice(dates)
            derived_ms.append(timed(lambda: run_query(conn, get_query("indirect_links"), {"org_id": lab, "as_of": day})))
            live_ms.append(timed(lambda: run_query(conn, LIVE, {"org_id": lab, "as_of": day}, timeout=120)))
            exposed_ms.append(timed(lambda: run_query(conn, get_query("exposed_to"), {"org_id": lab, "as_of": day})))
            month_end = (dt.date.fromisoformat(day) + dt.timedelta(days=30)).isoformat()
            changes_ms.append(timed(lambda: run_query(conn, get_query("new_exposures"),
                                                      {"from_date": day, "to_date": month_end})))
        ranking = timed(lambda: run_query(conn, get_query("indirect_links"), {"as_of": "2025-06-15"}))
        pause_one_relationship(folder)
        reload = load_folder(conn, folder)
        again = reload.derived or derive(conn)
        conn.close()
        full_s, peak_mib = full_derivation_in_child(server)
    return [f"{size:,}", f"{load_s:.1f}", f"{derive_s:.1f} ({derive_s / load_s:.1f}x)", f"{full_s:.1f} / {peak_mib:,}",
            f"{derived / size:.2f}", f"{p(derived_ms, .5)} / {p(derived_ms, .95)}", f"{p(live_ms, .5)} / {p(live_ms, .95)}",
            f"{p(exposed_ms, .5)} / {p(exposed_ms, .95)}", f"{p(changes_ms, .5)} / {p(changes_ms, .95)}", f"{ranking:.0f}",
            f"{again.seconds:.1f} ({again.seconds / derive_s:.0%}); {again.recomputed:,} of {again.organizations:,}"]


def full_derivation_in_child(server) -> tuple[float, int]:
    """A full derivation (as after an engine change) in a child process: its seconds and peak RSS in MiB."""
    with tempfile.NamedTemporaryFile() as out:
        pid = os.fork()
        if pid == 0:  # the child: its own driver (a driver does not survive a fork)
            status = 1  # a failure shows as the child's exit status, not as an empty file
            try:
                conn = connected(server)
                conn.driver.execute_query("MATCH (s:DerivedState) SET s.engine_version = -1")
                Path(out.name).write_text(str(derive(conn).seconds))
                status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)
        _, wait_status, usage = os.wait4(pid, 0)
        if os.waitstatus_to_exitcode(wait_status) != 0:
            raise RuntimeError("the full derivation in a child process failed")
        return float(Path(out.name).read_text()), usage.ru_maxrss // 1024


def project(size: int, budget_s: float, rng: random.Random) -> list[str]:
    """A size too large to derive here: a sample of organizations derived in process, and what it projects."""
    with tempfile.TemporaryDirectory() as tmp, temp_server("2g", "1g") as server:
        # The bulk first load; no derivation at this size.
        _, conn, _, load_s = generated_and_loaded(tmp, server, size, local=server)
        with conn.driver.session() as session:
            facts = session.execute_read(lambda tx: read_facts(tx))
        conn.close()
    orgs = sorted(facts.org_names)
    rng.shuffle(orgs)
    engine, closures = engine_for(facts)
    nodes = dict.fromkeys(DERIVED_LABELS, 0)
    began, done = time.process_time(), 0
    while done < len(orgs) and time.process_time() - began < budget_s:
        for label, rows in derive_for(engine, closures, [orgs[done]]).items():
            nodes[label] += len(rows)
        done += 1
    per_org = (time.process_time() - began) / done
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    per_rel = sum(nodes.values()) / done * len(orgs) / size
    return [f"{size:,}", f"{load_s:.1f} (bulk)", f"{done:,} of {len(orgs):,}", f"{per_org:.2f}",
            f"{per_org * len(orgs) / 3600:.1f} h", f"{per_rel:.1f}",
            ", ".join(f"{label} {n / done:,.0f}" for label, n in nodes.items()), f"{rss_mib:,}"]


def pause_one_relationship(folder: Path) -> None:
    """A one-row edit for the incremental reload: the status of the relationship in the middle of the file."""
    path = folder / "relationships.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    row = rows[len(rows) // 2]
    row["status"] = "paused" if row["status"] != "paused" else "active"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def first_after_start() -> float:
    with temp_server("1g", "256m") as server:
        conn = connected(server)
        load_folder(conn, ROOT / "seed_data")
        conn.close()
        server.stop()
        server.start()
        conn = connected(server)
        warm_up(conn)  # what `supplygraph db start` does after a start
        ms = timed(lambda: run_query(conn, get_query("indirect_links"), {"org_id": "openai", "as_of": "2025-06-15"}))
        conn.close()
        return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1500, 10000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--project", type=int, nargs="*", default=[], help="sizes measured on a sample")
    parser.add_argument("--budget", type=float, default=300.0, help="CPU seconds of each sample")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rng = random.Random(7)
    info = machine_info()
    rows = [measure(size, args.runs, rng) for size in args.sizes]
    projected = [project(size, args.budget, rng) for size in args.project]
    first = first_after_start()
    body = (f"`{command_line()}`\n\n{machine_block(info)}\n"
            + table(["relationships", "load s", "derive s (x load)", "full derivation again: s / peak RSS MiB",
                     "derived nodes / rel", "indirect_links ms p50/p95",
                     "live (stop 10) ms p50/p95", "exposed_to ms p50/p95", "new_exposures ms p50/p95",
                     "every-lab ranking ms", "one-row reload: derive s (of full); organizations computed again"], rows)
            + ("\n\nLarger sizes, on a sample (CPU of the engine in this process; nothing written):\n\n"
               + table(["relationships", "load s", "organizations derived", "CPU s per organization",
                        "projected full derivation CPU", "projected derived nodes / rel", "derived nodes per organization",
                        "peak RSS MiB (facts, engine, sample)"], projected) if projected else "")
            + f"\n\nFirst indirect_links after a server start and its warm-up (as `supplygraph db start` does), on the seed: {first:.0f} ms.\n")
    update_section("Exposure engine", body)
    print(body)


if __name__ == "__main__":
    main()
