"""Faults: Neo4j killed in the middle of a load; the same load run again gives the clean graph."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from graph.db import connect
from graph.generate import generate
from graph.loader import load_folder
from graph.local_neo4j import USERNAME, LocalNeo4j

from conftest import ROOT, local_settings, running, server_settings
from oracles import fingerprint


def test_kill_during_load_then_rerun_gives_the_clean_graph(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    generate(folder, relationships=30_000, seed=7)
    with running(LocalNeo4j(local_settings(tmp_path / "home"))) as local:
        settings = server_settings(local)
        conn = connect(settings)
        load_folder(conn, folder, batch_size=1000)
        clean = fingerprint(conn)
        with conn.driver.session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        conn.close()

        env = {**os.environ, "NEO4J_URI": local.uri, "NEO4J_USERNAME": USERNAME, "NEO4J_PASSWORD": local.password()}
        loading = subprocess.Popen([sys.executable, "-m", "graph", "load", str(folder), "--batch-size", "1000"],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with local.driver() as driver:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                written = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
                if written > 3000:
                    break
                time.sleep(0.05)
        assert loading.poll() is None, "the load finished before it could be interrupted"
        os.kill(local.pid(), signal.SIGKILL)
        output, _ = loading.communicate(timeout=120)
        assert loading.returncode == 1
        assert "Error: Neo4j at" in output and "rerun the same load" in output, output
        assert "Traceback" not in output

        local.start()  # recovers the store after the kill
        conn = connect(settings)
        summary = load_folder(conn, folder, batch_size=1000)
        assert summary.total("unchanged") > 0 and summary.total("created") > 0  # it picked up where it stopped
        assert fingerprint(conn) == clean
        conn.close()
