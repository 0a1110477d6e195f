"""indirect_links on graphs built to stress one part of the definition (the random-graph comparison with
an independent search is tests/test_exposure_properties.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graph.db import Connection
from graph.derive import derive
from graph.loader import load_folder
from datafolder import VALID, write_folder
from test_query_properties import empty, run


def test_a_lab_in_a_large_family_gets_its_links(session_conn: Connection, tmp_path: Path) -> None:
    """A lab whose family has 400 members naming 16,000 competitors, with 2,000 rival labs holding its
    vendors. The competitors' list was once carried through every grouping of the chains, and the
    transaction's memory limit counted one copy per group: the query failed for such a lab."""
    members, competitors, vendors, holders_per_vendor = 400, 16_000, 40, 50
    orgs = ["id,name,roles,services,country,aliases,description,sources,confidence",
            "group,Group,vendor,cloud_compute,,,,s,high"]
    rels = ["id,from_id,type,to_id,since,until,status,service,kind,amount,currency,stake_percent,round,note,"
            "sources,confidence"]
    for i in range(members):
        orgs.append(f"m{i},Member {i},{'lab' if i == 0 else 'vendor'},{'' if i == 0 else 'cloud_compute'},,,,s,high")
        rels.append(f"m{i}-of-group,m{i},SUBSIDIARY_OF,group,2020,,active,,,,,,,,s,high")
    for j in range(competitors):
        orgs.append(f"c{j},Competitor {j},vendor,cloud_compute,,,,s,high")
        rels.append(f"m{j % members}-vs-c{j},m{j % members},COMPETES_WITH,c{j},2020,,active,,,,,,,,s,high")
    for k in range(vendors):
        orgs.append(f"v{k},Vendor {k},vendor,data_labeling,,,,s,high")
        rels.append(f"v{k}-to-m0,v{k},SUPPLIES,m0,2020,,active,data_labeling,,,,,,,s,high")
        for h in range(holders_per_vendor):
            orgs.append(f"h{k}-{h},Rival {k}-{h},lab,,,,,s,high")
            rels.append(f"h{k}-{h}-in-v{k},h{k}-{h},INVESTED_IN,v{k},2021,,active,,,,,10,,,s,high")
    folder = write_folder(tmp_path, sources_csv="id,publisher,title,date,url\ns,Test,Test source,2020,\n",
                          organizations_csv="\n".join(orgs) + "\n", relationships_csv="\n".join(rels) + "\n",
                          people_csv=VALID["people.csv"].splitlines()[0] + "\n",
                          positions_csv=VALID["positions.csv"].splitlines()[0] + "\n")
    empty(session_conn)
    load_folder(session_conn, folder)
    derive(session_conn)  # over DERIVE_ON_LOAD_MAX relationships: the load leaves it to `supplygraph derive`

    rows = run(session_conn, "indirect_links", org_id="m0", as_of=dt.date(2024, 1, 1), limit=10)
    assert len(rows) == 10
    assert all(r["rival_id"].startswith("h") and len(r["intermediaries"]) == 1
               and r["intermediaries"][0].startswith("Vendor ") for r in rows)
