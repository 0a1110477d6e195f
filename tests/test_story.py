"""The story picture (graph.story, graph.story_svg): the chosen links' chains on the seed, captioned,
as a real vector image; hostile names stay text and keep the layout."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any, Iterator

import pytest

import graph.cli
from graph import drawing, story, story_svg, wording
from graph.db import Connection
from graph.loader import load_folder

SVG = "{http://www.w3.org/2000/svg}"
ELEMENT_ID = re.compile(r"\d+:[0-9a-f]{8}-")
JUNE_15 = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def seed(session_conn: Connection) -> Iterator[Connection]:
    with session_conn.driver.session(database=session_conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    load_folder(session_conn, graph.cli.SEED_DIR)
    yield session_conn


def edges(told: story.Story) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(u, v, d["type"]): d for u, v, d in told.graph.edges(data=True)}


def svg_texts(picture: str) -> list[str]:
    """Every text the SVG draws (text and tspan content), as a viewer would read it."""
    root = ET.fromstring(picture)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_openai_story_shows_the_meta_stake_in_scale_ai(seed: Connection) -> None:
    told = story.load_story(seed, "openai", "OpenAI", JUNE_15)
    found = edges(told)
    assert found[("meta", "scale-ai", "INVESTED_IN")]["caption"] == "49% stake · $14.3B"
    assert found[("scale-ai", "openai", "SUPPLIES")]["caption"] == "data labeling · until 2025-06-18"
    # The rival's root joined to the holder by its dated family chain (Azure is Microsoft's).
    assert found[("azure", "microsoft", "SUBSIDIARY_OF")]["caption"] == "subsidiary"
    assert ("google", "alphabet", "SUBSIDIARY_OF") in found and ("google-cloud", "google", "SUBSIDIARY_OF") in found
    # The best link (Microsoft, control) is the highlighted one by default; the others are context.
    assert told.highlighted == "microsoft"
    assert {n for n, d in told.graph.nodes(data=True) if d["best"]} == {"openai", "azure", "microsoft"}
    assert {(u, v) for u, v, d in told.graph.edges(data=True) if d["best"]} == {("azure", "openai"), ("azure", "microsoft")}
    names = {d["name"] for _, d in told.graph.nodes(data=True)}
    assert {"OpenAI", "Scale AI", "Meta Platforms", "Microsoft Azure", "Microsoft", "Apple"} <= names
    assert not any(ELEMENT_ID.match(name) for name in names)
    assert told.graph.nodes["meta"]["role"] == "Lab" and told.graph.nodes["scale-ai"]["role"] == "Vendor"
    assert {s for s in told.sources} >= {"reuters-2025-06-12-meta-scale"}


def test_only_the_chosen_links_and_the_chosen_highlight(seed: Connection) -> None:
    told = story.load_story(seed, "openai", "OpenAI", JUNE_15, rivals=("meta",), highlight="meta")
    assert set(told.graph.nodes) == {"openai", "scale-ai", "meta"}
    assert all(d["best"] for _, d in told.graph.nodes(data=True))
    assert told.subtitle == "as of 2025-06-15 · 1 link · bold: the chain to Meta Platforms (stake), the others faded"
    # A highlight that is not among the chosen links falls back to the best chosen one.
    other = story.load_story(seed, "openai", "OpenAI", JUNE_15, rivals=("meta", "apple"), highlight="microsoft")
    assert other.highlighted == "meta" and set(other.graph.nodes) == {"openai", "scale-ai", "meta", "apple"}
    nothing = story.load_story(seed, "openai", "OpenAI", JUNE_15, rivals=())
    assert nothing.graph.number_of_nodes() == 0 and nothing.highlighted is None
    assert "nothing to draw" in story_svg.svg(nothing)


def test_a_people_chain_names_the_person_with_title_and_years(seed: Connection) -> None:
    told = story.load_story(seed, "openai", "OpenAI", dt.date(2025, 6, 5), rivals=("meta",))
    found = edges(told)
    assert told.graph.nodes["alexandr-wang"]["name"] == "Alexandr Wang"
    assert told.graph.nodes["alexandr-wang"]["role"] == "Person"
    positions = sorted(d["caption"] for (u, _, t), d in found.items() if t == "HOLDS_POSITION")
    assert positions == ["CEO 2016-2025", "Chief AI Officer since 2025"]
    assert "Alexandr Wang" in svg_texts(story_svg.svg(told))


def test_a_holder_inside_the_rival_family_is_joined_to_its_root(seed: Connection) -> None:
    told = story.load_story(seed, "microsoft", "Microsoft", dt.date(2027, 6, 15), rivals=("meta",))
    found = edges(told)
    family = [(u, v) for (u, v, t) in found if t in ("SUBSIDIARY_OF", "ACQUIRED_BY")]
    assert ("meta-superintelligence", "meta") in family or any(v == "meta" for _, v in family), found.keys()
    assert not any(t == story.FAMILY_EDGE for (_, _, t) in found)


def test_svg_is_a_vector_picture_with_title_names_captions_legend_and_sources(seed: Connection) -> None:
    told = story.load_story(seed, "openai", "OpenAI", JUNE_15)
    picture = story_svg.svg(told)
    root = ET.fromstring(picture)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}image")) and "base64" not in picture  # drawn, not a bitmap inside
    texts = svg_texts(picture)
    assert story.story_title("OpenAI") in texts and root.find(f"{SVG}title").text == story.story_title("OpenAI")
    assert any(t.startswith("as of 2025-06-15") for t in texts)
    assert {"OpenAI", "Scale AI", "Meta Platforms", "Microsoft Azure", "Apple"} <= set(texts)
    assert "49% stake · $14.3B" in texts and "cloud compute" in texts
    assert {"Nodes", "Relationships", "Lab", "Vendor", "INVESTED_IN", "SUPPLIES"} <= set(texts)
    assert "ended" not in texts  # Scale AI's supply to OpenAI, marked ended, ended on 2025-06-18: in force then
    assert any(t.startswith("Sources (") and "Reuters" in " ".join(texts) for t in texts)
    assert story_svg.svg(story.load_story(seed, "openai", "OpenAI", JUNE_15)) == picture  # byte-stable
    assert not any(ELEMENT_ID.search(t) for t in texts)


def test_captions_do_not_cover_labels_or_each_other_on_the_seed(seed: Connection) -> None:
    for org, day in (("openai", JUNE_15), ("openai", dt.date(2025, 6, 5)), ("anthropic", JUNE_15),
                     ("microsoft", dt.date(2027, 6, 15))):
        told = story.load_story(seed, org, org, day)
        nodes, taken = story_svg._nodes(told.graph, story_svg.positions(told.graph))
        _, captions = story_svg._edges(told.graph, story_svg.positions(told.graph), list(taken))
        boxes = [story_svg.Box(float(c["box_x"]), float(c["box_y"]), float(c["box_x"]) + float(c["w"]),
                               float(c["box_y"]) + float(c["h"])) for c in captions]
        for i, box in enumerate(boxes):
            assert not any(box.hits(other) for other in boxes[i + 1:]), (org, day, captions[i]["text"])
            assert not any(box.hits(other) for other in taken), (org, day, captions[i]["text"])


# ---------------------------------------------------------------------------------------------------
# Hostile names, without a database: build_graph takes the rows the queries return.

HOSTILE = [
    '<script>alert("x")</script>',
    "O'Brien & \"Sons\" <b>Ltd</b>",
    "A" * 400,
    "שלום עולם — חברה בע\"מ",
    "شركة الذكاء الاصطناعي",
    "bell\x07and\x1fseparator\u202eevil\u2066",
    "]]><!-- --><![CDATA[",
]


def node(element_id: str, node_id: str, name: str, labels: list[str]) -> dict[str, Any]:
    return {"element_id": element_id, "labels": labels, "properties": {"id": node_id, "name": name}}


def rel(element_id: str, rel_type: str, start: str, end: str, **props: Any) -> dict[str, Any]:
    return {"element_id": element_id, "type": rel_type, "start": start, "end": end,
            "properties": {"id": element_id, "status": "active", "sources": ["s1"], **props}}


def hostile_story(name: str) -> story.Story:
    a = node("e:a", "a", "Alpha Lab", ["Lab", "Organization"])
    x = node("e:x", "x", name, ["Organization", "Vendor"])
    r = node("e:r", "r", name + " rival", ["Investor", "Lab", "Organization"])
    link = story.Link("r", name, "stake", 1.0, ("a", "x", "r"), (a, x, r),
                      (rel("x-a", "SUPPLIES", "e:x", "e:a", service="data_labeling"),
                       rel("r-x", "INVESTED_IN", "e:r", "e:x", stake_percent=12.5, amount=2.5e8, currency=name[:5])))
    graph = story.build_graph("a", [link], [], "r")
    return story.Story("a", "Alpha Lab", "2025-06-15", story.story_title(name), story.subtitle("2025-06-15", [link], "r"),
                       "r", (link,), graph, {"s1": {"publisher": name, "date": "2025-06-12", "title": name}})


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_stay_text_and_keep_the_layout(name: str) -> None:
    plain = story_svg.svg(hostile_story("Plain Vendor"))
    picture = story_svg.svg(hostile_story(name))
    root = ET.fromstring(picture)  # still well-formed XML, whatever the name holds
    assert [e.tag for e in root.iter() if e.tag.endswith(("script", "foreignObject", "b"))] == []
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    plain_width, plain_height = (float(v) for v in ET.fromstring(plain).get("viewBox").split()[2:])
    # Names are cut, not grown: the same width; only the sources footnote may take its few lines more.
    assert width == plain_width and height <= plain_height + story_svg.FOOT_LINES * story_svg.FOOT_FONT * 1.5
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}tspan")]
    assert len(labels) >= 3 and all(len(line) <= story_svg.LABEL_CHARS + 1 for line in labels), labels
    assert any(label.startswith(story_svg.clean(name)[:10].strip()) for label in labels), labels
    for element in root.iter(f"{SVG}text"):  # no line runs off the picture (legend and footnote: 11-12 px)
        size = float(element.get("font-size") or story_svg.FOOT_FONT)
        assert story_svg.text_width("".join(element.itertext()), size) <= width - 14, element.attrib
    assert not story_svg.UNSAFE.search("".join(svg_texts(picture)))


def test_captions_say_each_kind_of_fact() -> None:
    assert wording.caption("INVESTED_IN", {"stake_percent": 49.0, "amount": 14.3e9, "currency": "USD"}) == "49% stake · $14.3B"
    assert wording.caption("INVESTED_IN", {"amount": 2e9, "currency": "EUR", "status": "reported"}) == "EUR 2.0B (reported)"
    assert wording.caption("INVESTED_IN", {"round": "Series F"}) == "Series F"
    assert wording.caption("INVESTED_IN", {"amount": 5e8}) == "500.0M (currency not given)"
    assert wording.caption("PARTNERS_WITH", {"kind": "joint_venture"}) == "joint venture partnership"
    assert wording.caption("ACQUIRED_BY", {"amount": 2.4e9, "currency": "USD"}) == "acquired · $2.4B"
    assert wording.caption("HOLDS_POSITION", {"title": "CEO", "since_text": "2016", "until_text": "2025-06"}) == "CEO 2016-2025"
    assert wording.caption("HOLDS_POSITION", {"kind": "board", "since_text": "2024-03"}) == "board since 2024"
    assert wording.caption("HOLDS_POSITION", {"title": "CTO", "since_text": "2025-01", "until_text": "2025-09"}) == "CTO 2025"
    assert wording.caption("SUPPLIES", {"service": "chips", "until_text": "2024"}) == "chips · until 2024"


def test_a_family_pair_without_a_dated_chain_is_drawn_as_one_family_edge() -> None:
    a = node("e:a", "a", "A", ["Lab", "Organization"])
    x = node("e:x", "x", "X", ["Organization", "Vendor"])
    link = story.Link("root", "Root", "control", 1.0, ("a", "x"), (a, x), (rel("x-a", "SUPPLIES", "e:x", "e:a", service="chips"),))
    assert story.family_pairs([link]) == [("x", "root")]
    root = node("e:root", "root", "Root", ["Lab", "Organization"])
    graph = story.build_graph("a", [link], [{"from_id": "x", "to_id": "root", "from_node": x, "to_node": root,
                                             "path": None}], "root")
    assert graph.has_edge("x", "root") and graph.nodes["root"]["name"] == "Root"
    (data,) = graph.get_edge_data("x", "root").values()
    assert data["caption"] == story.FAMILY_CAPTION and data["best"]
    assert [graph.nodes[n]["layer"] for n in ("a", "x", "root")] == [0, 1, 2]
    # Two organizations next to each other in a chain with no relationship of their own are a pair too.
    y = node("e:y", "y", "Y", ["Investor", "Organization"])
    vendor_side = story.Link("r", "R", "vendor-side", 1.0, ("a", "x", "y", "r"), (a, x, y, node("e:r", "r", "R", ["Lab", "Organization"])),
                             (rel("x-a", "SUPPLIES", "e:x", "e:a", service="chips"), rel("y-r", "INVESTED_IN", "e:y", "e:r")))
    assert story.family_pairs([vendor_side]) == [("x", "y")]


def test_an_edge_marked_ended_is_drawn_as_it_stood_on_the_story_date() -> None:
    """Scale AI's supply to OpenAI is marked ended with its end on 2025-06-18: a story of 2025-06-15 draws it
    in force (as the links it explains count it), one of 2025-06-20 as ended; one not yet started keeps its word."""
    a = node("e:a", "a", "A", ["Lab", "Organization"])
    x = node("e:x", "x", "X", ["Organization", "Vendor"])
    r = node("e:r", "r", "R", ["Lab", "Organization"])
    supply = rel("x-a", "SUPPLIES", "e:x", "e:a", status="ended", since_text="2023-01", until_text="2025-06-18")
    stake = rel("r-x", "INVESTED_IN", "e:r", "e:x", stake_percent=49.0, since_text="2025-06-12")
    link = story.Link("r", "R", "stake", 1.0, ("a", "x", "r"), (a, x, r), (supply, stake))

    def statuses(day: dt.date | None) -> dict[str, str]:
        graph = story.build_graph("a", [link], [], "r", day)
        return {key: data["status"] for _, _, key, data in graph.edges(keys=True, data=True)}

    assert statuses(dt.date(2025, 6, 15)) == {"x-a": "active", "r-x": "active"}
    assert statuses(dt.date(2025, 6, 18)) == {"x-a": "ended", "r-x": "active"}
    assert statuses(dt.date(2025, 6, 1))["x-a"] == "active"
    assert statuses(None) == {"x-a": "ended", "r-x": "active"}  # no date: the word as recorded
    picture = story_svg.svg(story.Story("a", "A", "2025-06-15", "t", "s", "r", (link,),
                                        story.build_graph("a", [link], [], "r", dt.date(2025, 6, 15)), {}))
    assert drawing.ENDED_COLOUR not in picture
