"""The Streamlit pages, driven by widget keys with AppTest, against the test Neo4j holding the seed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import graph.cli
from graph import brief
from graph.db import Connection
from graph.loader import load_folder
from graph.queries import load_queries

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 90


def empty(conn: Connection) -> None:
    with conn.driver.session(database=conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture(scope="module")
def seeded(session_conn: Connection) -> Iterator[Connection]:
    """The seed, loaded once for this module (the pages only read)."""
    empty(session_conn)
    load_folder(session_conn, graph.cli.SEED_DIR)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield session_conn


@pytest.fixture
def app_env(seeded: Connection, neo4j_env: dict[str, str]) -> dict[str, str]:
    return neo4j_env


def run_page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def picture(at: AppTest, index: int = 0) -> str:
    """The HTML of the page's n-th network picture (an iframe's srcdoc)."""
    frames = at.get("iframe")
    assert len(frames) > index, "no network picture on the page"
    return frames[index].proto.srcdoc


# Tables are found by position (st.dataframe's key is only kept for selections): each page has one,
# the network page two (facts, then sources).


def texts(elements) -> str:
    """The text of messages, Markdown escapes removed (the app escapes what it did not write itself)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(str(e.value) for e in elements))


# --------------------------------------------------------------------------------------------------
# Network view


def test_network_page_opens_on_the_scale_ai_story(app_env) -> None:
    at = run_page("app.py")
    assert at.selectbox(key="entity").value == "scale-ai"
    assert at.slider(key="as_of").value == dt.date.today()
    page = picture(at)
    assert "Scale AI: 1-hop neighbourhood" in page and f"as of {dt.date.today().isoformat()}" in page
    for rel_id in ("meta-invests-scale-ai-2025", "scale-ai-supplies-openai"):  # Meta's stake; OpenAI leaving
        assert rel_id in page
    assert "sg-legend" in page and "Reuters" in page  # legend, and the footnote's publishers
    facts = at.dataframe[0].value
    assert "Meta Platforms invested in Scale AI" in set(facts["fact"])
    assert "data labeling" in set(facts["detail"]) and not any("_" in d for d in facts["detail"])  # words, not codes
    assert any("Reuters" in s for s in facts["sources"])
    sources = at.dataframe[1].value
    assert "reuters-2025-06-12-meta-scale" in set(sources["id"])
    assert not at.error


def test_widgets_drive_the_network(app_env) -> None:
    at = run_page("app.py")
    at.slider(key="as_of").set_value(dt.date(2024, 1, 1)).run()
    page = picture(at)
    assert "as of 2024-01-01" in page
    assert "meta-invests-scale-ai-2025" not in page  # not yet happened
    assert "scale-ai-supplies-openai" in page  # still supplying then
    at.slider(key="as_of").set_value(dt.date.today()).run()
    at.multiselect(key="types").set_value(["INVESTED_IN"]).run()
    page = picture(at)
    assert "meta-invests-scale-ai-2025" in page and "scale-ai-supplies-openai" not in page
    at.multiselect(key="types").set_value(["SUPPLIES", "INVESTED_IN"]).run()
    at.multiselect(key="statuses").set_value(["active"]).run()
    assert "scale-ai-supplies-openai" not in picture(at)  # ended
    at.multiselect(key="statuses").set_value(["active", "ended"]).run()
    assert "scale-ai-supplies-openai" in picture(at)
    one_hop = picture(at).count('"from":')
    at.slider(key="hops").set_value(2).run()
    assert "2-hop neighbourhood" in picture(at) and picture(at).count('"from":') > one_hop
    assert not at.exception and not at.error


def test_search_picks_another_entity(app_env) -> None:
    at = run_page("app.py")
    at.text_input(key="search").input("Alexandr").run()
    assert at.selectbox(key="entity").value == "alexandr-wang"
    assert "Alexandr Wang: 1-hop neighbourhood" in picture(at)
    at.text_input(key="search").input("no such company zzz").run()
    assert "No organization or person matches" in texts(at.info)
    assert not at.exception and not at.get("iframe")


def test_limit_says_showing_n_of_m(app_env) -> None:
    at = run_page("app.py")
    at.number_input(key="limit").set_value(10).run()
    assert "showing 10 of" in texts(at.warning)
    assert "showing 10 of" in picture(at)


def test_png_download(app_env) -> None:
    at = run_page("app.py")
    at.button(key="network_png").click().run()
    assert not at.error, texts(at.error)
    png = at.session_state["network_png_bytes"][1]
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert any(b.key == "network_png_download" for b in at.get("download_button"))


def test_neo4j_down_shows_what_to_do_then_recovers(app_env, monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "Neo4j is not reachable at bolt://127.0.0.1:9" in texts(at.error)
    assert "supplygraph db start" in texts(at.error)
    monkeypatch.setenv("NEO4J_URI", app_env["NEO4J_URI"])
    at.run()  # the same session, a rerun: no restart needed
    assert not at.exception and not at.error
    assert "Scale AI: 1-hop neighbourhood" in picture(at)


# --------------------------------------------------------------------------------------------------
# Query gallery


def test_gallery_lists_every_stored_query_and_runs_one(app_env) -> None:
    at = run_page("pages/1_Query_gallery.py")
    assert set(at.selectbox(key="query").options) == set(load_queries())
    name = "indirect_links" if "indirect_links" in load_queries() else "neighbourhood"
    at.selectbox(key="query").set_value(name).run()
    assert not at.exception and not at.error, texts(at.error)
    table = at.dataframe[0].value
    assert len(table) > 0
    assert any(b.key == "gallery_csv" for b in at.get("download_button"))
    assert picture(at)  # the rows describe relationships or paths: drawn


def test_gallery_form_from_the_header(app_env) -> None:
    # Pickers instead of id boxes (graph.forms): the entity by name, hops as choices, labels from the header.
    at = run_page("pages/1_Query_gallery.py")
    at.selectbox(key="query").set_value("neighbourhood").run()
    picker = at.selectbox(key="param_neighbourhood_entity_id")
    assert picker.value == "scale-ai"  # from the help's e.g.
    assert picker.label == "Organization or person *" and picker.options == ["Scale AI (Vendor · scale-ai)"]
    assert isinstance(at.date_input(key="param_neighbourhood_as_of").value, dt.date)
    assert at.checkbox(key="param_neighbourhood_include_ended").value is False
    assert at.selectbox(key="param_neighbourhood_hops").value == 1
    assert at.selectbox(key="param_neighbourhood_hops").options == ["1", "2", "3"]
    at.date_input(key="param_neighbourhood_as_of").set_value(dt.date(2024, 1, 1)).run()
    assert "meta-invests-scale-ai-2025" not in picture(at)
    at.checkbox(key="param_neighbourhood_include_ended").check().run()
    at.text_input(key="param_neighbourhood_entity_id_search").input("Meta Platforms").run()
    assert at.selectbox(key="param_neighbourhood_entity_id").value == "meta"
    assert set(at.dataframe[0].value["from_id"]) | set(at.dataframe[0].value["to_id"]) >= {"meta"}
    assert "neighbourhood (Organization or person Meta Platforms, Hops out 1, Include ended relationships yes" \
        in picture(at)  # the title names, never ids
    at.text_input(key="param_neighbourhood_entity_id_search").input("no such company zzz").run()
    assert "No organization or person matches 'no such company zzz'" in texts(at.info)
    assert not at.get("iframe") and not at.exception


def test_gallery_pickers_take_names_and_pass_ids(app_env) -> None:
    at = run_page("pages/1_Query_gallery.py")
    at.selectbox(key="query").set_value("paths_between").run()
    at.text_input(key="param_paths_between_to_id_search").input("Alexandr").run()  # people too
    assert at.selectbox(key="param_paths_between_to_id").value == "alexandr-wang"
    assert "paths_between (From OpenAI, To Alexandr Wang" in picture(at)
    at.selectbox(key="query").set_value("shared_vendors").run()
    at.text_input(key="param_shared_vendors_lab_b_search").input("Alexandr").run()  # organizations only
    assert "No organization matches 'Alexandr'" in texts(at.info)
    at.selectbox(key="query").set_value("source_report").run()
    publishers = at.selectbox(key="param_source_report_publisher")
    assert publishers.value == "Reuters" and len(publishers.options) > 3  # the graph's publishers
    assert len(at.dataframe[0].value) > 0
    at.selectbox(key="query").set_value("indirect_links").run()
    assert at.selectbox(key="param_indirect_links_org_id").value is None  # "(every lab)"
    assert at.selectbox(key="param_indirect_links_org_id").options[0] == "(every lab)"
    at.text_input(key="param_indirect_links_org_id_search").input("OpenAI").run()
    assert at.selectbox(key="param_indirect_links_org_id").value == "openai"
    assert set(at.dataframe[0].value["org"]) == {"OpenAI"}
    assert not at.exception and not at.error, texts(at.error)


# --------------------------------------------------------------------------------------------------
# Cypher console


def type_cypher(at: AppTest, text: str) -> AppTest:
    """What typing into the console's editor gives the page: its text. (AppTest runs no component's
    JavaScript, so the editor returns the text last loaded into it, as after a click in the history.)"""
    at.session_state["console_text"] = text
    at.session_state["console_editor_version"] = at.session_state["console_editor_version"] + 1
    return at.run()


def test_console_refuses_writes_with_an_error(app_env, seeded) -> None:
    at = run_page("pages/2_Cypher_console.py")
    type_cypher(at, "CREATE (:Hacked {x: 1}) RETURN 1")
    at.button(key="run_cypher").click().run()
    assert not at.exception
    assert "Refused" in texts(at.error)
    count = seeded.driver.execute_query("MATCH (n:Hacked) RETURN count(n) AS c").records[0]["c"]
    assert count == 0
    # Hostile nesting, in a parameter or in the query: an error in words, never a RecursionError.
    for text in (":param x => " + "[" * 100_000, "RETURN " + "[" * 100_000):
        type_cypher(at, text)
        at.button(key="run_cypher").click().run()
        assert not at.exception and at.error, texts(at.error)


def test_console_reads_table_and_network(app_env) -> None:
    at = run_page("pages/2_Cypher_console.py")
    at.button(key="run_cypher").click().run()  # the example: paths around Scale AI
    assert not at.exception and not at.error, texts(at.error)
    assert len(at.dataframe[0].value) > 0
    assert "Scale AI" in picture(at)
    type_cypher(at, "MATCH (o:Organization) RETURN o.name AS name ORDER BY name LIMIT 3")
    at.button(key="run_cypher").click().run()
    assert list(at.dataframe[0].value.columns) == ["name"]
    assert not at.get("iframe")  # nothing to draw
    type_cypher(at, "MATCH (n RETURN n")
    at.button(key="run_cypher").click().run()
    assert at.error and not at.exception


def test_console_notes_names_the_graph_lacks(app_env) -> None:
    at = run_page("pages/2_Cypher_console.py")
    type_cypher(at, "MATCH (o:Organisation) RETURN o.name")
    at.button(key="run_cypher").click().run()
    assert not at.exception and not at.error
    assert "Note: no node in the graph has the label Organisation (check its spelling)." in texts(at.info)


def test_console_params_schema_and_history(app_env) -> None:
    at = run_page("pages/2_Cypher_console.py")
    labels = at.table[0].value
    assert dict(zip(labels["label"], labels["nodes"]))["Organization"] == 124
    assert {"Exposure", "Ownership", "FamilyMember", "DerivedState"} <= set(at.table[1].value["label"])  # apart
    assert "SUPPLIES" in set(at.table[2].value["type"])
    type_cypher(at, ":param name => 'Scale AI'\n:param {limit: 2}\n"
                    "MATCH (o:Organization {name: $name}) RETURN o.id AS id LIMIT $limit")
    at.button(key="run_cypher").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert list(at.dataframe[0].value["id"]) == ["scale-ai"]
    assert at.session_state["console_params"] == {"name": "Scale AI", "limit": 2}
    # Parameters persist: a later query uses them without the lines; :params shows them.
    type_cypher(at, ":params\nRETURN $name AS name, $limit AS limit")
    at.button(key="run_cypher").click().run()
    assert at.dataframe[0].value.iloc[0].to_dict() == {"name": "Scale AI", "limit": 2}
    assert ":param name => 'Scale AI'\n:param limit => 2" in [c.value for c in at.code]
    # A bad line is named, and the parameters stay as they were.
    type_cypher(at, ":param limit => 3\n:param name => Scale AI\nRETURN $name")
    at.button(key="run_cypher").click().run()
    assert texts(at.error).startswith("line 2 (:param name => Scale AI): the value of name: Scale is not a literal")
    assert at.session_state["console_params"] == {"name": "Scale AI", "limit": 2}
    # The history: newest first, each once; a click loads it back into the editor.
    type_cypher(at, ":params\nRETURN $name AS name, $limit AS limit")
    at.button(key="run_cypher").click().run()
    history = at.session_state["console_history"]
    assert history[0].startswith(":params\nRETURN $name") and len(history) == 3
    at.button(key="console_history_2").click().run()
    assert at.session_state["console_text"].startswith(":param name => 'Scale AI'")
    at.button(key="run_cypher").click().run()
    assert list(at.dataframe[0].value["id"]) == ["scale-ai"] and not at.exception


def test_gallery_opens_a_stored_query_in_the_console(app_env) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/1_Query_gallery.py").run()
    at.text_input(key="param_indirect_links_org_id_search").input("OpenAI").run()
    at.button(key="gallery_console").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = at.session_state["console_text"]
    assert text.startswith(":param org_id => 'openai'\n") and "MATCH" in text
    assert [t.value for t in at.title] == ["Cypher console"]  # the console page is shown
    at.switch_page("pages/2_Cypher_console.py").run()  # (AppTest's next run would be the gallery's again)
    at.button(key="run_cypher").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert set(at.dataframe[0].value["org"]) == {"OpenAI"}


# --------------------------------------------------------------------------------------------------
# Timeline


def test_timeline_for_scale_ai_and_the_whole_graph(app_env) -> None:
    at = run_page("pages/3_Timeline.py")
    assert at.selectbox(key="timeline_entity").value == "scale-ai"
    table = at.dataframe[0].value
    assert "Meta Platforms invested in Scale AI: strategic, 49%, $14.3B" in set(table["event"])
    assert "Alexandr Wang left Scale AI: CEO (executive)" in set(table["event"])
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    scale_events = len(table)
    at.selectbox(key="timeline_entity").select_index(0).run()  # (the whole graph)
    assert len(at.dataframe[0].value) > scale_events
    at.multiselect(key="timeline_kinds").set_value(["person starts"]).run()
    assert set(at.dataframe[0].value["kind"]) == {"person starts"}
    assert not at.exception and not at.error


# --------------------------------------------------------------------------------------------------
# Briefing export from the command line


def test_snapshot_command_writes_the_same_png_each_time(app_env, tmp_path) -> None:
    from click.testing import CliRunner
    from PIL import Image, ImageStat

    first, second = tmp_path / "a.png", tmp_path / "b.png"
    for out in (first, second):
        result = CliRunner().invoke(graph.cli.cli, ["snapshot", "scale-ai", "--out", str(out), "--as-of", "2025-07-01",
                                                    "--title", "Scale AI <b>after</b> the Meta deal"])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()  # deterministic, byte for byte
    image = Image.open(first)
    assert image.size == (1600, 1000)
    assert ImageStat.Stat(image.convert("L")).stddev[0] > 10
    result = CliRunner().invoke(graph.cli.cli, ["snapshot", "no-such-id", "--out", str(tmp_path / "c.png")])
    assert result.exit_code == 1 and "Error: no organization or person has the id 'no-such-id'" in result.output
    result = CliRunner().invoke(graph.cli.cli, ["snapshot", "scale-ai", "--out", str(tmp_path / "d.png"),
                                                "--as-of", "June"])
    assert result.exit_code == 1 and "--as-of 'June' is not a date" in result.output


# --------------------------------------------------------------------------------------------------
# Exposure page


def exposure_page(as_of: dt.date = dt.date(2025, 6, 15), compare: dt.date = dt.date(2025, 6, 1)) -> AppTest:
    at = run_page("pages/0_Exposure.py")
    at.slider(key="exposure_as_of").set_value(as_of).run()
    at.date_input(key="exposure_compare").set_value(compare).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_exposure_page_shows_openai_links_as_cards(app_env) -> None:
    at = exposure_page()
    assert at.selectbox(key="exposure_org").value == "openai"
    markdown = texts(at.markdown)
    meta = markdown[markdown.index("**Meta Platforms**"):]
    meta = meta[:meta.index("Sources (the best chain's):") + 1000]
    assert "stake" in meta and "Scale AI" in meta and "49%" in meta
    assert "Reuters, 2025-06-12: " in meta and "(https://" in meta  # sources as links: publisher, date, title
    assert "The link holds since 2025-06-01, until 2025-06-18." in texts(at.caption)
    assert len(at.get("progress")) == markdown.count("**") // 2  # one score bar per card
    assert not at.warning  # the seed's derived facts are current


def test_exposure_page_shows_the_best_chains_sources_and_folds_the_rest(app_env, seeded) -> None:
    import graph.explore
    from graph import ui, workbench

    at = exposure_page()
    rows = workbench.links(seeded, "openai", dt.date(2025, 6, 15))
    microsoft = next(r for r in rows if r["rival_id"] == "microsoft")  # the seed's link with the most sources
    cited = set(microsoft["sources"]) | set(microsoft["best_sources"])
    best = len(microsoft["best_sources"])
    assert len(cited) > best > 0
    expander = next(e for e in at.expander if e.label == f"and {len(cited) - best} more sources")
    folded = [line for line in texts(expander.markdown).splitlines() if line.startswith("- ")]
    assert len(folded) == len(cited) - best
    # Every source of the link is on the page once, shown or folded, by its publisher, date, title and link.
    elements = [texts([m]) for m in at.markdown]
    card = next(i for i, text in enumerate(elements) if text.startswith("**Microsoft**"))
    shown = next(text for text in elements[card:] if text.startswith("Sources (the best chain's):"))
    assert len([line for line in shown.splitlines() if line.startswith("- ")]) == best
    details = graph.explore.source_details(seeded, sorted(cited))
    for source in workbench.source_links(sorted(cited), details):
        assert source.publisher and source.date and source.title
        line = re.sub(r"\\(.)", r"\1", ui.source_markdown(source))  # linked when it has a web address
        assert (shown + "\n" + "\n".join(folded)).count(line) == 1, line


def test_exposure_page_what_changed_in_june_2025(app_env) -> None:
    at = exposure_page(as_of=dt.date(2025, 6, 30), compare=dt.date(2025, 6, 1))
    markdown = texts(at.markdown)
    ended = markdown.index("2025-06-18: the stake link to Meta Platforms ended")
    started = markdown.index("2025-06-01: the people link to Meta Platforms started")
    assert ended < started  # newest first
    assert "cause: Alexandr Wang is Chief AI Officer of Meta Platforms (since 2025-06)" in markdown[started:]
    assert "cause: Scale AI supplies data labeling to OpenAI (until 2025-06-18)" in markdown[ended:started]
    # A compare date after the as-of date asks about the same days.
    at.slider(key="exposure_as_of").set_value(dt.date(2025, 6, 1)).run()
    at.date_input(key="exposure_compare").set_value(dt.date(2025, 6, 30)).run()
    assert "2025-06-18: the stake link to Meta Platforms ended" in texts(at.markdown)


def test_exposure_page_reverse_view_and_search(app_env) -> None:
    at = exposure_page()
    assert "Meta Platforms" in set(at.dataframe[0].value["exposed"])  # who is exposed to OpenAI
    at.selectbox(key="exposure_reverse").set_value("meta").run()
    assert "OpenAI" in set(at.dataframe[0].value["exposed"])  # OpenAI is exposed to Meta
    at.text_input(key="exposure_search").input("Anthropic").run()
    assert at.selectbox(key="exposure_org").value == "anthropic"
    assert not at.exception
    at.text_input(key="exposure_search").input("Alexandr Wang").run()  # a person: not offered
    assert "No organization matches 'Alexandr Wang'" in texts(at.info)


def test_exposure_page_warns_when_derived_facts_are_stale(app_env, seeded) -> None:
    from graph.derive import mark_writing

    mark_writing(seeded)
    st.cache_data.clear()
    try:
        at = exposure_page()
        assert "derived facts are stale" in texts(at.warning)
    finally:
        mark_writing(seeded, False)
        st.cache_data.clear()


def test_gallery_opens_on_indirect_links_explanation_after_the_names(app_env) -> None:
    at = run_page("pages/1_Query_gallery.py")
    assert at.selectbox(key="query").value == "indirect_links"
    assert list(at.dataframe[0].value.columns)[:3] == ["org", "rival", "explanation"]


def test_exposure_page_story_picture_of_the_chosen_links(app_env) -> None:
    at = exposure_page()
    assert at.multiselect(key="story_links").value == ["microsoft", "meta", "alphabet", "apple"]
    assert at.selectbox(key="story_highlight").value == "microsoft"
    page = picture(at)
    assert "49% stake · $14.3B" in page and "Scale AI" in page and "<svg" in page
    assert not re.search(r"\d+:[0-9a-f]{8}-", page)  # names, never element ids
    at.multiselect(key="story_links").set_value(["meta"]).run()
    assert at.selectbox(key="story_highlight").value == "meta"
    page = picture(at)
    assert "Meta Platforms" in page and "Microsoft Azure" not in page
    assert at.button(key="story_png")  # the PNG export of the picture, as for the network view


def test_exposure_page_downloads_the_story_as_svg_and_the_brief_as_pdf(app_env) -> None:
    import io

    from pypdf import PdfReader

    at = exposure_page()

    def labels() -> list[str]:
        return [button.proto.label for button in at.get("download_button")]

    assert "Download the picture (SVG)" in labels() and "Download the PDF brief" not in labels()
    at.button(key="story_pdf").click().run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    assert "Download the PDF brief" in labels()
    _, data = at.session_state["story_pdf_bytes"]
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and "Scale AI" in reader.pages[0].extract_text()


def linked_exposure_page(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/0_Exposure.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_exposure_page_opens_from_a_shared_address_and_writes_it_back(app_env) -> None:
    at = linked_exposure_page(org="anthropic", as_of="2025-06-15", compare="2025-06-01")
    assert at.selectbox(key="exposure_org").value == "anthropic"
    assert at.slider(key="exposure_as_of").value == dt.date(2025, 6, 15)
    assert at.date_input(key="exposure_compare").value == dt.date(2025, 6, 1)
    assert not at.warning
    # The user's picks go into the address (to share) and are not overridden by it on the next run.
    at.slider(key="exposure_as_of").set_value(dt.date(2025, 6, 30)).run()
    assert at.slider(key="exposure_as_of").value == dt.date(2025, 6, 30)
    assert dict(at.query_params) == {"org": "anthropic", "as_of": "2025-06-30", "compare": "2025-06-01"}
    at.text_input(key="exposure_search").input("OpenAI").run()
    assert at.selectbox(key="exposure_org").value == "openai" and at.query_params["org"] == "openai"


def test_exposure_page_opened_plainly_writes_its_address(app_env) -> None:
    at = run_page("pages/0_Exposure.py")
    assert dict(at.query_params) == {"org": "openai", "as_of": dt.date.today().isoformat(),
                                     "compare": brief.default_compare(dt.date.today()).isoformat()}


@pytest.mark.parametrize("params, words", [
    ({"org": "no-such-org"}, "org='no-such-org' in the address is no organization's id in the graph"),
    ({"org": "alexandr-wang"}, "org='alexandr-wang' in the address is no organization's id"),  # a person
    ({"as_of": "2025-13-45"}, "as_of='2025-13-45' in the address is not a date written YYYY-MM-DD"),
    ({"as_of": "June"}, "as_of='June' in the address is not a date"),
    ({"as_of": "20250615"}, "as_of='20250615' in the address is not a date"),
    ({"as_of": "1900-01-01"}, "as_of=1900-01-01 in the address is outside the dates the graph covers"),
    ({"compare": "3000-01-01"}, "compare=3000-01-01 in the address is outside the dates the page compares with"),
    ({"compare": "<script>"}, "compare='<script>' in the address is not a date"),
])
def test_exposure_page_says_what_a_bad_address_holds(app_env, params: dict[str, str], words: str) -> None:
    at = linked_exposure_page(**params)
    assert words in texts(at.warning)
    assert at.selectbox(key="exposure_org").value == "openai"  # the rest as when opened plainly
    assert at.slider(key="exposure_as_of").value == dt.date.today()
    assert at.date_input(key="exposure_compare").value == brief.default_compare(dt.date.today())
    assert not at.error


# --------------------------------------------------------------------------------------------------
# Stale derived facts: one warning with the fix on every page that shows them, none when fresh


STALE_FIX = "run `supplygraph derive`"
HAND_EDIT = ("MATCH (a:Organization {id: 'openai'}), (b:Organization {id: 'scale-ai'}) "
             "CREATE (a)-[:PARTNERS_WITH {id: 'hand-made', kind: 'research', since: date('2024-01-01')}]->(b)")


def stale_warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning if "derived facts are" in str(w.value)]


def pages_in_turn() -> Iterator[tuple[str, AppTest]]:
    """Each page showing derived facts, and the gallery on queries that read them or not. (The console
    decides by its result's `reads_derived`, tested in test_stale_warnings.py.)"""
    yield "network", run_page("app.py")
    yield "exposure", run_page("pages/0_Exposure.py")
    yield "timeline", run_page("pages/3_Timeline.py")
    at = run_page("pages/1_Query_gallery.py")
    yield "gallery indirect_links", at
    at.selectbox(key="query").set_value("source_report").run()
    yield "gallery source_report (reads no derived fact)", at


READS_NO_DERIVED = {"gallery source_report (reads no derived fact)"}


def test_every_page_warns_once_while_derived_facts_are_stale_and_not_after_derive(app_env, seeded) -> None:
    from graph.derive import derive

    seeded.driver.execute_query(HAND_EDIT)  # a relationship made by hand in Cypher: nothing derived from it yet
    st.cache_data.clear()
    try:
        for page, at in pages_in_turn():
            assert not at.exception and not at.error, (page, texts(at.error))
            warned = stale_warnings(at)
            if page in READS_NO_DERIVED:
                assert not warned, page
            else:
                assert len(warned) == 1 and STALE_FIX in warned[0] and "stale" in warned[0], (page, warned)
        derive(seeded)  # what `supplygraph derive` runs: the warning goes at once (it is never cached)
        for page, at in pages_in_turn():
            assert not at.exception and not stale_warnings(at), page
    finally:
        seeded.driver.execute_query("MATCH ()-[r {id: 'hand-made'}]->() DELETE r")
        derive(seeded)
        st.cache_data.clear()
