"""Loading speed: our loader against one query per row and against Neo4j's own LOAD CSV.

    .venv/bin/python bench/bench_load.py --sizes 10000 100000 1000000 [--methods ours bulk per_row load_csv]
        [--per-row-budget 60] [--batch-size 5000] [--no-doc] [--json results.json]

For each size, graph.generate.generate(folder, size, seed=1) writes a synthetic folder (size = rows of
positions.csv + relationships.csv; the three node files add about 27.5% more rows). Each method then
runs on a *fresh, empty server* (heap 2g, page cache 1g, own temporary home, free port), in a child
process of this script, so that the child's peak RSS (ru_maxrss from os.wait4) belongs to that load only:

ours      graph.loader.load_folder(conn, folder): validation pass, schema, batched UNWIND/MERGE.
bulk      graph.loader.load_folder(conn, folder, local=server): the bulk first load (validation, the import
          tool's files, server stopped, Neo4j's import tool, server started, schema, full-text index).
          Its peak RSS is the client's own; the import tool's JVM is measured apart (RUSAGE_CHILDREN).
bulk_new  graph.loader.load_before_first_start: the same into a new home whose server never started (the
          parent does not start it): the import tool, then the server's first start, then the schema.
per_row   the same rows (same properties, role labels, SOURCED_FROM edges) with one
          session.execute_write per row. Above --per-row-full-upto total rows it is time-boxed:
          each file gets a share of --per-row-budget seconds proportional to its rows, its rate is
          measured on the rows done, and the whole load's time is extrapolated file by file. Node rows
          not reached are then written in batches (untimed) so that relationship rows find both ends.
load_csv  Neo4j's LOAD CSV WITH HEADERS ... CALL (row) { ... } IN TRANSACTIONS OF 5000 ROWS, run
          server-side on a copy of the folder in the server's import folder (copy not timed), after
          graph.schema.apply_schema (timed): the statements are written from graph.model, so every file
          and column ours reads is read (facilities.csv and the edges to facilities included): nodes
          MERGEd by id with the same properties and labels, SOURCED_FROM edges, then HOLDS_POSITION and
          one statement per relationship type (WHERE row.type = 'T'), each end found by id under each
          label it may have, with the validity pair the loader writes (graph.load_cypher.validity). It
          stores no row_hash (Cypher has no hash function) and no `detail` (graph.wording's words,
          Python), the two differences from ours.

With --warm-upto N, sizes of at most N rows are run again, each method on a fresh server that first ran the
same method on a small folder (untimed) and was then emptied, schema included: the steady state of a server
that has been up for a while, against the first load after a start.

rows/s = rows of all the files / wall seconds. After each run the graph is counted and compared with ours'
counts (up to --fingerprint-upto rows also property by property: every property for bulk, row_hash and
detail aside for LOAD CSV; derived facts and the LoadRecord node left out). Results go to stdout, to
--json, and to the "## Loading" section of docs/BENCHMARKS.md (rewritten after every size).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from graph.generate import generate  # noqa: E402
from graph.load_cypher import END_LABELS, NODE_LABELS, validity  # noqa: E402
from graph.load_record import COMPUTED_LABELS  # noqa: E402
from graph.model import (  # noqa: E402
    FACILITIES,
    FILES,
    ORGANIZATION,
    ORGANIZATIONS,
    PEOPLE,
    POSITION_TYPE,
    POSITIONS,
    RELATIONSHIP_TYPES,
    RELATIONSHIPS,
    ROLE_LABELS,
    SOURCES,
    FileSpec,
    targets,
)

HEAP, PAGE_CACHE = "2g", "1g"
LABELS = NODE_LABELS  # file -> node label
METHODS = ("ours", "bulk", "bulk_new", "per_row", "load_csv")
WARM_UP_SIZE = 2000  # relationships in the folder that warms a server before a --warm-upto run
PW_ENV = "BENCH_NEO4J_PASSWORD"


# ---------------------------------------------------------------------------------------------------
# Children: each runs one method against a server given by --uri, prints one JSON line at the end.
# ---------------------------------------------------------------------------------------------------

def connect(uri: str):
    from graph.config import Settings
    from graph.db import connect as db_connect
    return db_connect(Settings(uri=uri, username="neo4j", password=os.environ[PW_ENV], database=None))


def child_baseline(args) -> dict:
    """Imports and a connection only: the floor under the loaders' peak RSS."""
    importlib.import_module("graph.loader")
    conn = connect(args.uri)
    conn.read("RETURN 1")
    conn.close()
    return {}


LOADER_FILES = ("loader.py", "load_cypher.py", "load_rows.py", "load_server.py", "load_stale.py", "schema.py",
                "load_bulk.py", "neo4j_import.py")


def loader_version() -> str:
    """Which loader ran (graph/loader.py and the modules of its steps): a sha256 prefix of their bytes,
    the last git commit that changed them, and whether they differ from it."""
    paths = [str(c.ROOT / "graph" / name) for name in LOADER_FILES]
    digest = hashlib.sha256(b"".join(Path(p).read_bytes() for p in paths)).hexdigest()[:12]
    try:
        last = subprocess.run(["git", "-C", str(c.ROOT), "log", "-1", "--format=%h %s", "--", *paths],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(c.ROOT), "diff", "--quiet", "HEAD", "--", *paths]).returncode
    except OSError:
        return f"sha256 {digest}"
    return f"sha256 {digest}, last changed in git {last!r}" + (" + uncommitted changes" if dirty else "")


def child_ours(args) -> dict:
    from graph.loader import load_folder
    from graph.validate import check_folder
    folder = Path(args.folder)
    marks: list[tuple[float, int]] = []
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        marks.append((time.perf_counter(), done))

    conn = connect(args.uri)
    t0 = time.perf_counter()
    # Exactly what load_folder(conn, folder) does, with the validation pass timed on its own.
    index = check_folder(folder)
    t_valid = time.perf_counter()
    summary = load_folder(conn, folder, batch_size=args.batch_size, progress=progress, index=index)
    t1 = time.perf_counter()
    conn.close()
    # Per file: the written rows come in file order, so the progress marks split at the file counts.
    phases = {"validate": t_valid - t0}
    prev_t, boundary = t_valid, 0
    for spec in FILES:
        boundary += index.rows[spec.name]
        t_end = next((t for t, n in marks if n >= boundary), t1)
        phases[spec.name] = t_end - prev_t
        prev_t = t_end
    phases["after writes"] = t1 - prev_t
    return {"seconds": t1 - t0, "created": summary.total("created"), "phases": phases,
            "loader": loader_version()}


def _parents_server(args):
    """The parent's server: same home, port and memory, so the start after the import is that server."""
    import dataclasses

    from graph.config import load_local_settings
    from graph.local_neo4j import LocalNeo4j
    return LocalNeo4j(dataclasses.replace(load_local_settings({}), home=Path(args.home), bolt_port=args.port,
                                          heap=HEAP, page_cache=PAGE_CACHE))


def child_bulk(args) -> dict:
    """The bulk first load into the empty database of a running server (stopped and started again)."""
    from graph.loader import load_folder
    local = _parents_server(args)
    conn = connect(args.uri)
    try:
        return _timed_bulk(args, lambda index, phase: load_folder(conn, Path(args.folder), index=index, local=local,
                                                                  phase=phase))
    finally:
        conn.close()


def child_bulk_new(args) -> dict:
    """The bulk first load into a new home (no server ran yet): the import, then the server's first start."""
    from graph.loader import load_before_first_start
    local = _parents_server(args)
    return _timed_bulk(args, lambda index, phase: load_before_first_start(local, Path(args.folder),
                                                                          lambda: connect(args.uri), index, None, phase))


def _timed_bulk(args, load) -> dict:
    from graph.loader import BULK
    from graph.validate import check_folder
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    index = check_folder(Path(args.folder))
    marks.append(("validate", time.perf_counter()))
    summary = load(index, lambda words: marks.append((words, time.perf_counter())))
    t1 = time.perf_counter()
    if summary is None or summary.method != BULK:
        raise RuntimeError(f"the bulk child did not load in bulk: {summary and summary.why}")
    # Each phase lasts from its words to the next ones (the validation pass from the start).
    phases = {"validate": marks[0][1] - t0}
    for (name, t), after in zip(marks[1:], [t for _, t in marks[2:]] + [t1]):
        phases[name] = phases.get(name, 0.0) + after - t
    return {"seconds": t1 - t0, "created": summary.total("created"), "phases": phases,
            "import_tool_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            "loader": loader_version()}


def _props_rows(folder: Path, spec: FileSpec):
    """The rows exactly as graph.loader sends them (same properties, row_hash, role labels)."""
    from graph.validate import convert, read_rows, row_hash
    for _, cells in read_rows(folder / spec.name, spec):
        values = convert(spec, cells)
        if spec in (POSITIONS, RELATIONSHIPS):
            if spec is POSITIONS:
                rel_type, a, b = POSITION_TYPE, values.pop("person_id"), values.pop("org_id")
            else:
                rel_type, a, b = values.pop("type"), values.pop("from_id"), values.pop("to_id")
            props = {k: v for k, v in values.items() if v not in (None, [])}
            props["row_hash"] = row_hash({**values, "from": a, "to": b})
            yield {"type": rel_type, "from_id": a, "to_id": b, "props": props}
        else:
            props = {k: v for k, v in values.items() if v not in (None, [])}
            props["row_hash"] = row_hash(values)
            row: dict[str, Any] = {"props": props}
            if spec is ORGANIZATIONS:
                row["labels"] = [ROLE_LABELS[r] for r in values["roles"]]
            yield row


def _node_cypher(label: str, unwind: bool) -> str:
    head = "UNWIND $rows AS row " if unwind else "WITH $row AS row "
    q = head + f"MERGE (n:{label} {{id: row.props.id}}) SET n = row.props "
    if label == "Organization":
        q += "SET n:$(row.labels) "
    if label != "Source":
        q += ("WITH n, row CALL (n, row) { UNWIND row.props.sources AS sid "
              "MATCH (s:Source {id: sid}) MERGE (n)-[:SOURCED_FROM]->(s) }")
    return q


def _rel_cypher(rel_type: str) -> str:
    start = "Person" if rel_type == POSITION_TYPE else "Organization"
    return (f"WITH $row AS row MATCH (a:{start} {{id: row.from_id}}) {_end_match('b', end_labels(rel_type), 'row.to_id')} "
            f"MERGE (a)-[r:{rel_type} {{id: row.props.id}}]->(b) SET r = row.props")


def end_labels(rel_type: str) -> tuple[str, ...]:
    """The labels an edge of this type may end at (a person's position: any end the loader allows)."""
    return END_LABELS if rel_type == POSITION_TYPE else targets(rel_type)


def _end_match(var: str, labels: tuple[str, ...], cell: str) -> str:
    """Finds an edge's end by its id: one indexed lookup per label it may have (ours knows the label from
    the folder's facility ids, graph.load_rows; here each lookup runs and one finds it)."""
    if len(labels) == 1:
        return f"MATCH ({var}:{labels[0]} {{id: {cell}}})"
    found = [f"{var}_{i}" for i in range(len(labels))]
    return (" ".join(f"OPTIONAL MATCH ({v}:{label} {{id: {cell}}})" for v, label in zip(found, labels))
            + f" WITH a, row, coalesce({', '.join(found)}) AS {var}")


def child_per_row(args) -> dict:
    from graph.schema import apply_schema
    folder = Path(args.folder)
    counts = json.loads(args.counts)
    total = sum(counts.values())
    full = total <= args.per_row_full_upto
    conn = connect(args.uri)
    t0 = time.perf_counter()
    apply_schema(conn)
    schema_s = time.perf_counter() - t0
    files: dict[str, dict] = {}
    node_queries = {label: _node_cypher(label, unwind=False) for label in LABELS.values()}
    rel_queries = {t: _rel_cypher(t) for t in (*RELATIONSHIP_TYPES, POSITION_TYPE)}

    def write_one(tx, query: str, row: dict) -> None:
        tx.run(query, row=row).consume()

    with conn.driver.session(database=conn.database) as session:
        for spec in FILES:
            budget = None if full else max(5.0, args.per_row_budget * counts[spec.name] / total)
            rows = _props_rows(folder, spec)
            n = 0
            t = time.perf_counter()
            for row in rows:
                if spec.name in LABELS:
                    query = node_queries[LABELS[spec.name]]
                else:
                    query = rel_queries[row["type"]]
                session.execute_write(write_one, query, row)
                n += 1
                if budget is not None and time.perf_counter() - t > budget:
                    break
            elapsed = time.perf_counter() - t
            files[spec.name] = {"rows_done": n, "seconds": elapsed, "rows": counts[spec.name]}
            if spec.name in LABELS and n < counts[spec.name]:
                # Untimed: the rest of the nodes, in batches, so that relationships find their ends.
                t_fill = time.perf_counter()
                query = _node_cypher(LABELS[spec.name], unwind=True)
                batch: list[dict] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 5000:
                        session.execute_write(lambda tx, b: tx.run(query, rows=b).consume(), batch)
                        batch = []
                if batch:
                    session.execute_write(lambda tx, b: tx.run(query, rows=b).consume(), batch)
                files[spec.name]["fill_untimed_s"] = time.perf_counter() - t_fill
    conn.close()
    done = sum(f["rows_done"] for f in files.values())
    timed = schema_s + sum(f["seconds"] for f in files.values())
    estimated = schema_s + sum(f["rows"] * f["seconds"] / max(f["rows_done"], 1) for f in files.values())
    return {"seconds": estimated, "timed_seconds": timed, "rows_done": done, "extrapolated": not full,
            "schema_s": schema_s, "files": files}


# (b)'s statements, written from the model (graph.model) so that every file and column ours reads is read:
# each column's text as ours stores it (lists split on ';', dates by date() with the text kept beside them,
# numbers by toFloat(); an empty cell is null, so SET = {...} leaves it out, as ours does), role labels,
# SOURCED_FROM edges, and each relationship's validity pair by the loader's own SET
# (graph.load_cypher.validity). Not written: row_hash (Cypher has no hash function) and a relationship's
# `detail` (graph.wording's words, in Python: Cypher would restate them). Labels and types are literals from the model's allow-list.

def _csv_props(spec: FileSpec, skip: tuple[str, ...] = ()) -> str:
    """The Cypher map of one row's properties, as ours stores them (graph.load_rows)."""
    parts = []
    for column in spec.columns:
        if column in skip:
            continue
        cell = f"row.{column}"
        if column in spec.list_columns:
            parts.append(f"{column}: split({cell}, ';')")
        elif column in spec.date_columns:
            parts += [f"{column}: date({cell})", f"{column}_text: {cell}"]
        elif column in spec.number_columns:
            parts.append(f"{column}: toFloat({cell})")
        else:
            parts.append(f"{column}: {cell}")
    return "{" + ", ".join(parts) + "}"


def load_csv_node(spec: FileSpec) -> str:
    label = NODE_LABELS[spec.name]
    roles = "\n  SET n:$([r IN split(row.roles, ';') | $role_labels[r]])" if spec is ORGANIZATIONS else ""
    sourced = "" if spec is SOURCES else """
  WITH n, row
  UNWIND split(row.sources, ';') AS sid
  MATCH (s:Source {id: sid})
  MERGE (n)-[:SOURCED_FROM]->(s)"""
    return f"""
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{
  MERGE (n:{label} {{id: row.id}})
  SET n = {_csv_props(spec)}{roles}{sourced}
}} IN TRANSACTIONS OF 5000 ROWS
"""


def load_csv_relationship(spec: FileSpec, rel_type: str) -> str:
    """One statement per type (the type is a literal): positions.csv's, or one type of relationships.csv's."""
    if spec is POSITIONS:
        start, ends, where = "Person", ("person_id", "org_id"), ""
    else:
        start, ends, where = ORGANIZATION, ("from_id", "to_id"), f"WITH row WHERE row.type = '{rel_type}'\n"
    return f"""
LOAD CSV WITH HEADERS FROM $url AS row
{where}CALL (row) {{
  MATCH (a:{start} {{id: row.{ends[0]}}})
  {_end_match("b", end_labels(rel_type), "row." + ends[1])}
  MERGE (a)-[r:{rel_type} {{id: row.id}}]->(b)
  SET r = {_csv_props(spec, (*ends, "type"))}{validity("r", "row.status")}
}} IN TRANSACTIONS OF 5000 ROWS
"""


def load_csv_statements(folder: Path) -> list[tuple[str, str, str]]:
    """(phase name, file, statement) in ours' order: nodes, then positions, then each relationship type."""
    statements = [(spec.name, spec.name, load_csv_node(spec)) for spec in (SOURCES, ORGANIZATIONS, PEOPLE, FACILITIES)
                  if (folder / spec.name).exists()]  # facilities.csv may be left out
    statements.append((POSITIONS.name, POSITIONS.name, load_csv_relationship(POSITIONS, POSITION_TYPE)))
    statements += [(f"{RELATIONSHIPS.name}:{t}", RELATIONSHIPS.name, load_csv_relationship(RELATIONSHIPS, t))
                   for t in RELATIONSHIP_TYPES]
    return statements


def child_load_csv(args) -> dict:
    from graph.schema import apply_schema, await_fulltext_indexes
    conn = connect(args.uri)
    url = f"file:///{args.import_subdir}/"
    statements = load_csv_statements(Path(args.folder))
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    apply_schema(conn)
    phases["schema"] = time.perf_counter() - t0
    with conn.driver.session(database=conn.database) as session:
        for name, file, query in statements:
            t = time.perf_counter()
            # CALL { } IN TRANSACTIONS needs an auto-commit transaction: session.run, not execute_query.
            session.run(query, url=url + file, role_labels=ROLE_LABELS).consume()
            phases[name] = time.perf_counter() - t
    # As ours does before it returns: the full-text index of sources is eventually consistent.
    t = time.perf_counter()
    await_fulltext_indexes(conn)
    phases["await full-text"] = time.perf_counter() - t
    seconds = time.perf_counter() - t0
    conn.close()
    return {"seconds": seconds, "phases": phases}




# ---------------------------------------------------------------------------------------------------
# Parent.
# ---------------------------------------------------------------------------------------------------

def run_child(method: str, local, folder: Path, counts: dict[str, int], args, import_subdir: str = "") -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", method, "--uri", local.uri,
           "--folder", str(folder), "--counts", json.dumps(counts), "--batch-size", str(args.batch_size),
           "--per-row-budget", str(args.per_row_budget), "--per-row-full-upto", str(args.per_row_full_upto),
           "--import-subdir", import_subdir, "--home", str(local.home), "--port", str(local.port)]
    out_file = Path(tempfile.mkstemp(prefix="bench-child-", suffix=".json")[1])
    cmd += ["--child-out", str(out_file)]
    load_before = c.loadavg()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=c.env_with(**{PW_ENV: local.password()}))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    try:
        if proc.returncode != 0:
            raise RuntimeError(f"child {method} failed with exit code {proc.returncode}")
        result = json.loads(out_file.read_text())
    finally:
        out_file.unlink(missing_ok=True)
    result.update(method=method, maxrss_kb=usage.ru_maxrss, child_user_s=usage.ru_utime,
                  child_sys_s=usage.ru_stime, child_wall_s=wall, loadavg_before=load_before,
                  loadavg_after=c.loadavg())
    pid = local.pid()
    result["server"] = c.proc_status(pid) if pid else {}
    try:
        # The server's CPU seconds (utime + stime in clock ticks) since it started.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        result["server_cpu_s"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, TypeError):
        pass
    return result


def run_warm(method: str, folder: Path, counts: dict[str, int], warm_folder: Path, warm_counts: dict[str, int],
             args, size: int) -> dict:
    """The method's timed load on a fresh server that first ran the same method on a small folder
    (untimed), then was emptied, its schema dropped: the JVM has compiled the hot paths and the query
    plans are made, as on a server that has been up for a while."""
    with c.temp_server(HEAP, PAGE_CACHE, prefix=f"bench-load-warm-{method}-",
                       csv_file_import=method == "load_csv") as local:
        subdir = warm_subdir = ""
        if method == "load_csv":
            subdir, warm_subdir = f"data-{size}", "warm-up"
            shutil.copytree(folder, local.import_dir / subdir)
            shutil.copytree(warm_folder, local.import_dir / warm_subdir)
        run_child(method, local, warm_folder, warm_counts, args, warm_subdir)
        empty_database(local)
        r = run_child(method, local, folder, counts, args, subdir)
        r["graph_counts"] = graph_counts(local)
        return r


def empty_database(local) -> None:
    """Deletes every node and relationship and drops every constraint and index but the token lookups."""
    with local.driver() as driver, driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
        for name in [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")]:
            session.run(f"DROP CONSTRAINT `{name}`").consume()
        for name in [r["name"] for r in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")]:
            session.run(f"DROP INDEX `{name}`").consume()


def graph_counts(local) -> dict[str, int]:
    with local.driver() as driver, driver.session() as session:
        counts = {f"({r['label']})": r["n"] for r in session.run(
            "CALL db.labels() YIELD label WITH label WHERE NOT label IN $derived "
            "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS n } "
            "RETURN label, n", derived=list(NOT_BASE_LABELS))}
        counts.update({f"[{r['type']}]": r["n"] for r in session.run(
            "CALL db.relationshipTypes() YIELD relationshipType AS type "
            "CALL (type) { MATCH ()-[r]->() WHERE type(r) = type RETURN count(r) AS n } RETURN type, n")})
    return counts


# Nodes that are not the folder's: the derived facts (written by ours and bulk on small graphs only) and the
# LoadRecord of the last load (bookkeeping, with the load's time), as the tests' fingerprints leave them out.
NOT_BASE_LABELS = tuple(sorted(COMPUTED_LABELS))
# Per method, the properties it cannot write as ours does, left out of its comparison with ours: LOAD CSV
# has no hash function (row_hash) and no graph.wording (a relationship's `detail`); one query per row sends
# the rows of graph.validate.convert, without the validity pair and the detail of graph.load_rows.
NOT_COMPARED = {"load_csv": ("detail", "row_hash"), "per_row": ("detail", "row_hash", "valid_from", "valid_to")}


def graph_fingerprints(local, skips: list[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """graph_fingerprints_of for `skips`, made in a child process: the lines of a large graph would
    raise this process's peak RSS, which every child started after it inherits (Linux carries the
    high-water mark across exec), and the peak RSS column would measure the fingerprint."""
    out_file = Path(tempfile.mkstemp(prefix="bench-fingerprint-", suffix=".json")[1])
    try:
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", "fingerprint", "--uri", local.uri,
                        "--counts", json.dumps(skips), "--child-out", str(out_file)],
                       env=c.env_with(**{PW_ENV: local.password()}), check=True)
        made = json.loads(out_file.read_text())["fingerprints"]
    finally:
        out_file.unlink(missing_ok=True)
    return {tuple(skip): fp for skip, fp in zip(skips, made)}


def child_fingerprint(args) -> dict:
    conn = connect(args.uri)
    try:
        skips = [tuple(skip) for skip in json.loads(args.counts)]
        made = graph_fingerprints_of(conn.driver, skips)
        return {"fingerprints": [made[skip] for skip in skips]}
    finally:
        conn.close()


def graph_fingerprints_of(driver, skips: list[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """For each of `skips`, a hash of every base node and relationship with its properties, those in the
    skip left out: the graph read once, each fingerprint's lines made from the same records."""
    def clean(props: dict, skip: tuple[str, ...]) -> str:
        return repr(sorted((k, str(v)) for k, v in props.items() if k not in skip))

    keys: dict[tuple[str, ...], dict[str, str]] = {skip: {} for skip in skips}
    lines: dict[tuple[str, ...], list[str]] = {skip: [] for skip in skips}
    with driver.session() as session:
        for r in session.run("MATCH (n) WHERE NOT any(l IN labels(n) WHERE l IN $derived) "
                             "RETURN elementId(n) AS e, labels(n) AS l, properties(n) AS p",
                             derived=list(NOT_BASE_LABELS)):
            for skip in skips:
                keys[skip][r["e"]] = key = f"{sorted(r['l'])}{clean(r['p'], skip)}"
                lines[skip].append(key)
        for r in session.run("MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS t, properties(r) AS p, "
                             "elementId(b) AS b"):
            for skip in skips:
                lines[skip].append(f"{keys[skip][r['a']]}-{r['t']}{clean(r['p'], skip)}->{keys[skip][r['b']]}")
    return {skip: hashlib.sha256("\n".join(sorted(lines[skip])).encode()).hexdigest() for skip in skips}


def count_words(counted: dict[str, int], ours: dict[str, int]) -> str:
    if counted == ours:
        return "same counts as ours"
    differ = [f"{k} {counted.get(k, 0):,} (ours {ours.get(k, 0):,})" for k in sorted({*counted, *ours})
              if counted.get(k, 0) != ours.get(k, 0)]
    return "COUNTS DIFFER: " + ", ".join(differ)


def check_words(skip: tuple[str, ...], same: bool) -> str:
    if not same:
        return "GRAPH DIFFERS from ours"
    aside = ", ".join(skip[:-1]) + (" and " if len(skip) > 1 else "") + skip[-1] if skip else ""
    return "same graph as ours" + (f" ({aside} aside)" if skip else ", every property")


CHILDREN = {"baseline": child_baseline, "ours": child_ours, "bulk": child_bulk, "bulk_new": child_bulk_new,
            "per_row": child_per_row,
            "load_csv": child_load_csv, "fingerprint": child_fingerprint}


def fmt_rate(x: float | None) -> str:
    return "-" if not x else f"{x:,.0f}"


def report(results: dict, args) -> str:
    info = results["machine"]
    rows = []
    for size, r in results["sizes"].items():
        m = r["methods"]
        total = r["total_rows"]
        rate = {k: total / v["seconds"] for k, v in m.items() if v.get("seconds")}
        ours, per_row, lcsv = rate.get("ours"), rate.get("per_row"), rate.get("load_csv")
        per_row_text = fmt_rate(per_row)
        if per_row and m["per_row"].get("extrapolated"):
            per_row_text += f" (extrapolated from {m['per_row']['rows_done']:,} rows)"
        base = r.get("baseline_maxrss_kb")
        bulk, bulk_new = rate.get("bulk"), rate.get("bulk_new")
        rows.append([
            f"{int(size):,}", f"{total:,}",
            fmt_rate(bulk) + (f" ({m['bulk']['seconds']:.0f} s)" if bulk else ""),
            fmt_rate(bulk_new) + (f" ({m['bulk_new']['seconds']:.0f} s)" if bulk_new else ""),
            f"{bulk / ours:.1f}x" if bulk and ours else "-",
            f"{bulk / lcsv:.1f}x" if bulk and lcsv else "-",
            (f"{m['bulk']['self_maxrss_kb'] / 1024:.0f} / {m['bulk']['import_tool_maxrss_kb'] / 1024:.0f}"
             if bulk else "-"),
            fmt_rate(ours) + (f" ({m['ours']['seconds']:.0f} s)" if ours else ""),
            per_row_text,
            fmt_rate(lcsv) + (f" ({m['load_csv']['seconds']:.0f} s)" if lcsv else ""),
            f"{ours / lcsv:.2f}x" if ours and lcsv else "-",
            f"{ours / per_row:.0f}x" if ours and per_row else "-",
            f"{m['ours']['maxrss_kb'] / 1024:.0f}" if "ours" in m else "-",
            f"{base / 1024:.0f}" if base else "-",
        ])
    main_table = c.table(["size (relationships)", "rows (all files)", "bulk rows/s", "bulk, new home rows/s",
                          "bulk/ours", "bulk/(b)",
                          "bulk peak RSS: client / import tool (MiB)", "ours rows/s", "(a) one query per row, rows/s",
                          "(b) LOAD CSV rows/s", "ours/(b)", "ours/(a)", "ours peak RSS (MiB)",
                          "baseline RSS (MiB)"], rows)
    warm_rows = []
    for size, r in results["sizes"].items():
        if not r.get("warm"):
            continue
        m, total = r["warm"], r["total_rows"]
        rate = {k: total / v["seconds"] for k, v in m.items() if v.get("seconds")}
        ours, per_row, lcsv = rate.get("ours"), rate.get("per_row"), rate.get("load_csv")
        per_row_text = fmt_rate(per_row)
        if per_row and m["per_row"].get("extrapolated"):
            per_row_text += f" (extrapolated from {m['per_row']['rows_done']:,} rows)"
        same = all(v.get("graph_counts") == r["methods"].get("ours", {}).get("graph_counts")
                   for k, v in m.items() if not (k == "per_row" and v.get("extrapolated")))
        warm_rows.append([
            f"{int(size):,}", fmt_rate(ours) + (f" ({m['ours']['seconds']:.1f} s)" if ours else ""), per_row_text,
            fmt_rate(lcsv) + (f" ({m['load_csv']['seconds']:.1f} s)" if lcsv else ""),
            f"{ours / lcsv:.2f}x" if ours and lcsv else "-", f"{ours / per_row:.0f}x" if ours and per_row else "-",
            f"{m['ours']['maxrss_kb'] / 1024:.0f}" if "ours" in m else "-",
            "same counts as cold ours" if same else "COUNTS DIFFER"])
    warm_table = ""
    if warm_rows:
        warm_table = f"""
**On a warmed server** (sizes up to {args.warm_upto:,} rows): each method's fresh server first ran the
same method on a small folder (`generate(folder, {WARM_UP_SIZE}, seed=2)`, untimed), was then emptied and
its schema dropped, and the timed load followed into the same empty database. The JVM has then compiled
the hot code and the server has planned the queries, as on a server that has been up for a while; the
table above is the first load after a server start. At 10^6 the warm-up is a small share of the load, so it
is not run there.

{c.table(["size (relationships)", "ours rows/s", "(a) one query per row, rows/s", "(b) LOAD CSV rows/s",
          "ours/(b)", "ours/(a)", "ours peak RSS (MiB)", "graph check"], warm_rows)}
"""
    phase_rows = []
    for size, r in results["sizes"].items():
        for method in ("bulk", "bulk_new", "ours", "load_csv"):
            v = r["methods"].get(method)
            if not v:
                continue
            parts = ", ".join(f"{k} {s:.1f}" for k, s in v["phases"].items())
            phase_rows.append([f"{int(size):,}", method, parts])
        v = r["methods"].get("per_row")
        if v:
            parts = ", ".join(f"{k} {f['rows_done']:,}/{f['rows']:,} rows in {f['seconds']:.1f}"
                              for k, f in v["files"].items())
            phase_rows.append([f"{int(size):,}", "per_row", parts])
        v = r.get("warm", {}).get("ours")
        if v:
            parts = ", ".join(f"{k} {s:.1f}" for k, s in v["phases"].items())
            phase_rows.append([f"{int(size):,}", "ours (warmed server)", parts])
    phases_table = c.table(["size", "method", "seconds per phase"], phase_rows)
    cpu_rows = []
    for size, r in results["sizes"].items():
        for method, v in r["methods"].items():
            cpu_rows.append([f"{int(size):,}", method, f"{v['seconds']:.1f}",
                             f"{v['child_user_s'] + v['child_sys_s']:.1f}",
                             f"{v.get('server_cpu_s', 0):.1f}",
                             f"{v['server'].get('VmHWM', 0) / 1024:.0f}",
                             v["loadavg_before"], v.get("check", "")])
    cpu_table = c.table(["size", "method", "seconds", "client CPU s", "server CPU s (incl. its start)",
                         "server VmHWM (MiB)", "load avg before", "graph check"], cpu_rows)
    by_version: dict[str, list[str]] = {}
    for size, r in results["sizes"].items():
        if "ours" in r["methods"]:
            by_version.setdefault(r["methods"]["ours"].get("loader", "?"), []).append(f"{int(size):,}")
    loaders = "; ".join(v if len(by_version) == 1 else f"{v} (sizes {', '.join(s)})"
                        for v, s in by_version.items()) or "-"
    return f"""Loading a synthetic folder (`graph.generate.generate(folder, size, seed=1)`) into an empty database.
Each method runs on a fresh server (Neo4j 5.26 via `LocalNeo4j`, heap {HEAP}, page cache {PAGE_CACHE},
own temporary home, free port) in a child process of the benchmark, so the peak RSS is that load's
only (`ru_maxrss` of the child from `os.wait4`). rows/s = rows of all the files / wall seconds.

- **bulk**: `graph.loader.load_folder(conn, folder, local=server)`, the bulk first load into the empty
  local database: the validation pass, the import tool's CSV files (graph.load_bulk), the server stopped,
  `neo4j-admin database import full` in a JVM of its own (graph.neo4j_import), the server started again,
  then the whole schema and the full-text index. Peak RSS: the Python client's own, and the import tool's
  JVM's (`RUSAGE_CHILDREN` of the child); the server's is in the last table. Graph checked against ours.
- **bulk, new home**: `graph.loader.load_before_first_start(server, folder, ...)`, what `supplygraph load`
  does on a new home: the server has never started (the benchmark's parent does not start it), so the
  import tool writes the database first and the server's first start (which also sets the password)
  follows, then the schema. Its time includes that first start, which the other methods' servers had
  before their clocks started: a user starting from nothing pays it on every path.
- **ours**: `graph.loader.load_folder(conn, folder)` (batch size {args.batch_size}): includes the
  validation pass, the schema and all writes (the transactional path: today's loader).
- **(a) one query per row**: the same rows, properties, role labels and SOURCED_FROM edges, one
  `session.execute_write` per row (MERGE node; MATCH both ends + MERGE relationship). Above
  {args.per_row_full_upto:,} rows it is time-boxed (~{args.per_row_budget:.0f} s split across the five files by
  their share of rows, at least 5 s each) and the whole load's time is **extrapolated** file by file
  from the measured rates; the node rows not reached are written in batches, untimed, so relationship
  rows find their ends.
- **(b) LOAD CSV**: server-side `LOAD CSV WITH HEADERS FROM 'file:///...' AS row CALL (row) {{ ... }} IN
  TRANSACTIONS OF 5000 ROWS` on a copy of the folder in the server's import folder (copy not timed),
  after `graph.schema.apply_schema` (timed). Its statements are written from `graph.model`, so it reads
  every file and column ours reads, `facilities.csv` and the edges to facilities included: nodes MERGEd
  by id with the same properties (lists by `split()`, dates by `date()`, numbers by `toFloat()`), role
  labels and SOURCED_FROM edges, then HOLDS_POSITION and one statement per relationship type (`WHERE
  row.type = '...'`), MERGEd by id, each end found by id under each label it may have (organization or
  facility), with `valid_from` / `valid_to` by the loader's own SET (`graph.load_cypher.validity`). It
  stores no `row_hash` (Cypher has no hash function) and no `detail` (the words of `graph.wording`, in
  Python, which Cypher would restate), and does not tell created/updated/unchanged apart, which ours does. Like ours, it ends
  by waiting for the eventually consistent full-text indexes of sources to hold every write (timed).
- Graph check: each method's graph is counted (labels and types, derived facts and the `LoadRecord`
  node aside) against ours; up to {args.fingerprint_upto:,} rows also compared property by property:
  bulk on every property, LOAD CSV with `row_hash` and `detail` left out (the two it cannot write).
- Every method writes into the same schema (`cypher/schema/schema.cypher`), its full-text index included.
- Loader under test (graph/loader.py and its step modules as each "ours" child imported them): {loaders}.
- Goals (issues): ours >= 0.8x (b), > 50x (a), memory flat as the input grows; bulk >= 50,000 rows/s
  at 10^6 relationships, memory flat (issue 14).
- "baseline RSS" is a child that only imports the loader and connects: the floor under ours' peak.

Command (from the project root):

```
{results["command"]}
```

{c.machine_block(info)}
{main_table}
{warm_table}
Where the time goes (seconds; ours: validation pass, then writes per file, as the progress callback
saw them; (b): schema, then one statement per file or relationship type):

{phases_table}

CPU and server memory (the client and the server share the 2 cores):

{cpu_table}
"""


def parent(args) -> None:
    info = c.machine_info()
    results: dict[str, Any] = {"sizes": {}, "machine": info, "command": c.command_line(),
                               "args": {k: v for k, v in vars(args).items() if not k.startswith("child")}}
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    warm_folder = work / "warm-up"
    warm_counts = generate(warm_folder, WARM_UP_SIZE, seed=2)
    print(f"machine: nproc={info['nproc']} load={info['loadavg']}; work folder {work}", flush=True)
    try:
        for size in args.sizes:
            folder = work / f"data-{size}"
            t = time.perf_counter()
            counts = generate(folder, size, seed=1)
            total = sum(counts.values())
            print(f"\n== size {size:,}: {total:,} rows ({counts}); generated in {time.perf_counter() - t:.1f} s",
                  flush=True)
            entry: dict[str, Any] = {"counts": counts, "total_rows": total, "methods": {}}
            results["sizes"][str(size)] = entry
            reference: dict[str, Any] = {}
            for method in ["baseline", *sorted(args.methods, key=METHODS.index)]:
                with c.temp_server(HEAP, PAGE_CACHE, prefix=f"bench-load-{method}-",
                                   csv_file_import=method == "load_csv", start=method != "bulk_new") as local:
                    subdir = ""
                    if method == "load_csv":
                        subdir = f"data-{size}"
                        shutil.copytree(folder, local.import_dir / subdir)
                    r = run_child(method, local, folder, counts, args, subdir)
                    if method == "baseline":
                        entry["baseline_maxrss_kb"] = r["maxrss_kb"]
                        continue
                    counted = graph_counts(local)
                    r["graph_counts"] = counted
                    check = ""
                    if method == "ours":
                        reference["counts"] = counted
                    elif "counts" in reference and not (method == "per_row" and r.get("extrapolated")):
                        check = count_words(counted, reference["counts"])
                    if total <= args.fingerprint_upto and not (method == "per_row" and r.get("extrapolated")):
                        if method == "ours":
                            reference["fingerprint"] = graph_fingerprints(local, sorted({(), *NOT_COMPARED.values()}))
                        elif "fingerprint" in reference:
                            skip = NOT_COMPARED.get(method, ())
                            same = graph_fingerprints(local, [skip])[skip] == reference["fingerprint"][skip]
                            check = check_words(skip, same)
                    r["check"] = check
                entry["methods"][method] = r
                rate = total / r["seconds"]
                print(f"  {method:9s} {r['seconds']:8.1f} s  {rate:10,.0f} rows/s  peak RSS "
                      f"{r['maxrss_kb'] / 1024:6.0f} MiB  {check}", flush=True)
                if args.json:
                    Path(args.json).write_text(json.dumps(results, indent=1, default=str))
            if total <= args.warm_upto:
                entry["warm"] = {}
                for method in (m for m in args.methods if m != "bulk_new"):  # a new home cannot be warmed
                    r = run_warm(method, folder, counts, warm_folder, warm_counts, args, size)
                    entry["warm"][method] = r
                    print(f"  {method:9s} {r['seconds']:8.1f} s  {total / r['seconds']:10,.0f} rows/s  "
                          f"(warmed server) peak RSS {r['maxrss_kb'] / 1024:6.0f} MiB", flush=True)
                    if args.json:
                        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
            shutil.rmtree(folder, ignore_errors=True)
            text = report(results, args)
            if not args.no_doc:
                c.update_section("Loading", text)
        print()
        print(report(results, args))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                        help="run in this order whatever the order given (ours first: the others are checked against it)")
    parser.add_argument("--batch-size", type=int, default=5000, help="ours' batch size (graph.loader default 5000)")
    parser.add_argument("--per-row-budget", type=float, default=60.0, help="seconds of one-query-per-row writes")
    parser.add_argument("--per-row-full-upto", type=int, default=15_000,
                        help="total rows up to which one-query-per-row runs fully (no extrapolation)")
    parser.add_argument("--fingerprint-upto", type=int, default=150_000,
                        help="total rows up to which the graphs are compared property by property")
    parser.add_argument("--warm-upto", type=int, default=150_000,
                        help="total rows up to which each method is also timed on a warmed server")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--no-doc", action="store_true", help="print only; do not update docs/BENCHMARKS.md")
    parser.add_argument("--render-only", metavar="JSON",
                        help="only rewrite the report (stdout, docs) from a results file of an earlier --json run")
    # Internal: one method in a child process.
    parser.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--counts", help=argparse.SUPPRESS)
    parser.add_argument("--import-subdir", default="", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = CHILDREN[args.child](args)
        result["self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        Path(args.child_out).write_text(json.dumps(result, default=str))
        return
    if args.render_only:
        results = json.loads(Path(args.render_only).read_text())
        args.batch_size = results.get("args", {}).get("batch_size", args.batch_size)
        text = report(results, args)
        print(text)
        if not args.no_doc:
            c.update_section("Loading", text)
        return
    parent(args)


if __name__ == "__main__":
    main()
