"""Facts in plain words, for explanations: one phrase per relationship, with its dates and status."""

from __future__ import annotations

from typing import Any, Mapping

from graph.facts import Fact, Facts
from graph.model import POSITION_TYPE

CURRENCY_SIGNS = {"USD": "$"}
# Relationships worded as "{from} {verb} {to}", with nothing of their own to say.
VERBS = {"SUBSIDIARY_OF": "is part of", "ACQUIRED_BY": "was acquired by", "OPERATES": "operates", "BUILDS": "builds"}
UNIT_WORDS = {"gpus": "GPUs", "chips": "chips", "servers": "servers", "racks": "racks", "mw": "MW"}


def money(amount: float, currency: str | None) -> str:
    """An amount with its currency: $14.3B, EUR 15.0M, 250,000 (currency not given)."""
    if amount >= 1e9:
        figure = f"{amount / 1e9:.1f}B"
    elif amount >= 1e6:
        figure = f"{amount / 1e6:.1f}M"
    else:
        figure = f"{amount:,.0f}"
    if not currency:
        return f"{figure} (currency not given)"
    sign = CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{figure}" if sign else f"{currency.upper()} {figure}"


def deal_size(quantity: float | None, unit: str | None, value: float | None, currency: str | None) -> str:
    """The size of a supply or a use: "100,000 GPUs, $2.0B", "150 MW", "" when it has none."""
    parts = []
    if quantity is not None and unit:
        figure = f"{quantity:,.0f}" if quantity == int(quantity) else f"{quantity:,}"
        parts.append(f"{figure} {UNIT_WORDS.get(unit, unit)}")
    if value is not None:
        parts.append(money(value, currency))
    return ", ".join(parts)


def code_words(code: Any) -> str:
    """A stored code in words, the one place they are made: a service (`data_labeling` is "data
    labeling"), a partnership's kind (`joint_venture`), a position's kind."""
    return str(code or "").replace("_", " ")


def percent(value: float) -> str:
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%".replace(".0%", "%")


# The properties `detail` reads.
DETAIL_PROPERTIES = ("kind", "title", "round", "stake_percent", "amount", "currency", "service", "quantity", "unit",
                     "value")


def detail(rel_type: str, props: Mapping[str, Any]) -> str:
    """A relationship's key terms in a few words, from its stored properties (file column names): the
    `detail` the loader writes on every relationship and the timeline, changes and pictures show.
    "strategic, 49%, $14.3B"; "CEO (executive)"; "chips"."""
    if rel_type == "HOLDS_POSITION":
        kind = props.get("kind") or ""
        return f"{props['title']} ({kind})" if props.get("title") else kind
    if rel_type == "INVESTED_IN":
        parts = [props.get("round") or "investment"]
        if _is_number(props.get("stake_percent")):
            parts.append(percent(props["stake_percent"]))
    elif rel_type == "ACQUIRED_BY":
        parts = ["acquisition"]
    elif rel_type == "OWNS":
        parts = [percent(props["stake_percent"]) if _is_number(props.get("stake_percent")) else "whole"]
    else:
        parts = [code_words(props.get("service") or props.get("kind"))]
    if _is_number(props.get("amount")):
        parts.append(money(props["amount"], props.get("currency")))
    parts.append(_size(props))
    return ", ".join(str(p) for p in parts if p)


def _size(props: Mapping[str, Any]) -> str:
    """deal_size of stored properties (a number written by hand as text is not worded)."""
    numbers = {k: props.get(k) if _is_number(props.get(k)) else None for k in ("quantity", "value")}
    return deal_size(numbers["quantity"], props.get("unit"), numbers["value"], props.get("currency"))


def _is_number(value: Any) -> bool:
    # A relationship written by hand may hold a number as text; it is not worded as one.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def dates(fact: Fact) -> str:
    if fact.since_text and fact.until_text:
        return f" ({fact.since_text} to {fact.until_text})"
    if fact.since_text:
        return f" (since {fact.since_text})"
    if fact.until_text:
        return f" (until {fact.until_text})"
    return ""


def status_mark(fact: Fact) -> str:
    if fact.status == "unknown":
        return " [status unknown]"
    return f" [{fact.status}]" if fact.status in ("paused", "announced", "reported") else ""


def phrase(facts: Facts, fact: Fact, day: int) -> str:
    """One relationship in words as of a day (a position that has ended 'was', else 'is')."""
    t, start, end = fact.edge  # a facility's edge in its own words, whatever it is read as (graph.facts.read_as)
    src, dst = facts.name(start), facts.name(end)
    size = deal_size(fact.quantity, fact.unit, fact.value, fact.currency)
    size = f" ({size})" if size else ""
    if t == "SUPPLIES":
        text = f"{src} supplies {code_words(fact.service or 'services')} to {dst}{size}"
    elif t == "USES":
        text = f"{src} uses {dst}{size}"
    elif t == "OWNS":
        text = f"{src} owns {percent(fact.stake) + ' of ' if fact.stake is not None else ''}{dst}"
    elif t in VERBS:
        text = f"{src} {VERBS[t]} {dst}"
    elif t == "INVESTED_IN":
        if fact.stake is not None:
            text = f"{src} owns {percent(fact.stake)} of {dst}"
        elif fact.amount is not None:
            text = f"{src} invested {money(fact.amount, fact.currency)} in {dst}"
        else:
            text = f"{src} invested in {dst}"
    elif t == "PARTNERS_WITH":
        text = f"{src} partners with {dst} ({code_words(fact.kind)})"
    elif t == "HOLDS_POSITION":
        over = fact.status == "ended" or (fact.until is not None and fact.until <= day)
        text = f"{src} {'was' if over else 'is'} {fact.title or fact.kind} of {dst}"
    else:
        text = f"{src} {t} {dst}"
    return text + dates(fact) + status_mark(fact)


def years(since_text: str | None, until_text: str | None) -> str:
    """A span in years for a caption: "2016-2025", "since 2016", "until 2025", or "" when neither is known."""
    start, end = (since_text or "")[:4], (until_text or "")[:4]
    if start and end:
        return start if start == end else f"{start}-{end}"
    return f"since {start}" if start else (f"until {end}" if end else "")


def caption(rel_type: str, props: Mapping[str, Any]) -> str:
    """What a relationship says in a picture, briefly: "49% stake · $14.3B", "data labeling", "CEO 2016-2025".

    `props` are the relationship's stored properties (docs/schema.md); a caption names no node, the
    picture does. An end date is said, as "until 2025-06-18", for every type but a position, whose
    years already say it.
    """
    parts: list[str] = []
    if rel_type == "INVESTED_IN":
        if props.get("stake_percent") is not None:
            parts.append(f"{percent(float(props['stake_percent']))} stake")
        if props.get("amount") is not None:
            parts.append(money(float(props["amount"]), props.get("currency")))
        if not parts:
            parts.append(str(props.get("round") or "investment"))
    elif rel_type == "SUPPLIES":
        parts.append(code_words(props.get("service") or "services"))
        parts.append(_size(props).replace(", ", " · "))
    elif rel_type == "USES":
        parts += ["uses", _size(props).replace(", ", " · ")]
    elif rel_type == "OWNS":
        parts.append(f"{percent(float(props['stake_percent']))} owner" if props.get("stake_percent") is not None else "owner")
    elif rel_type in ("OPERATES", "BUILDS"):
        parts.append({"OPERATES": "operator", "BUILDS": "builder"}[rel_type])
    elif rel_type == "PARTNERS_WITH":
        parts.append(f"{code_words(props.get('kind'))} partnership".strip())
    elif rel_type == "SUBSIDIARY_OF":
        parts.append("subsidiary")
    elif rel_type == "ACQUIRED_BY":
        parts.append("acquired")
        if props.get("amount") is not None:
            parts.append(money(float(props["amount"]), props.get("currency")))
    elif rel_type == POSITION_TYPE:
        span = years(props.get("since_text"), props.get("until_text"))
        title = str(props.get("title") or props.get("kind") or "position")
        return f"{title} {span}".strip() + _status_word(props)
    else:
        parts.append(rel_type.replace("_", " ").lower())
    if props.get("until_text"):
        parts.append(f"until {props['until_text']}")
    return " · ".join(p for p in parts if p) + _status_word(props)


def _status_word(props: Mapping[str, Any]) -> str:
    status = props.get("status")
    if status == "unknown":
        return " (status unknown)"
    return f" ({status})" if status in ("paused", "announced", "reported") else ""
