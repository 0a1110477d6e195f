"""The network picture without a browser: rows -> graph -> HTML (escaping, offline, deterministic)."""

from __future__ import annotations

import datetime as dt
import json
import random
import re

import networkx as nx
import pytest

from graph import drawing, explore, layout, network

XSS = "<img src=x onerror=alert(1)>"
AS_OF = dt.date(2025, 7, 1)


def fact(from_id: str, to_id: str, rel_type: str = "SUPPLIES", status: str = "active", *, rel_id: str | None = None,
         from_labels=("Organization", "Vendor"), to_labels=("Organization", "Lab"), since: str | None = None,
         until: str | None = None, sources=("src-1",), from_name: str | None = None,
         to_name: str | None = None) -> dict:
    return {"from_id": from_id, "from_name": from_name or from_id.title(), "from_labels": list(from_labels),
            "type": rel_type, "to_id": to_id, "to_name": to_name or to_id.title(), "to_labels": list(to_labels),
            "status": status, "since": since, "until": until, "detail": "data_labeling", "sources": list(sources),
            "confidence": "high", "rel_id": rel_id or f"{from_id}-{rel_type}-{to_id}", "total": 1}


def scale_rows() -> list[dict]:
    return [
        fact("scale-ai", "openai", status="ended", until="2025-06", sources=("techcrunch-1",), from_name="Scale AI",
             to_name="OpenAI", to_labels=("Organization", "Lab", "Vendor")),
        fact("meta", "scale-ai", "INVESTED_IN", since="2025-06-12", from_labels=("Organization", "Lab", "Investor"),
             to_labels=("Organization", "Vendor"), sources=("reuters-1", "ap-1"), from_name="Meta Platforms",
             to_name="Scale AI"),
        fact("alexandr-wang", "meta", "HOLDS_POSITION", since="2025-06", from_labels=("Person",),
             to_labels=("Organization", "Lab", "Investor"), sources=("reuters-1",), from_name="Alexandr Wang",
             to_name="Meta Platforms"),
        fact("scale-ai", "google", status="reported", until="2025-06", sources=("reuters-2",), from_name="Scale AI",
             to_name="Google"),
        fact("scale-ai", "xai", status="paused", sources=("bi-1",), from_name="Scale AI", to_name="xAI"),
        fact("scale-ai", "surge", "COMPETES_WITH", from_name="Scale AI", to_name="Surge AI",
             to_labels=("Organization", "Vendor")),
    ]


def network_data(page: str) -> tuple[list[dict], list[dict], dict]:
    """The nodes, edges and options the page hands to vis-network."""
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.S).group(1))
    edges = json.loads(re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page, re.S).group(1))
    options = json.loads(re.search(r"var options = (\{.*?\});\n", page, re.S).group(1))
    return nodes, edges, options


# --------------------------------------------------------------------------------------------------
# Rows -> graph


def test_graph_from_neighbourhood_rows() -> None:
    rows = scale_rows()
    graph = network.graph_from_rows(rows + rows[:2])  # a relationship seen twice is drawn once
    assert sorted(graph.nodes) == ["alexandr-wang", "google", "meta", "openai", "scale-ai", "surge", "xai"]
    assert graph.number_of_edges() == 6
    assert graph.nodes["meta"]["role"] == "Lab"  # lab > vendor > investor > government
    assert graph.nodes["openai"]["role"] == "Lab"
    assert graph.nodes["scale-ai"]["role"] == "Vendor"
    assert graph.nodes["alexandr-wang"]["role"] == "Person"
    edge = graph.get_edge_data("meta", "scale-ai")["meta-INVESTED_IN-scale-ai"]
    assert edge["type"] == "INVESTED_IN" and edge["since"] == "2025-06-12" and edge["sources"] == ["reuters-1", "ap-1"]


def test_role_priority() -> None:
    assert network.role_of(["Organization", "Government", "Investor"]) == "Investor"
    assert network.role_of(["Organization", "Vendor", "Government"]) == "Vendor"
    assert network.role_of(["Organization", "Government"]) == "Government"
    assert network.role_of(["Person"]) == "Person"
    assert network.role_of(["Organization"]) == "Organization"
    assert network.role_of([]) == "Other"


def plain_node(element_id: str, node_id: str, name: str, *labels: str) -> dict:
    return {"element_id": element_id, "labels": sorted(labels), "properties": {"id": node_id, "name": name}}


def plain_rel(element_id: str, rel_type: str, start: str, end: str, **props) -> dict:
    return {"element_id": element_id, "type": rel_type, "start": start, "end": end, "properties": props}


def test_graph_from_plain_paths_nodes_and_relationships() -> None:
    scale = plain_node("4:a:1", "scale-ai", "Scale AI", "Organization", "Vendor")
    meta = plain_node("4:a:2", "meta", "Meta Platforms", "Organization", "Lab", "Investor")
    wang = plain_node("4:a:3", "alexandr-wang", "Alexandr Wang", "Person")
    invest = plain_rel("5:a:1", "INVESTED_IN", "4:a:2", "4:a:1", id="meta-invests", status="active",
                       since_text="2025-06-12", sources=["reuters-1"], round="strategic",
                       detail="strategic, 49%, $14.3B")
    works = plain_rel("5:a:2", "HOLDS_POSITION", "4:a:3", "4:a:2", id="wang-meta", status="active", title="CAIO",
                       detail="CAIO (executive)")
    rows = [
        {"p": {"nodes": [meta, scale], "relationships": [invest]}},
        {"n": wang, "r": works, "m": meta, "count": 3},
        {"list": [{"p": {"nodes": [meta, scale], "relationships": [invest]}}]},  # nested, seen again
        {"r": plain_rel("5:a:9", "SUPPLIES", "4:a:1", "4:a:77")},  # an end node the result does not hold
    ]
    graph = network.graph_from_rows(rows)
    assert set(graph.nodes) == {"scale-ai", "meta", "alexandr-wang", "4:a:77"}
    assert graph.nodes["meta"]["name"] == "Meta Platforms" and graph.nodes["meta"]["role"] == "Lab"
    assert graph.number_of_edges() == 3
    invest_edge = graph.get_edge_data("meta", "scale-ai")["meta-invests"]
    assert invest_edge["since"] == "2025-06-12" and invest_edge["detail"] == "strategic, 49%, $14.3B"
    assert graph.get_edge_data("alexandr-wang", "meta")["wang-meta"]["detail"] == "CAIO (executive)"
    assert network.graph_from_rows([{"x": 1, "name": "no graph here"}]).number_of_nodes() == 0


# --------------------------------------------------------------------------------------------------
# Graph -> HTML


def page_of(rows: list[dict], **kwargs) -> str:
    kwargs.setdefault("focus_id", "scale-ai")
    return drawing.render_html(network.graph_from_rows(rows), kwargs.pop("title", "Scale AI: 1-hop neighbourhood"),
                             kwargs.pop("as_of", AS_OF), **kwargs)


def test_hostile_names_stay_text() -> None:
    rows = scale_rows() + [fact(XSS, "scale-ai", "INVESTED_IN", from_name=XSS, sources=(XSS,),
                                from_labels=("Organization", "Investor"))]
    page = page_of(rows, title=f"Title {XSS}", sources={XSS: {"publisher": XSS, "date": "2025"}})
    # No tag from the data anywhere: data is JSON with < > & escaped, the overlay is HTML-escaped.
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # title, footnote
    nodes, edges, _ = network_data(page)
    hostile = next(n for n in nodes if n["id"] == XSS)
    # vis-network 9.1.2 shows a string title with innerText: it must be the plain text, not escaped HTML.
    assert hostile["label"] == XSS and hostile["title"].startswith(XSS + "\n")
    assert any(XSS in e["title"] for e in edges)
    # No innerHTML popup (pyvis's own page switched one on when a title contained "href").
    rows.append(fact("scale-ai", "acme", from_name="Scale AI", to_name='<a href="javascript:alert(1)">x</a>'))
    page = page_of(rows)
    assert "popup.innerHTML" not in page and "<a href" not in page


def test_html_is_offline() -> None:
    page = page_of(scale_rows())
    assert drawing.remote_references(page) == []
    tags = re.findall(r"<(?:script|link|img|iframe|source|embed)\b[^>]*>", page, re.I)
    assert not [t for t in tags if re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", t, re.I)]
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page
    assert "vis.Network" in page and len(page) > 400_000  # vis-network itself is inlined
    assert drawing.remote_references('<link href="https://cdn.example/x.css"><img src="//x/y.png">') == [
        "<link href=https://cdn.example/x.css>", "<img src=//x/y.png>"]


def test_html_is_deterministic() -> None:
    rows = scale_rows()
    first = page_of(rows)
    assert page_of([dict(r) for r in rows]) == first
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    assert page_of(shuffled) == first
    assert page_of(rows, as_of=dt.date(2025, 7, 2)) != first


def test_physics_off_positions_given() -> None:
    nodes, edges, options = network_data(page_of(scale_rows()))
    assert options["physics"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    assert len({e["id"] for e in edges}) == len(edges)  # explicit ids: vis-network makes no random ones


def test_styles_by_role_type_and_status() -> None:
    nodes, edges, _ = network_data(page_of(scale_rows()))
    by_id = {n["id"]: n for n in nodes}
    assert by_id["meta"]["shape"] == "dot" and by_id["scale-ai"]["shape"] == "square"
    assert by_id["alexandr-wang"]["shape"] == "hexagon"
    assert by_id["scale-ai"]["borderWidth"] == 4  # the focus
    assert by_id["scale-ai"]["size"] > by_id["surge"]["size"]  # size by connections
    edge = {e["id"].split("|")[1]: e for e in edges}
    active, ended = edge["meta-INVESTED_IN-scale-ai"], edge["scale-ai-SUPPLIES-openai"]
    assert not active.get("dashes") and active["color"]["opacity"] == 1.0
    assert ended["dashes"] and ended["color"]["color"] == drawing.ENDED_COLOUR and ended["color"]["opacity"] < 1
    for status in ("reported", "paused"):
        styled = next(e for e in edges if e["id"].split("|")[1] == f"scale-ai-SUPPLIES-{'google' if status == 'reported' else 'xai'}")
        assert styled["dashes"] and styled["color"]["opacity"] < 1 and styled["color"]["color"] != drawing.ENDED_COLOUR
    assert edge["scale-ai-COMPETES_WITH-surge"]["arrows"] == ""
    assert "from ? to 2025-06" in ended["title"] and "sources: techcrunch-1" in ended["title"]


def test_legend_title_as_of_and_sources() -> None:
    page = page_of(scale_rows(), sources={"reuters-1": {"publisher": "Reuters", "date": "2025-06-12"},
                                          "ap-1": {"publisher": "AP", "date": "2025-06-12"}})
    legend = re.search(r'<div id="sg-legend".*?</div></div>', page, re.S).group(0)
    for text in ("Lab", "Vendor", "Person", "INVESTED_IN", "SUPPLIES", "HOLDS_POSITION", "COMPETES_WITH", "ended",
                 "paused", "reported"):
        assert text in legend
    assert "Government" not in legend  # only what the picture shows
    assert '<div id="sg-title">Scale AI: 1-hop neighbourhood</div>' in page
    assert "as of 2025-07-01 · 7 nodes · 6 relationships" in page
    footnote = re.search(r'<div id="sg-sources".*?</div>', page, re.S).group(0)
    assert "<b>Reuters</b> 2025-06-12" in footnote and "<b>AP</b> 2025-06-12" in footnote
    assert "techcrunch-1" in footnote  # not in the mapping: listed by id
    assert "Sources (6)" in footnote


def test_cap_note_keeps_the_focus_neighbourhood() -> None:
    rows = [fact("hub", f"n{i:03}", rel_id=f"r{i}") for i in range(60)]
    rows += [fact(f"n{i:03}", f"far{i:03}", rel_id=f"f{i}") for i in range(60)]
    page = page_of(rows, focus_id="hub", max_nodes=40)
    assert "showing 40 of 121 nodes" in page
    nodes, _, _ = network_data(page)
    ids = {n["id"] for n in nodes}
    assert len(nodes) == 40 and "hub" in ids and not any(i.startswith("far") for i in ids)
    assert "showing" not in page_of(rows, focus_id="hub", max_nodes=500).split('<div id="sg-header"')[1][:600]


def test_empty_graph_page() -> None:
    page = drawing.render_html(nx.MultiDiGraph(), "Nothing", AS_OF)
    assert "Nothing to draw" in page and drawing.remote_references(page) == []


def test_layout_is_deterministic_and_spread_for_big_graphs() -> None:
    rng = random.Random(5)
    graph = nx.MultiDiGraph()
    for i in range(1, 1200):  # a hub-heavy tree plus cross links, and a few separate components
        graph.add_edge(f"n{rng.randrange(max(1, i // 8))}", f"n{i}")
    for i in range(300):
        graph.add_edge(f"n{rng.randrange(1200)}", f"n{rng.randrange(1200)}")
    for i in range(20):
        graph.add_edge(f"island{i}a", f"island{i}b")
    first = layout.positions(graph)
    assert first == layout.positions(graph.copy())
    assert set(first) == set(graph.nodes)
    assert len(set(first.values())) == len(first)


# --------------------------------------------------------------------------------------------------
# Replaying a date and filtering (graph.explore, pure functions)


def test_status_on_a_date() -> None:
    ended_later = fact("a", "b", status="ended", since="2020", until="2025-06")
    assert explore.status_on(ended_later, dt.date(2019, 12, 31)) is None  # not started yet
    assert explore.status_on(ended_later, dt.date(2024, 1, 1)) == "active"
    assert explore.status_on(ended_later, dt.date(2025, 6, 1)) == "ended"
    assert explore.status_on(fact("a", "b", status="ended"), dt.date(2024, 1, 1)) == "ended"
    assert explore.status_on(fact("a", "b", status="paused"), dt.date(2024, 1, 1)) == "paused"


def test_filter_rows() -> None:
    rows = scale_rows()
    everything = explore.filter_rows(rows, AS_OF, explore.Filters(), "scale-ai")
    assert len(everything) == 6
    assert {r["status"] for r in everything} == {"active", "ended", "paused"}  # reported, until 2025-06: ended
    before = explore.filter_rows(rows, dt.date(2025, 1, 1), explore.Filters(), "scale-ai")
    assert {r["rel_id"] for r in before} == {"scale-ai-SUPPLIES-openai", "scale-ai-SUPPLIES-google",
                                             "scale-ai-SUPPLIES-xai", "scale-ai-COMPETES_WITH-surge"}
    only_investments = explore.filter_rows(rows, AS_OF, explore.Filters(types=("INVESTED_IN",)), "scale-ai")
    assert [r["rel_id"] for r in only_investments] == ["meta-INVESTED_IN-scale-ai"]
    no_ended = explore.filter_rows(rows, AS_OF, explore.Filters(statuses=("active", "paused")), "scale-ai")
    assert "scale-ai-SUPPLIES-openai" not in {r["rel_id"] for r in no_ended}
    no_people = explore.filter_rows(rows, AS_OF, explore.Filters(roles=("Lab", "Vendor", "Investor")), "scale-ai")
    assert "alexandr-wang-HOLDS_POSITION-meta" not in {r["rel_id"] for r in no_people}
    # The focus is kept whatever its role.
    labs_only = explore.filter_rows(rows, AS_OF, explore.Filters(roles=("Lab",)), "scale-ai")
    assert "scale-ai-SUPPLIES-openai" in {r["rel_id"] for r in labs_only}


@pytest.mark.parametrize("text, expected", [
    ("Scale AI", "scale* AND ai*"), ("  meta ", "meta*"), ('x") OR 1=1 //', "x* AND or* AND 1* AND 1*"),
    ("<img src=x>", "img* AND src* AND x*"), ("***", None), ("", None),
])
def test_lucene_query_has_only_words(text: str, expected: str | None) -> None:
    assert explore.lucene_query(text) == expected


def test_table_rows_shorten_graph_values() -> None:
    node = plain_node("4:a:1", "scale-ai", "Scale AI", "Organization", "Vendor")
    rel = plain_rel("5:a:1", "SUPPLIES", "4:a:1", "4:a:2", id="r1")
    rows = explore.table_rows([{"n": node, "r": rel, "ids": ["a", "b"], "p": {"nodes": [node], "relationships": []},
                                "x": 3}], ["n", "r", "ids", "p", "x"])
    assert rows == [{"n": "(Organization:Vendor Scale AI)", "r": "[:SUPPLIES r1]", "ids": "a, b",
                     "p": "(Organization:Vendor Scale AI)", "x": 3}]


def test_source_table_keeps_only_web_links() -> None:
    facts = [{"sources": [{"id": "a", "publisher": "P", "title": "T", "date": "2025", "url": "javascript:alert(1)"},
                          {"id": "b", "publisher": "P", "title": "T", "date": "2024", "url": "https://example.org/b"}]}]
    assert [(s["id"], s["url"]) for s in explore.source_table(facts)] == [("a", ""), ("b", "https://example.org/b")]


def test_a_diff_is_drawn_started_green_ended_grey_dashed_unchanged_faded() -> None:
    from graph import diff

    rows = [fact("meta", "scale-ai", "INVESTED_IN", since="2025-06-12", rel_id="stake"),
            fact("scale-ai", "openai", status="ended", until="2025-06-18", rel_id="supply"),
            fact("scale-ai", "xai", since="2024", rel_id="old"),
            fact("surge", "scale-ai", "COMPETES_WITH", since="2025-06-03", until="2025-06-05", rel_id="brief")]
    found = diff.compare(rows, dt.date(2025, 6, 30), dt.date(2025, 6, 1), "scale-ai", 1)
    focus = {"id": "scale-ai", "name": "Scale AI", "labels": ["Organization", "Vendor"]}
    picture = explore.diff_picture(found, focus, 1, {})
    nodes, edges, _ = network_data(picture.html)
    edge = {e["id"].split("|")[1]: e for e in edges}
    assert edge["stake"]["color"]["color"] == "#2f9e44" and not edge.get("stake", {}).get("dashes")
    assert edge["supply"]["color"]["color"] == drawing.ENDED_COLOUR and edge["supply"]["dashes"]
    assert edge["old"]["color"]["opacity"] < 0.5
    assert edge["brief"]["dashes"]  # came and went
    by_id = {n["id"]: n for n in nodes}
    assert by_id["xai"]["opacity"] < 1 and "opacity" not in by_id["meta"] and "opacity" not in by_id["scale-ai"]
    caption = "1 started, 1 ended, 1 unchanged, 1 came and went between 2025-06-01 and 2025-06-30"
    assert found.caption == caption and caption in picture.html
    legend = re.search(r'<div id="sg-legend".*?</div></div>', picture.html, re.S).group(0)
    assert "Change between the dates" in legend and "unchanged" in legend and "Status" not in legend
    assert "what changed from 2025-06-01 to 2025-06-30" in picture.html
