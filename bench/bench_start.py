"""How long `LocalNeo4j.start()` takes until a first query is answered, cold and warm, and the JVM's memory.

    .venv/bin/python bench/bench_start.py [--warm-runs 3] [--fresh-home-runs 2] [--no-doc]

cold: first ever start: an empty Maven repository (MAVEN_OPTS=-Dmaven.repo.local=<empty temp dir>, which
      `mvn dependency:build-classpath` honours: checked below from the classpath Maven writes), an empty
      supplygraph cache (SUPPLYGRAPH_CACHE=<empty temp dir>) and a new data folder. Includes downloading
      the Neo4j jars from Maven Central, so it depends on the network.
warm: the same Maven repository, cache and data folder again (a stop/start as a user does it).
warm, new data folder: artifacts cached, but a new home folder (what a test session does).

Memory: VmHWM (peak resident set) of the server process from /proc/<pid>/status, once after idling a few
seconds after the start, and again after a query. Default LocalSettings memory (heap 1g, page cache 512m).
The user's own Maven repository and cache are not touched; all temporary folders are removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from graph.local_neo4j import LocalNeo4j, neo4j_version  # noqa: E402

IDLE_S = 3.0
QUERY = "UNWIND range(1, 1000000) AS i RETURN sum(i) AS s"


def one_start(home: Path, env: dict[str, str], label: str) -> dict:
    """Starts a server in `home` with settings read from `env`, measures, stops it."""
    local = LocalNeo4j(c.bench_settings(home, heap="1g", page_cache="512m", env=env))
    phases = {"maven": 0.0, "javac": 0.0}

    def timed(name: str, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] += time.perf_counter() - t
        return wrapper

    # Instance attributes shadow the methods, so build() goes through the timers; graph/ is unchanged.
    local.classpath = timed("maven", local.classpath)  # type: ignore[method-assign]
    local.launcher_classes = timed("javac", local.launcher_classes)  # type: ignore[method-assign]
    saved = {k: os.environ.get(k) for k in ("MAVEN_OPTS", "SUPPLYGRAPH_CACHE")}
    os.environ.update({k: env[k] for k in saved if k in env})  # mvn inherits our environment
    result = {"label": label, "loadavg_before": c.loadavg()}
    try:
        t0 = time.perf_counter()
        local.start()
        with local.driver() as driver, driver.session() as session:
            session.run("RETURN 1").consume()
        result["seconds"] = time.perf_counter() - t0
        result.update(maven_s=phases["maven"], javac_s=phases["javac"])
        pid = local.pid()
        time.sleep(IDLE_S)
        result["idle"] = c.proc_status(pid) if pid else {}
        with local.driver() as driver, driver.session() as session:
            t = time.perf_counter()
            session.run(QUERY).consume()
            result["query_s"] = time.perf_counter() - t
        result["after_query"] = c.proc_status(pid) if pid else {}
        result["classpath"] = local.classpath()
    finally:
        t = time.perf_counter()
        local.stop()
        result["stop_s"] = time.perf_counter() - t
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return result


def mb(kb: int | None) -> str:
    return f"{kb / 1024:.0f}" if kb else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--fresh-home-runs", type=int, default=2)
    parser.add_argument("--no-doc", action="store_true", help="print only; do not update docs/BENCHMARKS.md")
    args = parser.parse_args()

    info = c.machine_info()
    tmp = Path(tempfile.mkdtemp(prefix="bench-start-"))
    repo, cache = tmp / "m2-repository", tmp / "supplygraph-cache"
    repo.mkdir()
    cache.mkdir()
    env = c.env_with(MAVEN_OPTS=f"-Dmaven.repo.local={repo}", SUPPLYGRAPH_CACHE=str(cache))
    runs: list[dict] = []
    try:
        home = tmp / "home"
        print("cold start (empty Maven repository, empty cache, new data folder)...", flush=True)
        runs.append(one_start(home, env, "cold"))
        entries = runs[0]["classpath"].split(os.pathsep)
        honoured = all(e.startswith(str(repo)) for e in entries)
        print(f"  {runs[0]['seconds']:.1f} s; Maven used the temporary repository: {honoured} "
              f"({len(entries)} jars, {sum(f.stat().st_size for f in repo.rglob('*') if f.is_file()) / 2**20:.0f} MiB "
              "downloaded incl. Maven plugins)", flush=True)
        for i in range(args.warm_runs):
            runs.append(one_start(home, env, "warm"))
            print(f"warm {i + 1}: {runs[-1]['seconds']:.1f} s", flush=True)
        for i in range(args.fresh_home_runs):
            runs.append(one_start(tmp / f"home-new-{i}", env, "warm, new data folder"))
            print(f"warm, new data folder {i + 1}: {runs[-1]['seconds']:.1f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = []
    for r in runs:
        rows.append([r["label"], f"{r['seconds']:.1f}", f"{r['maven_s']:.1f}", f"{r['javac_s']:.1f}",
                     mb(r["idle"].get("VmHWM")), mb(r["idle"].get("VmRSS")), mb(r["after_query"].get("VmHWM")),
                     f"{r['stop_s']:.1f}", r["loadavg_before"]])
    detail = c.table(["run", "start → first `RETURN 1` (s)", "of which Maven (s)", "of which javac (s)",
                      "VmHWM idle (MiB)", "VmRSS idle (MiB)", "VmHWM after query (MiB)", "stop (s)",
                      "load avg before"], rows)

    def summary(label: str) -> str:
        xs = [r["seconds"] for r in runs if r["label"] == label]
        if not xs:
            return "-"
        return f"{statistics.median(xs):.1f} (min {min(xs):.1f}, max {max(xs):.1f}, n={len(xs)})"

    hwm = [r["after_query"].get("VmHWM", 0) for r in runs]
    summary_table = c.table(["case", "seconds to first answered query (median)"],
                            [["cold (first ever: empty Maven repo + cache, new data folder)", summary("cold")],
                             ["warm (artifacts cached, data folder exists)", summary("warm")],
                             ["warm, new data folder", summary("warm, new data folder")]])
    honoured_text = ("every jar on the classpath Maven wrote was in the temporary repository" if honoured
                     else "NOT honoured: some jars on the classpath Maven wrote came from another repository")
    body = f"""Neo4j {neo4j_version()} managed by `graph.local_neo4j.LocalNeo4j`, default memory settings (heap 1g,
page cache 512m). Time is measured from calling `LocalNeo4j.start()` until a first `RETURN 1` of our own
has been answered (start() itself already waits for Bolt to answer). Cold = first ever start: an empty
Maven repository via `MAVEN_OPTS=-Dmaven.repo.local=<empty temp dir>` (checked for
`dependency:build-classpath`: {honoured_text}), an empty `SUPPLYGRAPH_CACHE`, and a new data
folder; it downloads the jars from Maven Central, so it depends on the network. The OS file cache was not dropped. Memory is the server JVM's VmHWM (peak
RSS) from `/proc/<pid>/status`, after idling {IDLE_S:.0f} s after the start and after the query
`{QUERY}`.

Command (from the project root):

```
{c.command_line()}
```

{c.machine_block(info)}
{summary_table}

Every run:

{detail}

Peak server memory after a query: {mb(min(hwm))}-{mb(max(hwm))} MiB (heap 1g is reserved with -Xms but
only touched pages count).
"""
    print()
    print(summary_table)
    print()
    print(detail)
    if not args.no_doc:
        c.update_section("Local Neo4j start", body)
        print(f"\nupdated {c.BENCHMARKS_MD}")


if __name__ == "__main__":
    main()
