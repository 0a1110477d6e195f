"""Limits the server enforces whatever a client sends (graph.local_neo4j writes them into neo4j.conf),
and what happens when something still gets through: a query that runs the server out of heap, a
server killed in the middle of a session.

One server of its own for this module (not the session's): these tests exhaust and kill it. Its
queries go straight to the driver where the point is the server's own limit, past our console guard.
"""

from __future__ import annotations

import dataclasses
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import neo4j
import pytest
from neo4j.exceptions import ClientError
from streamlit.testing.v1 import AppTest

from graph.db import Connection
from graph.errors import DatabaseUnavailable, QueryError
from graph.loader import load_folder
from graph.local_neo4j import MIB, USERNAME, LocalNeo4j, size_in_bytes

from conftest import ROOT, connected, local_settings, running
from test_app import type_cypher
from oracles import fingerprint

EVIL_PLUGIN = """
package evil;

import java.util.stream.Stream;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;
import org.neo4j.procedure.UserFunction;

public class Evil {
    public static class Out {
        public String value;
        public Out(String value) { this.value = value; }
    }

    @Procedure(name = "evil.hello", mode = Mode.READ)
    public Stream<Out> hello() { return Stream.of(new Out("hello")); }

    @UserFunction(name = "evil.shout")
    public String shout(@Name("s") String s) { return s.toUpperCase(); }
}
"""


def build_plugin(local: LocalNeo4j, work: Path) -> Path:
    """A real plugin jar (one procedure, one function) in the server's plugins folder."""
    java = local.java()
    source = work / "evil" / "Evil.java"
    source.parent.mkdir(parents=True)
    source.write_text(EVIL_PLUGIN)
    classes = work / "classes"
    subprocess.run([str(java.parent / "javac"), "-cp", local.classpath(), "-d", str(classes), str(source)], check=True,
                   capture_output=True)
    plugins = local.home / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    jar = plugins / "evil.jar"
    subprocess.run([str(java.parent / "jar"), "cf", str(jar), "-C", str(classes), "."], check=True, capture_output=True)
    return jar


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    home = tmp_path_factory.mktemp("limits") / "home"  # made by LocalNeo4j, so its mode is ours
    local = LocalNeo4j(dataclasses.replace(local_settings(home), transaction_timeout="5s"))
    local.make_home()
    build_plugin(local, tmp_path_factory.mktemp("plugin"))
    with running(local):
        yield local


@pytest.fixture(scope="module")
def limited_conn(limited: LocalNeo4j) -> Iterator[Connection]:
    with connected(limited) as conn:
        yield conn


def run(local: LocalNeo4j, query: str, **params) -> list[dict]:
    with local.driver() as driver, driver.session() as session:
        return session.run(query, params).data()


def test_the_home_folder_and_password_are_private(limited: LocalNeo4j) -> None:
    assert limited.home.stat().st_mode & 0o777 == 0o700
    assert limited.password_file.stat().st_mode & 0o777 == 0o600


def test_a_plugin_procedure_off_the_allowlist_does_not_exist(limited: LocalNeo4j) -> None:
    # The plugin is really there (the server read it and says why it did not load it) ...
    log = (limited.home / "logs" / "debug.log").read_text()
    assert "evil.hello" in log and "allowlist" in log.lower()
    # ... and neither its procedure nor its function can be called by any query.
    with pytest.raises(ClientError, match="no procedure with the name `evil.hello`"):
        run(limited, "CALL evil.hello()")
    with pytest.raises(ClientError, match="Unknown function 'evil.shout'"):
        run(limited, "RETURN evil.shout('x') AS x")
    assert run(limited, "CALL db.labels() YIELD label RETURN count(*) AS n") == [{"n": 0}]  # listed: loaded


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"id\nleaked\n")

    def log_message(self, *args) -> None:
        pass


def test_no_query_reaches_the_network(limited: LocalNeo4j) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        for url in (f"http://127.0.0.1:{port}/x.csv", f"http://localhost:{port}/x.csv"):
            with pytest.raises(ClientError, match="is blocked via the configuration property"):
                run(limited, "LOAD CSV FROM $url AS line RETURN line", url=url)
        assert _Recorder.requests == []  # not one request left the server
    finally:
        server.shutdown()


def test_load_csv_cannot_read_files(limited: LocalNeo4j) -> None:
    (limited.import_dir / "secret.csv").write_text("id\nsecret\n")
    with pytest.raises(ClientError, match="dbms.security.allow_csv_import_from_file_urls' is false"):
        run(limited, "LOAD CSV FROM 'file:///secret.csv' AS line RETURN line")


def test_memory_limits_are_in_force_and_sized_from_the_heap(limited: LocalNeo4j) -> None:
    heap = size_in_bytes(limited.settings.heap, "heap")
    rows = run(limited, "SHOW SETTINGS YIELD name, value WHERE name IN ['db.memory.transaction.max', "
                        "'dbms.memory.transaction.total.max', 'db.transaction.timeout'] RETURN name, value")
    values = {r["name"]: r["value"] for r in rows}
    assert values == {"db.memory.transaction.max": f"{heap // 2 // MIB:.2f}MiB",
                      "dbms.memory.transaction.total.max": f"{heap * 3 // 4 // MIB:.2f}MiB",
                      "db.transaction.timeout": "5s"}


def test_the_server_timeout_holds_for_a_client_that_sets_none(limited: LocalNeo4j, limited_conn: Connection) -> None:
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"ran longer than the server's transaction timeout \(db.transaction.timeout\)"):
        limited_conn.read("UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 1000) AS c "
                          "RETURN count(*)", timeout=None)
    assert time.monotonic() - started < 30


def test_a_query_that_exhausts_the_heap_fails_alone(limited: LocalNeo4j, limited_conn: Connection,
                                                     tmp_path: Path) -> None:
    # A string doubled in reduce() escapes the transaction memory limits (Neo4j does not count a value
    # while an expression builds it); the heap runs out. The server fails that query, stays up, and
    # the graph is as it was.
    from datafolder import write_folder
    from graph.readonly import run_read_only

    load_folder(limited_conn, write_folder(tmp_path / "valid"))
    before = fingerprint(limited_conn)
    pid = limited.pid()
    for query in ("RETURN size(reduce(s = 'xy', i IN range(1, 40) | s + s)) AS n",
                  "RETURN size([x IN range(1, 1000000000) | x]) AS n"):
        with pytest.raises(QueryError, match=r"ran out of memory \(Java heap\) on this query|more memory than"):
            run_read_only(limited_conn, query, timeout=60)
        assert limited.pid() == pid
        assert limited_conn.read("RETURN 1 AS ok").records[0]["ok"] == 1
    assert fingerprint(limited_conn) == before


def _kill(local: LocalNeo4j) -> None:
    pid = local.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while local.pid() is not None and time.monotonic() < deadline:
        time.sleep(0.1)


def test_killed_mid_session_the_cli_and_app_say_so_and_the_app_restarts_it(
        limited: LocalNeo4j, limited_conn: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    # Last in this module: the server is killed (SIGKILL, as the kernel's OOM killer would).
    before = fingerprint(limited_conn)
    env = {**os.environ, "SUPPLYGRAPH_HOME": str(limited.home), "SUPPLYGRAPH_BOLT_PORT": str(limited.port)}
    env.pop("NEO4J_URI", None)
    cli = [sys.executable, "-m", "graph", "cypher", "MATCH (o:Organization) RETURN count(o) AS n"]
    assert subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, text=True).returncode == 0

    # A query running when the server dies: the console's words, no traceback.
    slow = "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 300) AS c RETURN count(*)"
    killer = threading.Timer(1.0, _kill, [limited])
    killer.start()
    from graph.readonly import run_read_only
    with pytest.raises(DatabaseUnavailable, match=rf"^Neo4j is not reachable at {limited.uri}: start it with "
                                                  r"`supplygraph db start`"):
        run_read_only(limited_conn, slow, timeout=60)
    killer.join()
    assert limited.pid() is None

    # The CLI names the one command (a CLI on a remote URI cannot start anything).
    remote = {**env, "NEO4J_URI": limited.uri, "NEO4J_USERNAME": USERNAME, "NEO4J_PASSWORD": limited.password()}
    down = subprocess.run(cli, cwd=ROOT, env=remote, capture_output=True, text=True)
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert f"Error: Neo4j is not reachable at {limited.uri}: start it with `supplygraph db start`" in down.stderr

    # The app, on the managed local Neo4j, starts it again and answers; nothing committed is lost.
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SUPPLYGRAPH_HOME", str(limited.home))
    monkeypatch.setenv("SUPPLYGRAPH_BOLT_PORT", str(limited.port))
    monkeypatch.chdir(tmp_secrets_free_dir(limited.home))
    import streamlit as st
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "2_Cypher_console.py"), default_timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "started again" in " ".join(i.value for i in at.info)
    assert limited.pid() is not None
    type_cypher(at, "MATCH (o:Organization) RETURN count(o) AS n")
    at.button(key="run_cypher").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.dataframe[0].value["n"].tolist() == [run(limited, "MATCH (o:Organization) RETURN count(o) AS n")[0]["n"]]
    with neo4j.GraphDatabase.driver(limited.uri, auth=(USERNAME, limited.password())) as driver:
        after = Connection(driver, None, limited.uri)
        assert fingerprint(after) == before


def tmp_secrets_free_dir(home: Path) -> Path:
    """A working folder without .streamlit/secrets.toml, so the app reads its settings from the environment."""
    folder = home.parent / "cwd"
    folder.mkdir(exist_ok=True)
    return folder
