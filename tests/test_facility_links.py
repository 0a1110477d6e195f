"""Golden tests of facility-based links on a small hand-made folder (docs/queries.md, "Facilities in the
exposure definition"): a lab using a cluster a rival's subsidiary operates is exposed to the rival (kind
control, through the cluster); two rival labs using a third party's cluster share a dependency, which
shared_vendors lists, and neither is exposed to the other through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.db import Connection
from graph.loader import load_folder
from graph.queries import get_query, run_query

FILES = {
    "sources.csv": """id,publisher,title,date,url
s1,Wire,Cluster deals,2025-01-10,
""",
    "organizations.csv": """id,name,roles,services,country,aliases,description,sources,confidence
lab-a,Lab A,lab,,US,,,s1,high
lab-b,Lab B,lab,,US,,,s1,high
rival,Rival,lab,,US,,,s1,high
rival-cloud,Rival Cloud,vendor,cloud_compute,US,,,s1,high
third,Third Party Compute,vendor,data_center,US,,,s1,high
bank,Big Bank,customer,,GB,,,s1,high
lab-c,Lab C,lab,,US,,,s1,high
holdco,Neutral Holdco,investor,,US,,,s1,high
ops,Neutral Ops,investor,,US,,,s1,high
""",
    "people.csv": "id,name,aliases,description,sources,confidence\n",
    "facilities.csv": """id,name,kind,country,region,status,capacity_mw,chip_count,chip_type,since,until,aliases,description,sources,confidence
cluster-f,Cluster F,gpu_cluster,US,,operational,300,100000,Nvidia GB200,2024,,,,s1,high
cluster-g,Cluster G,data_center,US,,operational,,,,2023,,,,s1,high
cluster-h,Cluster H,campus,US,,under_construction,1200,,,2025,,,,s1,medium
cluster-v,Cluster V,data_center,US,,operational,,,,2024,,,,s1,high
cluster-w,Cluster W,data_center,US,,operational,,,,2024,,,,s1,high
""",
    "positions.csv": "id,person_id,org_id,kind,title,since,until,status,sources,confidence,note\n",
    "relationships.csv": """id,from_id,type,to_id,since,until,status,service,kind,amount,currency,stake_percent,round,quantity,unit,value,note,sources,confidence
rival-cloud-part-of-rival,rival-cloud,SUBSIDIARY_OF,rival,2020,,active,,,,,,,,,,,s1,high
lab-a-uses-f,lab-a,USES,cluster-f,2025-01,,active,,,,USD,,,20000,gpus,2000000000,,s1,high
rival-cloud-operates-f,rival-cloud,OPERATES,cluster-f,2024,,unknown,,,,,,,,,,,s1,high
lab-a-uses-g,lab-a,USES,cluster-g,2024,,active,,,,,,,,,,,s1,high
lab-b-uses-g,lab-b,USES,cluster-g,2024-06,,active,,,,,,,,,,,s1,high
third-operates-g,third,OPERATES,cluster-g,2023,,active,,,,,,,,,,,s1,high
third-owns-g,third,OWNS,cluster-g,2023,,active,,,,,,,,,,,s1,high
bank-uses-h,bank,USES,cluster-h,2025-03,,active,,,,,,,,,,,s1,high
rival-owns-h,rival,OWNS,cluster-h,2025,,active,,,,,30,,,,,,s1,high
lab-b-uses-h,lab-b,USES,cluster-h,2025-03,,reported,,,,,,,,,,,s1,high
lab-c-uses-v,lab-c,USES,cluster-v,2025,,active,,,,,,,,,,,s1,high
holdco-owns-v,holdco,OWNS,cluster-v,2024,,active,,,,,,,,,,,s1,high
holdco-backs-rival,holdco,INVESTED_IN,rival,2025,,active,,,5000000000,USD,,,,,,,s1,high
lab-c-uses-w,lab-c,USES,cluster-w,2025,,active,,,,,,,,,,,s1,high
ops-operates-w,ops,OPERATES,cluster-w,2024,,active,,,,,,,,,,,s1,high
ops-backs-rival,ops,INVESTED_IN,rival,2025,,active,,,5000000000,USD,,,,,,,s1,high
""",
}
ON = "2025-06-01"


@pytest.fixture(scope="module")
def facility_graph(session_conn: Connection, tmp_path_factory: pytest.TempPathFactory) -> Connection:
    folder: Path = tmp_path_factory.mktemp("facility-links")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    with session_conn.driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
    load_folder(session_conn, folder)
    return session_conn


def run(conn: Connection, name: str, **params) -> list[dict]:
    return run_query(conn, get_query(name), params)[1]


def links(conn: Connection, org_id: str, on: str = ON, **extra) -> dict[tuple[str, str], dict]:
    return {(r["org_id"], r["rival_id"]): r for r in run(conn, "indirect_links", org_id=org_id, as_of=on, **extra)}


def test_a_lab_using_a_cluster_a_rivals_subsidiary_operates_is_exposed_to_the_rival(facility_graph: Connection) -> None:
    link = links(facility_graph, "lab-a")[("lab-a", "rival")]
    assert link["kind"] == "control"
    assert link["holder"] == "Rival Cloud" and link["intermediaries"] == ["Cluster F"]
    assert link["explanation"].startswith(
        "Lab A uses Cluster F (20,000 GPUs, $2.0B) (since 2025-01); Rival Cloud operates Cluster F (since 2024) "
        "[status unknown]; Rival Cloud belongs to Rival; Rival runs rival lab work (Rival)")
    # An operator with status unknown weighs as reported: 1 (use) x 0.5 x 0.7 for the step.
    assert link["score"] == 0.35
    # The drawn chain: the lab, the cluster and the operator, with the stored relationships as they are.
    assert [n["properties"]["id"] for n in link["path_nodes"]] == ["lab-a", "cluster-f", "rival-cloud"]
    assert sorted((r["type"], r["properties"]["id"]) for r in link["path_relationships"]) == [
        ("OPERATES", "rival-cloud-operates-f"), ("USES", "lab-a-uses-f")]


def test_no_link_before_the_lab_used_the_cluster(facility_graph: Connection) -> None:
    assert ("lab-a", "rival") not in links(facility_graph, "lab-a", "2024-12-31")


def test_a_rivals_stake_in_a_site_is_a_stake_hold(facility_graph: Connection) -> None:
    link = links(facility_graph, "lab-b")[("lab-b", "rival")]
    assert link["kind"] == "stake" and link["intermediaries"] == ["Cluster H"]
    assert "Lab B uses Cluster H (since 2025-03) [reported]; Rival owns 30% of Cluster H (since 2025)" in link["explanation"]
    # 0.5 (a reported use) x 0.65 (a 30% stake) x 0.7 for the step.
    assert link["score"] == pytest.approx(0.5 * 0.65 * 0.7, abs=0.001)
    # A customer buying from the same site runs no lab and competes with no one: no link.
    assert not links(facility_graph, "bank")


def test_the_whole_owner_of_a_site_controls_it_and_its_operator_does_not(facility_graph: Connection) -> None:
    # Holdco owns Cluster V whole and backs the rival: vendor-side. Ops only runs Cluster W: it owns nothing
    # of it, so its backing of the rival is no link.
    found = links(facility_graph, "lab-c")
    link = found[("lab-c", "rival")]
    assert link["kind"] == "vendor-side" and link["paths"] == 1
    assert link["explanation"].startswith("Lab C uses Cluster V (since 2025); Neutral Holdco holds 100% of Cluster V; "
                                          "Neutral Holdco invested $5.0B in Rival (since 2025)")
    assert link["score"] == pytest.approx(1.0 * 1.0 * 0.8 * 0.7 * 0.7, abs=0.001)
    assert "Cluster W" not in link["explanation"] and set(found) == {("lab-c", "rival")}


def test_two_rival_labs_using_a_third_partys_cluster_share_a_dependency_not_a_link(facility_graph: Connection) -> None:
    assert ("lab-a", "lab-b") not in links(facility_graph, "lab-a")
    assert ("lab-b", "lab-a") not in links(facility_graph, "lab-b")
    shared = {r["vendor_id"]: r for r in run(facility_graph, "shared_vendors", lab_a="lab-a", lab_b="lab-b", as_of=ON)}
    assert set(shared) == {"cluster-g"}
    g = shared["cluster-g"]
    assert (g["vendor"], g["customers_a"], g["customers_b"]) == ("Cluster G", ["Lab A"], ["Lab B"])
    assert g["deals_a"] == ["Lab A uses it (since 2024)"] and g["deals_b"] == ["Lab B uses it (since 2024-06)"]
    assert g["rel_ids"] == ["lab-a-uses-g", "lab-b-uses-g"]
    # Before Lab B used it, nothing was shared.
    assert run(facility_graph, "shared_vendors", lab_a="lab-a", lab_b="lab-b", as_of="2024-03-01") == []


def test_the_network_view_shows_the_facility_and_its_edges(facility_graph: Connection) -> None:
    rows = run(facility_graph, "neighbourhood", entity_id="cluster-f", hops=1, as_of=ON, include_ended=False, limit=300)
    assert {(r["from_id"], r["type"], r["to_id"]) for r in rows} == {
        ("lab-a", "USES", "cluster-f"), ("rival-cloud", "OPERATES", "cluster-f")}
    # A row holds the relationship's terms once; the detail and the caption are worded from them (graph.wording).
    by_type = {r["type"]: r for r in rows}
    assert "detail" not in by_type["USES"]
    assert {k: by_type["USES"]["props"][k] for k in ("quantity", "unit", "value", "currency")} == {
        "quantity": 20000.0, "unit": "gpus", "value": 2e9, "currency": "USD"}
    from graph import drawing, network, wording

    graph = network.graph_from_rows(rows)
    assert graph.edges["lab-a", "cluster-f", "lab-a-uses-f"]["detail"] == "20,000 GPUs, $2.0B"
    assert graph.edges["rival-cloud", "cluster-f", "rival-cloud-operates-f"]["detail"] == ""
    assert wording.caption("USES", {"quantity": 20000.0, "unit": "gpus", "value": 2e9, "currency": "USD"}) == \
        "uses · 20,000 GPUs · $2.0B"
    assert wording.caption("OPERATES", {"status": "unknown"}) == "operator (status unknown)"
    assert wording.caption("OWNS", {"stake_percent": 30.0}) == "30% owner"
    assert wording.caption("SUPPLIES", {"service": "energy", "quantity": 150.0, "unit": "mw"}) == "energy · 150 MW"
    assert graph.nodes["cluster-f"]["role"] == "Facility" and graph.nodes["rival-cloud"]["role"] == "Vendor"
    page = drawing.render_html(graph, "Cluster F", ON)
    assert '"shape": "database"' in page and "status unknown" in page
