"""What the explorer app (and `supplygraph snapshot`) asks the graph, and how it shapes the answers.

The app's own queries are stored files in `cypher/app/` (same header format as `cypher/`, so they
run as they are in cypher-shell); they are not listed in the query gallery. Every function here
takes a Connection and returns plain, picklable data, so the app can cache it with st.cache_data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import networkx as nx

from graph.db import Connection
from graph.errors import QueryError
from graph.model import POSITION_TYPE, RELATIONSHIP_TYPES, ROLE_LABELS, STATUSES
from graph.output import cell_text
from graph.queries import CYPHER_DIR, StoredQuery, get_query, load_queries, run_query
from graph.validate import parse_date
from graph.view_settings import DEFAULT_LIMIT
from graph import diff, drawing, network

APP_QUERIES = CYPHER_DIR / "app"
DEFAULT_FOCUS = "scale-ai"
GALLERY_FIRST = "indirect_links"  # the question most analysts come with
ROLE_CHOICES = (*ROLE_LABELS.values(), "Facility", "Person")
TYPE_CHOICES = (*RELATIONSHIP_TYPES, POSITION_TYPE)
STATUS_CHOICES = STATUSES
WORD = re.compile(r"\w+", re.UNICODE)
EXAMPLE_VALUE = re.compile(r"e\.g\.\s*(?:\"([^\"]+)\"|([^\s,;)]+))")


def app_query(name: str) -> StoredQuery:
    return get_query(name, APP_QUERIES)


# ---------------------------------------------------------------------------------------------------
# Finding entities


def lucene_query(text: str) -> str | None:
    """The words of `text` as a Lucene prefix query ("Scale AI" -> "scale* AND ai*"); None if no word.

    Only word characters reach Lucene, so no input can be a Lucene syntax error.
    """
    words = [w.lower() for w in WORD.findall(text)]
    return " AND ".join(f"{w}*" for w in words) if words else None


def search_entities(conn: Connection, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Organizations and people matching `text` by name, alias or id (fulltext index `entity_names`)."""
    text = text.strip()
    lucene = lucene_query(text)
    if not text or lucene is None:
        return []
    _, rows = run_query(conn, app_query("search_entities"), {"text": text, "lucene": lucene, "limit": limit})
    return rows


def entity(conn: Connection, entity_id: str) -> dict[str, Any] | None:
    _, rows = run_query(conn, app_query("entity"), {"entity_id": entity_id})
    return rows[0] if rows else None


def entity_label(row: Mapping[str, Any]) -> str:
    """"Scale AI (Vendor · scale-ai)" for a select box."""
    role = drawing.ROLE_STYLES.get(network.role_of(row.get("labels") or []), drawing.ROLE_STYLES["Other"])[0]
    return f"{row.get('name') or row.get('id')} ({role} · {row.get('id')})"


def date_range(conn: Connection) -> tuple[dt.date | None, dt.date | None]:
    _, rows = run_query(conn, app_query("date_range"))
    first, last = (rows[0]["first"], rows[0]["last"]) if rows else (None, None)
    return (dt.date.fromisoformat(first) if first else None, dt.date.fromisoformat(last) if last else None)


def slider_range(conn: Connection, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates an as-of slider offers: from the first of January of the graph's first dated fact to
    today or its last date, whichever is later (an empty graph: this year to today)."""
    first, last = date_range(conn)
    return dt.date((first or today).year, 1, 1), max(today, last or today)


# ---------------------------------------------------------------------------------------------------
# The network view


@dataclass(frozen=True)
class Filters:
    """What the network view shows: roles (nodes), relationship types and statuses as of a date."""

    roles: tuple[str, ...] = ROLE_CHOICES
    types: tuple[str, ...] = TYPE_CHOICES
    statuses: tuple[str, ...] = STATUS_CHOICES


@dataclass
class View:
    """Rows of a neighbourhood, filtered, with what was left out."""

    rows: list[dict[str, Any]]
    total: int  # relationships the query found before its limit
    fetched: int  # relationships the query returned
    notes: list[str] = field(default_factory=list)


def neighbourhood_rows(conn: Connection, entity_id: str, hops: int, as_of: dt.date, include_ended: bool,
                       limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """The stored `neighbourhood` query's rows (the same text as `supplygraph query neighbourhood`)."""
    _, rows = run_query(conn, get_query("neighbourhood"), {"entity_id": entity_id, "hops": hops, "as_of": as_of,
                                                          "include_ended": include_ended, "limit": limit})
    return rows


def status_on(row: Mapping[str, Any], as_of: dt.date) -> str | None:
    """The status a relationship had on `as_of`, or None if it had not started yet.

    A relationship whose `until` is on or before the date had ended; one marked ended whose `until` is
    later (or unknown, when its since is later than the date) was still in force then.
    """
    since, until = _date(row.get("since")), _date(row.get("until"))
    status = row.get("status") or "active"
    if since is not None and since > as_of:
        return None
    if until is not None and until <= as_of:
        return "ended"
    if status == "ended" and until is not None:
        return "active"  # it ended later than the date shown
    return status


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value))
    except ValueError:
        return None


def filter_rows(rows: Iterable[Mapping[str, Any]], as_of: dt.date, filters: Filters,
                focus_id: str | None = None) -> list[dict[str, Any]]:
    """Rows as they stood on `as_of` (status replayed), keeping the chosen types, statuses and roles.

    A relationship is kept when both ends have a chosen role, or one end is the focus.
    """
    roles, types, statuses = set(filters.roles), set(filters.types), set(filters.statuses)
    kept = []
    for row in rows:
        status = status_on(row, as_of)
        if status is None or status not in statuses or row.get("type") not in types:
            continue
        ends = ((row.get("from_id"), row.get("from_labels")), (row.get("to_id"), row.get("to_labels")))
        if not all(node_id == focus_id or _role_kept(labels, roles) for node_id, labels in ends):
            continue
        kept.append({**row, "status": status})
    return kept


def _role_kept(labels: Iterable[str] | None, roles: set[str]) -> bool:
    role = network.role_of(labels or [])
    return role in roles or role not in ROLE_CHOICES  # nodes of no known role are not filtered


def make_view(rows: list[dict[str, Any]], entity_id: str, as_of: dt.date, filters: Filters) -> View:
    """Neighbourhood rows filtered as chosen; notes say what the query's limit left out."""
    total = int(rows[0]["total"]) if rows else 0
    view = View(filter_rows(rows, as_of, filters, entity_id), total=total, fetched=len(rows))
    if total > len(rows):
        view.notes.append(f"showing {len(rows):,} of {total:,} relationships (the most connected first); "
                          "raise the limit to see more")
    return view


def load_view(conn: Connection, entity_id: str, hops: int, as_of: dt.date, filters: Filters = Filters(),
              limit: int = DEFAULT_LIMIT) -> View:
    """The neighbourhood of an entity on a date, filtered."""
    rows = neighbourhood_rows(conn, entity_id, hops, as_of, "ended" in filters.statuses, limit)
    return make_view(rows, entity_id, as_of, filters)


def load_diff(conn: Connection, entity_id: str, hops: int, first: dt.date, second: dt.date,
              filters: Filters = Filters(), limit: int = DEFAULT_LIMIT) -> diff.Diff:
    """What started, ended or stayed around an entity between two dates (graph.diff), the chosen roles
    and types kept. The rows are the neighbourhood as of the later date with ended ones, which holds
    everything valid on either date or between."""
    earlier, later = diff.ordered(first, second)
    rows = neighbourhood_rows(conn, entity_id, hops, later, True, limit)
    kept = filter_rows(rows, later, Filters(filters.roles, filters.types, STATUS_CHOICES), entity_id)
    return diff.compare(kept, earlier, later, entity_id, hops)


def view_graph(view: View, focus: Mapping[str, Any]) -> nx.MultiDiGraph:
    """The view's graph, with the focus in it even when no relationship is left."""
    graph = network.graph_from_rows(view.rows)
    if focus["id"] not in graph:
        graph.add_node(focus["id"], name=focus.get("name") or focus["id"], labels=sorted(focus.get("labels") or []),
                       role=network.role_of(focus.get("labels") or []), description=focus.get("description"))
    return graph


def source_details(conn: Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Source id -> {publisher, title, date, url} for the ids that exist."""
    wanted = sorted({str(i) for i in ids if i and ";" not in str(i)})
    if not wanted:
        return {}
    _, rows = run_query(conn, app_query("sources"), {"ids": ";".join(wanted)})
    return {row["id"]: row for row in rows}


def sources_of(rows: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The ids of the sources the rows cite, sorted."""
    return tuple(sorted({str(s) for row in rows for s in (row.get("sources") or [])}))


def view_title(name: str, hops: int) -> str:
    return f"{name}: {hops}-hop neighbourhood"


def render_view(conn: Connection, entity_id: str, hops: int, as_of: dt.date, title: str | None = None,
                filters: Filters = Filters(), limit: int = DEFAULT_LIMIT,
                max_nodes: int = drawing.DEFAULT_MAX_NODES, captions: bool = True, group_hubs: bool = True) -> str:
    """The network page of an entity's neighbourhood (what the app draws and `snapshot` photographs)."""
    found = entity(conn, entity_id)
    if found is None:
        raise QueryError(f"no organization or person has the id {entity_id!r}; search for it in the app or "
                         "with `supplygraph cypher`")
    view = load_view(conn, entity_id, hops, as_of, filters, limit)
    return view_picture(view, found, hops, as_of, source_details(conn, sources_of(view.rows)), title, max_nodes,
                        captions, group_hubs).html


@dataclass(frozen=True)
class Picture:
    """A drawn view: the page, and notes on what it leaves out (shown beside it in the app)."""

    html: str
    notes: tuple[str, ...]


def view_picture(view: View, focus: Mapping[str, Any], hops: int, as_of: dt.date,
                 sources: Mapping[str, Mapping[str, Any]], title: str | None = None,
                 max_nodes: int = drawing.DEFAULT_MAX_NODES, captions: bool = True,
                 group_hubs: bool = True) -> Picture:
    """The picture of a view: the app and `supplygraph snapshot` both draw through here; edges captioned
    and hubs' leaves grouped unless asked not to (graph.readable)."""
    graph = view_graph(view, focus)
    notes = [*view.notes, drawing.cap_note(graph, drawing.cap_graph(graph, max_nodes, focus["id"]))]
    page = drawing.render_html(graph, title or view_title(focus.get("name") or focus["id"], hops), as_of,
                             focus_id=focus["id"], sources=sources, max_nodes=max_nodes,
                             note="; ".join(view.notes) or None, captions=captions, group_hubs=group_hubs)
    return Picture(page, tuple(n for n in notes if n))


def diff_title(name: str, hops: int, found: diff.Diff) -> str:
    return f"{view_title(name, hops)}: what changed from {found.earlier.isoformat()} to {found.later.isoformat()}"


def diff_picture(found: diff.Diff, focus: Mapping[str, Any], hops: int, sources: Mapping[str, Mapping[str, Any]],
                 max_nodes: int = drawing.DEFAULT_MAX_NODES, captions: bool = True,
                 group_hubs: bool = True) -> Picture:
    """The picture of a diff: started in green, ended grey and dashed, unchanged faded, the counts under the
    title (graph.diff's caption)."""
    graph = view_graph(View(found.rows, total=len(found.rows), fetched=len(found.rows)), focus)
    page = drawing.render_html(graph, diff_title(focus.get("name") or focus["id"], hops, found), found.later,
                               focus_id=focus["id"], sources=sources, max_nodes=max_nodes, note=found.caption,
                               captions=captions, group_hubs=group_hubs)
    cap = drawing.cap_note(graph, drawing.cap_graph(graph, max_nodes, focus["id"]))
    return Picture(page, (cap,) if cap else ())


# ---------------------------------------------------------------------------------------------------
# Details and timeline


def entity_facts(conn: Connection, entity_id: str) -> list[dict[str, Any]]:
    _, rows = run_query(conn, app_query("entity_facts"), {"entity_id": entity_id})
    return rows


def fact_table(facts: Sequence[Mapping[str, Any]], name: str) -> list[dict[str, Any]]:
    """One line per fact for the details panel: the fact in words, its dates, status and sources."""
    table = []
    for fact in facts:
        other = fact.get("other_name") or fact.get("other_id")
        subject, obj = (name, other) if fact.get("direction") == "out" else (other, name)
        sources = fact.get("sources") or []
        table.append({
            "fact": f"{subject} {str(fact.get('type') or '').replace('_', ' ').lower()} {obj}",
            "detail": fact.get("detail") or "",
            "since": fact.get("since") or "",
            "until": fact.get("until") or "",
            "status": fact.get("status") or "",
            "confidence": fact.get("confidence") or "",
            "sources": "; ".join(_source_text(s) for s in sources),
            "note": fact.get("note") or "",
        })
    return table


def _source_text(source: Mapping[str, Any]) -> str:
    if not source.get("publisher"):
        return str(source.get("id"))
    date = f", {source['date']}" if source.get("date") else ""
    return f"{source['publisher']}{date}: {source.get('title') or source.get('id')}"


def source_table(facts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each source cited by the facts once: id, publisher, title, date, url."""
    seen: dict[str, dict[str, Any]] = {}
    for fact in facts:
        for source in fact.get("sources") or []:
            row = {k: source.get(k) or "" for k in ("id", "publisher", "title", "date", "url")}
            if not str(row["url"]).startswith(("https://", "http://")):
                row["url"] = ""  # the table makes urls clickable: only web links (the loader allows no other)
            seen.setdefault(str(source.get("id")), row)
    return sorted(seen.values(), key=lambda s: (s["date"], s["id"]), reverse=True)


# What an event means, by type and start/end: "{a} ... {b}".
EVENT_WORDS: dict[str, tuple[str, str]] = {
    "INVESTED_IN": ("{a} invested in {b}", "{a}'s stake in {b} ended"),
    "SUPPLIES": ("{a} began supplying {b}", "{a} stopped supplying {b}"),
    "PARTNERS_WITH": ("{a} partnered with {b}", "{a}'s partnership with {b} ended"),
    "COMPETES_WITH": ("{a} began competing with {b}", "{a} stopped competing with {b}"),
    "SUBSIDIARY_OF": ("{a} became part of {b}", "{a} left {b}"),
    "ACQUIRED_BY": ("{a} was acquired by {b}", "{a}'s acquisition by {b} ended"),
    "REVIEWS": ("{a} began reviewing {b}", "{a}'s review of {b} ended"),
    POSITION_TYPE: ("{a} joined {b}", "{a} left {b}"),
    "OWNS": ("{a} came to own {b}", "{a}'s ownership of {b} ended"),
    "OPERATES": ("{a} began operating {b}", "{a} stopped operating {b}"),
    "USES": ("{a} began using {b}", "{a} stopped using {b}"),
    "BUILDS": ("{a} began building {b}", "{a}'s building of {b} ended"),
}


def timeline_events(conn: Connection, entity_id: str | None = None, as_of: dt.date | None = None,
                    limit: int = 5000) -> list[dict[str, Any]]:
    """Dated events (the stored `timeline` query), oldest first, each with a sentence saying what happened."""
    _, rows = run_query(conn, get_query("timeline"), {"entity_id": entity_id, "as_of": as_of or dt.date.today(),
                                                     "limit": limit})
    events = []
    for row in rows:
        started = row["event"] == "started"
        rel_type = row["type"]
        start, end = EVENT_WORDS.get(rel_type, ("{a} " + rel_type.lower() + " {b}", "{a} " + rel_type.lower() + " {b} ended"))
        words = (start if started else end).format(a=row.get("from_name") or row["from_id"],
                                                   b=row.get("to_name") or row["to_id"])
        if row.get("detail"):
            words += f": {row['detail']}"
        kind = ("person " if rel_type == POSITION_TYPE else "") + ("starts" if started else "ends")
        events.append({"date": row["date"], "when": row.get("date_text") or row["date"], "event": words,
                       "kind": kind, "type": rel_type, "status": row.get("status") or "",
                       "sources": "; ".join(row.get("sources") or []), "rel_id": row.get("rel_id")})
    return events


# ---------------------------------------------------------------------------------------------------
# The query gallery


def network_reads_derived() -> bool:
    """Whether the network page's queries (the view, the diff and the facts table) read derived facts."""
    return get_query("neighbourhood").reads_derived or app_query("entity_facts").reads_derived


def timeline_reads_derived() -> bool:
    return get_query("timeline").reads_derived


def gallery_queries() -> dict[str, StoredQuery]:
    return load_queries()


def stored_query_rows(conn: Connection, name: str, values: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of the stored query `name` (cypher/) with the gallery's values."""
    return run_query(conn, get_query(name), values)


def example_value(help_text: str) -> str | None:
    """The example a parameter's help gives (`e.g. "scale-ai"`), to prefill the gallery's form."""
    match = EXAMPLE_VALUE.search(help_text or "")
    return (match.group(1) or match.group(2)) if match else None


def table_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows for a table widget: nodes, relationships and paths as short text, lists joined."""
    return [{c: _cell(row.get(c)) for c in columns} for row in rows]


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        if "labels" in value and "element_id" in value:
            props = value.get("properties") or {}
            return f"({':'.join(value['labels'])} {props.get('name') or props.get('id') or value['element_id']})"
        if "type" in value and "start" in value:
            props = value.get("properties") or {}
            return f"[:{value['type']} {props.get('id') or ''}]".replace(" ]", "]")
        if "nodes" in value and "relationships" in value:
            names = [_cell(n) for n in value["nodes"]]
            return " - ".join(names)
        return cell_text(value)
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return ", ".join("" if v is None else str(v) for v in value)
        return cell_text([_cell(v) for v in value])
    return value
