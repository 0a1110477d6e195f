"""`detail`: a relationship's key terms in a few words, stored once on each relationship.

The loader writes it with each row and `supplygraph derive` corrects it on relationships written or edited
by hand; the timeline, changes and pictures read it. The expected words are written out here from
docs/schema.md, not computed by graph.wording.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.db import Connection
from graph.derive import derive, normalise_details
from graph.loader import load_folder
from graph.wording import detail

from datafolder import write_folder

# Every relationship of tests/datafolder.VALID, in words.
EXPECTED = {
    "meta-inv-scale": "strategic, 49%, $14.3B",
    "scale-openai": "data labeling",
    "scale-meta": "data labeling",
    "msft-inv-openai": "investment, $1.0B",
    "msft-openai-cloud": "compute",
    "wang-ceo-scale": "CEO (executive)",
    "wang-meta": "Chief AI Officer (executive)",
    "droege-ceo": "Interim CEO (executive)",
}


@pytest.mark.parametrize(("rel_type", "props", "words"), [
    ("INVESTED_IN", {"round": "Series F", "stake_percent": 12.5, "amount": 15e6, "currency": "EUR"},
     "Series F, 12.5%, EUR 15.0M"),
    ("INVESTED_IN", {"amount": 250_000}, "investment, 250,000 (currency not given)"),
    ("INVESTED_IN", {}, "investment"),
    ("ACQUIRED_BY", {"amount": 6.5e9, "currency": "usd"}, "acquisition, $6.5B"),
    ("ACQUIRED_BY", {}, "acquisition"),
    ("HOLDS_POSITION", {"kind": "board"}, "board"),
    ("HOLDS_POSITION", {"kind": "founder", "title": "Co-founder"}, "Co-founder (founder)"),
    ("SUPPLIES", {"service": "chips"}, "chips"),
    ("SUPPLIES", {"service": "cloud_compute", "value": 2e9, "currency": "USD"}, "cloud compute, $2.0B"),
    ("PARTNERS_WITH", {"kind": "joint_venture"}, "joint venture"),
    ("COMPETES_WITH", {}, ""),
    # Written by hand in Cypher: a number as text, a boolean, is not worded as a number.
    ("INVESTED_IN", {"amount": "14.3B", "stake_percent": True, "currency": "USD"}, "investment"),
])
def test_detail_words(rel_type: str, props: dict, words: str) -> None:
    assert detail(rel_type, props) == words


def _details(conn: Connection) -> dict[str, str | None]:
    records, _, _ = conn.driver.execute_query(
        "MATCH ()-[r]->() WHERE r.id IS NOT NULL RETURN r.id AS id, r.detail AS detail")
    return {r["id"]: r["detail"] for r in records}


def test_the_loader_writes_detail_on_every_relationship(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "data"))
    assert _details(conn) == EXPECTED


def test_a_database_loaded_before_detail_existed_gets_it_on_the_next_load(conn: Connection, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    load_folder(conn, folder)
    conn.driver.execute_query("MATCH ()-[r]->() REMOVE r.detail")
    load_folder(conn, folder)  # the rows are unchanged, but the stored relationships lack `detail`
    assert _details(conn) == EXPECTED


def test_derive_corrects_detail_written_or_edited_by_hand(conn: Connection, tmp_path: Path) -> None:
    load_folder(conn, write_folder(tmp_path / "data"))
    conn.driver.execute_query("""
        MATCH (m:Organization {id: 'microsoft'}), (o:Organization {id: 'openai'})
        CREATE (m)-[:INVESTED_IN {id: 'by-hand', status: 'active', amount: 2e9, currency: 'GBP',
                                  sources: ['bloomberg-1'], confidence: 'high'}]->(o)
        WITH m
        MATCH (m)-[r:INVESTED_IN {id: 'msft-inv-openai'}]->()
        SET r.amount = 1.5e10, r.round = 'Series X'
        WITH m
        MATCH ()-[p:PARTNERS_WITH {id: 'msft-openai-cloud'}]->()
        SET p.detail = 'typed over by hand'""")
    derive(conn)
    assert _details(conn) == {**EXPECTED, "by-hand": "investment, GBP 2.0B",
                              "msft-inv-openai": "Series X, $15.0B"}
    with conn.driver.session(database=conn.database) as session:
        assert normalise_details(session) == 0  # everything agrees now: nothing to set
