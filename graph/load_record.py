"""What the graph was loaded from, and when: one `LoadRecord` node, written when a load succeeds.

The brief's footer and the story picture name the data folder (or workbook) and the load's date from
it, so the same graph gives the same bytes whatever the clock says when the picture is drawn. It is
bookkeeping, like `DerivedState`: no relationship, not counted as base data (graph.derive), left out
of the tests' graph fingerprints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from graph.db import Connection
from graph.derive import DERIVED_NODE_LABELS
from graph.explore import app_query
from graph.load_server import write
from graph.queries import run_query

LOAD_LABEL = "LoadRecord"
# The labels of nodes no folder holds: derived facts and load records.
COMPUTED_LABELS = frozenset({*DERIVED_NODE_LABELS, LOAD_LABEL})
RECORD = "last"  # the one node's name: the last load is what the graph holds


@dataclass(frozen=True)
class LoadRecord:
    source: str  # the folder's or workbook's name (not its path: a brief is handed to others)
    loaded_at: str  # ISO, UTC, to the second
    rows: int
    method: str


def record_load(conn: Connection, source: str, rows: int, method: str, at: dt.datetime | None = None) -> None:
    """Writes the record of a load that has just succeeded (replacing the one before)."""
    when = (at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    write(conn, f"MERGE (r:{LOAD_LABEL} {{name: $name}}) "
                "SET r.source = $source, r.loaded_at = $at, r.rows = $rows, r.method = $method",
          {"name": RECORD, "source": source, "at": when, "rows": rows, "method": method})


def last_load(conn: Connection) -> LoadRecord | None:
    """The record of the load the graph holds, or None (loaded before loads were recorded, or by hand)."""
    _, rows = run_query(conn, app_query("last_load"))
    if not rows:
        return None
    row = rows[0]
    return LoadRecord(str(row["source"] or ""), str(row["loaded_at"] or ""), int(row["rows"] or 0),
                      str(row["method"] or ""))


def data_words(record: LoadRecord | None) -> str:
    """"Data: seed_data, loaded 2026-12-01 15:02 UTC (887 rows)", or what is known when nothing was recorded."""
    if record is None:
        return "Data: not recorded (loaded before supplygraph recorded its loads; load it again to record it)"
    when = record.loaded_at.replace("T", " ")[:16]
    return f"Data: {record.source}, loaded {when} UTC ({record.rows:,} rows)"
