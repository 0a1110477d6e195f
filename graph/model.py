"""The data model: the files of a data folder, their columns, and the allowed values.

This is the allow-list the loader writes from: labels and relationship types come from here only,
never from the files' text. docs/schema.md and docs/data-dictionary.md describe the same model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("lab", "vendor", "investor", "government", "customer")
# Each role is also a node label, so that `MATCH (l:Lab)` works in Cypher. A customer buys compute for its
# own use (a bank, an oil major, a telecom).
ROLE_LABELS = {"lab": "Lab", "vendor": "Vendor", "investor": "Investor", "government": "Government",
               "customer": "Customer"}
SERVICES = ("data_labeling", "cloud_compute", "chips", "evaluation", "talent", "data_center",
            "networking", "model_api", "energy", "construction")
# `unknown`: a reported link whose state is not known; counted like `reported`, and said so.
STATUSES = ("active", "ended", "paused", "announced", "reported", "unknown")
FACILITY_KINDS = ("data_center", "gpu_cluster", "campus", "fab", "power_plant")
# The state of a site (a facility's own status, not a relationship's).
FACILITY_STATUSES = ("announced", "planned", "under_construction", "operational", "paused", "cancelled", "unknown")
UNITS = ("gpus", "chips", "servers", "racks", "mw")
CONFIDENCES = ("high", "medium", "low")
POSITION_KINDS = ("executive", "founder", "board", "employee", "advisor")
PARTNERSHIP_KINDS = ("compute", "distribution", "research", "joint_venture", "commercial", "data")

# The relationship types of relationships.csv, and the type-specific columns each may use.
RELATIONSHIP_TYPES: dict[str, tuple[str, ...]] = {
    "INVESTED_IN": ("amount", "currency", "stake_percent", "round"),      # investor -> investee or facility
    "SUPPLIES": ("service", "quantity", "unit", "value", "currency"),      # vendor -> customer or facility
    "PARTNERS_WITH": ("kind",),                                            # initiator -> partner
    "COMPETES_WITH": (),
    "SUBSIDIARY_OF": (),                                                   # child -> parent
    "ACQUIRED_BY": ("amount", "currency"),                                 # target -> acquirer
    "REVIEWS": (),                                                         # regulator -> organization
    "OWNS": ("stake_percent",),                                            # owner -> facility
    "OPERATES": (),                                                        # operator -> facility
    "USES": ("quantity", "unit", "value", "currency"),                     # customer -> facility
    "BUILDS": (),                                                          # builder or developer -> facility
}
# Columns that must be filled for a type.
REQUIRED_BY_TYPE = {"SUPPLIES": ("service",), "PARTNERS_WITH": ("kind",)}
TYPE_SPECIFIC_COLUMNS = ("service", "kind", "amount", "currency", "stake_percent", "round", "quantity", "unit", "value")
# What each end of a relationship may be: organizations, facilities (graph node labels). Every relationship
# starts at an organization; the types not listed join two organizations.
ORGANIZATION, FACILITY = "Organization", "Facility"
TARGETS: dict[str, tuple[str, ...]] = {
    "INVESTED_IN": (ORGANIZATION, FACILITY), "SUPPLIES": (ORGANIZATION, FACILITY),
    "OWNS": (FACILITY,), "OPERATES": (FACILITY,), "USES": (FACILITY,), "BUILDS": (FACILITY,),
}
FACILITY_TYPES = ("OWNS", "OPERATES", "USES", "BUILDS")


def targets(rel_type: str) -> tuple[str, ...]:
    """The labels a relationship of this type may end at."""
    return TARGETS.get(rel_type, (ORGANIZATION,))
# Corporate-family edges: followed upwards to find an organization's family.
FAMILY_TYPES = ("SUBSIDIARY_OF", "ACQUIRED_BY")
POSITION_TYPE = "HOLDS_POSITION"


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of a data folder."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    list_columns: tuple[str, ...] = ()
    date_columns: tuple[str, ...] = ()
    number_columns: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)


SOURCES = FileSpec(
    "sources.csv",
    columns=("id", "publisher", "title", "date", "url"),
    required=("id", "publisher", "title", "date"),
    date_columns=("date",),
)
ORGANIZATIONS = FileSpec(
    "organizations.csv",
    columns=("id", "name", "roles", "services", "country", "aliases", "description", "sources", "confidence"),
    required=("id", "name", "roles", "sources", "confidence"),
    list_columns=("roles", "services", "aliases", "sources"),
    enums={"roles": ROLES, "services": SERVICES, "confidence": CONFIDENCES},
)
FACILITIES = FileSpec(
    "facilities.csv",
    columns=("id", "name", "kind", "country", "region", "status", "capacity_mw", "chip_count", "chip_type", "since",
             "until", "aliases", "description", "sources", "confidence"),
    required=("id", "name", "kind", "status", "sources", "confidence"),
    list_columns=("aliases", "sources"),
    date_columns=("since", "until"),
    number_columns=("capacity_mw", "chip_count"),
    enums={"kind": FACILITY_KINDS, "status": FACILITY_STATUSES, "confidence": CONFIDENCES},
)
PEOPLE = FileSpec(
    "people.csv",
    columns=("id", "name", "aliases", "description", "sources", "confidence"),
    required=("id", "name", "sources", "confidence"),
    list_columns=("aliases", "sources"),
    enums={"confidence": CONFIDENCES},
)
POSITIONS = FileSpec(
    "positions.csv",
    columns=("id", "person_id", "org_id", "kind", "title", "since", "until", "status", "sources",
             "confidence", "note"),
    required=("id", "person_id", "org_id", "kind", "status", "sources", "confidence"),
    list_columns=("sources",),
    date_columns=("since", "until"),
    enums={"kind": POSITION_KINDS, "status": STATUSES, "confidence": CONFIDENCES},
)
RELATIONSHIPS = FileSpec(
    "relationships.csv",
    columns=("id", "from_id", "type", "to_id", "since", "until", "status", "service", "kind", "amount",
             "currency", "stake_percent", "round", "quantity", "unit", "value", "note", "sources", "confidence"),
    required=("id", "from_id", "type", "to_id", "status", "sources", "confidence"),
    list_columns=("sources",),
    date_columns=("since", "until"),
    number_columns=("amount", "stake_percent", "quantity", "value"),
    enums={"type": tuple(RELATIONSHIP_TYPES), "status": STATUSES, "service": SERVICES,
           "kind": PARTNERSHIP_KINDS, "unit": UNITS, "confidence": CONFIDENCES},
)
# In load order: what a file refers to is loaded before it.
FILES = (SOURCES, ORGANIZATIONS, PEOPLE, FACILITIES, POSITIONS, RELATIONSHIPS)
# Files a folder may leave out (a folder written before they existed loads unchanged).
OPTIONAL_FILES = (FACILITIES.name,)
