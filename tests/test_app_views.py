"""The network page's comparison of two dates and its pictures' toggles, with AppTest against the seed
(the fixtures and helpers of tests/test_app.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

import pytest
import streamlit as st

from graph.db import Connection
from test_app import picture, run_page, texts


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
