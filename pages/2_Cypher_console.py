"""Type Cypher and run it read-only: a table, and the network when the result holds nodes or paths."""

import streamlit as st

from graph import drawing, explore, naming, network, ui
from graph.output import to_csv

EXAMPLE = "MATCH p = (:Organization {id: 'scale-ai'})-[r]-(other)\nWHERE type(r) <> 'SOURCED_FROM'\nRETURN p LIMIT 50"

ui.page_setup("Cypher console")
st.title("Cypher console")
st.caption("Read-only: a query that would write, change the schema or call other procedures is refused "
           "before it runs. Results are capped.")
conn = ui.connection()

text = st.text_area("Cypher", value=EXAMPLE, height=160, key="cypher")
if st.button("Run", type="primary", key="run_cypher"):
    st.session_state.pop("console_result", None)
    st.session_state["console_result"] = (text, ui.console(conn, text))
if "console_result" not in st.session_state:
    st.stop()
ran, result = st.session_state["console_result"]
if ran != text:
    st.caption("The results below are of the query as it was when you pressed Run.")
for note in result.notes:
    st.info(ui.md(f"Note: {note}."))
if result.truncated:
    st.warning(f"Showing the first {result.row_cap:,} rows: add a LIMIT or narrow the query to see the rest.")
st.caption(f"{len(result.rows):,} row{'s' if len(result.rows) != 1 else ''}")
st.dataframe(explore.table_rows(result.rows, result.columns), hide_index=True, key="console_table")
st.download_button("Download CSV", to_csv(result.rows, result.columns), file_name="console.csv", mime="text/csv",
                   key="console_csv", on_click="ignore")
graph = network.graph_from_rows(result.rows)
if graph.number_of_nodes():
    graph = naming.apply(graph, ui.ask(conn, naming.lookup, naming.unnamed(graph)))  # names and roles, never ids
    captions = st.toggle("Edge captions", value=True, key="console_captions")
    sources = ui.ask(conn, explore.source_details, network.sources_of(graph))
    page = drawing.render_html(graph, "Cypher console result", None, sources=sources, captions=captions,
                               group_hubs=True)
    ui.network(page)
    ui.downloads(page, "console", "console-result")
