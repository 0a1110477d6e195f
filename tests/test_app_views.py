"""The network page's comparison of two dates and its pictures' toggles, with AppTest against the seed
(the helpers of tests/test_app.py): the comparison of two dates, captions, hubs, named query results."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Iterator

import pytest
import streamlit as st

from graph.db import Connection
from test_app import picture, run_page, texts, type_cypher


@pytest.fixture(scope="module")
def seeded(seed_only: Connection) -> Iterator[Connection]:
    st.cache_data.clear()  # answers cached from another module's graph are not this one's
    st.cache_resource.clear()
    yield seed_only


@pytest.fixture
def app_env(seeded: Connection, neo4j_env: dict[str, str]) -> dict[str, str]:
    return neo4j_env


def test_network_diff_between_two_dates(app_env) -> None:
    at = run_page("app.py")
    at.slider(key="as_of").set_value(dt.date(2025, 6, 30)).run()
    at.toggle(key="diff").set_value(True).run()
    at.date_input(key="diff_from").set_value(dt.date(2025, 6, 1)).run()
    assert not at.exception and not at.error, texts(at.error)
    caption = texts(at.caption)
    assert re.search(r"\d+ started, \d+ ended, \d+ unchanged between 2025-06-01 and 2025-06-30", caption), caption
    page = picture(at)
    assert "what changed from 2025-06-01 to 2025-06-30" in page and "Change between the dates" in page
    assert "meta-invests-scale-ai-2025" in page and "scale-ai-supplies-openai" in page
    at.toggle(key="diff").set_value(False).run()
    assert "Change between the dates" not in picture(at)


ELEMENT_ID = re.compile(r"\d+:[0-9a-f]{8}-")


def test_console_and_gallery_pictures_name_every_node(app_env) -> None:
    at = run_page("pages/2_Cypher_console.py")
    type_cypher(at, "MATCH (:Person {name: 'Alexandr Wang'})-[r]->() RETURN r LIMIT 25")
    at.button(key="run_cypher").click().run()
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", picture(at), re.S).group(1))
    names = [n.get("label") or n.get("sgName") or "" for n in nodes]
    assert "Alexandr Wang" in names and not [name for name in names if ELEMENT_ID.search(name)]
    assert not [n["title"] for n in nodes if ELEMENT_ID.search(n["title"].split("\n")[0])]  # nor the tooltips
    assert at.toggle(key="console_captions").value is True
    at = run_page("pages/1_Query_gallery.py")
    at.selectbox(key="query").set_value("changes_between").run()
    page = picture(at)
    assert '"color": "#adb5bd"' not in page  # no grey "Other": the rows' ids looked up for their roles
    at.toggle(key="gallery_captions").set_value(False).run()
    assert not at.exception


def test_network_captions_and_hub_toggles(app_env) -> None:
    at = run_page("app.py")
    assert "49% stake \\u00b7 $14.3B" in picture(at)  # (the JSON escapes the middle dot)
    at.toggle(key="captions").set_value(False).run()
    assert "49% stake" not in picture(at)
    at.text_input(key="search").input("OpenAI").run()
    assert "group:openai|" in picture(at)
    at.toggle(key="hubs").set_value(False).run()
    assert "group:openai|" not in picture(at)
    assert not at.exception and not at.error
