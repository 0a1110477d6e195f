"""The wheel: built from the tree, it holds the tree's files; installed in a fresh venv outside the clone,
its `supplygraph` lists the stored queries, loads the seed it ships and runs the app."""

from __future__ import annotations

import csv
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from graph.db import Connection
from graph.local_neo4j import LocalNeo4j, neo4j_version
from graph.queries import load_queries

from conftest import ROOT
from oracles import count_graph


def seed_rows(path: Path) -> int:
    """The data rows of one seed file (blank lines aside), as the loader counts them."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return sum(1 for row in list(csv.reader(f))[1:] if any(cell.strip() for cell in row))


def tree_files() -> dict[str, Path]:
    """What graph/ holds in the tree, links followed (the data they point to), bytecode left out."""
    found = {}
    for folder, dirs, files in os.walk(ROOT / "graph", followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(ROOT).as_posix()] = path
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built, as CI builds it, from a copy of the files git knows (tracked, or new and not ignored),
    so nothing a build left in the clone (build/, egg-info) can slip in."""
    source = tmp_path_factory.mktemp("source")
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        origin, copy = ROOT / name, source / name
        if not os.path.lexists(origin):  # deleted in the working tree, not yet in git
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            os.symlink(os.readlink(origin), copy)
        else:
            shutil.copy2(origin, copy)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                   check=True, capture_output=True)
    (built,) = out.glob("supplygraph-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the clone with the wheel installed (and its pinned dependencies)."""
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    # --no-compile: byte-compiling the dependencies would triple the install time and test nothing of ours.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(home / "bin" / "python"), "install", "-q",
                    "--no-compile", str(wheel)], check=True, capture_output=True)
    return home


@pytest.fixture
def outside(tmp_path: Path, neo4j_env: dict[str, str]) -> dict:
    """subprocess.run arguments: a folder outside the clone, the test server, nothing of the clone's venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(neo4j_env)
    return {"cwd": tmp_path, "env": env, "capture_output": True, "text": True, "timeout": 300}


def test_the_wheel_holds_the_trees_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name: archive.read(name) for name in archive.namelist() if name.startswith("graph/")}
    tree = tree_files()
    assert sorted(shipped) == sorted(tree)
    assert [name for name, data in shipped.items() if data != tree[name].read_bytes()] == []
    # The data is there under the names the code asks for, and the links' targets are what ships.
    for name in ("graph/cypher/schema/schema.cypher", "graph/seed_data/organizations.csv",
                 "graph/explorer/app.py", "graph/explorer/pages/1_Query_gallery.py"):
        assert name in shipped
    assert shipped["graph/explorer/app.py"] == (ROOT / "app.py").read_bytes()


def test_installed_supplygraph_runs_outside_the_clone(venv: Path, outside: dict, conn: Connection,
                                                     server: LocalNeo4j) -> None:
    supplygraph = str(venv / "bin" / "supplygraph")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    shown = subprocess.run([supplygraph, "--version"], **outside)
    assert shown.stdout.strip() == f"supplygraph, version {version}" == \
        f"supplygraph, version {importlib.metadata.version('supplygraph')}"

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import graph, graph.shipped as s; "
                            "print(graph.__file__); print(s.shipped('seed_data'))"], **outside)
    assert where.returncode == 0, where.stderr
    assert all(Path(line).resolve().is_relative_to(venv.resolve()) for line in where.stdout.split())

    # The managed Neo4j from the package's own server sources (the pom names the version): the test's server.
    local = {"SUPPLYGRAPH_HOME": str(server.home), "SUPPLYGRAPH_BOLT_PORT": str(server.port),
             "SUPPLYGRAPH_CACHE": str(server.settings.cache)}
    status = subprocess.run([supplygraph, "db", "status"], **{**outside, "env": {**outside["env"], **local}})
    assert status.returncode == 0 and status.stdout.startswith(f"Neo4j {neo4j_version()} is running"), status

    listed = subprocess.run([supplygraph, "queries", "--format", "json"], **outside)
    assert listed.returncode == 0, listed.stderr
    assert [q["name"] for q in json.loads(listed.stdout)] == list(load_queries())

    loaded = subprocess.run([supplygraph, "load"], **outside)  # the seed the wheel ships
    assert loaded.returncode == 0, loaded.stderr
    # The wheel ships the whole seed: as many rows as the clone's seed_data/ holds.
    seed = {path.name: seed_rows(path) for path in (ROOT / "seed_data").glob("*.csv")}
    assert f"{venv.resolve()}/" in loaded.stderr and f"graph/seed_data: {sum(seed.values())} rows valid" in loaded.stderr
    counts = count_graph(conn)
    assert (counts["Organization"], counts["Person"], counts["Source"]) == \
        (seed["organizations.csv"], seed["people.csv"], seed["sources.csv"])

    app = subprocess.run([str(venv / "bin" / "python"), "-c", """
from streamlit.testing.v1 import AppTest
from graph.shipped import shipped
at = AppTest.from_file(str(shipped("explorer/app.py")), default_timeout=60).run()
assert not at.exception, at.exception
print(at.title[0].value)
print(len(at.get("iframe")))
at.switch_page("pages/1_Query_gallery.py").run()  # the pages ship beside the app
assert not at.exception, at.exception
print(at.title[0].value)"""], **outside)
    assert app.returncode == 0, app.stderr
    assert app.stdout.split("\n")[:3] == ["The AI supply chain, as a network", "1", "Query gallery"]
