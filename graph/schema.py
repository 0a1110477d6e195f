"""The database's constraints and indexes (`cypher/schema/schema.cypher`), created before a load's writes."""

from __future__ import annotations

import re
from pathlib import Path

from graph.db import Connection
from graph.load_server import server_errors
from graph.shipped import shipped

SCHEMA_FILE = shipped("cypher") / "schema" / "schema.cypher"


def schema_statements(path: Path = SCHEMA_FILE) -> list[str]:
    """The statements of a .cypher file of several statements, comments dropped."""
    text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.strip().startswith("//"))
    return [s.strip() for s in text.split(";") if s.strip()]


def schema_name(statement: str) -> str | None:
    """The name a schema statement creates ("CREATE [FULLTEXT ]INDEX|CONSTRAINT name IF NOT EXISTS ...")."""
    match = re.match(r"CREATE\s+(?:\w+\s+)?(?:INDEX|CONSTRAINT)\s+(\w+)", statement, re.IGNORECASE)
    return match.group(1) if match else None


def apply_schema(conn: Connection, relationships: bool = True) -> None:
    """Creates the constraints and indexes the database lacks, in one transaction, and waits until they
    are online.

    relationships=False leaves out those on relationships (`FOR ()-[r:TYPE]-()`): a load into an empty
    database creates them after its writes, when each is built in one pass instead of updated row by row.
    Statements whose name the database already has are not sent: each schema statement is a commit of
    its own cost, even when IF NOT EXISTS makes it a no-op.
    """
    with server_errors(conn, "the schema"), conn.driver.session(database=conn.database) as session:
        present = {record["name"] for query in ("SHOW CONSTRAINTS YIELD name", "SHOW INDEXES YIELD name")
                   for record in session.run(query)}
        missing = [s for s in schema_statements()
                   if (relationships or "()-[" not in s) and schema_name(s) not in present]
        if missing:
            session.execute_write(lambda tx: [tx.run(s).consume() for s in missing])
        session.run("CALL db.awaitIndexes(300)").consume()


def await_fulltext_indexes(conn: Connection) -> None:
    """Waits until the eventually consistent full-text indexes hold every write of the load."""
    with server_errors(conn, "a wait for the full-text index"), \
            conn.driver.session(database=conn.database) as session:
        session.run("CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()").consume()
