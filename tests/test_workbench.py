"""graph.workbench's plain-data pieces of the Exposure page that need no database: a link's sources."""

from __future__ import annotations

from graph import workbench

DETAILS = {
    "a-old": {"publisher": "Reuters", "title": "Old deal", "date": "2019-07-22", "url": "https://example.org/a"},
    "b-new": {"publisher": "AP", "title": "New deal", "date": "2025-06-12", "url": "https://example.org/b"},
    "c-mid": {"publisher": "FT", "title": "Middle", "date": "2023-01-10", "url": "ftp://not-a-web-link"},
    "d": {"publisher": "CNBC", "title": "Recap", "date": "2025-10-28", "url": ""},
    "e": {"publisher": "WSJ", "title": "Other", "date": "2024-05-01", "url": "https://example.org/e"},
}


def ids(sources) -> list[str]:
    return [s.id for s in sources]


def row(sources, best=None) -> dict:
    return {"rival_id": "r", "rival": "Rival", "kind": "stake", "score": 1.0, "explanation": "x owns 5% of y",
            "sources": sources, **({"best_sources": best} if best is not None else {})}


def test_the_best_chains_sources_come_first_and_the_rest_fold() -> None:
    card, = workbench.cards([row(["a-old", "b-new", "c-mid", "d", "e"], best=["a-old", "c-mid"])], DETAILS)
    assert ids(card.shown_sources) == ["c-mid", "a-old"]  # the best chain's, newest first
    assert ids(card.folded_sources) == ["d", "b-new", "e"]  # the rest, newest first
    assert card.first_sources == 2 and sorted(ids(card.sources)) == ["a-old", "b-new", "c-mid", "d", "e"]


def test_every_source_stays_reachable_once() -> None:
    # The best chain's may repeat an id, or cite one the link's list lacks: each shows once, none is lost.
    card, = workbench.cards([row(["b-new", "b-new", "d", "", None], best=["e", "b-new", "e", ""])], DETAILS)
    assert ids(card.shown_sources) == ["b-new", "e"] and ids(card.folded_sources) == ["d"]
    assert len(card.sources) == len(set(ids(card.sources))) == 3


def test_without_a_known_best_chain_the_newest_few_show() -> None:
    many = ["a-old", "b-new", "c-mid", "d", "e"]
    for best in (None, []):
        card, = workbench.cards([row(many, best=best)], DETAILS)
        assert ids(card.shown_sources) == ["d", "b-new", "e"][:workbench.FIRST_SOURCES]
        assert len(card.shown_sources) + len(card.folded_sources) == len(many)
    card, = workbench.cards([row(["a-old"], best=[])], DETAILS)
    assert ids(card.shown_sources) == ["a-old"] and not card.folded_sources
    card, = workbench.cards([row([], best=[])], DETAILS)
    assert not card.sources and not card.shown_sources and not card.folded_sources


def test_each_source_is_publisher_title_date_and_a_web_link_only() -> None:
    card, = workbench.cards([row(["c-mid", "unknown-id"], best=["c-mid"])], DETAILS)
    mid, unknown = card.sources
    assert (mid.publisher, mid.title, mid.date, mid.url) == ("FT", "Middle", "2023-01-10", "")  # not a web link
    assert (unknown.publisher, unknown.title, unknown.url) == ("", "unknown-id", "")  # kept as a bare id


def test_chain_sources_in_the_chains_order_once_each() -> None:
    rels = [{"properties": {"sources": ["s2", "s1"]}}, {"properties": {}}, {"properties": {"sources": ["s1", "s3"]}}]
    assert workbench.chain_sources(rels) == ["s2", "s1", "s3"]
    assert workbench.source_ids([{"sources": ["b"], "best_sources": ["a", "b"]}, {"sources": None}]) == ("a", "b")
