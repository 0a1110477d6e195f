"""Edge captions for network pictures: why a relationship matters, in a few words ("49% stake · $14.3B",
"data labeling", "CEO 2016-2025"), worded by graph.wording.caption (as the story picture's are) from the
properties graph.network keeps on each edge (`props`)."""

from __future__ import annotations

from typing import Any, Mapping

from graph import wording

MAX_CAPTION = 40
# What graph.wording.caption reads: the stored properties (docs/schema.md).
CAPTION_PROPERTIES = ("kind", "title", "round", "stake_percent", "amount", "currency", "service", "since_text",
                      "until_text", "status")
NUMBERS = ("stake_percent", "amount")


def caption_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties a caption reads, present ones only; a number written by hand as text is left out
    (it is not worded as one)."""
    kept = {k: props[k] for k in CAPTION_PROPERTIES if props.get(k) not in (None, "")}
    for key in NUMBERS:
        if key in kept and (isinstance(kept[key], bool) or not isinstance(kept[key], (int, float))):
            del kept[key]
    return kept


def caption(data: Mapping[str, Any]) -> str:
    """An edge's caption, at most MAX_CAPTION characters ("" for an edge with nothing to say)."""
    rel_type = data.get("type") or ""
    if not rel_type:
        return ""
    text = wording.caption(rel_type, caption_props(data.get("props") or {}))
    return text if len(text) <= MAX_CAPTION else text[:MAX_CAPTION - 1] + "…"
