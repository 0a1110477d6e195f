"""Streamlit glue shared by the app's pages: the cached connection, cached queries, errors shown.

Pages stay short top-to-bottom scripts; what they ask the graph lives in graph.explore, what they draw
in graph.network and graph.drawing. Every query goes through `ask`, cached with st.cache_data: plain,
picklable data, keyed by the database's address, the function's name and the arguments (the connection
object itself is not hashed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import threading
from typing import Any, Callable, Iterator, Mapping, TypeVar

import pandas as pd
import streamlit as st
from neo4j.exceptions import DriverError, Neo4jError
from streamlit_ace import st_ace

from graph import brief, catalogue, explore, forms, snapshot, workbench
from graph import console as console_text
from graph.config import Settings, load_settings
from graph.db import Connection, connect, driver_errors
from graph.errors import DatabaseUnavailable, SupplyGraphError
from graph.local_neo4j import LocalNeo4j
from graph.readonly import ReadOnlyResult, run_read_only
from graph.derive import staleness  # (apart: the line above it is shared with the console's imports)

CACHE_TTL_S = 120
NETWORK_HEIGHT = 720
T = TypeVar("T")


def page_setup(title: str) -> None:
    st.set_page_config(page_title=f"{title} · supplygraph", layout="wide")


@st.cache_resource(show_spinner=False)
def _open(settings: Settings) -> Connection:
    # `supplygraph app` starts the local Neo4j before the app; a page starts it only when it had been
    # running and stopped (connection()), not on every open.
    return connect(settings, start_local=False)


_restarting = threading.Lock()  # one restart of the local Neo4j at a time, whatever the sessions


def connection() -> Connection:
    """The app's connection, checked on each run; a dead one is dropped, so a later run reconnects.

    When the managed local Neo4j has stopped (killed, or out of memory), it is started again, once for
    all sessions: its store recovers from the transaction log, so nothing committed is lost. Stops the
    page with an error the user can act on when Neo4j is unreachable or misconfigured.
    """
    try:
        settings = load_settings()
        try:
            return _checked(settings)
        except DatabaseUnavailable:
            if not settings.is_local or not _restart_local():
                raise
            st.info("The local Neo4j had stopped and was started again; nothing that was saved is lost.")
            return _checked(settings)
    except SupplyGraphError as e:
        _open.clear()
        stop_with_error(e)
        raise  # st.stop() raised already; this line is for type checkers


def _checked(settings: Settings) -> Connection:
    conn = _open(settings)
    try:
        conn.driver.verify_connectivity()
    except (DriverError, Neo4jError, OSError):
        _open.clear()
        conn = _open(settings)
    return conn


def _restart_local() -> bool:
    """Starts the managed local Neo4j if its process is gone; False if it runs (then it is only slow or
    starting, and a restart would not help)."""
    with _restarting:
        local = LocalNeo4j()
        if local.pid() is not None:
            return False
        with st.spinner("The local Neo4j has stopped: starting it again (about 15 s)..."):
            local.start()
        _open.clear()
        return True


MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md(text: object) -> str:
    """Text shown through Streamlit's Markdown (titles, messages) exactly as it is: no links, no formatting."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def stop_with_error(error: Exception) -> None:
    """Shows an expected problem (it says what to do) and stops the page."""
    if isinstance(error, DatabaseUnavailable):
        st.error(md(f"{error}. Then reload this page: the app reconnects by itself (and starts the local "
                    "Neo4j again if it had stopped)."))
    else:
        st.error(md(error))
    st.stop()


@contextlib.contextmanager
def shown_errors() -> Iterator[None]:
    """supplygraph's errors inside the block become st.error + st.stop, never a traceback."""
    try:
        yield
    except SupplyGraphError as e:
        if isinstance(e, DatabaseUnavailable):
            _open.clear()
        stop_with_error(e)


def _key(conn: Connection) -> str:
    return f"{conn.uri}/{conn.database or ''}"


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=256)
def _cached(_conn: Connection, key: str, name: str, args: tuple[Any, ...], _function: Callable[..., Any]) -> Any:
    # Streamlit hashes key, name and args; the connection and the function object are left out (the "_").
    return _function(_conn, *args)


def ask(conn: Connection, function: Callable[..., T], *args: Any) -> T:
    """`function(conn, *args)`, cached by the database, the function's name and the arguments (see
    CACHE_TTL_S); supplygraph's errors stop the page with a message (see shown_errors).

    `function` is one of graph.explore's, which return plain, picklable data.
    """
    with shown_errors():
        return _cached(conn, _key(conn), f"{function.__module__}.{function.__qualname__}", args, function)


STALENESS_TIMEOUT_S = 10.0


def stale_warning(conn: Connection, reads_derived: bool = True) -> str | None:
    """One warning with its fix when what the page shows reads derived facts (graph.derive.reads_derived)
    and they are stale or missing (graph.derive.staleness); returns it, or None.

    Asked on every run, not cached (it costs a few milliseconds): the warning goes on the first run
    after `supplygraph derive`, and comes on the first after an edit by hand.
    """
    if not reads_derived:
        return None
    with shown_errors(), driver_errors(conn.uri, STALENESS_TIMEOUT_S):
        message = staleness(conn)
    if message:
        st.warning(message, icon="⚠️")  # our own words, with the command as code
    return message


def view(conn: Connection, entity_id: str, hops: int, as_of: dt.date, filters: explore.Filters,
         limit: int) -> explore.View:
    """The network view's rows (cached), filtered as the sidebar says."""
    rows = ask(conn, explore.neighbourhood_rows, entity_id, hops, as_of, "ended" in filters.statuses, limit)
    return explore.make_view(rows, entity_id, as_of, filters)


def console(conn: Connection, text: str, params: Mapping[str, Any] | None = None) -> ReadOnlyResult:
    """Typed Cypher and its parameters, checked read-only and capped (graph.readonly); not cached."""
    with shown_errors():
        return run_read_only(conn, text, params)


# The console's session state: the text last loaded into the editor (a new version remounts it with
# that text), the parameters set by `:param` lines, the history (newest first), the last run (a
# graph.console.Run).
CONSOLE_TEXT, CONSOLE_VERSION = "console_text", "console_editor_version"
CONSOLE_PARAMS, CONSOLE_HISTORY, CONSOLE_RESULT = "console_params", "console_history", "console_result"
CONSOLE_PAGE = "pages/2_Cypher_console.py"


def load_into_console(text: str) -> None:
    """Puts `text` into the console's editor (on its next run)."""
    st.session_state[CONSOLE_TEXT] = text
    st.session_state[CONSOLE_VERSION] = st.session_state.get(CONSOLE_VERSION, 0) + 1


def open_in_console(text: str) -> None:
    """Opens the console page with `text` in its editor."""
    load_into_console(text)
    st.switch_page(CONSOLE_PAGE)


def cypher_editor(example: str) -> str:
    """The console's editor (Ace, bundled in the streamlit-ace wheel: nothing is fetched from another
    host); returns its text. Ace has no Cypher mode: AQL's (ArangoDB's graph queries) is the nearest,
    with // comments, both quotes, numbers and RETURN, WITH, LIMIT, AND, OR, NOT, IN, DISTINCT as
    keywords, and `--` is no comment there (it is in SQL's)."""
    text = st.session_state.setdefault(CONSOLE_TEXT, example)
    version = st.session_state.setdefault(CONSOLE_VERSION, 0)
    return st_ace(value=text, language="aql", theme="chrome", keybinding="vscode", min_lines=8, max_lines=30,
                  font_size=14, tab_size=2, wrap=True, auto_update=True, key=f"cypher_editor_{version}",
                  placeholder=":param org => 'scale-ai'\nMATCH (o:Organization {id: $org}) RETURN o")


def run_console(conn: Connection, text: str) -> None:
    """Runs the console's text: its `:param` lines set the session's parameters, the query below them
    runs with them (graph.console, graph.readonly); remembered in the history whatever the outcome.
    A bad line or query stops the page with the error."""
    st.session_state[CONSOLE_HISTORY] = console_text.remember(st.session_state.get(CONSOLE_HISTORY, []), text)
    st.session_state.pop(CONSOLE_RESULT, None)
    with shown_errors():
        script = console_text.read_script(text, st.session_state.get(CONSOLE_PARAMS, {}))
    st.session_state[CONSOLE_PARAMS] = script.params
    result = console(conn, script.statement, script.params) if script.statement else None
    st.session_state[CONSOLE_RESULT] = console_text.Run(text, result, script.show_params or not script.statement)


def console_history() -> None:
    """The session's queries, newest first; a click loads one back into the editor."""
    history = st.session_state.get(CONSOLE_HISTORY, [])
    with st.expander(f"History ({len(history)})", expanded=False):
        if not history:
            st.caption("The queries you run in this session appear here, newest first.")
        for i, text in enumerate(history):
            st.button(md(console_text.history_label(text)), key=f"console_history_{i}", on_click=load_into_console,
                      args=(text,), help="Load it into the editor", width="stretch")


def console_params(expanded: bool) -> None:
    """The session's parameters as `:param` lines (what `:params` shows)."""
    params = st.session_state.get(CONSOLE_PARAMS, {})
    with st.expander(f"Parameters ({len(params)})", expanded=expanded):
        if params:
            st.code(console_text.params_lines(params), language="cypher")
        else:
            st.caption("No parameters yet: a line `:param name => value` above a query sets one.")


def schema_panel(found: catalogue.Catalogue) -> None:
    """The graph's schema beside the console: labels, derived labels, types and keys with counts."""
    st.markdown("**Labels**")
    st.table(pd.DataFrame(found.labels, columns=["label", "nodes"]), hide_index=True)
    if found.derived:
        st.markdown("**Derived labels** (computed at load)")
        st.table(pd.DataFrame(found.derived, columns=["label", "nodes"]), hide_index=True)
    st.markdown("**Relationship types**")
    st.table(pd.DataFrame(found.types, columns=["type", "relationships"]), hide_index=True)
    with st.expander(f"Property keys ({len(found.keys)})"):
        rows = found.keys
        if found.sample is not None:
            st.caption(f"Counted on a sample: up to {found.sample:,} nodes of each label and "
                       f"{found.sample:,} relationships of each type (the graph has more). – means no "
                       "node or relationship of the sample holds the key; it may still be in use.")
            rows = [{k: "–" if v is None else v for k, v in row.items()} for row in rows]
        st.table(pd.DataFrame(rows, columns=["key", "nodes", "relationships"]), hide_index=True)


def entity_picker(conn: Connection, search_key: str, select_key: str, default_id: str | None,
                  whole_graph: str | None = None, organizations_only: bool = False,
                  label: str = "Entity", help: str | None = None,
                  kinds: tuple[str, ...] | None = None) -> str | None:
    """A search box and a select box of its matches (names, not ids); returns the chosen entity's id.

    With an empty search box the default entity is offered, if it exists. `whole_graph` adds a first
    choice meaning "no entity", returned as None. `organizations_only` (or `kinds`) leaves people out of
    the matches (for queries that start from an organization). The choices come from graph.forms.
    """
    kinds = kinds or ((forms.ORGANIZATION,) if organizations_only else (forms.ORGANIZATION, forms.PERSON))
    what = "an organization" if forms.PERSON not in kinds else "an organization or person"
    search_label = f"Search {what}" if label == "Entity" else f"{label}: search by name"
    text = st.text_input(search_label, key=search_key, placeholder="a name or alias, e.g. Scale AI", help=help)
    if text.strip():
        matches = ask(conn, forms.search, text.strip(), kinds)
        if not matches:
            message = md(forms.nothing_found(text, kinds))
            if not whole_graph:
                st.info(message)
                st.stop()
            st.caption(message)
    else:
        found = ask(conn, forms.option_for, default_id, kinds) if default_id else None
        matches = [found] if found else []
        if not matches and not whole_graph:
            st.info(f"Type a name in the search box to pick {what}.")
            st.stop()
    labels: dict[str | None, str] = {None: whole_graph or ""}
    labels.update({m.id: m.label for m in matches})
    options = ([None] if whole_graph else []) + [m.id for m in matches]
    if text.strip():
        index = 1 if whole_graph and matches else 0
    else:
        index = options.index(default_id) if default_id in options else 0
    # A new search chooses its best match (the box would keep the last choice while it is still offered).
    searched = f"{select_key}__searched"
    if st.session_state.get(searched) != text.strip() or st.session_state.get(select_key) not in options:
        st.session_state[searched] = text.strip()
        st.session_state[select_key] = options[index]
    return st.selectbox(label, options, format_func=lambda o: labels.get(o, str(o)), key=select_key, help=help)


def network(page_html: str, height: int = NETWORK_HEIGHT) -> None:
    st.iframe(page_html, height=height, alt="Network of organizations and people")


def downloads(page_html: str, key: str, stem: str) -> None:
    """Download buttons for the picture: the HTML page, and a PNG drawn on demand by headless Chromium."""
    left, right = st.columns(2)
    left.download_button("Download the picture (HTML)", page_html, file_name=f"{file_stem(stem)}.html",
                         mime="text/html", key=f"{key}_html", on_click="ignore")
    state_key = f"{key}_png_bytes"
    digest = hashlib.sha256(page_html.encode("utf-8")).hexdigest()
    if right.button("Make a PNG", key=f"{key}_png", help="Draws this picture with headless Chromium"):
        try:
            with st.spinner("Drawing the PNG..."):
                st.session_state[state_key] = (digest, snapshot.html_to_png(page_html))
        except SupplyGraphError as e:
            right.error(md(e))
    made = st.session_state.get(state_key)
    if made and made[0] == digest:  # the same picture: the HTML is deterministic
        right.download_button("Download PNG", made[1], file_name=f"{file_stem(stem)}.png", mime="image/png",
                              key=f"{key}_png_download", on_click="ignore")


def story_downloads(picture: str, make_pdf: Callable[[], bytes], identity: str, key: str, stem: str) -> None:
    """Download buttons for the story picture as SVG (as drawn) and the one-page PDF brief, made on
    demand by headless Chromium; `identity` names what the PDF would show, so a stale one is not offered."""
    left, right = st.columns(2)
    left.download_button("Download the picture (SVG)", picture, file_name=f"{file_stem(stem)}.svg",
                         mime="image/svg+xml", key=f"{key}_svg", on_click="ignore")
    state_key = f"{key}_pdf_bytes"
    if right.button("Make the PDF brief", key=f"{key}_pdf", help="One A4 page: the picture, the top links, "
                    "what changed and the sources"):
        try:
            with st.spinner("Printing the PDF..."):
                st.session_state[state_key] = (identity, make_pdf())
        except SupplyGraphError as e:
            right.error(md(e))
    made = st.session_state.get(state_key)
    if made and made[0] == identity:
        right.download_button("Download the PDF brief", made[1], file_name=f"{file_stem(stem)}.pdf",
                              mime="application/pdf", key=f"{key}_pdf_download", on_click="ignore")


def reset_on_new_options(key: str, options: tuple[Any, ...], default: Any) -> None:
    """Sets the widget `key` to `default` whenever its options differ from those of the last run (a
    widget's own memory would keep the old choices that still exist and never add the new defaults)."""
    seen = f"{key}__options"
    if st.session_state.get(seen) != options:
        st.session_state[seen] = options
        st.session_state[key] = default


def file_stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "view"


def form_input(conn: Connection, query_name: str, field: forms.Field) -> Any:
    """The widget graph.forms chose for a stored query's parameter; key param_<query>_<name> (and
    param_<query>_<name>_search for a picker's search box). Returns the value the query takes."""
    key = f"param_{query_name}_{field.name}"
    label = f"{field.label}{' *' if field.required else ''}"
    if field.widget == "entity":
        return entity_picker(conn, f"{key}_search", key, field.default, whole_graph=field.none_label,
                             label=label, help=field.help, kinds=field.kinds)
    if field.widget == "choice":
        choices = ask(conn, forms.publishers) if field.from_graph else list(field.choices)
        if not choices:
            st.info(f"{field.label}: the graph has nothing to choose from yet.")
            st.stop()
        return st.selectbox(label, choices, index=forms.start_choice(field, choices), help=field.help, key=key)
    if field.widget == "date":
        return st.date_input(label, value=field.default, help=field.help, key=key, format="YYYY-MM-DD")
    if field.widget == "checkbox":
        return st.checkbox(label, value=field.default, help=field.help, key=key)
    if field.widget == "number":
        return st.number_input(label, value=field.default, step=1 if field.type == "int" else None, help=field.help,
                               key=key)
    text = st.text_input(label, value=field.default, help=field.help, key=key)
    return text.strip() or None


def exposure_card(card: workbench.Card, key: str) -> None:
    """One indirect link as a bordered card: rival and kind, the score as a bar, the chain's facts as
    a list, since when it holds, and the sources as links (graph.workbench.Card)."""
    with st.container(border=True, key=key):
        st.markdown(f"**{md(card.rival)}** · {md(card.kind_words)}")
        st.progress(card.bar, text=f"score {card.score:.3f}")
        st.markdown("\n".join(f"- {md(step)}" for step in card.steps))
        if card.also:
            st.markdown("Also: " + " ".join(md(a) for a in card.also))
        st.caption(md(f"The link holds {card.holds}."))
        if card.shown_sources:
            st.markdown("Sources (the best chain's):\n" + source_list(card.shown_sources))
        if card.folded_sources:
            more = len(card.folded_sources)
            with st.expander(f"and {more} more source{'s' if more != 1 else ''}", key=f"{key}_more_sources"):
                st.markdown(source_list(card.folded_sources))


def source_list(sources: tuple[workbench.SourceLink, ...]) -> str:
    """Sources as a Markdown list, one a line: publisher, date, title, linked."""
    return "\n".join(f"- {source_markdown(s)}" for s in sources)


def source_markdown(source: workbench.SourceLink) -> str:
    """"[Reuters, 2025-06-12: Meta takes a 49% stake](https://...)", the text escaped, the link only when
    it is a web address."""
    words = md(f"{source.publisher}, {source.date}: {source.title}" if source.publisher else source.title)
    return f"[{words}]({source.url.replace(')', '%29').replace(' ', '%20')})" if source.url else words


# The Exposure page's widgets, which its shared address (?org=&as_of=&compare=) sets.
EXPOSURE_SEARCH, EXPOSURE_ORG = "exposure_search", "exposure_org"
EXPOSURE_AS_OF, EXPOSURE_COMPARE = "exposure_as_of", "exposure_compare"
EXPOSURE_WRITTEN, EXPOSURE_DEFAULT = "exposure_link_written", "exposure_default_org"


def exposure_link(conn: Connection, first: dt.date, last: dt.date, today: dt.date) -> str:
    """Applies the address's ?org=&as_of=&compare= to the Exposure page's widgets when the address is
    new (opened, or edited by hand; not the one this page wrote last), says what it could not take, and
    returns the organization to offer first."""
    as_of = st.session_state.setdefault(EXPOSURE_AS_OF, min(max(today, first), last))
    st.session_state.setdefault(EXPOSURE_COMPARE, brief.default_compare(as_of))
    params = {k: st.query_params[k] for k in workbench.LINK_KEYS if k in st.query_params}
    if params and params != st.session_state.get(EXPOSURE_WRITTEN):
        link = workbench.read_link(params, first, last)
        problems = list(link.problems)
        if link.org and ask(conn, forms.option_for, link.org, (forms.ORGANIZATION,)) is None:
            problems.append(f"org={link.org!r} in the address is no organization's id in the graph; "
                            "search for it by name instead")
        elif link.org:
            st.session_state[EXPOSURE_DEFAULT] = link.org
            st.session_state[EXPOSURE_SEARCH] = ""
            st.session_state.pop(EXPOSURE_ORG, None)
        if link.as_of:
            st.session_state[EXPOSURE_AS_OF] = link.as_of
        if link.compare:
            st.session_state[EXPOSURE_COMPARE] = link.compare
        for problem in problems:
            st.warning(md(problem))
    return st.session_state.get(EXPOSURE_DEFAULT, workbench.DEFAULT_ORG)


def write_exposure_link(org_id: str, as_of: dt.date, compare: dt.date) -> None:
    """Puts what the page shows into the address (and remembers it, so it is not read back as new)."""
    params = workbench.link_params(org_id, as_of, compare)
    st.session_state[EXPOSURE_WRITTEN] = params
    if {k: st.query_params.get(k) for k in params} != params:
        st.query_params.update(params)
