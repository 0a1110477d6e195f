"""supplygraph explorer: the AI supply chain as a network, exposures, stored queries, a console, a timeline.

Run it with `supplygraph app` (or `streamlit run app.py`). This script only names the pages, in the
sidebar's order: with pages/ found by file name alone, Streamlit would call the first page "app".
Each page is a script of its own in pages/; the url paths keep the names they had before.
"""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"

st.navigation([
    st.Page(PAGES / "network.py", title="Network", default=True),
    st.Page(PAGES / "0_Exposure.py", title="Exposure", url_path="Exposure"),
    st.Page(PAGES / "1_Query_gallery.py", title="Query gallery", url_path="Query_gallery"),
    st.Page(PAGES / "2_Cypher_console.py", title="Cypher console", url_path="Cypher_console"),
    st.Page(PAGES / "3_Timeline.py", title="Timeline", url_path="Timeline"),
]).run()
