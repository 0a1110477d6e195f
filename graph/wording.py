"""Facts in plain words, for explanations: one phrase per relationship, with its dates and status."""

from __future__ import annotations

from graph.facts import Fact, Facts

CURRENCY_SIGNS = {"USD": "$"}


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


def percent(value: float) -> str:
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%".replace(".0%", "%")


def dates(fact: Fact) -> str:
    if fact.since_text and fact.until_text:
        return f" ({fact.since_text} to {fact.until_text})"
    if fact.since_text:
        return f" (since {fact.since_text})"
    if fact.until_text:
        return f" (until {fact.until_text})"
    return ""


def status_mark(fact: Fact) -> str:
    return f" [{fact.status}]" if fact.status in ("paused", "announced", "reported", "unknown") else ""


def phrase(facts: Facts, fact: Fact, day: int) -> str:
    """One relationship in words as of a day (a position that has ended 'was', else 'is')."""
    src, dst = facts.name(fact.src), facts.name(fact.dst)
    t = fact.type
    if t == "SUPPLIES":
        text = f"{src} supplies {(fact.service or 'services').replace('_', ' ')} to {dst}"
    elif t == "INVESTED_IN":
        if fact.stake is not None:
            text = f"{src} owns {percent(fact.stake)} of {dst}"
        elif fact.amount is not None:
            text = f"{src} invested {money(fact.amount, fact.currency)} in {dst}"
        else:
            text = f"{src} invested in {dst}"
    elif t == "PARTNERS_WITH":
        text = f"{src} partners with {dst} ({(fact.kind or '').replace('_', ' ')})"
    elif t == "SUBSIDIARY_OF":
        text = f"{src} is part of {dst}"
    elif t == "ACQUIRED_BY":
        text = f"{src} was acquired by {dst}"
    elif t == "HOLDS_POSITION":
        over = fact.status == "ended" or (fact.until is not None and fact.until <= day)
        text = f"{src} {'was' if over else 'is'} {fact.title or fact.kind} of {dst}"
    else:
        text = f"{src} {t} {dst}"
    return text + dates(fact) + status_mark(fact)
