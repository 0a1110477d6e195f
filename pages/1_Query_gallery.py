"""Every stored query of cypher/: its description, a form from its header, the rows and the network."""

import streamlit as st

from graph import console, drawing, explore, forms, naming, network, ui
from graph.errors import SupplyGraphError
from graph.output import EXPLANATION, reading_order, to_csv

ui.page_setup("Query gallery")
st.title("Query gallery")
conn = ui.connection()

try:
    queries = explore.gallery_queries()
except SupplyGraphError as e:
    ui.stop_with_error(e)
if not queries:
    st.info("There are no stored queries in cypher/ yet.")
    st.stop()
names = list(queries)
name = st.selectbox("Query", names, index=names.index(explore.GALLERY_FIRST) if explore.GALLERY_FIRST in queries else 0,
                    key="query", help="It opens on indirect_links: who could see an organization's data through its vendors")
query = queries[name]
ui.stale_warning(conn, query.reads_derived)
st.markdown(query.description)
st.caption(f"Returns: {query.returns}")

fields = forms.form_fields(query)
values = {field.name: ui.form_input(conn, name, field) for field in fields}
missing = forms.missing(fields, values)
if missing:
    st.info(f"Fill in {', '.join(missing)} to run the query.")
    st.stop()
columns, rows = ui.ask(conn, explore.stored_query_rows, name, values)
st.caption(f"{len(rows):,} row{'s' if len(rows) != 1 else ''}")
st.dataframe(explore.table_rows(rows, reading_order(columns)), hide_index=True, key="gallery_table",
             column_config={EXPLANATION: st.column_config.TextColumn(EXPLANATION, width="large")})
st.download_button("Download CSV", to_csv(rows, columns), file_name=f"{name}.csv", mime="text/csv",
                   key="gallery_csv", on_click="ignore")

graph = network.graph_from_rows(rows)
if graph.number_of_edges():
    graph = naming.apply(graph, ui.ask(conn, naming.lookup, naming.unnamed(graph)))  # names and roles, never ids
    captions = st.toggle("Edge captions", value=True, key="gallery_captions")
    as_of = forms.as_of_of(fields, values)
    sources = ui.ask(conn, explore.source_details, network.sources_of(graph))
    focus = forms.focus_of(fields, values)
    chosen = forms.describe(fields, values, ui.ask(conn, forms.names_of, forms.chosen_ids(fields, values)))
    page = drawing.render_html(graph, f"{name} ({chosen})" if chosen else name, as_of, focus_id=focus,
                               sources=sources, captions=captions, group_hubs=True)
    ui.network(page)
    ui.downloads(page, "gallery", name)
with st.expander("The Cypher (runs as it is in cypher-shell)"):
    st.code(query.text, language="cypher")
    if st.button("Open in the console", key="gallery_console", help="The query and these parameters, as "
                 ":param lines, in the Cypher console's editor"):
        ui.open_in_console(console.stored_query_text(query, values))
