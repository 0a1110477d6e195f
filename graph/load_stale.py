"""Deleting what a load's folder no longer holds: relationships whose id moved to another type, and
with `replace`, every node and relationship not in the folder.

The folder's ids are read again from the files into sorted 64-bit hashes, and the database's ids are
streamed against them: memory stays small whatever the size. Equal hashes of different ids (odds about
n^2 / 2^64) could only keep something stale, never delete what the folder holds: only an absent hash
makes a deletion, and a "moved" id is confirmed by its text.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from typing import Any, Iterator

import numpy as np

from graph.db import Connection
from graph.load_record import COMPUTED_LABELS
from graph.load_cypher import ALL_RELATIONSHIP_TYPES, NODE_LABELS, SPEC_OF_LABEL
from graph.load_rows import folder_cells
from graph.load_server import BATCH_SIZE, stream_ids, write
from graph.model import POSITION_TYPE, POSITIONS, RELATIONSHIPS
from graph.validate import FolderIndex


def delete_stale(conn: Connection, index: FolderIndex, replace: bool) -> Counter:
    """Deletes relationships whose id moved to another type, and with replace, all not in the folder.

    Returns how many were deleted, per label or relationship type ("other" for what the model does not
    know: other labels and relationship types, deleted by replace).
    """
    deleted: Counter = Counter()
    rel_columns = (RELATIONSHIPS.columns.index("type"), RELATIONSHIPS.columns.index("id"))
    # (type, id) of every relationship in the folder; and the ids of relationships.csv of any type,
    # since an id can move between its types (positions.csv is a file of its own).
    in_folder = _sorted_hashes(itertools.chain(
        ((POSITION_TYPE, cells[0]) for _, cells in folder_cells(index, POSITIONS)),
        ((cells[rel_columns[0]], cells[rel_columns[1]]) for _, cells in folder_cells(index, RELATIONSHIPS))))
    in_relationship_file = _sorted_hashes(cells[rel_columns[1]] for _, cells in folder_cells(index, RELATIONSHIPS))
    for rel_type in ALL_RELATIONSHIP_TYPES:
        stale: list[Any] = []
        for ids in stream_ids(conn, f"MATCH ()-[r:{rel_type}]->() RETURN r.id AS id"):
            own = _member(in_folder, [(rel_type, i) for i in ids])
            if replace:
                stale += [i for i, mine in zip(ids, own) if not mine]
            elif rel_type != POSITION_TYPE:
                moved = _member(in_relationship_file, ids)
                stale += [i for i, mine, there in zip(ids, own, moved) if there and not mine]
        if stale and not replace:  # confirm by text that each moved id is in relationships.csv
            candidates = set(stale)
            found = {cells[rel_columns[1]] for _, cells in folder_cells(index, RELATIONSHIPS)
                     if cells[rel_columns[1]] in candidates}
            stale = [i for i in stale if i in found]
        _delete(conn, f"UNWIND $ids AS id MATCH ()-[r:{rel_type} {{id: id}}]->() DELETE r", stale)
        deleted[rel_type] += len(stale)
    if not replace:
        return +deleted
    for label in NODE_LABELS.values():
        in_file = _sorted_hashes(cells[0] for _, cells in folder_cells(index, SPEC_OF_LABEL[label]))
        stale = []
        for ids in stream_ids(conn, f"MATCH (n:{label}) RETURN n.id AS id"):
            stale += [i for i, there in zip(ids, _member(in_file, ids)) if not there]
        _delete(conn, f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) DETACH DELETE n", stale)
        deleted[label] += len(stale)
    # Anything else (other labels, other relationship types) is not part of the folder either; derived
    # facts are the derivation's to keep exact, the load record the load's (rewritten when it ends).
    kept = [*NODE_LABELS.values(), *sorted(COMPUTED_LABELS)]
    deleted["other"] += write(conn, """
        MATCH (n) WHERE NOT any(label IN labels(n) WHERE label IN $kept)
        DETACH DELETE n RETURN count(*) AS n""", {"kept": kept}).records[0]["n"]
    deleted["other"] += write(conn, "MATCH ()-[r]->() WHERE NOT type(r) IN $types DELETE r RETURN count(*) AS n",
                              {"types": [*ALL_RELATIONSHIP_TYPES, "SOURCED_FROM"]}).records[0]["n"]
    return +deleted  # only the kinds with deletions


def _delete(conn: Connection, text: str, ids: list[Any]) -> None:
    for start in range(0, len(ids), BATCH_SIZE):
        write(conn, text, {"ids": ids[start:start + BATCH_SIZE]})


def _sorted_hashes(values: Iterator[Any]) -> np.ndarray:
    hashes = array("q", (hash(v) for v in values))
    return np.sort(np.frombuffer(hashes, dtype=np.int64)) if hashes else np.zeros(0, dtype=np.int64)


def _member(ordered: np.ndarray, values: list[Any]) -> np.ndarray:
    """For each value, whether its hash is in `ordered` (sorted)."""
    hashes = np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values))
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, hashes), len(ordered) - 1)
    return ordered[at] == hashes
