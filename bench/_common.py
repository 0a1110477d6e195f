"""Helpers shared by the benchmark scripts: throwaway servers, machine facts, docs/BENCHMARKS.md sections.

Benchmarks never touch graph/: they drive LocalNeo4j the way tests/conftest.py does, each server on a
free port with its own temporary home folder, always stopped (and its folder removed) at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph.config import LocalSettings, load_local_settings  # noqa: E402
from graph.local_neo4j import LocalNeo4j, free_port  # noqa: E402

BENCHMARKS_MD = ROOT / "docs" / "BENCHMARKS.md"
DOC_HEADER = """# Benchmarks

Measured numbers, one `## ` section per benchmark. Each section says how it was run (exact command,
date, machine) so it can be run again; scripts live in `bench/`. Numbers from a shared 2-core machine
are indicative, not precise: other work may have been running at the same time.
"""


def bench_settings(home: Path, heap: str, page_cache: str, env: dict[str, str] | None = None) -> LocalSettings:
    """Settings of a throwaway server (as tests/conftest.py makes them), on a free port."""
    return dataclasses.replace(load_local_settings({} if env is None else env), home=home,
                               bolt_port=free_port(), heap=heap, page_cache=page_cache)


@contextlib.contextmanager
def temp_server(heap: str, page_cache: str, prefix: str = "bench-neo4j-",
                csv_file_import: bool = False, start: bool = True) -> Iterator[LocalNeo4j]:
    """A started server in a fresh temporary home; stopped and removed afterwards, whatever happens.

    csv_file_import lets LOAD CSV read file:/// URLs of the import folder (off on every other server).
    start=False: the home is new and the server not started (what a first `supplygraph load` finds).
    """
    home = Path(tempfile.mkdtemp(prefix=prefix))
    local = LocalNeo4j(dataclasses.replace(bench_settings(home, heap, page_cache), csv_file_import=csv_file_import))
    try:
        if start:
            local.start()
        yield local
    finally:
        try:
            local.stop()
        finally:
            shutil.rmtree(home, ignore_errors=True)


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM / VmRSS / VmSize of a process, in kB (empty if it is gone)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "VmSize", "VmPeak"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine_info() -> dict[str, str]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    java = run("java", "-version") or subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    other_java = [line for line in run("ps", "-eo", "pid,rss,args").splitlines()
                  if "java" in line and "Launcher" in line]
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": run("nproc").strip(),
        "cpu": cpu,
        "free_h": run("free", "-h"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "java": java.splitlines()[0] if java else "?",
        "loadavg": loadavg(),
        "other_neo4j": str(len(other_java)),
    }


def machine_block(info: dict[str, str]) -> str:
    """The machine facts as markdown lines."""
    free = info["free_h"]
    if free.startswith("total"):  # stored by an older version that stripped the header's indent
        free = " " * 15 + free
    return (
        f"- Date: {info['date']}\n"
        f"- Machine: `nproc` = {info['nproc']} ({info['cpu']}), Linux {info['kernel']}, "
        f"Python {info['python']}, {info['java']}\n"
        f"- Load average when the run started: {info['loadavg']}; other Neo4j launchers already running on the "
        f"machine: {info['other_neo4j']}. The machine has 2 cores and is shared: other work (tests, other "
        "servers) may have run at the same time, so treat the numbers as indicative (a few tens of % noise).\n"
        "- `free -h`:\n\n```\n" + free + "\n```\n"
    )


def command_line() -> str:
    """The command that ran this script, as typed from the project root (wherever the clone is: the
    docs it goes into are read by people whose checkout is elsewhere)."""
    script = Path(sys.argv[0]).resolve()
    try:
        script_text = str(script.relative_to(ROOT))
    except ValueError:
        script_text = str(script)
    return shlex.join([".venv/bin/python", script_text, *sys.argv[1:]])


NOTES = "### Notes"


def update_section(title: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replaces (or appends) the `## title` section of docs/BENCHMARKS.md, leaving other sections alone.

    A hand-written `### Notes` subsection at the end of the old section is kept (moved after the new body).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_HEADER
    pattern = re.compile(rf"^## {re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    old = pattern.search(text)
    notes = ""
    if old and f"\n{NOTES}" in old.group(0):
        notes = "\n" + old.group(0)[old.group(0).index(f"\n{NOTES}") + 1:].strip() + "\n"
    section = f"## {title}\n\n{body.strip()}\n{notes}"
    if old:
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def env_with(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
