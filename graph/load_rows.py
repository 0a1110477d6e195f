"""The rows a load sends, built from a checked folder: read, converted, hashed, cut into batches.

Rows are built by position, without json's sort_keys, and must hash exactly as
`graph.validate.row_hash(convert(...))` does, or every row of an earlier load would count as updated
(tests/test_loader.py proves they do). Batches are made one ahead, in a worker thread, while the
server writes the one before (`prefetched`).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generator, Iterator

from graph.errors import SupplyGraphError
from graph.load_cypher import (
    ALL_RELATIONSHIP_TYPES,
    NODE_LABELS,
    fresh_relationships_query,
    node_query,
    relationship_query,
)
from graph.model import (FACILITIES, FACILITY, ORGANIZATION, ORGANIZATIONS, PEOPLE, POSITION_TYPE, POSITIONS,
                         RELATIONSHIPS, ROLE_LABELS, SOURCES, FileSpec)
from graph.validate import FolderIndex, iter_cells, parse_date, parse_number
from graph.wording import detail

Batch = tuple[str, str, list[dict[str, Any]]]  # query, kind (label or type), rows
_DONE = object()
_JSON = json.JSONEncoder(ensure_ascii=False)
_LIST, _TEXT, _NUMBER, _DATE, _DATE_TEXT, _END = range(6)


def folder_cells(index: FolderIndex, spec: FileSpec) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of one file of a checked folder: every read of the folder during a load passes here.
    An optional file the folder did not have when it was checked has no rows."""
    if spec.name not in index.stamps:
        return iter(())
    return iter_cells(index.folder / spec.name, spec)


def facility_ids(index: FolderIndex) -> frozenset[str]:
    """The ids of the folder's facilities (a few thousand at most), to tell which label an edge ends at."""
    return frozenset(cells[0] for _, cells in folder_cells(index, FACILITIES))


def batches(index: FolderIndex, batch_size: int, fresh: bool) -> Iterator[Batch]:
    """Every write of the load, in order: nodes (sources first: the others link to them), then edges."""
    for spec in (SOURCES, ORGANIZATIONS, PEOPLE, FACILITIES):
        label = NODE_LABELS[spec.name]
        yield from _chunks(node_query(label, fresh), label, rows(index, spec), batch_size)
    facilities = facility_ids(index)
    for spec in (POSITIONS, RELATIONSHIPS):
        from_label = "Person" if spec is POSITIONS else ORGANIZATION
        # One query per end label (and, into a database that may hold them already, per type); all the
        # pending rows together stay under one batch (memory), so each time the largest group is sent.
        pending: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        waiting = 0
        for row in rows(index, spec):
            to_label = FACILITY if row["to_id"] in facilities else ORGANIZATION
            pending[(POSITION_TYPE if fresh else row.pop("type"), to_label)].append(row)
            waiting += 1
            if waiting >= batch_size:
                group = max(pending, key=lambda g: len(pending[g]))
                waiting -= len(pending[group])
                yield _relationship_batch(group, from_label, spec, fresh, pending.pop(group))
        for group, chunk in pending.items():
            yield _relationship_batch(group, from_label, spec, fresh, chunk)


def _relationship_batch(group: tuple[str, str], from_label: str, spec: FileSpec, fresh: bool,
                        chunk: list[dict[str, Any]]) -> Batch:
    rel_type, to_label = group
    if fresh:  # every type in one query: the type travels with each row
        return fresh_relationships_query(from_label, spec, to_label), rel_type, chunk
    return relationship_query(rel_type, from_label, spec, to_label), rel_type, chunk


def _chunks(query: str, kind: str, items: Iterator[dict[str, Any]], batch_size: int) -> Iterator[Batch]:
    batch: list[dict[str, Any]] = []
    for row in items:
        batch.append(row)
        if len(batch) >= batch_size:
            yield query, kind, batch
            batch = []
    if batch:
        yield query, kind, batch


def prefetched(items: Iterator[Batch], ahead: int) -> Generator[Batch, None, None]:
    """The items, made by one worker thread while the consumer works on the one before.

    At most `ahead` items are being made or wait made while the consumer holds its current one (the
    driver releases the GIL on the socket, so building rows overlaps the server's writes). One worker
    also keeps `items` from being advanced by two threads at once. An error in the worker is raised in
    the consumer; closing the generator, or an error in the consumer, cancels what waits and joins
    the worker.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="supplygraph-rows")
    try:
        made: deque[Future] = deque(pool.submit(next, items, _DONE) for _ in range(ahead))
        while True:
            item = made.popleft().result()
            if item is _DONE:
                return
            made.append(pool.submit(next, items, _DONE))
            yield item
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def rows(index: FolderIndex, spec: FileSpec) -> Iterator[dict[str, Any]]:
    """The rows of a validated file as a batch sends them: props with row_hash, and per kind of file
    the role labels, or the type and both ends; date columns as ISO text (see graph.load_cypher)."""
    relationship = spec in (POSITIONS, RELATIONSHIPS)
    ends = ("person_id", "org_id") if spec is POSITIONS else ("from_id", "to_id")
    # (key, column, kind) in key order: row_hash's JSON then needs no sorting (see _row_hash).
    plan: list[tuple[str, int, int]] = []
    for i, column in enumerate(spec.columns):
        if relationship and column in (*ends, "type"):
            continue
        kind = (_LIST if column in spec.list_columns else _DATE if column in spec.date_columns
                else _NUMBER if column in spec.number_columns else _TEXT)
        plan.append((column, i, kind))
        if kind == _DATE:
            plan.append((f"{column}_text", i, _DATE_TEXT))
    if relationship:
        plan += [("from", spec.columns.index(ends[0]), _END), ("to", spec.columns.index(ends[1]), _END)]
    plan.sort()
    from_index, to_index = (spec.columns.index(e) for e in ends) if relationship else (0, 0)
    type_index = spec.columns.index("type") if spec is RELATIONSHIPS else None
    roles_index = spec.columns.index("roles") if spec is ORGANIZATIONS else None

    for line, cells in folder_cells(index, spec):
        values: dict[str, Any] = {}  # what row_hash fingerprints, exactly as convert() gives it
        props: dict[str, Any] = {}
        row: dict[str, Any] = {"props": props}
        for key, i, kind in plan:
            text = cells[i]
            if kind == _LIST:
                items = [v.strip() for v in text.split(";") if v.strip()]
                values[key] = items
                if items:
                    props[key] = items
            elif kind == _END:
                values[key] = text
            elif not text:
                if kind != _DATE_TEXT:
                    values[key] = None
            elif kind == _TEXT or kind == _DATE_TEXT:
                values[key] = props[key] = text
            elif kind == _NUMBER:
                values[key] = props[key] = parse_number(text)
            else:  # _DATE: the date's ISO text, as str(date) gives it for row_hash
                values[key] = row[key] = _iso_date(text)
        props["row_hash"] = _row_hash(values)
        if relationship:
            row["from_id"], row["to_id"] = cells[from_index], cells[to_index]
            row["type"] = cells[type_index] if type_index is not None else POSITION_TYPE
            if row["type"] not in ALL_RELATIONSHIP_TYPES:  # only the model's types reach a query, even
                raise SupplyGraphError(  # from a file changed after validation (the value is not shown)
                    f"{spec.name}, row {line}: the relationship type is not one of the model's, so the file "
                    "changed after it was checked: run the load again")
            props["detail"] = detail(row["type"], props)
        elif roles_index is not None:
            row["labels"] = [ROLE_LABELS[r] for r in values["roles"]]
        yield row


def _iso_date(text: str) -> str:
    """str(parse_date(text)) for a valid date, without making a date."""
    if text.isascii():
        if len(text) == 10:
            return text
        if len(text) == 7:
            return text + "-01"
        if len(text) == 4:
            return text + "-01-01"
    return str(parse_date(text))  # digits of other scripts, which \d also matches


def _row_hash(values: dict[str, Any]) -> str:
    """row_hash(values) for values whose keys are in sorted order and whose dates are ISO text: the same
    JSON text, from the C encoder without sort_keys or a `default` callback."""
    return hashlib.sha1(_JSON.encode(values).encode("utf-8")).hexdigest()
