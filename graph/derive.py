"""Derived facts: computed from the base graph after every load (or by `supplygraph derive`), never by hand.

Three labels hold them, each node with the day interval on which it holds (`valid_from` <= D <
`valid_to`):
  - `FamilyMember`: an organization's corporate family root;
  - `Ownership`: an owner's direct and effective stake in an organization, with its chains;
  - `Exposure`: a link from an organization to a rival family (graph.exposure), per level of
    intermediaries (lists indexed 0 to 3).
They carry no relationships, so no query over relationship types ever meets them.

A derivation writes only what changed: each node has a `key` (a hash of its content); nodes whose key
is new are created with `born` = the next generation, nodes no longer derived get `died` = it, and one
write of the `DerivedState` node then makes the new generation the visible one. A derivation that
fails before that write leaves the previous state visible and intact (the next one clears its
leftovers). Queries see a node when `born <= generation < died`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from neo4j import Query

from graph.cypher_lexer import CODE_WORD, PUNCTUATION, QUOTED_NAME, name_of, tokens
from graph.db import Connection, driver_errors
from graph import incremental
from graph.exposure import Engine, link_segments
from graph.facts import read_facts
from graph.load_cypher import ALL_RELATIONSHIP_TYPES
from graph.validity import FIRST, LAST, cypher_valid_from, cypher_valid_to, to_date
from graph.wording import DETAIL_PROPERTIES, detail

DERIVED_LABELS = ("Exposure", "Ownership", "FamilyMember", "DerivedInputs")
DERIVED_NODE_LABELS = (*DERIVED_LABELS, "DerivedState")
ORG_PROPERTY = {"Exposure": "org_id", "Ownership": "owned_id", "FamilyMember": "org_id", "DerivedInputs": "org_id"}
# What a derivation writes on base relationships (normalise_validity, normalise_details): an edit by
# hand leaves them wrong until it runs, so a query reading them reads derived facts too.
DERIVED_PROPERTIES = ("valid_from", "valid_to", "detail")
LABEL_MARKS = (":", "|", "&", "!")  # what stands before a label in a label expression (n:A|!B)
STATE = "exposure"
ENGINE_VERSION = 2
BATCH = 2000
CHUNK_ORGS = 500  # organizations computed, then written, together
ALIVE = 2**63 - 1  # `died` of a node no derivation has retired
DERIVE_TIMEOUT_S = 3600.0
Phase = Callable[[str], None]

STALE_MESSAGE = ("derived facts are stale: the graph changed since they were derived, so links, exposures and "
                 "ownership may be out of date; run `supplygraph derive`")
MISSING_MESSAGE = "derived facts are missing: run `supplygraph derive` (or `supplygraph load`)"


@dataclass
class DeriveSummary:
    generation: int
    created: dict[str, int]
    died: dict[str, int]
    seconds: float
    read_seconds: float = 0.0
    compute_seconds: float = 0.0
    recomputed: int = 0      # organizations whose derived facts were computed again
    organizations: int = 0

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.died.values())


def _date(day: int) -> str:
    return to_date(min(max(day, FIRST), LAST)).isoformat()


def _key(label: str, props: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps([label, props], sort_keys=True, default=str).encode()).hexdigest()


def exposure_nodes(engine: Engine, orgs: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The organizations' link segments, as node properties (dates as ISO text)."""
    facts = engine.facts
    for org in orgs:
        for seg in link_segments(engine, org):
            props = {
                "org_id": org, "org_name": facts.org_names[org], "org_is_lab": org in facts.labs,
                "rival_id": seg["rival_id"], "rival_name": facts.org_names[seg["rival_id"]],
                "valid_from": _date(seg["start"]), "valid_to": _date(seg["end"]),
                **{k: seg[k] for k in ("scores", "paths", "kinds", "holders", "intermediaries", "explanations",
                                       "sources", "best_nodes", "best_rels", "chains", "opens", "closes",
                                       "open_causes", "close_causes", "rival_labs")},
                "span_from": [_date(d if d is not None else FIRST) for d in seg["span_from"]],
                "span_to": [_date(d if d is not None else FIRST) for d in seg["span_to"]],
            }
            # The every-lab ranking reads labs' links in order of their default-level score.
            props["lab_rank"] = props["scores"][2] if props["org_is_lab"] and props["scores"][2] > 0 else None
            yield props


def ownership_nodes(engine: Engine, orgs: Iterable[str]) -> Iterator[dict[str, Any]]:
    facts, own = engine.facts, engine.ownership
    for org in orgs:
        chains_of: dict[str, list[Any]] = {}
        for chain in own.chains(org):
            chains_of.setdefault(chain.owner, []).append(chain)
        for owner, line in sorted(own.effective(org).items()):
            for start, end, fraction in line.pieces:
                live = [c for c in chains_of.get(owner, ()) if c.interval[0] <= start < c.interval[1]]
                direct = [c for c in live if len(c.facts) == 1]
                yield {
                    "owned_id": org, "owned_name": facts.name(org), "owner_id": owner, "owner_name": facts.name(owner),
                    "valid_from": _date(start), "valid_to": _date(end),
                    "effective_percent": round(fraction * 100, 3),
                    "direct_percent": round(min(1.0, sum(c.fraction for c in direct)) * 100, 3) if direct else None,
                    "chains": sorted(_chain_words(facts, org, c) for c in live),
                    "sources": sorted({s for c in live for f in c.facts for s in f.sources}),
                }


def _chain_words(facts: Any, org: str, chain: Any) -> str:
    names, node = [facts.name(org)], org
    for fact in chain.facts:
        node = fact.dst if fact.src == node else fact.src
        names.append(facts.name(node))
    return " <- ".join(names) + f" ({round(chain.fraction * 100, 3):g}%)"


def family_nodes(engine: Engine, orgs: Iterable[str]) -> Iterator[dict[str, Any]]:
    facts, fam = engine.facts, engine.families
    for org in orgs:
        for start, end, root in fam.root_pieces(org):
            yield {"org_id": org, "root_id": root, "root_name": facts.name(root),
                   "valid_from": _date(start), "valid_to": _date(end)}


DATE_PROPS = {"valid_from", "valid_to"}
DATE_LISTS = {"span_from", "span_to"}


def _create_query(label: str) -> str:
    return (f"UNWIND $rows AS row CREATE (n:{label}) SET n = row.props, n.key = row.key, n.born = $gen, n.died = $alive, "
            + ", ".join(f"n.{p} = date(row.props.{p})" for p in sorted(DATE_PROPS))
            + (", " + ", ".join(f"n.{p} = [d IN row.props.{p} | date(d)]" for p in sorted(DATE_LISTS))
               if label == "Exposure" else ""))


def _base_counts(session: Any) -> tuple[int, int]:
    nodes = sum(session.run(f"MATCH (n:{label}) RETURN count(n) AS c").single()["c"]
                for label in ("Organization", "Person", "Source"))
    rels = session.run("MATCH ()-[r]->() RETURN count(r) AS c").single()["c"]
    return nodes, rels


def staleness(conn: Connection) -> str | None:
    """A warning when the derived facts are missing or older than the graph, else None.

    Compares the counts of base nodes and relationships (Neo4j keeps them, so this costs a few
    milliseconds) with those the derivation saw, and the flag a load sets before it writes: an edit
    by hand that keeps every count the same is not seen; `supplygraph derive` is always safe to run.
    """
    with conn.driver.session(database=conn.database) as session:
        s = session.run("MATCH (s:DerivedState {name: $name}) RETURN properties(s) AS s", name=STATE).single()
        if s is None:
            has_data = session.run("MATCH (o:Organization) RETURN o LIMIT 1").single() is not None
            return MISSING_MESSAGE if has_data else None
        s = s["s"]
        if s.get("writing") or (s.get("base_nodes"), s.get("base_rels")) != _base_counts(session):
            return STALE_MESSAGE
    return None


def reads_derived(code: str, properties: bool = True) -> bool:
    """Whether Cypher reads derived facts: a derived label (n:Exposure), or, with `properties`, a property
    the derivation writes (r.valid_from, r.detail).

    Read from the tokens of the code (graph.cypher_lexer: strings and comments are not code), for a
    stored query's text or for the server's rendering of a plan's expressions (graph.readonly), where
    every label scanned or tested and every property read is written out.
    """
    before = None
    for token in tokens(code):
        if token.kind in (CODE_WORD, QUOTED_NAME):
            name = name_of(token.text)
            mark = before.text[-1] if before is not None and before.kind == PUNCTUATION else ""
            if (mark in LABEL_MARKS and name in DERIVED_NODE_LABELS) or (
                    properties and mark == "." and name in DERIVED_PROPERTIES):
                return True
        before = token
    return False


def shows_derived(value: Any) -> bool:
    """Whether a result value, as graph.output.plain writes it, holds a derived node or a relationship
    carrying what a derivation writes (a query returning whole nodes and paths names no property)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict) and "element_id" in item:
            if set(item.get("labels") or ()) & set(DERIVED_NODE_LABELS) or (
                    "type" in item and set(item.get("properties") or {}) & set(DERIVED_PROPERTIES)):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def mark_writing(conn: Connection, writing: bool = True) -> None:
    """Set by a load before its first write: until the next derivation the derived facts are stale. A load
    that changed nothing clears it again."""
    with conn.driver.session(database=conn.database) as session:
        session.run("MATCH (s:DerivedState {name: $name}) SET s.writing = $writing", name=STATE,
                    writing=writing).consume()


def _run(session: Any, text: str, **params: Any) -> Any:
    return session.run(Query(text, timeout=DERIVE_TIMEOUT_S), params)


def derive(conn: Connection, phase: Phase | None = None) -> DeriveSummary:
    """Recomputes every derived fact from the base graph and makes the result visible in one write."""
    tell = phase or (lambda _: None)
    began = time.perf_counter()
    # The driver's failures in graph.db's words; the previous derived state stays visible.
    with driver_errors(conn.uri, DERIVE_TIMEOUT_S), conn.driver.session(database=conn.database) as session:
        tell("reading the graph for derived facts")
        current = _run(session, "MATCH (s:DerivedState {name: $name}) RETURN s.generation AS g, "
                                "s.engine_version AS version, s.bucket_digests AS buckets", name=STATE).single()
        generation = current["g"] if current else 0
        counts = _base_counts(session)
        normalise_validity(session)
        normalise_details(session)
        facts = session.execute_read(lambda tx: read_facts(tx))
        read_done = time.perf_counter()
        tell("deriving families, ownership and exposures")
        stored = current if current and current["version"] == ENGINE_VERSION else None
        footprints = _footprints(session, generation) if stored else {}
        todo, gone, buckets = plan(facts, footprints, stored["buckets"] if stored else None)
        if len(todo) == len(facts.org_names):  # a full derivation: also retire what no organization has now
            gone = sorted(set(gone) | (_derived_orgs(session, generation) - facts.org_names.keys()))
        new_gen = generation + 1
        created, died = dict.fromkeys(DERIVED_LABELS, 0), dict.fromkeys(DERIVED_LABELS, 0)
        for label in DERIVED_LABELS:
            _clear_leftovers(session, label, generation)
        (engine, closures), compute_seconds = engine_for(facts), 0.0
        tell("writing derived facts")
        # Computed and written a chunk of organizations at a time, so memory holds one chunk's nodes.
        for chunk in _chunks(todo, CHUNK_ORGS):
            started = time.perf_counter()
            wanted = derive_for(engine, closures, chunk)
            compute_seconds += time.perf_counter() - started
            _write_chunk(session, wanted, chunk, generation, new_gen, created, died)
        for chunk in _chunks(gone, CHUNK_ORGS):
            _write_chunk(session, {label: [] for label in DERIVED_LABELS}, chunk, generation, new_gen, created, died)
        if current and not any(created.values()) and not any(died.values()):
            new_gen = generation  # nothing to switch to: the derived facts were current
        session.execute_write(lambda tx: tx.run(
            "MERGE (s:DerivedState {name: $name}) "
            "SET s.derived_at = CASE WHEN s.generation = $gen THEN s.derived_at ELSE datetime() END, "
            "s.generation = $gen, s.base_nodes = $nodes, s.base_rels = $rels, s.engine_version = $version, "
            "s.bucket_digests = $buckets, s.writing = false",
            name=STATE, gen=new_gen, nodes=counts[0], rels=counts[1], version=ENGINE_VERSION, buckets=buckets).consume())
        tell("removing derived facts no longer true")
        for label in DERIVED_LABELS:
            _run(session, f"MATCH (n:{label}) WHERE n.died <= $gen "
                          "CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS", gen=new_gen).consume()
    ended = time.perf_counter()
    return DeriveSummary(new_gen, created, died, ended - began, read_done - began, compute_seconds,
                         len(todo), len(facts.org_names))


def plan(facts: Any, footprints: dict[str, int], before: list[int] | None
         ) -> tuple[list[str], list[str], list[int]]:
    """What a derivation after one with these footprints and bucket digests (none: everything) computes:
    (organizations computed, organizations gone, the new bucket digests)."""
    buckets = incremental.bucket_digests(incremental.node_digests(facts))
    todo, gone = incremental.to_derive(facts.org_names, footprints, before, buckets)
    return todo, gone, buckets


def compute(facts: Any, footprints: dict[str, int], before: list[int] | None
            ) -> tuple[list[str], list[str], dict[str, list[dict[str, Any]]], list[int]]:
    """The in-memory part of a derivation, all at once: (organizations computed, organizations gone, their
    derived nodes, the new bucket digests)."""
    todo, gone, buckets = plan(facts, footprints, before)
    return todo, gone, derive_for(*engine_for(facts), todo), buckets


def engine_for(facts: Any) -> tuple[Engine, incremental.Closures]:
    """The engine that derives from the facts, and what tells each organization's footprint."""
    engine = Engine(facts)
    return engine, incremental.Closures(facts, engine.families, engine.ownership)


def derive_for(engine: Engine, closures: incremental.Closures, orgs: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The derived nodes of the organizations, each with the footprint of what they were computed from."""
    wanted: dict[str, list[dict[str, Any]]] = {label: [] for label in DERIVED_LABELS}
    for org in orgs:
        engine.touched = {org}
        wanted["FamilyMember"] += family_nodes(engine, [org])
        wanted["Ownership"] += ownership_nodes(engine, [org])
        wanted["Exposure"] += exposure_nodes(engine, [org])
        footprint = incremental.to_bytes(closures.footprint(engine.touched))
        wanted["DerivedInputs"].append({"org_id": org, "footprint": footprint})
        engine.forget_pairs()  # what others are to this organization: never asked again, and per pair
    return wanted


def _write_chunk(session: Any, wanted: dict[str, list[dict[str, Any]]], orgs: list[str], generation: int,
                 new_gen: int, created: dict[str, int], died: dict[str, int]) -> None:
    """Creates the organizations' derived nodes the visible generation lacks (born = new_gen) and retires
    the visible ones no longer derived (died = new_gen); both stay unseen until DerivedState moves on."""
    for label in DERIVED_LABELS:
        keyed = {_key(label, props): props for props in wanted[label]}
        live = {r["k"] for r in _run(session, f"MATCH (n:{label}) WHERE n.{ORG_PROPERTY[label]} IN $orgs "
                                              "AND n.born <= $g < n.died RETURN n.key AS k", g=generation, orgs=orgs)}
        fresh = [{"key": k, "props": p} for k, p in keyed.items() if k not in live]
        gone = [k for k in live if k not in keyed]
        for chunk in _chunks(fresh, BATCH):
            session.execute_write(lambda tx, rows=chunk: tx.run(_create_query(label), rows=rows, gen=new_gen, alive=ALIVE).consume())
        for chunk in _chunks(gone, BATCH * 5):
            session.execute_write(lambda tx, keys=chunk: tx.run(
                f"UNWIND $keys AS k MATCH (n:{label} {{key: k}}) WHERE n.born <= $gen < n.died SET n.died = $gen",
                keys=keys, gen=new_gen).consume())
        created[label] += len(fresh)
        died[label] += len(gone)


def _derived_orgs(session: Any, generation: int) -> set[str]:
    """The organizations the visible derived facts are about."""
    return {r["org"] for label in DERIVED_LABELS
            for r in _run(session, f"MATCH (n:{label}) WHERE n.born <= $g < n.died "
                                   f"RETURN DISTINCT n.{ORG_PROPERTY[label]} AS org", g=generation)}


def _footprints(session: Any, generation: int) -> dict[str, int]:
    """Organization -> the footprint its visible derived facts were computed from."""
    out = {}
    for record in _run(session, "MATCH (n:DerivedInputs) WHERE n.born <= $g < n.died RETURN n.org_id AS org, "
                                "n.footprint AS footprint", g=generation):
        if (mask := incremental.from_bytes(record["footprint"])) is not None:
            out[record["org"]] = mask
    return out


def normalise_validity(session: Any) -> int:
    """Gives every base relationship the `valid_from` / `valid_to` its since, until and status make (the
    loader writes them; one created or edited by hand in Cypher lacks them or disagrees), in batches.

    Returns how many relationships it set.
    """
    valid_from = cypher_valid_from("r.since")
    valid_to = cypher_valid_to("r.since", "r.until", "r.status")
    # `<>` is also true for a value of another type (a hand-written string), `IS NULL` for a missing one.
    return _run(session, f"""
        MATCH ()-[r:{"|".join(ALL_RELATIONSHIP_TYPES)}]->()
        WITH r, {valid_from} AS valid_from, {valid_to} AS valid_to
        WHERE r.valid_from IS NULL OR r.valid_to IS NULL OR r.valid_from <> valid_from OR r.valid_to <> valid_to
        CALL (r, valid_from, valid_to) {{ SET r.valid_from = valid_from, r.valid_to = valid_to }}
            IN TRANSACTIONS OF 10000 ROWS""").consume().counters.properties_set // 2


def normalise_details(session: Any) -> int:
    """Gives every base relationship the `detail` graph.wording makes of its properties (the loader writes
    it; one created or edited by hand lacks it or disagrees). Returns how many it set."""
    keys = ", ".join(f".{p}" for p in DETAIL_PROPERTIES)
    records = _run(session, f"MATCH ()-[r:{'|'.join(ALL_RELATIONSHIP_TYPES)}]->() "
                            f"RETURN elementId(r) AS id, type(r) AS type, r {{{keys}}} AS props, r.detail AS detail")
    wrong = [{"id": rec["id"], "detail": text} for rec in records
             if (text := detail(rec["type"], rec["props"])) != rec["detail"]]
    for chunk in _chunks(wrong, BATCH * 5):
        session.execute_write(lambda tx, rows=chunk: tx.run(
            "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.id SET r.detail = row.detail",
            rows=rows).consume())
    return len(wrong)


def _clear_leftovers(session: Any, label: str, generation: int) -> None:
    """What a derivation that failed before its last write left: invisible, but in the way."""
    _run(session, f"MATCH (n:{label}) WHERE n.born > $g CALL (n) {{ DELETE n }} IN TRANSACTIONS OF 10000 ROWS",
         g=generation).consume()
    _run(session, f"MATCH (n:{label}) WHERE $g < n.died < $alive CALL (n) {{ SET n.died = $alive }} IN TRANSACTIONS OF 10000 ROWS",
         g=generation, alive=ALIVE).consume()


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]

