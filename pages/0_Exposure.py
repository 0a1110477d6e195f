"""Who could see an organization's data through what it depends on: ranked links, what changed, who is exposed."""

import datetime as dt

import pandas as pd
import streamlit as st

from graph import brief, explore, story, story_svg, ui, workbench

ui.page_setup("Exposure")
st.title("Exposure: who could see your data through your vendors?")
conn = ui.connection()

today = dt.date.today()
first, last = ui.ask(conn, explore.slider_range, today)
default_org = ui.exposure_link(conn, first, last, today)  # ?org=&as_of=&compare= of a shared address
with st.sidebar:
    org_id = ui.entity_picker(conn, ui.EXPOSURE_SEARCH, ui.EXPOSURE_ORG, default_org, organizations_only=True)
    as_of = st.slider("As of", min_value=first, max_value=last, format="YYYY-MM-DD", key=ui.EXPOSURE_AS_OF,
                      help="The links that held on this date")
    earliest, latest = workbench.compare_bounds(first, last)
    compare = st.date_input("Compare with", min_value=earliest, max_value=latest, format="YYYY-MM-DD",
                            key=ui.EXPOSURE_COMPARE, help="What changed between this date and the as-of date")
ui.write_exposure_link(org_id, as_of, compare)

ui.stale_warning(conn)  # every view here reads the derived exposures
org = ui.ask(conn, explore.entity, org_id)
if org is None:
    st.info(ui.md(f"{org_id!r} is no longer in the graph: search again."))
    st.stop()
name = org.get("name") or org_id

rows = ui.ask(conn, workbench.links, org_id, as_of)
cards = workbench.cards(rows, ui.ask(conn, explore.source_details, workbench.source_ids(rows)))
st.subheader(ui.md(f"{name}'s indirect links to rivals, as of {as_of.isoformat()}"))
if not cards:
    st.info(ui.md(f"No indirect link to a rival holds for {name} on {as_of.isoformat()}."))
for i, card in enumerate(cards):
    ui.exposure_card(card, key=f"exposure_card_{i}")

if cards:
    st.subheader("The story picture")
    rivals = {card.rival_id: card.rival for card in cards}
    # Another organization or date has other links: start again from the best ones.
    ui.reset_on_new_options("story_links", tuple(rivals), list(rivals)[:story.MAX_STORY_LINKS])
    chosen = st.multiselect("Links in the picture", list(rivals), format_func=rivals.get, key="story_links",
                            help="Only these links' chains are drawn: what they depend on, the holders, the rival")
    highlight = st.selectbox("Highlighted link", chosen or [None], format_func=lambda r: rivals.get(r, "none"),
                             key="story_highlight", help="Its chain is drawn bold, the others faded")
    told = ui.ask(conn, story.load_story, org_id, name, as_of, tuple(chosen), highlight)
    picture = story_svg.svg(told)
    page = story_svg.page(picture)
    ui.network(page, height=story_svg.frame_height(picture))
    ui.downloads(page, key="story", stem=f"{name}-story-{as_of.isoformat()}")
    ui.story_downloads(picture, lambda: brief.brief_pdf(ui.ask(conn, brief.make_brief, org_id, name, as_of, compare,
                                                               tuple(chosen), highlight)),
                       identity=repr((org_id, as_of, compare, chosen, highlight)), key="story",
                       stem=f"{name}-story-{as_of.isoformat()}")

start, end = workbench.window(compare, as_of)
st.subheader(f"What changed between {start.isoformat()} and {end.isoformat()}")
changes = workbench.change_list(ui.ask(conn, workbench.changes, org_id, compare, as_of))
if not changes:
    st.caption("No link started or ended in these days.")
for change in changes:
    st.markdown(ui.md(f"{change.date}: the {change.kind} link to {change.rival} {change.change}") +
                f"  \n*{ui.md('cause: ' + change.cause)}*")

st.subheader("Who is exposed to this organization")
choices = workbench.reverse_choices(org_id, name, cards)
rival_id = st.selectbox("Exposed to", list(choices), format_func=choices.get, key="exposure_reverse",
                        help="The organizations whose indirect links lead to this one's family")
exposed = workbench.exposed_table(ui.ask(conn, workbench.exposed, rival_id, as_of))
if exposed:
    st.dataframe(pd.DataFrame(exposed), hide_index=True, key="exposed_table",
                 column_config={"explanation": st.column_config.TextColumn("explanation", width="large")})
else:
    st.caption(ui.md(f"No organization is exposed to {choices[rival_id]} on {as_of.isoformat()}."))
