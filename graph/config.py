"""Connection settings shared by the CLI and the app.

The names are the ones Neo4j's own tools use (NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD,
NEO4J_DATABASE). They are read from the environment first, then from `.streamlit/secrets.toml`.
No NEO4J_URI means the managed local Neo4j (see graph.local_neo4j), started on demand.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from graph.errors import ConfigError

SECRETS_FILE = Path(".streamlit") / "secrets.toml"
CONNECTION_KEYS = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")
DEFAULT_BOLT_PORT = 7687


@dataclass(frozen=True)
class Settings:
    """Where the graph lives and how to log in.

    Attributes:
        uri: a Bolt or routing URI (bolt://, neo4j://, neo4j+s:// ...), or None for the
            managed local Neo4j.
        username: the Neo4j user.
        password: the password, or None to use the managed local Neo4j's generated one.
        database: the database name, or None for the server's default database.
    """

    uri: str | None
    username: str
    password: str | None
    database: str | None

    @property
    def is_local(self) -> bool:
        return self.uri is None


@dataclass(frozen=True)
class LocalSettings:
    """Where and how the managed local Neo4j runs."""

    home: Path
    cache: Path
    bolt_port: int
    heap: str
    page_cache: str
    transaction_timeout: str
    # LOAD CSV from file:/// URLs in the import folder; off, so no query can read files. Only the
    # loading benchmark turns it on, to compare our loader with Neo4j's own LOAD CSV.
    csv_file_import: bool = False


def read_secrets(path: Path = SECRETS_FILE) -> dict[str, str]:
    """Reads the NEO4J_* keys of a Streamlit secrets file, top level or under [neo4j]."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e}); fix or remove the file") from e
    section = data.get("neo4j", {})
    found: dict[str, str] = {}
    for key in CONNECTION_KEYS:
        short = key.removeprefix("NEO4J_").lower()
        value = data.get(key, section.get(short) if isinstance(section, dict) else None)
        if value is not None:
            found[key] = str(value)
    return found


def load_settings(env: Mapping[str, str] | None = None, secrets_path: Path = SECRETS_FILE) -> Settings:
    """Builds the connection settings from the environment, then the secrets file."""
    env = os.environ if env is None else env
    values = read_secrets(secrets_path)
    values.update({k: env[k] for k in CONNECTION_KEYS if env.get(k)})
    uri = values.get("NEO4J_URI") or None
    if uri is not None and "://" not in uri:
        raise ConfigError(f"NEO4J_URI={uri!r} is not a URI: use e.g. neo4j+s://xxxx.databases.neo4j.io")
    if uri is not None and not values.get("NEO4J_PASSWORD"):
        raise ConfigError(f"NEO4J_URI is set to {uri} but NEO4J_PASSWORD is not: set both")
    return Settings(
        uri=uri,
        username=values.get("NEO4J_USERNAME", "neo4j"),
        password=values.get("NEO4J_PASSWORD") if uri else None,
        database=values.get("NEO4J_DATABASE") or None,
    )


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def load_local_settings(env: Mapping[str, str] | None = None) -> LocalSettings:
    """Settings of the managed local Neo4j: data folder, port and memory, from SUPPLYGRAPH_*."""
    env = os.environ if env is None else env
    port_text = env.get("SUPPLYGRAPH_BOLT_PORT", str(DEFAULT_BOLT_PORT))
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise ConfigError(f"SUPPLYGRAPH_BOLT_PORT={port_text!r} is not a port number (1-65535)") from None
    home = Path(env["SUPPLYGRAPH_HOME"]) if env.get("SUPPLYGRAPH_HOME") else _xdg("XDG_DATA_HOME", ".local/share") / "supplygraph"
    cache = Path(env["SUPPLYGRAPH_CACHE"]) if env.get("SUPPLYGRAPH_CACHE") else _xdg("XDG_CACHE_HOME", ".cache") / "supplygraph"
    return LocalSettings(
        home=home.expanduser().resolve(),
        cache=cache.expanduser().resolve(),
        bolt_port=port,
        heap=env.get("SUPPLYGRAPH_HEAP", "1g"),
        page_cache=env.get("SUPPLYGRAPH_PAGE_CACHE", "512m"),
        transaction_timeout=env.get("SUPPLYGRAPH_TX_TIMEOUT", "120s"),
    )
