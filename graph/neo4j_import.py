"""Running Neo4j's own import tool (`neo4j-admin database import full`) on the managed local database.

The tool writes a store directly, so the database must be offline: the server is stopped, the tool runs
in a JVM of its own (the kernel's classpath, `org.neo4j.cli.AdminTool`, the class neo4j-admin runs), and
the server is started again whatever happened. A process of its own rather than a step of the server's
start: a failed import is a failed process, with its exit code and its own log, never a server that did
not start; it has the memory the stopped server had (heap and page cache sizes), returned when it ends.

Before the tool runs, the database's folders are moved aside; a failed, killed or interrupted import
puts them back, so the database is as it was (empty, schema included). If supplygraph itself is killed
meanwhile, the next start of the server puts them back (`recover_interrupted_import`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from graph.errors import LocalNeo4jError, SupplyGraphError
from graph.local_neo4j import LocalNeo4j
from graph.local_neo4j import _alive  # the one test of a pid's life (zombies, our children)

IMPORT_TIMEOUT_S = 6 * 3600.0
BACKUP = "bulk-import-backup"
LOG_TAIL = 25
ADMIN_TOOL = "org.neo4j.cli.AdminTool"


class ImportFailed(SupplyGraphError):
    """The import tool failed; the database is as it was before."""


@dataclass(frozen=True)
class ImportRun:
    seconds: float
    peak_rss_kb: int  # of the import tool's JVM


def store_folders(home: Path, database: str) -> list[Path]:
    data = home / "data"
    return [data / "databases" / database, data / "transactions" / database]


def recover_interrupted_import(home: Path) -> None:
    """Puts back the database folders an import moved aside, if the supplygraph that ran it was killed (the
    folders in place are then the import's unfinished ones). An import still running is left alone."""
    backup = home / BACKUP
    if not backup.is_dir():
        return
    try:
        owner = int((backup / "pid").read_text())
    except (OSError, ValueError):
        owner = None
    if owner is not None and owner != os.getpid() and _alive(owner):
        raise LocalNeo4jError(f"a bulk load (pid {owner}) is importing into {home}: wait until it has finished")
    for saved in (p for p in backup.iterdir() if p.is_dir()):
        for kind in saved.iterdir():  # backup/<database>/<databases|transactions>
            target = home / "data" / kind.name / saved.name
            shutil.rmtree(target, ignore_errors=True)
            kind.rename(target)
    shutil.rmtree(backup)


def import_offline(local: LocalNeo4j, folder: Path, arguments: list[str], database: str,
                   timeout: float | None = None, tell: Callable[[str], None] | None = None) -> ImportRun:
    """Stops the server (if it runs), imports the files of `folder` into `database` with the tool's
    `arguments`, starts the server (again). Raises ImportFailed, the database untouched, if the tool fails.
    `tell` hears each step as it begins."""
    say = tell or (lambda _: None)
    command = _command(local, arguments, database)  # built (Maven, Java checked) before anything stops
    running = local.pid() is not None  # not running: a first load before the server's first start
    if running:
        say("stopping the server for Neo4j's import tool")
        local.stop()
    try:
        say("Neo4j's import tool is writing the database (the server is stopped)")
        return _import_with_backup(local, folder, command, database, timeout or IMPORT_TIMEOUT_S)
    finally:
        say("starting the server again" if running else "starting the server")
        local.start()


def _command(local: LocalNeo4j, arguments: list[str], database: str) -> list[str]:
    java, classpath = local.java(), local.classpath()
    return [str(java), f"-Xmx{local.settings.heap}", "-XX:+UseG1GC", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Dfile.encoding=UTF-8", "-cp", classpath, ADMIN_TOOL,
            "database", "import", "full", *arguments, "--id-type=string", "--array-delimiter=;", "--bad-tolerance=0",
            "--skip-bad-relationships=false", "--skip-duplicate-nodes=false", "--strict=true",
            f"--max-off-heap-memory={local.settings.page_cache}", "--overwrite-destination=true",
            "--report-file=import.report", database]


def _import_with_backup(local: LocalNeo4j, folder: Path, command: list[str], database: str,
                        timeout: float) -> ImportRun:
    backup = local.home / BACKUP / database
    shutil.rmtree(local.home / BACKUP, ignore_errors=True)  # the database in place answered just now: it is the one
    backup.mkdir(parents=True)
    (local.home / BACKUP / "pid").write_text(str(os.getpid()))
    for path in store_folders(local.home, database):
        if path.exists():
            path.rename(backup / path.parent.name)
    try:
        run = _run(command, folder, local, timeout)
    except BaseException:
        recover_interrupted_import(local.home)
        raise
    shutil.rmtree(local.home / BACKUP)
    return run


def _run(command: list[str], folder: Path, local: LocalNeo4j, timeout: float) -> ImportRun:
    log_path = local.home / "import.log"  # kept after the load, next to the server's launcher.log
    env = {**os.environ, "NEO4J_HOME": str(local.home), "NEO4J_CONF": str(local.home)}
    began = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            status, usage = _wait(process, began + timeout)
        finally:
            if process.returncode is None:  # interrupted (Ctrl+C): the tool must not go on writing
                os.killpg(process.pid, signal.SIGKILL)
                os.waitpid(process.pid, 0)
                process.returncode = -9
    seconds = time.monotonic() - began
    if status is None:
        raise ImportFailed(f"Neo4j's import tool did not finish within {timeout:.0f} s and was stopped; the "
                           f"database is empty as before. {_tail(log_path)}")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise ImportFailed(f"Neo4j's import tool failed (exit code {code}); the database is empty as before, and "
                           f"`supplygraph load --transactional` writes the same graph another way. {_tail(log_path)}")
    return ImportRun(seconds, usage.ru_maxrss)


def _wait(process: subprocess.Popen, deadline: float) -> tuple[int | None, Any]:
    """(wait status, rusage) of the process, or (None, None) after killing it at the deadline."""
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(status)  # collected here: Popen must not wait again
            return status, usage
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            os.waitpid(process.pid, 0)
            process.returncode = -9
            return None, None
        time.sleep(0.05)


def _tail(log_path: Path) -> str:
    try:
        lines = [line for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines()
                 if line.strip() and not line.startswith(".")]  # the progress dots say nothing
    except OSError:
        return ""
    words = "\n  ".join(lines[-LOG_TAIL:])
    return f"The end of its log ({log_path}):\n  {words}" if lines else f"Its log: {log_path}"
