"""Type Cypher and run it read-only, with `:param` lines as in Neo4j Browser: a table, and the network
when the result holds nodes or paths; the schema beside it, the session's history below."""

import streamlit as st

from graph import catalogue, drawing, explore, naming, network, ui
from graph.output import to_csv

EXAMPLE = (":param org => 'scale-ai'\n"
           "MATCH p = (:Organization {id: $org})-[r]-(other)\nWHERE type(r) <> 'SOURCED_FROM'\nRETURN p LIMIT 50")

ui.page_setup("Cypher console")
st.title("Cypher console")
st.caption("Read-only: a query that would write, change the schema or call other procedures is refused "
           "before it runs. Results are capped. Lines `:param name => value` above the query set parameters "
           "for the session, `:params` shows them.")
conn = ui.connection()

editor, schema = st.columns([3, 1])
with schema:
    st.subheader("Schema")
    ui.schema_panel(ui.ask(conn, catalogue.schema_counts))
with editor:
    text = ui.cypher_editor(EXAMPLE)
    if st.button("Run", type="primary", key="run_cypher"):
        ui.run_console(conn, text)
    ui.console_history()
    ran = st.session_state.get(ui.CONSOLE_RESULT)
    ui.console_params(expanded=bool(ran and ran.show_params))
if not ran or ran.result is None:
    st.stop()
result = ran.result
ui.stale_warning(conn, result.reads_derived)  # the plan or the rows read derived facts
if ran.text != text:
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
