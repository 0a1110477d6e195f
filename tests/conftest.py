"""Test fixtures: one real Neo4j for the session, on a free port, in a temporary folder."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Iterator

import pytest

from graph.config import LocalSettings, Settings, load_local_settings
from graph.db import Connection, connect
from graph.local_neo4j import USERNAME, LocalNeo4j, free_port

ROOT = Path(__file__).resolve().parent.parent


def local_settings(home: Path, port: int | None = None) -> LocalSettings:
    """Settings for a throwaway server; the build cache is shared so Maven runs once."""
    return dataclasses.replace(
        load_local_settings({}), home=home, bolt_port=port or free_port(), heap="768m", page_cache="128m"
    )


@contextlib.contextmanager
def running(local: LocalNeo4j) -> Iterator[LocalNeo4j]:
    """A test server started, and stopped afterwards whatever happened (the one way tests start one)."""
    local.start()
    try:
        yield local
    finally:
        local.stop()


def server_settings(local: LocalNeo4j) -> Settings:
    return Settings(uri=local.uri, username=USERNAME, password=local.password(), database=None)


@contextlib.contextmanager
def connected(local: LocalNeo4j) -> Iterator[Connection]:
    """A connection to a test server, closed afterwards."""
    conn = connect(server_settings(local))
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    with running(LocalNeo4j(local_settings(tmp_path_factory.mktemp("neo4j-home")))) as local:
        yield local


@pytest.fixture(scope="session")
def settings(server: LocalNeo4j) -> Settings:
    return server_settings(server)


@pytest.fixture(scope="session")
def session_conn(server: LocalNeo4j) -> Iterator[Connection]:
    with connected(server) as conn:
        yield conn


@pytest.fixture
def conn(session_conn: Connection) -> Connection:
    """The session's database, emptied of data (constraints and indexes stay)."""
    with session_conn.driver.session(database=session_conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    return session_conn


@pytest.fixture
def neo4j_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Points the CLI at the session's database through the NEO4J_* variables."""
    env = {"NEO4J_URI": settings.uri or "", "NEO4J_USERNAME": settings.username,
           "NEO4J_PASSWORD": settings.password or ""}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(scope="module")
def loaded(session_conn: Connection, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small valid folder (tests/datafolder.py) loaded once per module; returns its fingerprint,
    which every refused load or query must leave unchanged."""
    from datafolder import write_folder
    from graph.loader import load_folder
    from oracles import fingerprint

    with session_conn.driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
    load_folder(session_conn, write_folder(tmp_path_factory.mktemp("valid")))
    return fingerprint(session_conn)


@pytest.fixture(scope="module")
def seed_only(session_conn: Connection) -> Connection:
    """The session's database holding exactly the seed data, loaded once for the module that asks."""
    from graph.cli import SEED_DIR
    from graph.loader import load_folder

    with session_conn.driver.session(database=session_conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    load_folder(session_conn, SEED_DIR)
    return session_conn
