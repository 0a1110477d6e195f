"""The package's exceptions: one root, a few specific kinds, each message saying what to do."""


class SupplyGraphError(Exception):
    """Root of every error supplygraph raises on purpose; the CLI and app show its message."""


class ConfigError(SupplyGraphError):
    """A setting or a secrets file is wrong."""


class LocalNeo4jError(SupplyGraphError):
    """The managed local Neo4j cannot be built, started, stopped or reached."""


class DatabaseUnavailable(SupplyGraphError):
    """No Neo4j answers at the configured address, or it refused our credentials."""


class QueryError(SupplyGraphError):
    """A Cypher query is malformed, refused, or failed on the server."""
