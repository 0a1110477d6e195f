"""The one-page brief of an organization's exposure: title, dates, the story picture, the top links with
their explanations, what changed since the compare date, and the sources (`supplygraph brief`, and the
Exposure page's downloads).

The page is HTML rendered from graph/templates/brief.html.j2 (autoescape on; the picture is the SVG of
graph.story_svg, inlined, so it stays a vector in the PDF) and printed to PDF by headless Chromium
(graph.snapshot), on one A4 page: every block has a fixed share of the page and hides what does not
fit, and the lists are cut to a few items here with "and N more", so no name or list can add a page.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Sequence

import jinja2
from markupsafe import Markup

from graph import explore, snapshot, story, story_svg, workbench
from graph.db import Connection
from graph.errors import QueryError

PAPER = "A4"
TOP_LINKS = 4
TOP_CHANGES = 6
TOP_SOURCES = 12
COMPARE_DAYS = 30  # the compare date when none is given, as on the Exposure page


@dataclass(frozen=True)
class Brief:
    """Everything the page says, already cut to what fits."""

    org_id: str
    org_name: str
    as_of: str
    start: str  # the days "what changed" covers
    end: str
    title: str
    picture: str  # the story picture, SVG
    links: tuple[workbench.Card, ...]
    more_links: int
    changes: tuple[workbench.Change, ...]
    more_changes: int
    sources: tuple[workbench.SourceLink, ...]
    more_sources: int
    data: str = ""  # the data folder's name and load date (graph.load_record), for the footer


def brief_title(org_name: str) -> str:
    return f"Exposure brief: {org_name}"


def default_compare(as_of: dt.date) -> dt.date:
    return as_of - dt.timedelta(days=COMPARE_DAYS)


def organization(conn: Connection, text: str) -> dict:
    """The organization that `text` names: its id, else its exact name or alias, else the only
    organization the search finds; anything else is an error listing the candidates."""
    found = explore.entity(conn, text)
    if found and "Organization" in (found.get("labels") or []):
        return found
    matches = [m for m in explore.search_entities(conn, text, limit=10) if "Organization" in (m.get("labels") or [])]
    exact = [m for m in matches if str(m.get("name") or "").casefold() == text.strip().casefold()]
    if len(exact) == 1 or len(matches) == 1:
        return explore.entity(conn, (exact or matches)[0]["id"]) or (exact or matches)[0]
    if not matches:
        raise QueryError(f"no organization is called or has the id {text!r}: check the spelling, or search "
                         "for it on the Exposure page")
    names = "; ".join(f"{m.get('name')} (id {m.get('id')})" for m in matches[:5])
    raise QueryError(f"{text!r} could be several organizations: {names}. Give the id")


def make_brief(conn: Connection, org_id: str, org_name: str, as_of: dt.date, compare: dt.date,
               rivals: Sequence[str] | None = None, highlight: str | None = None) -> Brief:
    """The brief of `org_id` on `as_of`, with what changed since `compare`; the picture as on the
    Exposure page (the links to `rivals`, the chain of `highlight` bold)."""
    rows = workbench.links(conn, org_id, as_of)
    cards = workbench.cards(rows, explore.source_details(conn, workbench.source_ids(rows)))
    changes = workbench.change_list(workbench.changes(conn, org_id, compare, as_of))
    told = story.load_story(conn, org_id, org_name, as_of, rivals, highlight)
    start, end = workbench.window(compare, as_of)
    shown = cards[:TOP_LINKS]
    cited = [s.id for card in shown for s in card.sources] + sorted(told.sources)
    details = {s.id: {"publisher": s.publisher, "title": s.title, "date": s.date, "url": s.url}
               for card in shown for s in card.sources} | told.sources
    sources = workbench.source_links(cited, details)
    return Brief(org_id=org_id, org_name=org_name, as_of=as_of.isoformat(), start=start.isoformat(),
                 end=end.isoformat(), title=brief_title(org_name), picture=story_svg.svg(told), links=tuple(shown),
                 more_links=len(cards) - len(shown), changes=tuple(changes[:TOP_CHANGES]),
                 more_changes=max(0, len(changes) - TOP_CHANGES), sources=sources[:TOP_SOURCES],
                 more_sources=max(0, len(sources) - TOP_SOURCES), data=told.data)


def brief_html(brief: Brief) -> str:
    """The brief as one HTML page sized for A4 paper (the PDF is this page printed)."""
    clean = story_svg.clean
    return _template().render(brief=brief, paper=PAPER, picture=Markup(brief.picture), clean=clean)


def brief_pdf(brief: Brief) -> bytes:
    """The brief as a one-page PDF; the same brief gives the same bytes (its dates are the as-of date)."""
    return snapshot.html_to_pdf(brief_html(brief), dt.date.fromisoformat(brief.as_of))


@functools.lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("graph", "templates"), autoescape=True)
    return env.get_template("brief.html.j2")
