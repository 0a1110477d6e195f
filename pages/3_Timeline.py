"""Dated events (relationships starting and ending, people moving) for one entity or the whole graph."""

import altair as alt
import pandas as pd
import streamlit as st

from graph import explore, ui

ui.page_setup("Timeline")
st.title("Timeline")
conn = ui.connection()
ui.stale_warning(conn, explore.timeline_reads_derived())

entity_id = ui.entity_picker(conn, "timeline_search", "timeline_entity", explore.DEFAULT_FOCUS,
                             whole_graph="(the whole graph)")
events = ui.ask(conn, explore.timeline_events, entity_id)
if not events:
    st.info("No dated events for this choice.")
    st.stop()
kinds = sorted({e["kind"] for e in events})
chosen = st.multiselect("Events", kinds, default=kinds, key="timeline_kinds")
events = [e for e in events if e["kind"] in chosen]
st.caption(f"{len(events):,} event{'s' if len(events) != 1 else ''}")
frame = pd.DataFrame(events, columns=["date", "when", "event", "kind", "type", "status", "sources", "rel_id"])
frame["date"] = pd.to_datetime(frame["date"])
frame["stack"] = frame.groupby(["type", "when"]).cumcount()  # events of one day and type side by side
colours = {"starts": "#2f9e44", "ends": "#868e96", "person starts": "#ae3ec9", "person ends": "#e599f7"}
chart = alt.Chart(frame).mark_point(filled=True, size=80, opacity=0.85).encode(
    x=alt.X("date:T", title="Date"),
    y=alt.Y("type:N", title=None),
    yOffset=alt.YOffset("stack:O"),
    color=alt.Color("kind:N", title="Event", scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
    shape=alt.Shape("kind:N", title="Event", scale=alt.Scale(domain=list(colours),
                                                            range=["circle", "square", "triangle-up", "triangle-down"])),
    tooltip=["when", "event", "status", "sources"],
).properties(height=90 * max(1, frame["type"].nunique()))
st.altair_chart(chart, key="timeline_chart")
st.dataframe(frame.drop(columns=["date", "rel_id"]).iloc[::-1], hide_index=True, key="timeline_table")
