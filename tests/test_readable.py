"""Briefing-grade pictures: edge captions, a hub's leaves grouped, labels that never overlap, query results
named and coloured by role (graph.captions, graph.hubs, graph.labels, graph.readable, graph.naming)."""

from __future__ import annotations

import datetime as dt
import json
import random
import re

import networkx as nx
import pytest

from graph import captions, drawing, explore, hubs, labels, naming, network
from graph.db import Connection
from graph.readonly import run_read_only

ELEMENT_ID = re.compile(r"\d+:[0-9a-f]{8}-")


def vis(page: str) -> tuple[list[dict], list[dict]]:
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.S).group(1))
    edges = json.loads(re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page, re.S).group(1))
    return nodes, edges


# -- captions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rel_type, props, expected", [
    ("INVESTED_IN", {"stake_percent": 49.0, "amount": 14.3e9, "currency": "USD"}, "49% stake · $14.3B"),
    ("INVESTED_IN", {"amount": 15e6, "currency": "EUR", "round": "seed"}, "EUR 15.0M"),
    ("INVESTED_IN", {"round": "Series C"}, "Series C"),
    ("INVESTED_IN", {"stake_percent": "n/a", "round": "Series C"}, "Series C"),  # text for a number: left out
    ("INVESTED_IN", {"stake_percent": True}, "investment"),
    ("SUPPLIES", {"service": "data_labeling", "until_text": "2025-06-18"}, "data labeling · until 2025-06-18"),
    ("HOLDS_POSITION", {"title": "CEO", "since_text": "2016", "until_text": "2025-06"}, "CEO 2016-2025"),
    ("HOLDS_POSITION", {"title": "Chief AI Officer", "since_text": "2025-06"}, "Chief AI Officer since 2025"),
    ("SUPPLIES", {"service": "chips", "status": "paused"}, "chips (paused)"),
    ("SUPPLIES", {"service": "x" * 100}, "x" * 39 + "…"),
])
def test_captions_read_the_stored_properties(rel_type: str, props: dict, expected: str) -> None:
    assert captions.caption({"type": rel_type, "props": props}) == expected


def test_a_caption_needs_a_type() -> None:
    assert captions.caption({}) == "" and captions.caption({"props": {"service": "chips"}}) == ""


def test_captions_are_a_toggle() -> None:
    rows = [fact("meta", "scale-ai", "INVESTED_IN", props={"stake_percent": 49, "amount": 14.3e9, "currency": "USD"})]
    graph = network.graph_from_rows(rows)
    _, with_captions = vis(drawing.render_html(graph, "t", None, captions=True))
    _, without = vis(drawing.render_html(graph, "t", None))
    assert with_captions[0]["label"] == "49% stake · $14.3B" and "label" not in without[0]


# -- hubs --------------------------------------------------------------------------------------------


def fact(a: str, b: str, rel_type: str = "SUPPLIES", a_labels=("Organization", "Vendor"),
         b_labels=("Organization", "Lab"), detail: str = "", **extra) -> dict:
    return {"from_id": a, "from_name": a.title(), "from_labels": list(a_labels), "type": rel_type, "to_id": b,
            "to_name": b.title(), "to_labels": list(b_labels), "status": "active", "detail": detail,
            "rel_id": f"{a}-{rel_type}-{b}", "sources": ["s1"], **extra}


def chip_maker(labs: int = 120, investors: int = 15, partners: int = 8) -> list[dict]:
    """A chip maker with 143 neighbours: labs it supplies chips to, investors, partners, and two labs also
    joined to each other (not leaves)."""
    rows = [fact("nvidia", f"lab-{i:03}", detail="chips") for i in range(labs)]
    rows += [fact(f"fund-{i:02}", "nvidia", "INVESTED_IN", ("Organization", "Investor"), ("Organization", "Vendor"))
             for i in range(investors)]
    rows += [fact("nvidia", f"partner-{i}", "PARTNERS_WITH", b_labels=("Organization", "Vendor"), detail="compute")
             for i in range(partners)]
    rows.append(fact("lab-000", "lab-001", "COMPETES_WITH", ("Organization", "Lab")))
    return rows


def test_a_hubs_leaves_are_grouped_by_type_direction_and_role() -> None:
    graph = network.graph_from_rows(chip_maker())
    groups = {g.words: g for g in hubs.find_groups(graph)}
    assert set(groups) == {"supplies chips to 118 labs", "backed by 15 investors", "partners with 8 vendors"}
    assert "lab-000" not in groups["supplies chips to 118 labs"].members  # joined to another lab: not a leaf
    assert hubs.find_groups(graph, hub_min=200) == []  # not a hub
    assert hubs.find_groups(graph, group_min=10).__len__() == 2  # eight partners are too few
    grouped = hubs.grouped(graph, list(groups.values()))
    assert grouped.number_of_nodes() == 1 + 2 + 3  # the hub, the two labs, three groups
    assert grouped.nodes["group:nvidia|SUPPLIES|out|Lab"]["name"] == "supplies chips to 118 labs"
    assert grouped.has_edge("group:nvidia|INVESTED_IN|in|Investor", "nvidia")  # direction kept


def test_the_focus_and_mixed_leaves_are_never_grouped() -> None:
    rows = chip_maker(labs=30, investors=0, partners=0)
    rows.append(fact("nvidia", "lab-005", "INVESTED_IN"))  # a lab supplied and invested in: on its own
    graph = network.graph_from_rows(rows)
    (group,) = hubs.find_groups(graph, keep="lab-007")
    assert "lab-007" not in group.members and "lab-005" not in group.members
    assert group.words == "supplies chips to 26 labs"
    assert hubs.words("SUPPLIES", False, "Vendor", 1) == "supplied by 1 vendor"


def test_a_grouped_hub_page_opens_groups_and_labels_the_best_connected() -> None:
    graph = network.graph_from_rows(chip_maker())
    page = drawing.render_html(graph, "NVIDIA", None, focus_id="nvidia", group_hubs=True)
    nodes, edges = vis(page)
    shown = [n for n in nodes if not n.get("hidden")]
    assert len(shown) == 6
    group = next(n for n in shown if n["id"] == "group:nvidia|SUPPLIES|out|Lab")
    assert group["sgGroupSize"] == 118 and group["label"] == "supplies chips to 118 labs"
    assert not [n for n in nodes if n.get("sgGroup")]  # members wait outside the drawn data
    members = json.loads(re.search(r"sgMembers = (\{.*?\});\n", page, re.S).group(1))
    assert set(members) == {n["id"] for n in shown if "sgGroupSize" in n}
    assert len(members[group["id"]]["nodes"]) == 118 and len(members[group["id"]]["edges"]) == 118
    assert {n["id"] for n in members[group["id"]]["nodes"]} == {f"lab-{i:03}" for i in range(2, 120)}
    assert labels.overlapping_pairs(shown) == []
    assert all(n["label"] for n in shown)  # six nodes: every label fits
    assert drawing.render_html(graph, "NVIDIA", None, focus_id="nvidia", group_hubs=True) == page
    assert "144 nodes" in page  # the counts are of what the picture holds, groups opened
    assert "data-opened" in page and "network.on('click'" in page  # the click behaviour is in the page


# -- labels ------------------------------------------------------------------------------------------


def test_boxes_and_overlaps() -> None:
    a = {"id": "a", "x": 0.0, "y": 0.0, "size": 10, "label": "Scale AI", "shape": "dot"}
    b = {**a, "id": "b", "x": 30.0}
    c = {**a, "id": "c", "y": 200.0}
    assert labels.overlapping_pairs([a, b, c]) == [("a", "b")]
    assert labels.box({**a, "label": ""}) is None
    inside = labels.box({**a, "shape": "box"})
    assert inside[1] < 0 < inside[3]  # drawn inside its box
    assert labels.place([a, b, c], ["b", "a", "c"]) == {"b", "c"}  # the first in order wins


@pytest.mark.parametrize("seed", range(6))
def test_no_two_labels_overlap_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([5, 30, 120, 400])
    graph = nx.gnm_random_graph(n, n * 2, seed=seed)
    rows = [fact(f"org-{u}", f"org-{v}", a_labels=("Organization", rng.choice(["Lab", "Vendor", "Investor"])))
            for u, v in graph.edges()]
    rows += [fact(f"a-very-long-name-organization-{i}", "org-0") for i in range(rng.randint(0, 40))]
    page = drawing.render_html(network.graph_from_rows(rows), "t", None, focus_id="org-0", captions=True,
                               group_hubs=bool(seed % 2))
    nodes, edges = vis(page)
    shown = [node for node in nodes if not node.get("hidden")]
    assert labels.overlapping_pairs(shown) == []
    assert labels.overlapping_captions(shown, edges) == []
    hidden = [node for node in shown if not node["label"]]
    assert all(node["sgName"] for node in hidden)  # a left-out label stays known to the click
    assert next(node for node in shown if node["id"] == "org-0")["label"]  # the focus always has its label


def test_caption_boxes_and_overlaps() -> None:
    a = {"id": "a", "x": 0.0, "y": 0.0, "size": 10, "label": "", "shape": "dot"}
    b = {**a, "id": "b", "x": 400.0}
    c = {**a, "id": "c", "x": 0.0, "y": 400.0}
    ends = {n["id"]: n for n in (a, b, c)}
    flat = labels.caption_box({"from": "a", "to": "b", "label": "49% stake"}, ends)
    upright = labels.caption_box({"from": "a", "to": "c", "label": "49% stake"}, ends)
    assert flat[0] < 200 < flat[2] and upright[1] < 200 < upright[3]  # at the middle of the edge
    assert flat[2] - flat[0] > upright[2] - upright[0] and upright[3] - upright[1] > flat[3] - flat[1]  # turned
    curved = labels.caption_box({"from": "a", "to": "b", "label": "49% stake",
                                 "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.6}}, ends)
    assert curved[1] != flat[1]  # off the straight line's middle
    assert labels.caption_box({"from": "a", "to": "b", "label": ""}, ends) is None
    assert labels.caption_box({"from": "a", "to": "nobody", "label": "x"}, ends) is None
    # Two relationships between one pair: the second's caption overlaps the first, so it shortens or goes.
    edges = [{"id": "e1", "from": "a", "to": "b", "label": "49% stake · $14.3B", "title": "t1"},
             {"id": "e2", "from": "a", "to": "b", "label": "investment · $1.0B", "title": "t2"}]
    assert len(labels.overlapping_captions([a, b], edges)) == 1
    changed = labels.place_captions([a, b], edges, ["e1", "e2"], labels.Grid())
    assert edges[0]["label"] == "49% stake · $14.3B" and changed == {"e2": "investment · $1.0B"}
    assert edges[1]["label"] in ("", "investment") and labels.overlapping_captions([a, b], edges) == []
    # A caption over a node's label gives way to the label.
    named = {**a, "id": "m", "x": 200.0, "y": -40.0, "label": "Middle Corp"}  # its label just above the line
    edges = [{"id": "e", "from": "a", "to": "b", "label": "data labeling"}]
    assert labels.overlapping_captions([a, b, named], edges)
    grid = labels.Grid()
    assert labels.place([a, b, named], ["m", "a", "b"], grid) == {"m"}  # the labels go first, into the grid
    labels.place_captions([a, b, named], edges, ["e"], grid)
    assert edges[0]["label"] == "" and labels.overlapping_captions([a, b, named], edges) == []


def test_a_shortened_caption_is_said_in_full_in_the_tooltip() -> None:
    rows = [fact("meta", "scale-ai", "INVESTED_IN", rel_id=f"r{i}",
                 props={"stake_percent": 10 + i, "amount": 1e9 * (i + 1), "currency": "USD"}) for i in range(6)]
    _, edges = vis(drawing.render_html(network.graph_from_rows(rows), "t", None, focus_id="meta", captions=True))
    full = {f"{p}% stake · ${i + 1}.0B" for i, p in enumerate(range(10, 16))}
    said = {e["label"] for e in edges if e.get("label") in full}
    told = {e["title"].rsplit("caption: ", 1)[1] for e in edges if "caption: " in e["title"]}
    assert said and told and said | told == full and not said & told  # each caption drawn or told, once


# -- naming query results ----------------------------------------------------------------------------


def test_apply_names_and_merges_element_ids() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("4:abcdef01-0000:1", name="4:abcdef01-0000:1", labels=[], role="Other")
    graph.add_node("scale-ai", name="Scale AI", labels=["Organization", "Vendor"], role="Vendor")
    graph.add_node("openai", name="openai", labels=[], role="Other")
    graph.add_edge("4:abcdef01-0000:1", "scale-ai", key="r1", type="HOLDS_POSITION")
    graph.add_edge("scale-ai", "openai", key="r2", type="SUPPLIES")
    assert naming.unnamed(graph) == ("4:abcdef01-0000:1", "openai")
    found = {"4:abcdef01-0000:1": {"id": "alexandr-wang", "name": "Alexandr Wang", "labels": ["Person"]},
             "openai": {"id": "openai", "name": "OpenAI", "labels": ["Organization", "Lab"]}}
    named = naming.apply(graph, found)
    assert set(named.nodes) == {"alexandr-wang", "scale-ai", "openai"}
    assert named.nodes["alexandr-wang"]["name"] == "Alexandr Wang" and named.nodes["alexandr-wang"]["role"] == "Person"
    assert named.nodes["openai"]["role"] == "Lab" and named.has_edge("alexandr-wang", "scale-ai", "r1")
    assert naming.apply(graph, {}).nodes["openai"]["role"] == "Other"  # nothing found: unchanged
    assert graph.nodes["openai"]["role"] == "Other"  # the input is not changed


# -- on the seed -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(seed_only: Connection) -> Connection:
    return seed_only


def test_query_results_are_named_and_coloured(seeded: Connection) -> None:
    result = run_read_only(seeded, "MATCH (:Person)-[r]->() RETURN r LIMIT 25")
    graph = network.graph_from_rows(result.rows)
    assert any(ELEMENT_ID.match(str(n)) for n in graph.nodes)  # relationships alone: nodes known by element id
    named = naming.named(seeded, graph)
    page = drawing.render_html(named, "console", None, captions=True)
    nodes, _ = vis(page)
    assert not [n for n in nodes if ELEMENT_ID.search(n.get("label") or n.get("sgName") or "")]
    assert {n["color"] if isinstance(n["color"], str) else n["color"]["background"] for n in nodes} - {
        drawing.ROLE_STYLES["Other"][1]}  # coloured by role
    assert all(named.nodes[n]["role"] != "Other" for n in named.nodes)
    # Rows of ids and names without labels (changes_between): looked up by id.
    _, changes = explore.stored_query_rows(seeded, "changes_between", {"from_date": dt.date(2025, 6, 1),
                                                                        "to_date": dt.date(2025, 6, 30)})
    assert changes
    roles = {d["role"] for _, d in naming.named(seeded, network.graph_from_rows(changes)).nodes(data=True)}
    assert "Other" not in roles and {"Lab", "Vendor"} <= roles


def entity_ids(conn: Connection) -> list[str]:
    return [r["id"] for r in conn.read("MATCH (n:Organization|Person) RETURN n.id AS id ORDER BY id").records]


def test_no_labels_overlap_in_any_seed_view(seeded: Connection) -> None:
    """Every organization's and person's 1- and 2-hop view on two dates: no two drawn labels overlap, no
    caption overlaps a label or another caption, and 1-hop views label nearly every node."""
    labelled = total = captioned = edge_total = 0
    for entity_id in entity_ids(seeded):
        for hops in (1, 2):
            for as_of in (dt.date(2025, 6, 15), dt.date(2026, 1, 1)):
                if hops == 2 and as_of.year == 2026 and entity_id[0] > "m":
                    continue  # enough 2-hop views; they take the longest
                nodes, edges = vis(explore.render_view(seeded, entity_id, hops, as_of))
                shown = [n for n in nodes if not n.get("hidden")]
                assert labels.overlapping_pairs(shown) == [], (entity_id, hops, as_of)
                assert labels.overlapping_captions(shown, edges) == [], (entity_id, hops, as_of)
                if hops == 1:
                    labelled += sum(1 for n in shown if n["label"])
                    total += len(shown)
                    captioned += sum(1 for e in edges if e.get("label"))
                    edge_total += len(edges)
    assert labelled / total > 0.9, f"{labelled} of {total} labelled"
    # Captions that fit (the rest are in their tooltips): on the seed about a quarter of 1-hop edges, the
    # focus's first; before they were de-overlapped, two views in three had captions over each other.
    assert captioned / edge_total > 0.2, f"{captioned} of {edge_total} captioned"
