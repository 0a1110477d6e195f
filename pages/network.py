"""The network around an organization or person, as it stood on a date (the app's first page, see app.py)."""

import datetime as dt

import streamlit as st

from graph import explore, ui, view_settings

ui.page_setup("Network")
st.title("The AI supply chain, as a network")
conn = ui.connection()
ui.stale_warning(conn, explore.network_reads_derived())

with st.sidebar:
    entity_id = ui.entity_picker(conn, "search", "entity", explore.DEFAULT_FOCUS)
    hops = st.slider("Hops out", 1, view_settings.MAX_HOPS, 1, key="hops")
    today = dt.date.today()
    first, last = ui.ask(conn, explore.slider_range, today)
    as_of = st.slider("As of", min_value=first, max_value=last,
                      value=today, format="YYYY-MM-DD", key="as_of",
                      help="Replays the graph: only what had started by this date, ended things shown as ended")
    roles = st.multiselect("Roles", explore.ROLE_CHOICES, default=explore.ROLE_CHOICES, key="roles")
    types = st.multiselect("Relationship types", explore.TYPE_CHOICES, default=explore.TYPE_CHOICES, key="types")
    statuses = st.multiselect("Statuses", explore.STATUS_CHOICES, default=explore.STATUS_CHOICES, key="statuses")
    limit = st.number_input("At most this many relationships", min_value=10, max_value=5000,
                            value=view_settings.DEFAULT_LIMIT, step=50, key="limit")
    captions = st.toggle("Edge captions", value=True, key="captions",
                         help="Why each relationship matters: stake, amount, service, title and years")
    group_hubs = st.toggle("Group a hub's leaves", value=True, key="hubs",
                           help="A node with many neighbours shows its leaves as groups ('supplies chips to 120 "
                                "labs'); click a group to open it, a node to focus on it")
    comparing = st.toggle("Compare with another date", key="diff",
                          help="What started (green) and ended (grey, dashed) between the two dates; the rest faded")
    compare = st.date_input("Compare with", value=dt.date(as_of.year, 1, 1), format="YYYY-MM-DD", key="diff_from",
                            disabled=not comparing)

focus = ui.ask(conn, explore.entity, entity_id)
if focus is None:
    st.info(ui.md(f"{entity_id!r} is no longer in the graph: search again."))
    st.stop()
filters = explore.Filters(tuple(roles), tuple(types), tuple(statuses))
if comparing:
    found = ui.ask(conn, explore.load_diff, entity_id, hops, compare, as_of, filters, limit)
    st.caption(ui.md(found.caption))
    sources = ui.ask(conn, explore.source_details, explore.sources_of(found.rows))
    picture = explore.diff_picture(found, focus, hops, sources, captions=captions, group_hubs=group_hubs)
else:
    view = ui.view(conn, entity_id, hops, as_of, filters, limit)
    sources = ui.ask(conn, explore.source_details, explore.sources_of(view.rows))
    picture = explore.view_picture(view, focus, hops, as_of, sources, captions=captions, group_hubs=group_hubs)
for note in picture.notes:
    st.warning(ui.md(note))
ui.network(picture.html)
ui.downloads(picture.html, "network", f"{focus['name']}-{hops}-hops-{as_of.isoformat()}")

st.subheader(f"What is recorded about {ui.md(focus['name'])}")
if focus.get("description"):
    st.caption(ui.md(focus["description"]))
facts = ui.ask(conn, explore.entity_facts, entity_id)
st.dataframe(explore.fact_table(facts, focus["name"]), hide_index=True, key="facts")
st.markdown("**Sources**")
st.dataframe(explore.source_table(facts), hide_index=True, key="fact_sources",
             column_config={"url": st.column_config.LinkColumn("url")})
