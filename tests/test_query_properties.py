"""Stored queries against an independent Python reading of the same CSV files, on random synthetic graphs.

Each example generates a small data folder (graph.generate), loads it into the emptied test database, and
compares what the queries answer with a plain-Python (and networkx) computation over the CSV rows, using the
same as-of rule: valid on D when (since is unknown or since <= D) and (until is unknown or until > D) and it
is not 'ended' with an unknown end.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.db import Connection
from graph.generate import generate
from graph.loader import load_folder
from graph.queries import load_queries, run_query
from graph.validate import parse_date

FAMILY = ("SUBSIDIARY_OF", "ACQUIRED_BY")
LEADER_KINDS = ("executive", "founder", "board")
EVERYTHING = 1_000_000  # a limit no synthetic answer reaches


def day(text: str) -> dt.date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as a date; a partial date is the first day of its period."""
    if not text:
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


@dataclass
class Rel:
    id: str
    type: str
    src: str
    dst: str
    since: dt.date | None
    until: dt.date | None
    status: str
    row: dict[str, str]

    def valid(self, on: dt.date) -> bool:
        return ((self.since is None or self.since <= on) and (self.until is None or self.until > on)
                and not (self.status == "ended" and self.until is None))


@dataclass
class Model:
    """The data folder, read with the csv module only."""

    orgs: dict[str, dict[str, str]]
    people: dict[str, dict[str, str]]
    rels: list[Rel]
    positions: list[Rel]
    facilities: dict[str, dict[str, str]] = field(default_factory=dict)
    out: dict[str, list[Rel]] = field(default_factory=lambda: defaultdict(list))
    into: dict[str, list[Rel]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def read(cls, folder: Path) -> "Model":
        def rows(name: str) -> list[dict[str, str]]:
            with open(folder / name, encoding="utf-8", newline="") as f:
                return list(csv.DictReader(f))

        orgs = {r["id"]: r for r in rows("organizations.csv")}
        people = {r["id"]: r for r in rows("people.csv")}
        facilities = {r["id"]: r for r in rows("facilities.csv")} if (folder / "facilities.csv").exists() else {}
        rels = [Rel(r["id"], r["type"], r["from_id"], r["to_id"], day(r["since"]), day(r["until"]), r["status"], r)
                for r in rows("relationships.csv")]
        positions = [Rel(r["id"], "HOLDS_POSITION", r["person_id"], r["org_id"], day(r["since"]), day(r["until"]),
                         r["status"], r) for r in rows("positions.csv")]
        model = cls(orgs, people, rels, positions, facilities)
        for rel in rels + positions:
            model.out[rel.src].append(rel)
            model.into[rel.dst].append(rel)
        return model

    def is_lab(self, org_id: str) -> bool:
        return org_id in self.orgs and "lab" in self.orgs[org_id]["roles"].split(";")

    def name(self, node_id: str) -> str:
        return (self.orgs.get(node_id) or self.people.get(node_id) or self.facilities[node_id])["name"]

    # -- families -------------------------------------------------------------------------------

    def up(self, org_id: str, on: dt.date) -> set[str]:
        """The organization and everything above it through family edges valid on the date."""
        seen, todo = {org_id}, [org_id]
        while todo:
            for rel in self.out[todo.pop()]:
                if rel.type in FAMILY and rel.valid(on) and rel.dst not in seen:
                    seen.add(rel.dst)
                    todo.append(rel.dst)
        return seen

    def family(self, org_id: str, on: dt.date) -> set[str]:
        """Every organization that shares an owner (or is one) with the organization."""
        tops = self.up(org_id, on)
        seen, todo = set(tops), list(tops)
        while todo:
            for rel in self.into[todo.pop()]:
                if rel.type in FAMILY and rel.valid(on) and rel.src not in seen:
                    seen.add(rel.src)
                    todo.append(rel.src)
        return seen

    def trails_up(self, org_id: str, on: dt.date) -> dict[str, list[list[Rel]]]:
        """Every family trail (no relationship twice) from the organization upwards, by the node it reaches."""
        found: dict[str, list[list[Rel]]] = defaultdict(list)

        def walk(node: str, trail: list[Rel]) -> None:
            for rel in self.out[node]:
                if rel.type in FAMILY and rel.valid(on) and rel not in trail:
                    found[rel.dst].append(trail + [rel])
                    walk(rel.dst, trail + [rel])

        walk(org_id, [])
        return found

    # -- the queries, in Python ---------------------------------------------------------------------

    def concentration(self, on: dt.date) -> list[tuple]:
        labs: dict[str, set[str]] = defaultdict(set)
        services: dict[str, set[str]] = defaultdict(set)
        deals: dict[str, int] = defaultdict(int)
        for rel in self.rels:
            if rel.type == "SUPPLIES" and self.is_lab(rel.dst) and rel.valid(on):
                labs[rel.src].add(rel.dst)
                services[rel.src].add(rel.row["service"])
                deals[rel.src] += 1
        ranked = sorted(labs, key=lambda v: (-len(labs[v]), self.name(v), v))
        return [(1 + sum(len(labs[o]) > len(labs[v]) for o in ranked), v, len(labs[v]),
                 sorted(self.name(l) for l in labs[v]), sorted(services[v]), deals[v]) for v in ranked]

    def shared_vendors(self, a: str, b: str, on: dt.date) -> dict[str, tuple]:
        fa, fb = self.family(a, on), self.family(b, on)
        to_a: dict[str, list[Rel]] = defaultdict(list)
        to_b: dict[str, list[Rel]] = defaultdict(list)
        for rel in self.rels:
            # A supplier, or a site both sides use (the site is then the vendor, its user the customer).
            if rel.type in ("SUPPLIES", "USES") and rel.valid(on):
                vendor, customer = (rel.src, rel.dst) if rel.type == "SUPPLIES" else (rel.dst, rel.src)
                if customer in fa:
                    to_a[vendor].append(rel)
                if customer in fb:
                    to_b[vendor].append(rel)

        def customers(deals: list[Rel]) -> list[str]:
            return sorted({self.name(r.dst if r.type == "SUPPLIES" else r.src) for r in deals})

        return {v: (customers(to_a[v]), customers(to_b[v]),
                    sorted({r.row["service"] for r in to_a[v] + to_b[v] if r.row["service"]}),
                    sorted({r.id for r in to_a[v] + to_b[v]}))
                for v in to_a if v in to_b}

    def vendor_exposure(self, v: str, on: dt.date) -> set[tuple]:
        rows = set()
        for rel in self.out[v]:
            if rel.valid(on) and rel.type in ("SUPPLIES", "PARTNERS_WITH", "INVESTED_IN"):
                relation = {"SUPPLIES": "customer", "PARTNERS_WITH": "partner", "INVESTED_IN": "investee"}[rel.type]
                rows.add(("dependent", relation, rel.dst, None, (rel.id,)))
        for rel in self.into[v]:
            if rel.valid(on) and rel.type == "PARTNERS_WITH":
                rows.add(("dependent", "partner", rel.src, None, (rel.id,)))
            if rel.valid(on) and rel.type == "INVESTED_IN":
                rows.add(("holder", "investor", rel.src, None, (rel.id,)))
        for owner, trails in self.trails_up(v, on).items():
            if owner == v:
                continue
            direct = {t[0].type for t in trails if len(t) == 1}
            relation = ("parent and acquirer" if direct == set(FAMILY) else "parent" if "SUBSIDIARY_OF" in direct
                        else "acquirer" if direct else "owner")
            rows.add(("holder", relation, owner, None, tuple(sorted({r.id for t in trails for r in t}))))
        leaders: dict[str, list[Rel]] = defaultdict(list)
        for pos in self.into[v]:
            if pos.type == "HOLDS_POSITION" and pos.row["kind"] in LEADER_KINDS and (pos.since is None or pos.since <= on):
                leaders[pos.src].append(pos)
        for person, leds in leaders.items():
            nows: dict[str, list[Rel]] = defaultdict(list)
            for pos in self.out[person]:
                if pos.dst != v and pos.valid(on):
                    nows[pos.dst].append(pos)
            for org, now in nows.items():
                rows.add(("holder", "leader elsewhere", org, self.name(person),
                          tuple(sorted(r.id for r in leds + now))))
        return rows

    def executive_moves(self, on: dt.date, org_id: str | None) -> set[tuple]:
        by_person: dict[str, list[Rel]] = defaultdict(list)
        for pos in self.positions:
            by_person[pos.src].append(pos)

        def before(r1: Rel, start: dt.date) -> bool:
            return ((r1.since is not None and r1.since < start)
                    or (r1.since is None and r1.until is not None and r1.until <= start))

        rows = set()
        for person, held in by_person.items():
            for a in {p.dst for p in held}:
                for b in {p.dst for p in held} - {a}:
                    if org_id is not None and org_id not in (a, b):
                        continue
                    at_a = [p for p in held if p.dst == a]
                    tos = [r2 for r2 in held if r2.dst == b and r2.since is not None and r2.since <= on
                           and any(before(r1, r2.since) for r1 in at_a)]
                    if not tos:
                        continue
                    start = min(r2.since for r2 in tos)
                    froms = [r1 for r1 in at_a if before(r1, start)]
                    still = any((r.until is None and r.status != "ended") or (r.until is not None and r.until > start)
                                for r in froms)
                    rows.add((person, a, b, start, "overlapping" if still else "moved",
                              tuple(sorted({r.id for r in froms + tos}))))
        return rows

    def investment_web(self, org_id: str, on: dt.date) -> set[tuple]:
        family = self.family(org_id, on)
        family_has_lab = any(self.is_lab(m) for m in family)
        rows = set()
        investors = set()
        for rel in self.into[org_id]:
            if rel.type == "INVESTED_IN" and rel.valid(on):
                rows.add(("investor", rel.src, org_id, rel.id))
                investors.add(rel.src)
        for rel in self.out[org_id]:
            if rel.type == "INVESTED_IN" and rel.valid(on):
                rows.add(("investee", org_id, rel.dst, rel.id))

        def rival(t: str) -> bool:
            if t in family:
                return False
            if self.is_lab(t) and family_has_lab:
                return True
            return any(c.type == "COMPETES_WITH" and c.valid(on) and ({c.src, c.dst} - {t}) & family
                       for c in self.out[t] + self.into[t])

        for investor in investors:
            for rel in self.out[investor]:
                if rel.type == "INVESTED_IN" and rel.valid(on) and rival(rel.dst):
                    rows.add(("co-investor", investor, rel.dst, rel.id))
        return rows

    def graph(self, on: dt.date) -> nx.Graph:
        """Organizations and people joined by any relationship valid on the date (parallel ones merged)."""
        g = nx.Graph()
        g.add_nodes_from(self.orgs)
        g.add_nodes_from(self.people)
        g.add_edges_from((r.src, r.dst) for r in self.rels + self.positions if r.valid(on))
        return g

    def changes(self, start: dt.date, end: dt.date) -> set[tuple]:
        rows = set()
        for rel in self.rels + self.positions:
            if rel.since is not None and start <= rel.since <= end:
                rows.add(("started", rel.type, rel.id, rel.since.isoformat()))
            if rel.until is not None and start <= rel.until <= end:
                rows.add(("ended", rel.type, rel.id, rel.until.isoformat()))
        return rows


def empty(conn: Connection) -> None:
    with conn.driver.session(database=conn.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


QUERIES = load_queries()


def run(conn: Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_query(conn, QUERIES[name], params)[1]


DATES = st.dates(dt.date(2014, 6, 1), dt.date(2026, 12, 31))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(relationships=st.integers(200, 1500), seed=st.integers(0, 2**31 - 1), data=st.data())
def test_queries_agree_with_python(session_conn: Connection, relationships: int, seed: int, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, relationships=relationships, seed=seed)
        model = Model.read(folder)
        empty(session_conn)
        load_folder(session_conn, folder)

    # Half of the dates land exactly on a start or an end, where the as-of rule's edges are.
    edges = sorted({d for r in model.rels + model.positions for d in (r.since, r.until) if d is not None})
    on = data.draw(st.one_of(DATES, st.sampled_from(edges)) if edges else DATES, label="as_of")

    # concentration: every supplier of labs, ranked.
    got = [(r["rank"], r["vendor_id"], r["labs"], sorted(r["lab_names"]), r["services"], r["deals"])
           for r in run(session_conn, "concentration", as_of=on, limit=EVERYTHING)]
    assert got == model.concentration(on)

    # shared_vendors: a hub lab with another lab, and two labs drawn at random.
    labs = sorted(o for o in model.orgs if model.is_lab(o))
    pairs = [(labs[0], data.draw(st.sampled_from(labs), label="lab_b")),
             (data.draw(st.sampled_from(labs), label="lab_a2"), data.draw(st.sampled_from(labs), label="lab_b2"))]
    for a, b in pairs:
        rows = run(session_conn, "shared_vendors", lab_a=a, lab_b=b, as_of=on, limit=EVERYTHING)
        got_shared = {r["vendor_id"]: (r["customers_a"], r["customers_b"], r["services"], r["rel_ids"]) for r in rows}
        assert len(got_shared) == len(rows)
        assert got_shared == model.shared_vendors(a, b, on), (a, b)

    # vendor_exposure: the top vendor hub and a vendor drawn at random (either may be in a family).
    vendors = sorted(o for o in model.orgs if "vendor" in model.orgs[o]["roles"].split(";"))
    family_members = sorted({r.src for r in model.rels if r.type in FAMILY})
    for v in {vendors[0], data.draw(st.sampled_from(vendors + family_members), label="vendor")}:
        rows = run(session_conn, "vendor_exposure", vendor_id=v, as_of=on, limit=EVERYTHING)
        got_rows = [(r["side"], r["relation"], r["org_id"], r["person"], tuple(r["rel_ids"])) for r in rows]
        assert len(got_rows) == len(set(got_rows))
        assert set(got_rows) == model.vendor_exposure(v, on), v

    # executive_moves: every move by the date, and those of one organization.
    got_moves = {(r["person_id"], r["from_id"], r["to_id"], day(r["to_since"]), r["move"], tuple(r["rel_ids"]))
                 for r in run(session_conn, "executive_moves", as_of=on, limit=EVERYTHING)}
    assert got_moves == model.executive_moves(on, None)
    some_org = data.draw(st.sampled_from(sorted({p.dst for p in model.positions})), label="org_id")
    got_moves = {(r["person_id"], r["from_id"], r["to_id"], day(r["to_since"]), r["move"], tuple(r["rel_ids"]))
                 for r in run(session_conn, "executive_moves", org_id=some_org, as_of=on, limit=EVERYTHING)}
    assert got_moves == model.executive_moves(on, some_org)

    # investment_web: the lab hub, and an organization drawn at random.
    for org in {labs[0], data.draw(st.sampled_from(sorted(model.orgs)), label="investment_org")}:
        rows = run(session_conn, "investment_web", org_id=org, as_of=on, limit=EVERYTHING)
        got_web = [(r["section"], r["investor_id"], r["investee_id"], r["rel_id"]) for r in rows]
        assert len(got_web) == len(set(got_web))
        assert set(got_web) == model.investment_web(org, on), org

    # paths_between: the routes of the shortest length, as networkx finds them.
    g = model.graph(on)
    nodes = sorted(g.nodes)
    for _ in range(2):
        a = data.draw(st.sampled_from(nodes), label="from_id")
        b = data.draw(st.sampled_from([n for n in nodes if n != a]), label="to_id")
        hops = data.draw(st.integers(1, 3), label="max_hops")
        simple = [tuple(p) for p in nx.all_simple_paths(g, a, b, cutoff=hops)]
        lengths = sorted({len(p) - 1 for p in simple})[:1]
        expected = {p for p in simple if len(p) - 1 in lengths}
        rows = run(session_conn, "paths_between", from_id=a, to_id=b, as_of=on, max_hops=hops, limit=EVERYTHING)
        got_routes = [tuple(n["properties"]["id"] for n in r["path"]["nodes"]) for r in rows]
        assert set(got_routes) == expected and len(got_routes) == len(expected), (a, b, hops)
        assert [r["hops"] for r in rows] == sorted(len(p) - 1 for p in got_routes)
        if lengths:
            assert nx.shortest_path_length(g, a, b) == rows[0]["hops"]

    # changes_between and the whole-graph timeline: every dated start and end in a window.
    start, end = sorted((on, data.draw(DATES, label="to_date")))
    got_changes = {(r["change"], r["type"], r["rel_id"], r["date"])
                   for r in run(session_conn, "changes_between", from_date=start, to_date=end, limit=EVERYTHING)}
    assert got_changes == model.changes(start, end)
    got_events = {(r["event"], r["type"], r["rel_id"], r["date"])
                  for r in run(session_conn, "timeline", as_of=on, limit=EVERYTHING)}
    assert got_events == model.changes(dt.date.min, on)


def test_whole_timeline_limit_cuts_the_full_order_ties_included(session_conn: Connection, tmp_path: Path) -> None:
    """Each limit gives the first rows of the unlimited timeline. Its first pass finds the date by which
    `limit` relationships have started, and the second reads those that start by then, ties included:
    twelve deals started the same month. One deal ends after every start in the folder."""
    from datafolder import VALID, write_folder

    same_month = "".join(f"deal-{i},microsoft,SUPPLIES,scale-ai,2020-03,,active,cloud_compute,,,,,,,reuters-1,high\n"
                         for i in range(12))
    # An end after every start: with fewer starts than the limit, no cutoff at the last start may hide it.
    ends_last = "deal-ends,microsoft,SUPPLIES,scale-ai,2020-03,2025-11,ended,cloud_compute,,,,,,,reuters-1,high\n"
    folder = write_folder(tmp_path, relationships_csv=VALID["relationships.csv"] + same_month + ends_last)
    empty(session_conn)
    load_folder(session_conn, folder)
    on = dt.date(2025, 12, 31)
    whole = run(session_conn, "timeline", as_of=on, limit=EVERYTHING)
    # The unlimited timeline holds every dated event of the folder, end events after the last start included.
    dated = [parse_date(row[column]) for name in ("relationships.csv", "positions.csv")
             for row in csv.DictReader((folder / name).read_text(encoding="utf-8").splitlines())
             for column in ("since", "until") if row[column]]
    assert len(whole) == sum(d <= on for d in dated)
    firsts = sorted(min(r["date"] for r in whole if r["rel_id"] == rel) for rel in {r["rel_id"] for r in whole})
    straddled = [n for n in range(1, len(firsts)) if firsts[n - 1] == firsts[n]]
    assert straddled, "no limit cuts between relationships that start on the same date: more ties needed"
    for limit in range(1, len(whole) + 2):
        assert run(session_conn, "timeline", as_of=on, limit=limit) == whole[:limit], limit


def test_whole_timeline_with_many_ties_and_a_large_limit_stays_in_memory(session_conn: Connection,
                                                                       tmp_path: Path) -> None:
    """8,000 deals that started the same month and a limit of 4,000: the query once carried its first
    pass's list of relationships into each of the 8,000 rows read again, which the server counted once
    per row against the transaction's 512 MiB (it failed at 10^6 with limits from about 1,600)."""
    from datafolder import VALID, write_folder

    same_month = "".join(f"deal-{i},microsoft,SUPPLIES,scale-ai,2020-03,,active,cloud_compute,,,,,,,reuters-1,high\n"
                         for i in range(8000))
    folder = write_folder(tmp_path, relationships_csv=VALID["relationships.csv"] + same_month)
    empty(session_conn)
    load_folder(session_conn, folder)
    rows = run(session_conn, "timeline", as_of=dt.date(2025, 12, 31), limit=4000)
    assert len(rows) == 4000
    assert rows == sorted(rows, key=lambda r: (r["date"], r["event"]))
