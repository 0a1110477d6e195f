"""The managed local Neo4j: start, status, stop, restart with data kept, and clear errors."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest

from graph.errors import LocalNeo4jError
from graph.local_neo4j import LocalNeo4j, neo4j_version

from conftest import local_settings


@pytest.fixture
def fresh(tmp_path: Path) -> LocalNeo4j:
    local = LocalNeo4j(local_settings(tmp_path / "home"))
    yield local
    local.stop()


def test_start_status_stop_restart_keeps_data(fresh: LocalNeo4j) -> None:
    assert fresh.status().running is False
    assert fresh.start() == fresh.uri
    state = fresh.status()
    assert state.running and state.pid is not None
    assert f"Neo4j {neo4j_version()} is running at {fresh.uri}" in state.message

    with fresh.driver() as driver:
        driver.execute_query("CREATE (:Probe {name: 'kept'})")

    # A second start is a no-op on the same process.
    assert fresh.start() == fresh.uri
    assert fresh.status().pid == state.pid

    assert fresh.stop() is True
    assert not fresh.pid_file.exists()
    assert not _process_exists(state.pid)
    assert fresh.status().running is False
    assert fresh.stop() is False

    fresh.start()
    with fresh.driver() as driver:
        names = driver.execute_query("MATCH (p:Probe) RETURN p.name AS name").records
    assert [r["name"] for r in names] == ["kept"]


def test_password_file_is_private_and_default_password_refused(server: LocalNeo4j) -> None:
    mode = stat.S_IMODE(server.password_file.stat().st_mode)
    assert mode == 0o600
    import neo4j
    from neo4j.exceptions import AuthError

    with pytest.raises(AuthError):
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "neo4j")) as driver:
            driver.verify_connectivity()


def test_listens_on_loopback_only(server: LocalNeo4j) -> None:
    conf = server.conf_file.read_text()
    assert f"server.bolt.listen_address=127.0.0.1:{server.port}" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert "dbms.usage_report.enabled=false" in conf
    # ss (iproute2, installed by scripts/setup.sh) shows the listening socket itself.
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{server.port}"], capture_output=True, text=True, check=True)
    local_addresses = [line.split()[3] for line in listening.stdout.splitlines()]
    assert local_addresses, listening.stdout
    assert all(a.endswith(f"127.0.0.1]:{server.port}") or a == f"127.0.0.1:{server.port}" for a in local_addresses)


def test_busy_port_is_reported(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        local = LocalNeo4j(local_settings(tmp_path / "home", port))
        with pytest.raises(LocalNeo4jError, match=f"port {port} on 127.0.0.1 is in use by another program"):
            local.start()


def test_stale_pid_file_is_cleared(fresh: LocalNeo4j) -> None:
    fresh.home.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    fresh.pid_file.write_text(f"{dead.pid}\n")
    assert fresh.status().running is False
    assert not fresh.pid_file.exists()


def test_store_locked_by_another_process(fresh: LocalNeo4j, tmp_path: Path) -> None:
    fresh.start()
    # A second server on the same folder (our pid file hidden from it) must not corrupt the store.
    fresh.pid_file.rename(tmp_path / "saved.pid")
    second = LocalNeo4j(local_settings(fresh.home))
    try:
        with pytest.raises(LocalNeo4jError, match="is locked by another process"):
            second.start()
    finally:
        (tmp_path / "saved.pid").rename(fresh.pid_file)


def test_missing_java_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LocalNeo4jError, match="Java was not found: install a JDK"):
        LocalNeo4j(local_settings(tmp_path / "home")).start()


def test_missing_maven_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = LocalNeo4j(local_settings(tmp_path / "home")).java()
    monkeypatch.setenv("JAVA_HOME", str(java.parent.parent))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("SUPPLYGRAPH_CACHE", str(tmp_path / "empty-cache"))
    from graph.config import load_local_settings
    import dataclasses

    settings = dataclasses.replace(load_local_settings(), home=tmp_path / "home")
    with pytest.raises(LocalNeo4jError, match=r"Maven \(mvn\) was not found"):
        LocalNeo4j(settings).start()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_password_never_appears_in_logs_or_errors(server: LocalNeo4j, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from graph.cli import cli

    password = server.password()
    monkeypatch.setenv("NEO4J_URI", server.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", password + "-wrong")
    refused = CliRunner().invoke(cli, ["cypher", "RETURN 1"])
    assert refused.exit_code == 1 and "refused user 'neo4j'" in refused.output
    assert password not in refused.output
    assert password not in server.log_tail(100000)
    assert password not in server.conf_file.read_text()
