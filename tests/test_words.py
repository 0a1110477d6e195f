"""Every relationship type and role of the data model has its words in the pictures and the timeline, so a
type added to graph.model is never shown as its raw name ("owns 3 others")."""

from __future__ import annotations

from graph import explore, hubs
from graph.model import POSITION_TYPE, RELATIONSHIP_TYPES, ROLE_LABELS


def test_every_relationship_type_has_words() -> None:
    types = {*RELATIONSHIP_TYPES, POSITION_TYPE}
    assert types - set(hubs.WORDS) == set()
    assert types - set(explore.EVENT_WORDS) == set()


def test_every_role_has_a_plural() -> None:
    assert {*ROLE_LABELS.values(), "Facility", "Person"} - set(hubs.PLURALS) == set()
