"""The `supplygraph` command line: a thin edge over the graph package."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import click
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress
from rich.table import Table

from graph import __version__
from graph.config import load_settings
from graph.db import Connection, connect
from graph.errors import QueryError, SupplyGraphError
from graph.generate import generate as generate_folder
from graph.loader import BATCH_SIZE, BULK, DERIVE_ON_LOAD_MAX, LoadSummary, load_before_first_start, load_folder
from graph.local_neo4j import LOG_LINES, LocalNeo4j, neo4j_version
from graph.derive import DeriveSummary, staleness
from graph.derive import derive as derive_facts
from graph.queries import QUERY_TIMEOUT_S, StoredQuery, get_query, load_queries, run_query, warm_up
from graph.params import checked_text, json_value
from graph.output import EXPLANATION, FORMATS, WRAPPED, cell_text, key_columns, to_csv, to_json
from graph.readonly import ROW_CAP, run_read_only
from graph.readonly import TIMEOUT_S as READ_ONLY_TIMEOUT_S
from graph.shipped import shipped
from graph.snapshot import HEIGHT, WIDTH
from graph.validate import FolderIndex
from graph.workbook import checked_data
from graph.export import export as export_data
from graph.view_settings import DEFAULT_LIMIT, MAX_HOPS

SEED_DIR = shipped("seed_data")


def handle_errors(command: Callable) -> Callable:
    """Prints expected errors as `Error: ...` and exits 1, with no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SupplyGraphError as e:
            raise click.ClickException(str(e)) from e

    return wrapper


params_option = click.option(
    "-p", "--param", "params", type=(str, str), multiple=True, metavar="KEY VALUE",
    help="A query parameter; VALUE is read as JSON when it parses (42, true, [1,2]), else as text.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)


def read_text_argument(value: str) -> str:
    """A query given on the command line, or on stdin for '-': UTF-8 text, else a clear error."""
    if value == "-":
        data = sys.stdin.buffer.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise QueryError(f"the query on stdin is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError("the query is not valid UTF-8 text; retype it or pass it on stdin with '-'") from None
    return value


def print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, count: bool = True) -> None:
    if fmt == "json":
        click.echo(to_json(rows))
    elif fmt == "csv":
        click.echo(to_csv(rows, columns), nl=False)
    else:
        # Wrapped at the terminal's width (COLUMNS when it is not a terminal): the explanation takes the
        # room the short columns leave, the others are never folded below their longest word.
        table = Table(show_lines=EXPLANATION in columns)
        for c in columns:
            if c in WRAPPED:
                table.add_column(c, ratio=1, min_width=20, overflow="fold")
            else:
                table.add_column(c)
        for row in rows:
            table.add_row(*(cell_text(row.get(c)) for c in columns))
        Console(width=Console().width).print(table)
        if count:  # part of the table a person reads; stderr stays for what went wrong
            click.echo(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


def open_connection() -> Connection:
    return connect(load_settings())


@click.group()
@click.version_option(__version__, prog_name="supplygraph")
def cli() -> None:
    """supplygraph: explore the AI supply chain as a Neo4j graph.

    With no NEO4J_URI set, commands use the managed local Neo4j and start it on demand.

    \b
    Examples:
      supplygraph load
      supplygraph query indirect_links -p org_id openai -p as_of 2025-06-15
      supplygraph app
    """


@cli.group()
def db() -> None:
    """Manage the local Neo4j (a real Neo4j kernel, Bolt on 127.0.0.1).

    \b
    Examples:
      supplygraph db start
      supplygraph db status && echo up
    """


@db.command()
@handle_errors
def start() -> None:
    """Start the local Neo4j, or do nothing if it runs; wait until it answers.

    \b
    Example:
      supplygraph db start
    """
    local = LocalNeo4j()
    was_running = local.pid() is not None
    uri = local.start()
    click.echo(f"Neo4j {'was already running' if was_running else 'started'} at {uri} (data in {local.home})")
    if not was_running:  # plan the queries users ask first, so the first answer comes in well under a second
        conn = open_connection()
        try:
            warm_up(conn)
        finally:
            conn.close()


@db.command()
@handle_errors
def build() -> None:
    """Fetch the pinned Neo4j kernel with Maven and build the launcher (start does this too).

    \b
    Example:
      supplygraph db build
    """
    local = LocalNeo4j()
    command = local.build()
    click.echo(f"Neo4j {neo4j_version()} is ready to start with {command[0]}")


@db.command()
@handle_errors
def stop() -> None:
    """Stop the local Neo4j cleanly (data flushed, store lock released).

    \b
    Example:
      supplygraph db stop
    """
    click.echo("Neo4j stopped" if LocalNeo4j().stop() else "Neo4j was not running")


@db.command()
@handle_errors
def status() -> None:
    """Exit 0 only when the local Neo4j answers a query.

    \b
    Example:
      supplygraph db status && echo up
    """
    state = LocalNeo4j().status()
    click.echo(state.message)
    sys.exit(0 if state.running else 1)


@db.command()
@click.option("-n", "--lines", default=LOG_LINES, show_default=True, help="How many lines of each log.")
def logs(lines: int) -> None:
    """Print the end of the local Neo4j's logs.

    \b
    Example:
      supplygraph db logs -n 100
    """
    click.echo(LocalNeo4j().log_tail(lines))


@cli.command()
@click.argument("query")
@params_option
@format_option
@click.option("--timeout", default=READ_ONLY_TIMEOUT_S, show_default=True,
              help="Seconds before the server ends the query.")
@click.option("--row-cap", default=ROW_CAP, show_default=True, help="At most this many rows are returned.")
@handle_errors
def cypher(query: str, params: tuple[tuple[str, str], ...], fmt: str, timeout: float, row_cap: int) -> None:
    """Run a read-only Cypher QUERY ('-' reads it from stdin) in a READ transaction.

    Anything but a pure read is refused before it runs: writes, schema and admin commands,
    LOAD CSV, procedures not on the allow-list, several statements at once.

    \b
    Example:
      supplygraph cypher 'MATCH (o:Organization) RETURN o.name LIMIT 5' --format json
    """
    text = read_text_argument(query)
    values = {key: json_value(key, value) for key, value in params}
    conn = open_connection()
    try:
        result = run_read_only(conn, text, values, timeout=timeout, row_cap=row_cap)
        warn_if_stale(conn, result.reads_derived)
    finally:
        conn.close()
    print_rows(result.rows, result.columns, fmt)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.truncated:
        click.echo(f"note: only the first {result.row_cap} rows are shown; raise --row-cap or add a LIMIT", err=True)


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--relationships", "-n", type=click.IntRange(min=1), required=True,
              help="Rows of relationships.csv + positions.csv together (85% / 15%).")
@click.option("--seed", default=0, show_default=True, help="Random seed; the same seed gives the same files.")
@handle_errors
def generate(out_dir: str, relationships: int, seed: int) -> None:
    """Write a synthetic data folder (made-up organizations, a few hubs) to OUT_DIR.

    \b
    Example:
      supplygraph generate /tmp/synthetic --relationships 100000 --seed 1
    """
    for name, rows in generate_folder(Path(out_dir), relationships, seed).items():
        click.echo(f"{name}: {rows} rows")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), default=SEED_DIR)
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--replace", is_flag=True, help="Also delete what the folder no longer holds, so the graph matches it.")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, help="Rows per write transaction.")
@click.option("--strict", is_flag=True, help="Refuse to write when two rows look like the same entity.")
@click.option("--transactional", is_flag=True,
              help="Write in transactions even into an empty local database (no import tool, no server restart).")
@handle_errors
def load(folder: Path, dry_run: bool, replace: bool, batch_size: int, strict: bool, transactional: bool) -> None:
    """Validate a data FOLDER (default: the seed data supplygraph ships, seed_data/), or an Excel
    workbook with one sheet per file, and write it into Neo4j.

    Nothing is written if any row is invalid: every problem is listed with its file (or sheet), row,
    column and value. Two rows that look like the same organization or person are warned about
    (refused with --strict). Loading the same folder again changes nothing.

    Into an empty managed local database, the first load uses Neo4j's own import tool (the
    server is stopped and started again meanwhile); anything else is written in transactions.
    It says which it used.

    \b
    Examples:
      supplygraph load seed_data --replace
      supplygraph load book.xlsx --dry-run
      supplygraph load my-data --strict
      supplygraph load /tmp/synthetic --transactional
    """
    with checked_data(folder) as checked:
        for warning in checked.warnings + checked.duplicates:
            click.echo(f"Warning: {warning}", err=True)
        index = checked.index
        click.echo(f"{folder}: {index.total_rows} rows valid "
                   f"({', '.join(f'{n} {checked.part(name)}' for name, n in index.rows.items())})", err=True)
        if strict and checked.duplicates:
            n = len(checked.duplicates)
            raise SupplyGraphError(f"{n} possible duplicate{'s' if n != 1 else ''} and --strict: nothing was written "
                                   "(merge the rows or tell them apart, as each warning says, or load without --strict)")
        if dry_run:
            return
        summary = _write(checked.folder, index, replace, batch_size, transactional, checked.given.resolve().name)
    _report(summary, transactional)


def _write(folder: Path, index: FolderIndex, replace: bool, batch_size: int, transactional: bool,
           source: str) -> LoadSummary:
    settings = load_settings()
    local = LocalNeo4j() if settings.is_local and not transactional else None  # the server a bulk load may stop
    with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), transient=True,
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("loading", total=index.total_rows)
        progress, phase = (lambda n: bar.advance(task, n)), (lambda words: bar.update(task, description=words))
        # A new home: the import tool writes the database before the server's first start.
        first = load_before_first_start(local, folder, lambda: connect(settings), index, progress, phase, source,
                                        replace, batch_size) if local is not None and not settings.database else None
        if first is not None:
            return first
        conn = connect(settings)
        try:
            return load_folder(conn, folder, replace=replace, batch_size=batch_size, index=index,
                               progress=progress, phase=phase, local=local, source=source)
        finally:
            conn.close()


def _report(summary: LoadSummary, transactional: bool) -> None:
    if summary.method == BULK:
        click.echo(f"bulk load: {summary.why}", err=True)
    else:
        click.echo(f"transactional load: {'--transactional was given' if transactional else summary.why}", err=True)
    outcomes = ("created", "updated", "unchanged", "deleted")
    rows = [{"kind": kind, **{o: counts[o] for o in outcomes}} for kind, counts in summary.counts.items()]
    print_rows(rows, ["kind", *outcomes], "table", count=False)
    click.echo("graph unchanged" if not summary.changed else
               f"{summary.total('created')} created, {summary.total('updated')} updated, "
               f"{summary.total('deleted')} deleted", err=True)
    if summary.derived:
        echo_derived(summary.derived)
    elif summary.changed:
        click.echo(f"derived facts not updated (more than {DERIVE_ON_LOAD_MAX:,} relationships): "
                   "run `supplygraph derive`", err=True)


@cli.command("export")
@click.argument("target", type=click.Path(path_type=Path))
@handle_errors
def export_command(target: Path) -> None:
    """Write the database's base facts to TARGET: a new folder of CSV files, or a workbook (.xlsx)
    with one sheet per file. Either loads back to the same graph.

    \b
    Examples:
      supplygraph export /tmp/snapshot
      supplygraph export book.xlsx
    """
    conn = open_connection()
    try:
        rows = export_data(conn, target)
    finally:
        conn.close()
    click.echo(f"{target}: " + ", ".join(f"{n} {name}" for name, n in rows.items()), err=True)


def echo_derived(summary: DeriveSummary) -> None:
    click.echo(f"derived facts: {summary.changed} changed ("
               + ", ".join(f"{label} +{summary.created[label]} -{summary.died[label]}" for label in summary.created)
               + f"); {summary.recomputed:,} of {summary.organizations:,} organizations computed again"
               + f", in {summary.seconds:.1f} s", err=True)


def warn_if_stale(conn: Connection, query: StoredQuery | bool) -> None:
    """On stderr, when the query reads derived facts (a stored query, or a plan's verdict) and they are stale."""
    reads = query if isinstance(query, bool) else query.reads_derived
    if reads and (warning := staleness(conn)):
        click.echo(f"Warning: {warning}", err=True)


@cli.command()
@handle_errors
def derive() -> None:
    """Recompute the derived facts (families, ownership, exposures) from the graph.

    Every load does this; run it after changing the database by hand (the queries that read
    derived facts warn until you do). What is unchanged is not rewritten.

    \b
    Example:
      supplygraph derive
    """
    conn = open_connection()
    try:
        summary = derive_facts(conn, phase=lambda words: click.echo(f"{words} ...", err=True))
    finally:
        conn.close()
    echo_derived(summary)


@cli.command()
@click.option("--since", "since", required=True, help="First day of the window (YYYY-MM-DD).")
@click.option("--until", "until", default=None, help="Last day of the window (YYYY-MM-DD); default today.")
@click.option("--org", "org", default=None, help="Only links from this organization's id; default every organization.")
@click.option("--max-intermediaries", default=2, show_default=True, type=click.IntRange(0, 3),
              help="Organizations allowed between an organization and the rival's holding.")
@format_option
@handle_errors
def alerts(since: str, until: str | None, org: str | None, max_intermediaries: int, fmt: str) -> None:
    """Print indirect competitor links that started or ended in a window, newest first.

    What an analyst runs each morning after loading the latest facts: each change with the facts
    that caused it (the stored query new_exposures).

    \b
    Examples:
      supplygraph alerts --since 2025-06-01 --until 2025-06-30 --org openai
      supplygraph alerts --since 2025-06-01 --format json
    """
    query = get_query("new_exposures")
    conn = open_connection()
    try:
        columns, rows = run_query(conn, query, {"from_date": since, "to_date": until, "org_id": org,
                                                "max_intermediaries": max_intermediaries})
        warn_if_stale(conn, query)
    finally:
        conn.close()
    if fmt == "table":
        columns = ["date", "change", "org", "rival", "kind", "cause"]
    print_rows(rows, columns, fmt)


@cli.command("queries")
@format_option
@handle_errors
def list_queries(fmt: str) -> None:
    """List the stored queries in cypher/ with their descriptions and parameters.

    \b
    Example:
      supplygraph queries
    """
    rows = [{"name": q.name, "description": q.description,
             "parameters": ", ".join(f"{p.name} {p.type}" + (" (required)" if p.required else f" = {p.default}")
                                     for p in q.params)}
            for q in load_queries().values()]
    print_rows(rows, ["name", "description", "parameters"], fmt)


@cli.command("query")
@click.argument("name")
@params_option
@format_option
@click.option("--timeout", default=QUERY_TIMEOUT_S, show_default=True, help="Seconds before the server ends the query.")
@handle_errors
def run_stored_query(name: str, params: tuple[tuple[str, str], ...], fmt: str, timeout: float) -> None:
    """Run the stored query NAME with -p parameters (see `supplygraph queries`).

    \b
    Example:
      supplygraph query indirect_links -p org_id openai -p as_of 2025-06-15
    """
    query = get_query(name)
    conn = open_connection()
    try:
        columns, rows = run_query(conn, query, {key: checked_text(key, value) for key, value in params},
                                  timeout=timeout)
        warn_if_stale(conn, query)
    finally:
        conn.close()
    if fmt == "table":  # paths and nodes are for pictures and JSON, every column for json/csv
        columns = key_columns(columns, rows)
    print_rows(rows, columns, fmt)


@cli.command("app")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Port of the web app.")
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 shares the app with your network.")
@handle_errors
def run_app(port: int, address: str) -> None:
    """Start the explorer web app (Streamlit), headless, XSRF protection on.

    With no NEO4J_URI set, the local Neo4j is started first. Stop the app with Ctrl+C.

    \b
    Example:
      supplygraph app --port 8502
    """
    import os

    if load_settings().is_local:
        LocalNeo4j().start()
    # Every setting on the command line (the clone's .streamlit/config.toml says the same), so the app
    # behaves alike wherever it is started; secrets are read from .streamlit/ in the current folder,
    # as the CLI reads them.
    command = [sys.executable, "-m", "streamlit", "run", str(shipped("explorer/app.py")), "--server.headless", "true",
               "--server.port", str(port), "--server.address", address, "--server.enableXsrfProtection", "true",
               "--server.enableCORS", "true", "--browser.gatherUsageStats", "false", "--server.runOnSave", "false",
               "--server.fileWatcherType", "none", "--global.developmentMode", "false",
               "--client.toolbarMode", "minimal"]
    click.echo(f"supplygraph app on http://{address}:{port} (Ctrl+C stops it)", err=True)
    # Streamlit replaces this process, so Ctrl+C and signals reach it directly.
    os.execv(sys.executable, command)


@cli.command("snapshot")
@click.argument("entity_id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PNG file to write.")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(1, MAX_HOPS), help="How far out to go.")
@click.option("--as-of", "as_of", default=None, help="The date to draw the graph as of (YYYY-MM-DD); default today.")
@click.option("--title", default=None, help="The picture's title; default '<name>: N-hop neighbourhood'.")
@click.option("--limit", default=DEFAULT_LIMIT, show_default=True, type=click.IntRange(1, 100000),
              help="At most this many relationships.")
@click.option("--width", default=WIDTH, show_default=True, type=click.IntRange(200, 8000), help="Width in pixels.")
@click.option("--height", default=HEIGHT, show_default=True, type=click.IntRange(200, 8000), help="Height in pixels.")
@handle_errors
def snapshot_command(entity_id: str, out: Path, hops: int, as_of: str | None, title: str | None, limit: int,
                     width: int, height: int) -> None:
    """Draw the network around ENTITY_ID as a PNG for a briefing (headless Chromium).

    The picture is the app's network view: title, as-of date, legend and sources footnote. The same
    graph and options give the same PNG bytes.

    \b
    Example:
      supplygraph snapshot scale-ai --out scale-ai.png --hops 1 --as-of 2025-07-01
    """
    from graph.explore import render_view
    from graph.snapshot import html_to_png

    day = parse_day("--as-of", as_of, dt.date.today())
    conn = open_connection()
    try:
        page = render_view(conn, entity_id, hops, day, title=title, limit=limit)
    finally:
        conn.close()
    out.write_bytes(html_to_png(page, width=width, height=height))
    click.echo(f"wrote {out} ({width}x{height})", err=True)


def parse_day(option: str, value: str | None, default: dt.date) -> dt.date:
    """A YYYY-MM-DD option's date, the default when not given, else a clear error naming the option."""
    from graph.errors import ConfigError

    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date: write YYYY-MM-DD") from None


@cli.command("brief")
@click.argument("org")
@click.option("--as-of", "as_of", default=None, help="The date the brief describes (YYYY-MM-DD); default today.")
@click.option("--compare", default=None,
              help="What changed is told from this date to --as-of (YYYY-MM-DD); default 30 days before --as-of.")
@click.option("--highlight", default=None, help="The rival's id whose chain the picture draws bold; default the best link.")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write: NAME.pdf (the one-page A4 brief) or NAME.svg (its story picture).")
@handle_errors
def brief_command(org: str, as_of: str | None, compare: str | None, highlight: str | None, out: Path) -> None:
    """Write ORG's exposure brief: a one-page A4 PDF, or its story picture as SVG.

    ORG is an organization's id, name or alias. The PDF holds the title, the dates, the story picture
    (the best links' chains, captioned), the top links with their explanations, what changed since
    --compare and the sources. The SVG is the picture alone, a vector for slides. The same graph and
    options give the same bytes.

    \b
    Examples:
      supplygraph brief openai --as-of 2025-06-15 --compare 2025-06-01 -o openai.pdf
      supplygraph brief "Scale AI" --as-of 2025-07-01 -o scale-ai.svg
    """
    from graph import brief, story, story_svg
    from graph.errors import ConfigError

    kind = out.suffix.lower()
    if kind not in (".pdf", ".svg"):
        raise ConfigError(f"-o {str(out)!r}: write the brief to a .pdf file or its picture to a .svg file")
    day = parse_day("--as-of", as_of, dt.date.today())
    since = parse_day("--compare", compare, brief.default_compare(day))
    conn = open_connection()
    try:
        found = brief.organization(conn, org)
        org_id, name = str(found["id"]), str(found.get("name") or found["id"])
        warn_if_stale(conn, get_query("indirect_links"))
        if kind == ".svg":
            data = story_svg.svg(story.load_story(conn, org_id, name, day, highlight=highlight)).encode("utf-8")
        else:
            made = brief.make_brief(conn, org_id, name, day, since, highlight=highlight)
    finally:
        conn.close()
    if kind == ".pdf":
        data = brief.brief_pdf(made)
    out.write_bytes(data)
    click.echo(f"wrote {out} ({'one A4 page' if kind == '.pdf' else 'SVG'}, {name} as of {day.isoformat()})", err=True)
