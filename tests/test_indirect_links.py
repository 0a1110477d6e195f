"""Golden tests of the indirect-links query on the real seed graph."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from graph.cli import SEED_DIR, cli
from graph.db import Connection
from graph.loader import load_folder
from graph.errors import QueryError
from graph.queries import get_query, load_queries, run_query, warm_up


@pytest.fixture(scope="module")
def seed(session_conn: Connection) -> Connection:
    with session_conn.driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
    load_folder(session_conn, SEED_DIR)
    return session_conn


def links(conn: Connection, org_id: str | None, as_of: str, **extra) -> dict[str, dict]:
    _, rows = run_query(conn, get_query("indirect_links"), {"org_id": org_id, "as_of": as_of, **extra})
    return {(r["org_id"], r["rival_id"]): r for r in rows}


@pytest.mark.parametrize("lab", ["openai", "google", "xai"])
def test_labs_buying_from_scale_ai_link_to_meta_in_june_2025(seed: Connection, lab: str) -> None:
    found = links(seed, lab, "2025-06-15")
    link = found[(lab, "meta")]
    assert link["holder"] == "Meta Platforms"
    assert link["intermediaries"] == ["Scale AI"]
    assert "supplies data labeling to" in link["explanation"]
    assert "Meta Platforms owns 49% of Scale AI (since 2025-06-12)" in link["explanation"]
    assert "Alexandr Wang" in link["explanation"]  # the CEO Meta hired is a second, independent chain
    assert link["paths"] == 1  # both chains go from Scale AI to Meta: one (first dependency, holder) pair
    assert link["kind"] == "stake" and "more chain" in link["explanation"]
    assert "reuters-2025-06-12-meta-scale" in link["sources"]
    assert link["path_nodes"][1]["properties"]["id"] == "scale-ai"


def test_openai_link_to_meta_ends_when_openai_ended_its_scale_ai_work(seed: Connection) -> None:
    assert ("openai", "meta") in links(seed, "openai", "2025-06-17")
    assert ("openai", "meta") not in links(seed, "openai", "2025-07-01")
    # Google's ending was only reported, and xAI's work paused: their links stay, marked so.
    assert "[reported]" in links(seed, "google", "2025-07-01")[("google", "meta")]["explanation"]
    assert "[paused]" in links(seed, "xai", "2025-07-01")[("xai", "meta")]["explanation"]


def test_no_link_to_meta_before_meta_bought_into_scale_ai_or_hired_its_ceo(seed: Connection) -> None:
    before = links(seed, "openai", "2024-01-01")
    assert ("openai", "meta") not in before


def test_anthropic_links_to_alphabet_and_amazon_through_clouds_and_investments(seed: Connection) -> None:
    found = links(seed, "anthropic", "2025-12-01")
    alphabet, amazon = found[("anthropic", "alphabet")], found[("anthropic", "amazon")]
    assert "Google Cloud" in alphabet["explanation"] and "belongs to Alphabet" in alphabet["explanation"]
    assert "Google DeepMind" in alphabet["rival_labs"]
    assert "Amazon invested $4.0B in Anthropic" in amazon["explanation"]
    assert "Amazon Web Services" in amazon["explanation"]
    assert alphabet["paths"] >= 2 and amazon["paths"] >= 2


def test_ranking_for_all_labs_is_sorted_and_explained(seed: Connection) -> None:
    _, rows = run_query(seed, get_query("indirect_links"), {"as_of": "2025-06-15", "limit": 100})
    assert len(rows) >= 10
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    for row in rows:
        assert row["explanation"] and row["sources"] and row["org_id"] != row["rival_id"]


def test_fewer_intermediaries_find_fewer_links(seed: Connection) -> None:
    direct = links(seed, "openai", "2025-06-15", max_intermediaries=0)
    assert ("openai", "meta") not in direct  # Scale AI is an intermediary
    assert ("openai", "alphabet") in direct  # Google Cloud itself belongs to Alphabet


def test_cli_prints_ranked_explained_links(seed: Connection, neo4j_env) -> None:
    result = CliRunner().invoke(cli, ["query", "indirect_links", "-p", "org_id", "openai", "-p", "as_of", "2025-06-15",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "Meta Platforms owns 49% of Scale AI" in result.stdout


def test_cli_table_leaves_the_paths_to_json(seed: Connection, neo4j_env) -> None:
    result = CliRunner().invoke(cli, ["query", "indirect_links", "-p", "org_id", "openai", "-p", "as_of", "2025-06-15",
                                      "-p", "limit", "3", "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "Meta" in result.stdout and "Scale" in result.stdout
    assert "element_id" not in result.stdout  # path_nodes / path_relationships are not printed


def test_a_link_says_since_when_it_holds_and_when_it_ended(seed: Connection) -> None:
    link = links(seed, "openai", "2025-06-15")[("openai", "meta")]
    assert str(link["since"]) == "2025-06-01"  # Alexandr Wang's Meta role, dated 2025-06, came first
    assert str(link["until"]) == "2025-06-18"  # OpenAI's Scale AI work ended then


def test_money_is_worded_in_its_own_currency(seed: Connection) -> None:
    words = " ".join(r["explanation"] for r in links(seed, "mistral-ai", "2025-12-01", max_intermediaries=3).values())
    assert "$15.0M" not in words
    _, rows = run_query(seed, get_query("exposed_to"), {"org_id": "microsoft", "as_of": "2025-12-01"})
    mistral = [r for r in rows if r["org_id"] == "mistral-ai"]
    assert mistral and "EUR 15.0M" in mistral[0]["explanation"], mistral


def test_max_intermediaries_out_of_range_is_refused(seed: Connection) -> None:
    with pytest.raises(QueryError, match="max_intermediaries: 4 is out of range; it takes 0 to 3"):
        links(seed, "openai", "2025-06-15", max_intermediaries=4)


def test_everyone_exposed_to_meta_in_june_2025(seed: Connection) -> None:
    _, rows = run_query(seed, get_query("exposed_to"), {"org_id": "meta-superintelligence-labs", "as_of": "2025-07-15"})
    exposed = {r["org_id"]: r for r in rows}
    assert {"google", "xai"} <= set(exposed) and "openai" not in exposed  # OpenAI's work had ended
    assert all(r["rival_id"] == "meta" for r in rows)  # a member stands for its family
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_new_exposures_in_june_2025_tell_the_scale_ai_story(seed: Connection) -> None:
    _, rows = run_query(seed, get_query("new_exposures"), {"from_date": "2025-06-01", "to_date": "2025-06-30"})
    changes = {(r["org_id"], r["rival_id"], r["change"]): r for r in rows}
    for lab in ("openai", "google", "xai"):
        assert (lab, "meta", "started") in changes
        assert "Alexandr Wang" in changes[(lab, "meta", "started")]["cause"]
    ended = changes[("openai", "meta", "ended")]
    assert str(ended["date"]) == "2025-06-18" and "Scale AI supplies data labeling to OpenAI" in ended["cause"]
    assert [str(r["date"]) for r in rows] == sorted((str(r["date"]) for r in rows), reverse=True)


def test_ownership_multiplies_stakes_along_chains(seed: Connection) -> None:
    _, rows = run_query(seed, get_query("ownership"), {"org_id": "scale-ai", "as_of": "2025-06-15"})
    meta = {r["owner_id"]: r for r in rows}["meta"]
    assert meta["effective_percent"] == 49 and meta["direct_percent"] == 49
    _, rows = run_query(seed, get_query("ownership"), {"org_id": "remotasks", "as_of": "2025-06-15"})
    owners = {r["owner_id"]: r for r in rows}
    assert owners["scale-ai"]["effective_percent"] == 100  # a subsidiary
    assert owners["meta"]["effective_percent"] == 49 and owners["meta"]["direct_percent"] is None
    assert "Remotasks <- Scale AI <- Meta Platforms (49%)" in owners["meta"]["chains"]


def test_alerts_print_what_changed(seed: Connection, neo4j_env) -> None:
    result = CliRunner().invoke(cli, ["alerts", "--since", "2025-06-01", "--until", "2025-06-30", "--org", "openai",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"2025-06-18"' in result.stdout and "Meta Platforms" in result.stdout


def test_warm_up_plans_every_query_that_reads_derived_facts(seed: Connection) -> None:
    """`db start` runs it, so that the first link an analyst asks for is not the server's first plan."""
    assert warm_up(seed) == sum(q.reads_derived_nodes for q in load_queries().values()) == 4


# -- facilities on the seed (docs/queries.md, "Facilities in the exposure definition") -----------------


def sources_of(conn: Connection, org_id: str, as_of: str, rival_id: str) -> set[str]:
    return set(links(conn, org_id, as_of, limit=100)[(org_id, rival_id)]["sources"])


def test_anthropic_using_project_rainier_which_aws_owns_is_a_chain_to_amazon(seed: Connection) -> None:
    """Anthropic USES Rainier (since 2025-10-29) and AWS OWNS it whole: a control hold by Amazon's family."""
    rainier = {"cryptopolitan-2025-10-29-rainier", "datacenternews-2025-11-03-rainier"}
    before = links(seed, "anthropic", "2025-10-28")[("anthropic", "amazon")]
    after = links(seed, "anthropic", "2025-12-01")[("anthropic", "amazon")]
    assert not rainier & set(before["sources"]) and rainier <= set(after["sources"])
    assert after["paths"] == before["paths"] + 1  # one more (first dependency, holder) pair: (Rainier, AWS)


def test_openai_using_fairwater_atlanta_which_microsoft_operates_is_a_control_chain(seed: Connection) -> None:
    """OPERATES is a control hold: OpenAI uses Fairwater Atlanta (since 2025-10), Microsoft runs it."""
    atlanta = "asianet-2025-11-13-fairwater-atlanta"
    assert atlanta not in sources_of(seed, "openai", "2025-09-30", "microsoft")
    assert atlanta in sources_of(seed, "openai", "2025-12-01", "microsoft")


def test_microsoft_using_abilene_which_openai_operates_links_it_to_openai(seed: Connection) -> None:
    """Microsoft took over the Abilene expansion in March 2026; OpenAI operates the campus."""
    abilene = "morningoverview-2026-03-microsoft-abilene"
    assert abilene not in sources_of(seed, "microsoft", "2026-02-01", "openai")
    assert abilene in sources_of(seed, "microsoft", "2026-04-01", "openai")


def test_a_site_two_rival_labs_use_is_a_shared_vendor(seed: Connection) -> None:
    _, rows = run_query(seed, get_query("shared_vendors"), {"lab_a": "openai", "lab_b": "microsoft-ai",
                                                            "as_of": "2025-12-01"})
    atlanta = {r["vendor_id"]: r for r in rows}["microsoft-fairwater-atlanta"]
    assert atlanta["deals_a"] == ["OpenAI uses it (since 2025-10)"]
    assert atlanta["deals_b"] == ["Microsoft AI uses it (since 2025-10)"]
    before = run_query(seed, get_query("shared_vendors"), {"lab_a": "openai", "lab_b": "microsoft-ai",
                                                           "as_of": "2025-09-30"})[1]
    assert "microsoft-fairwater-atlanta" not in {r["vendor_id"] for r in before}
