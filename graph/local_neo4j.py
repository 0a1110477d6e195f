"""The managed local Neo4j: a real Neo4j kernel with Bolt on loopback, run by Launcher.java.

Maven fetches the kernel pinned in `graph/neo4j_server/pom.xml` into its usual cache and tells us
the classpath; javac builds the launcher once into our cache folder; the server runs detached,
with its data, logs, generated password and pid file in a per-user home folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from graph.config import LocalSettings, load_local_settings
from graph.errors import LocalNeo4jError

SERVER_SOURCES = Path(__file__).parent / "neo4j_server"
POM = SERVER_SOURCES / "pom.xml"
LAUNCHER = SERVER_SOURCES / "Launcher.java"
USERNAME = "neo4j"
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 90.0
MIN_JAVA = 17
MIB = 1024 * 1024
# Procedures the server loads (dbms.security.procedures.allowlist): those of the console's allow-list
# (graph.readonly), the loader's waits and the catalogue reads of the benchmarks. Every other one,
# built-in or not, does not exist for any query.
SERVER_PROCEDURES = (
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
    "db.schema.nodeTypeProperties", "db.schema.relTypeProperties", "db.index.fulltext.queryNodes",
    "db.index.fulltext.queryRelationships", "db.awaitIndexes", "db.index.fulltext.awaitEventuallyConsistentIndexRefresh",
)
LOG_LINES = 50  # of each log, by default


@dataclass(frozen=True)
class Status:
    """What `supplygraph db status` reports."""

    running: bool
    uri: str
    pid: int | None
    message: str


def neo4j_version() -> str:
    """The Neo4j version pinned in the pom, the one place it is set."""
    match = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", POM.read_text(encoding="utf-8"))
    if not match:
        raise LocalNeo4jError(f"{POM}: no <neo4j.version> property")
    return match.group(1)


class LocalNeo4j:
    """One managed Neo4j server, identified by its home folder."""

    def __init__(self, settings: LocalSettings | None = None) -> None:
        self.settings = settings or load_local_settings()
        self.home = self.settings.home
        self.port = self.settings.bolt_port

    # Files in the home folder.
    @property
    def conf_file(self) -> Path:
        return self.home / "neo4j.conf"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "launcher.log"

    @property
    def debug_log(self) -> Path:
        return self.home / "logs" / "debug.log"

    @property
    def import_dir(self) -> Path:
        return self.home / "import"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def make_home(self) -> None:
        """The home folder, readable by the user only: the store inside is not encrypted, so another
        local user must not read it without the password (the password file is 0600 too)."""
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)  # also a folder made before, or under a permissive umask

    # Credentials.
    def password(self) -> str:
        """The generated password; created (readable by the user only) if missing."""
        if not self.password_file.exists():
            self.make_home()
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(24) + "\n")
        return self.password_file.read_text(encoding="utf-8").strip()

    def driver(self) -> neo4j.Driver:
        return neo4j.GraphDatabase.driver(self.uri, auth=(USERNAME, self.password()))

    # Building.
    def java(self) -> Path:
        """The java command: JAVA_HOME's if set, else the one on PATH; checks its version."""
        java_home = os.environ.get("JAVA_HOME")
        candidate = Path(java_home) / "bin" / "java" if java_home else None
        if candidate is None or not candidate.exists():
            found = shutil.which("java")
            candidate = Path(found) if found else None
        if candidate is None:
            raise LocalNeo4jError(
                f"Java was not found: install a JDK {MIN_JAVA} or 21 (Debian: apt-get install openjdk-17-jdk-headless) "
                "or set JAVA_HOME to one"
            )
        out = subprocess.run([str(candidate), "-version"], capture_output=True, text=True).stderr
        match = re.search(r'version "(\d+)', out)
        if not match or int(match.group(1)) < MIN_JAVA:
            raise LocalNeo4jError(
                f"{candidate} is not Java {MIN_JAVA}+ ({out.splitlines()[0] if out else 'no version'}): "
                "install a JDK 17 or 21, or set JAVA_HOME to one"
            )
        return candidate

    def _cache_key(self) -> str:
        digest = hashlib.sha256(POM.read_bytes() + LAUNCHER.read_bytes()).hexdigest()
        return digest[:16]

    def classpath(self) -> str:
        """The kernel's runtime classpath, asked of Maven once per pom and then cached."""
        cached = self.settings.cache / f"classpath-{self._cache_key()}.txt"
        if cached.exists():
            entries = cached.read_text(encoding="utf-8").strip()
            if all(Path(p).exists() for p in entries.split(os.pathsep)):
                return entries
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalNeo4jError(
                "Maven (mvn) was not found: it fetches the Neo4j kernel; install it "
                "(Debian: apt-get install maven) and run `supplygraph db start` again"
            )
        self.settings.cache.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [mvn, "-q", "-B", "-f", str(POM), "dependency:build-classpath", f"-Dmdep.outputFile={cached}"],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not cached.exists():
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            raise LocalNeo4jError(f"Maven could not fetch Neo4j {neo4j_version()}:\n{tail}")
        return cached.read_text(encoding="utf-8").strip()

    def launcher_classes(self, java: Path, classpath: str) -> Path:
        """Compiles Launcher.java once per version of it and of the pom."""
        out = self.settings.cache / f"launcher-{self._cache_key()}"
        if (out / "Launcher.class").exists():
            return out
        javac = java.parent / "javac"
        if not javac.exists():
            raise LocalNeo4jError(f"{javac} was not found: a full JDK (not only a JRE) is needed to build the launcher")
        result = subprocess.run(
            [str(javac), "-cp", classpath, "-d", str(out), str(LAUNCHER)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise LocalNeo4jError(f"building {LAUNCHER} failed:\n{result.stderr.strip()}")
        return out

    def build(self) -> list[str]:
        """Fetches and builds what is needed; returns the command that runs the server."""
        java = self.java()
        classpath = self.classpath()
        classes = self.launcher_classes(java, classpath)
        return [
            str(java),
            f"-Xms{self.settings.heap}",
            f"-Xmx{self.settings.heap}",
            "-XX:+UseG1GC",
            # No -XX:+ExitOnOutOfMemoryError: a single value a query builds (a string doubled in reduce(),
            # a huge list) escapes the transaction memory limits below, and the kernel then fails only
            # that query (Neo.TransientError.General.OutOfMemoryError) instead of the whole server.
            # The page cache reaches direct buffers by reflection (faster, less memory).
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "-Dfile.encoding=UTF-8",
            "-cp",
            f"{classes}{os.pathsep}{classpath}",
            "Launcher",
            str(self.home),
            str(self.conf_file),
            str(self.password_file),
        ]

    def write_conf(self) -> None:
        s = self.settings
        heap = size_in_bytes(s.heap, "SUPPLYGRAPH_HEAP")
        lines = {
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"127.0.0.1:{self.port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.port}",
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
            # No query reaches the network: LOAD CSV and procedures refuse every address (IPv4 and IPv6).
            # Neo4j 5.26 has this setting only under its internal name.
            "internal.dbms.cypher_ip_blocklist": "0.0.0.0/0,::/0",
            # Nor a file: LOAD CSV from file:/// URLs is off (the import folder is empty anyway).
            "server.directories.import": str(self.import_dir),
            "dbms.security.allow_csv_import_from_file_urls": "true" if s.csv_file_import else "false",
            # Only the procedures the app, the loader and the console use are loaded at all.
            "dbms.security.procedures.allowlist": ",".join(SERVER_PROCEDURES),
            "db.transaction.timeout": s.transaction_timeout,
            "server.memory.pagecache.size": s.page_cache,
            # Sized from the heap, so that the queries together stay under it: one query at most half
            # of it, all running queries at most three quarters.
            "db.memory.transaction.max": f"{heap // 2 // MIB}m",
            "dbms.memory.transaction.total.max": f"{heap * 3 // 4 // MIB}m",
            "db.logs.query.enabled": "OFF",
            # Bolt's network threads otherwise wait a quiet period of 5 s per connector before they stop
            # (10 s of every `supplygraph db stop`); a local server has no traffic to wait for by then.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        }
        text = "# Written by supplygraph on each start; edit SUPPLYGRAPH_* settings instead.\n"
        text += "".join(f"{k}={v}\n" for k, v in lines.items())
        self.conf_file.write_text(text, encoding="utf-8")

    # Process management.
    def pid(self) -> int | None:
        """The pid of our running server, or None; clears a pid file left by a dead one."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if _is_our_launcher(pid, self.home):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def answers(self) -> bool:
        """True when Bolt accepts our password and answers a query."""
        try:
            # A plain session: execute_query would retry for 30 s on a refused connection.
            with self.driver() as driver, driver.session() as session:
                session.run("RETURN 1").consume()
            return True
        except AuthError as e:
            raise LocalNeo4jError(
                f"Neo4j at {self.uri} refused the password in {self.password_file}: another server may be "
                f"using port {self.port}; stop it or set SUPPLYGRAPH_BOLT_PORT"
            ) from e
        except (DriverError, Neo4jError, OSError):
            return False

    def status(self) -> Status:
        pid = self.pid()
        if pid is None:
            return Status(False, self.uri, None, f"Neo4j is not running (home {self.home})")
        if self.answers():
            return Status(True, self.uri, pid, f"Neo4j {neo4j_version()} is running at {self.uri} (pid {pid})")
        return Status(False, self.uri, pid, f"Neo4j (pid {pid}) is starting or not answering at {self.uri}")

    def start(self, timeout: float = START_TIMEOUT_S) -> str:
        """Starts the server unless it is already up; waits until Bolt answers; returns the URI."""
        pid = self.pid()
        if pid is not None:
            self._wait_until_ready(pid, timeout)
            return self.uri
        command = self.build()
        from graph.neo4j_import import recover_interrupted_import  # here: that module builds on this one

        recover_interrupted_import(self.home)  # a bulk load killed during its import leaves the database as it was
        if _port_in_use(self.port):
            raise LocalNeo4jError(
                f"port {self.port} on 127.0.0.1 is in use by another program: stop it, or choose another port "
                "with SUPPLYGRAPH_BOLT_PORT=NNNN"
            )
        self.make_home()
        self.import_dir.mkdir(exist_ok=True)
        self.password()
        self.write_conf()
        with open(self.log_file, "ab") as log:
            log.write(f"--- starting Neo4j {neo4j_version()} at {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
            log.flush()
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self.pid_file.write_text(f"{process.pid}\n")
        self._wait_until_ready(process.pid, timeout, process)
        return self.uri

    def _wait_until_ready(self, pid: int, timeout: float, process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = process.poll() is not None if process else not _alive(pid)
            if exited:
                self.pid_file.unlink(missing_ok=True)
                raise LocalNeo4jError(self._explain_failed_start())
            if self.answers():
                return
            time.sleep(0.25)
        raise LocalNeo4jError(
            f"Neo4j did not answer at {self.uri} within {timeout:.0f} s; see `supplygraph db logs`, "
            "then `supplygraph db stop` and try again"
        )

    def _explain_failed_start(self) -> str:
        log = self.log_tail(40)
        if "lock" in log.lower() and "locked by another process" in log.lower():
            return (
                f"the database in {self.home} is locked by another process: stop the other Neo4j using this folder "
                "(look for it with `ps aux | grep Launcher`), or set SUPPLYGRAPH_HOME to another folder"
            )
        if "Address already in use" in log or "BindException" in log:
            return f"port {self.port} is in use by another program: set SUPPLYGRAPH_BOLT_PORT to a free port"
        return f"Neo4j exited while starting; the end of {self.log_file}:\n{log}"

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Shuts the server down cleanly (SIGTERM runs Neo4j's shutdown); False if it was not running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            raise LocalNeo4jError(
                f"Neo4j (pid {pid}) did not stop within {timeout:.0f} s and was killed; "
                "it will recover its store on the next start"
            )
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = LOG_LINES) -> str:
        parts = []
        for path in (self.log_file, self.debug_log):
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                parts.append(f"==> {path} <==\n" + "\n".join(text))
        return "\n".join(parts) if parts else f"no logs yet in {self.home}"


def size_in_bytes(text: str, setting: str) -> int:
    """A memory size as the JVM and Neo4j write it (512m, 1g, 2048k, or bytes)."""
    match = re.fullmatch(r"(\d{1,12})([kmg]?)", text.strip().lower())
    if not match:
        raise LocalNeo4jError(f"{setting}={text!r} is not a memory size: write it like 1g or 768m")
    return int(match.group(1)) * {"": 1, "k": 1024, "m": MIB, "g": 1024 * MIB}[match.group(2)]


def _alive(pid: int) -> bool:
    """True while the process runs; reaps it when it is our own child (tests, the app) that exited."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has exited; but the JVM's main thread can be a zombie while its shutdown thread
    # still flushes the store, so only a zombie with no threads left has really ended.
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    except OSError:
        return True
    return not (fields.get("State", "").strip().startswith("Z") and int(fields.get("Threads", "1")) <= 1)


def _reap(pid: int) -> None:
    """Collects our own child once it has ended (_alive can see it end before the kernel lets it be
    collected), so that it does not stay a zombie for as long as this process lives."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # not our child (`supplygraph db stop` of a server another process started), or collected


def _is_our_launcher(pid: int, home: Path) -> bool:
    """True if pid is alive and is the launcher for this home (not a recycled pid)."""
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no /proc (macOS): trust the pid
        return True
    args = cmdline.read_bytes().split(b"\0")
    return b"Launcher" in args and str(home).encode() in args


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

