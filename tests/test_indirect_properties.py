"""indirect_links against an independent Python search of the definition, on random generated graphs.

The Python side enumerates every chain the definition allows (docs/queries.md): A depends on X, then
holds upwards, optionally a person tie last, ending at the first organization of a competing family.
The query keeps one chain per organization reached (to stay bounded on hubs), so it may report fewer
chains, but every link it reports must be justified, and with no intermediaries allowed the two
must find exactly the same links.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.db import Connection
from graph.generate import generate
from graph.loader import load_folder
from datafolder import VALID, write_folder
from test_query_properties import LEADER_KINDS, Model, empty, run

EVERYTHING = 1_000_000


def indirect_pairs(m: Model, on: dt.date, max_intermediaries: int) -> set[tuple[str, str]]:
    rels = [r for r in m.rels if r.valid(on)]
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for r in rels:
        if r.type in ("SUBSIDIARY_OF", "ACQUIRED_BY"):
            parents.setdefault(r.src, set()).add(r.dst)
            children.setdefault(r.dst, set()).add(r.src)

    def reach(start: str, step: dict[str, set[str]]) -> set[str]:
        seen, frontier = {start}, {start}
        for _ in range(6):
            frontier = {n for f in frontier for n in step.get(f, ())} - seen
            seen |= frontier
        return seen

    @lru_cache(maxsize=None)
    def root(o: str) -> str:
        return min(n for n in reach(o, parents) if not parents.get(n))

    @lru_cache(maxsize=None)
    def runs_lab(r: str) -> bool:
        return any(m.is_lab(n) for n in reach(r, children))

    def competes(a_root: str, rival: str) -> bool:
        below = reach(a_root, children)
        return any(r.type == "COMPETES_WITH" and ((r.src in below and rival in reach(r.dst, parents))
                                                   or (r.dst in below and rival in reach(r.src, parents)))
                   for r in rels)

    def depends(a: str) -> set[str]:
        out = set()
        for r in rels:
            if r.type == "SUPPLIES" and r.dst == a:
                out.add(r.src)
            elif r.type in ("INVESTED_IN", "PARTNERS_WITH") and a in (r.src, r.dst):
                out.add(r.dst if r.src == a else r.src)
        return out - {a}

    def holders(cur: str) -> set[str]:
        out = set()
        for r in rels:
            if r.type == "INVESTED_IN" and r.dst == cur:
                out.add(r.src)
            elif r.type in ("SUBSIDIARY_OF", "ACQUIRED_BY") and r.src == cur:
                out.add(r.dst)
            elif r.type == "PARTNERS_WITH" and cur in (r.src, r.dst):
                out.add(r.dst if r.src == cur else r.src)
        return out

    def people_ties(cur: str) -> set[str]:
        led = {p.src for p in m.positions if p.dst == cur and p.row["kind"] in LEADER_KINDS
               and (p.since is None or p.since <= on)}
        return {p.dst for p in m.positions if p.src in led and p.dst != cur
                and (p.since is None or p.since <= on) and (p.until is None or p.until > on) and p.status != "ended"}

    pairs = set()
    for a in (o for o in m.orgs if m.is_lab(o)):
        a_root = root(a)
        a_lab = runs_lab(a_root)

        def consider(ns: list[str]) -> None:
            holder = ns[-1]
            if holder == a:
                return
            rival = root(holder)
            if rival == a_root or not ((a_lab and runs_lab(rival)) or competes(a_root, rival)):
                return
            if any(rival in reach(n, parents) for n in ns[1:-1]) or any(a_root in reach(n, parents) for n in ns[1:]):
                return
            pairs.add((a, rival))

        def walk(ns: list[str], steps: int) -> None:
            consider(ns)
            if steps <= max_intermediaries:
                for y in people_ties(ns[-1]) - set(ns):
                    consider(ns + [y])
                for y in holders(ns[-1]) - set(ns):
                    walk(ns + [y], steps + 1)

        for x1 in depends(a):
            walk([a, x1], 1)
    return pairs


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(relationships=st.integers(150, 800), seed=st.integers(0, 2**31 - 1),
       on=st.dates(dt.date(2016, 1, 1), dt.date(2026, 12, 31)))
def test_indirect_links_are_justified_and_complete_without_intermediaries(
        session_conn: Connection, relationships: int, seed: int, on: dt.date) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        generate(folder, relationships=relationships, seed=seed)
        empty(session_conn)
        load_folder(session_conn, folder)
        model = Model.read(folder)
    for allowed in (0, 1, 2):
        found = {(r["org_id"], r["rival_id"])
                 for r in run(session_conn, "indirect_links", as_of=on, max_intermediaries=allowed, limit=EVERYTHING)}
        expected = indirect_pairs(model, on, allowed)
        assert found <= expected, f"unjustified links with {allowed} intermediaries: {sorted(found - expected)[:5]}"
        if allowed == 0:
            assert found == expected, f"missed links: {sorted(expected - found)[:5]}"


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

    rows = run(session_conn, "indirect_links", org_id="m0", as_of=dt.date(2024, 1, 1), limit=10)
    assert len(rows) == 10
    assert all(r["rival_id"].startswith("h") and len(r["intermediaries"]) == 1
               and r["intermediaries"][0].startswith("Vendor ") for r in rows)
