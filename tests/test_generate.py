"""The synthetic data generator: valid, deterministic, sized as asked, with a realistic shape."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph import model
from graph.cli import cli
from graph.generate import generate

ID = re.compile(r"^[a-z0-9-]+$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def read(folder: Path, spec: model.FileSpec) -> tuple[list[str], list[dict[str, str]]]:
    with open(folder / spec.name, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def period(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day a YYYY, YYYY-MM or YYYY-MM-DD date stands for."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    day = dt.date(*parts)
    return day, day


def load(folder: Path) -> dict[str, list[dict[str, str]]]:
    """Every file, after checking what holds file by file: header, ids, required, enums, dates."""
    data = {}
    for spec in model.FILES:
        header, rows = read(folder, spec)
        assert tuple(header) == spec.columns, spec.name
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), f"duplicate ids in {spec.name}"
        for row in rows:
            assert ID.match(row["id"]), row["id"]
            for column in spec.required:
                assert row[column], (spec.name, row["id"], column)
            for column, allowed in spec.enums.items():
                values = row[column].split(";") if column in spec.list_columns else [row[column]]
                assert all(v in allowed for v in values if v), (spec.name, row["id"], column, row[column])
            for column in spec.date_columns:
                if row[column]:
                    assert DATE.match(row[column]), (spec.name, row["id"], column, row[column])
                    period(row[column])  # a real calendar date
            for column in spec.number_columns:
                if row[column]:
                    float(row[column])
        data[spec.name] = rows
    return data


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("gen-1000")
    return folder, generate(folder, 1000, seed=0)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("gen-20000")
    return folder, generate(folder, 20000, seed=7)


@pytest.fixture(scope="module")
def large_data(large: tuple[Path, dict[str, int]]) -> dict[str, list[dict[str, str]]]:
    return load(large[0])


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {spec.name: (folder / spec.name).read_bytes() for spec in model.FILES}


def test_same_seed_same_bytes(small: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, counts = small
    assert generate(tmp_path, 1000, seed=0) == counts
    assert file_bytes(tmp_path) == file_bytes(folder)


def test_other_seed_other_files(small: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    generate(tmp_path, 1000, seed=1)
    other, first = file_bytes(tmp_path), file_bytes(small[0])
    assert other[model.RELATIONSHIPS.name] != first[model.RELATIONSHIPS.name]
    assert other[model.POSITIONS.name] != first[model.POSITIONS.name]


@pytest.mark.parametrize("fixture", ["small", "large"])
def test_sizes(fixture: str, request: pytest.FixtureRequest) -> None:
    folder, counts = request.getfixturevalue(fixture)
    target = 1000 if fixture == "small" else 20000
    data = load(folder)
    assert {name: len(rows) for name, rows in data.items()} == counts
    edges = counts[model.RELATIONSHIPS.name] + counts[model.POSITIONS.name]
    assert abs(edges - target) <= target * 0.1
    assert abs(counts[model.POSITIONS.name] - 0.15 * target) <= 0.15 * target * 0.1
    assert abs(counts[model.ORGANIZATIONS.name] - target / 8) <= target / 8 * 0.1
    assert abs(counts[model.PEOPLE.name] - target / 20) <= target / 20 * 0.1
    assert abs(counts[model.SOURCES.name] - target / 10) <= target / 10 * 0.1


def test_small_folder_is_valid(small: tuple[Path, dict[str, int]]) -> None:
    check_references_and_rules(load(small[0]))


def test_large_folder_is_valid(large_data: dict[str, list[dict[str, str]]]) -> None:
    check_references_and_rules(large_data)


def test_tiny_folder_is_valid(tmp_path: Path) -> None:
    """The floors (20 organizations, 5 sources) keep a tiny folder valid too."""
    counts = generate(tmp_path, 10, seed=3)
    assert counts[model.ORGANIZATIONS.name] == 20 and counts[model.SOURCES.name] == 5
    check_references_and_rules(load(tmp_path))


def check_references_and_rules(data: dict[str, list[dict[str, str]]]) -> None:
    sources = {row["id"] for row in data[model.SOURCES.name]}
    orgs = {row["id"]: row for row in data[model.ORGANIZATIONS.name]}
    people = {row["id"] for row in data[model.PEOPLE.name]}
    for spec in model.FILES[1:]:
        for row in data[spec.name]:
            cited = row["sources"].split(";")
            assert 1 <= len(cited) <= 2 and len(set(cited)) == len(cited), row
            assert set(cited) <= sources, row
    for org in orgs.values():
        roles = org["roles"].split(";")
        services = [s for s in org["services"].split(";") if s]
        assert ("vendor" in roles) == (1 <= len(services) <= 2), org
    for pos in data[model.POSITIONS.name]:
        assert pos["person_id"] in people and pos["org_id"] in orgs, pos
        check_span(pos)
    parents: dict[str, str] = {}
    facilities = {row["id"] for row in data[model.FACILITIES.name]}
    for rel in data[model.RELATIONSHIPS.name]:
        ends = {"Organization": orgs, "Facility": facilities}
        assert rel["from_id"] in orgs and any(rel["to_id"] in ends[t] for t in model.targets(rel["type"])), rel
        assert rel["from_id"] != rel["to_id"], rel
        check_span(rel)
        allowed = model.RELATIONSHIP_TYPES[rel["type"]]
        for column in model.TYPE_SPECIFIC_COLUMNS:
            assert not rel[column] or column in allowed, (rel["id"], column)
        for column in model.REQUIRED_BY_TYPE.get(rel["type"], ()):
            assert rel[column], (rel["id"], column)
        from_roles = orgs[rel["from_id"]]["roles"].split(";")
        if rel["type"] == "SUPPLIES":
            assert "vendor" in from_roles, rel
            assert rel["service"] in orgs[rel["from_id"]]["services"].split(";"), rel
        if rel["type"] == "INVESTED_IN":
            assert "investor" in from_roles, rel
            assert not rel["amount"] or (rel["amount"].isdigit() and rel["currency"] == "USD"), rel
            assert not rel["stake_percent"] or 0.1 <= float(rel["stake_percent"]) <= 49, rel
        if rel["type"] == "REVIEWS":
            assert "government" in from_roles, rel
        if rel["type"] in model.FAMILY_TYPES:
            assert rel["from_id"] not in parents, f"{rel['from_id']} has two family parents"
            parents[rel["from_id"]] = rel["to_id"]
    # Following family edges upwards always ends: SUBSIDIARY_OF (and ACQUIRED_BY with it) is a forest.
    for start in parents:
        seen, node = {start}, parents[start]
        while node in parents:
            assert node not in seen, f"family cycle through {start}"
            seen.add(node)
            node = parents[node]


def check_span(row: dict[str, str]) -> None:
    if row["status"] == "ended":
        assert row["since"] and row["until"], row
    if row["since"] and row["until"]:
        assert period(row["since"])[1] < period(row["until"])[0], row  # under any reading of precision
        assert row["since"] <= row["until"], row
    else:
        assert not row["until"] or row["status"] == "ended", row


def test_shape_is_mixed(large_data: dict[str, list[dict[str, str]]]) -> None:
    rels, orgs = large_data[model.RELATIONSHIPS.name], large_data[model.ORGANIZATIONS.name]
    types = Counter(rel["type"] for rel in rels)
    assert set(types) == set(model.RELATIONSHIP_TYPES)
    assert 0.01 <= types["SUBSIDIARY_OF"] / len(rels) <= 0.05
    roles = Counter(role for org in orgs for role in org["roles"].split(";"))
    assert set(roles) == set(model.ROLES)
    assert roles["vendor"] > roles["investor"] > roles["lab"] > roles["government"]
    assert any(";" in org["roles"] for org in orgs)
    statuses = Counter(row["status"] for row in rels + large_data[model.POSITIONS.name])
    assert set(statuses) == set(model.STATUSES)
    assert 0.15 <= statuses["ended"] / sum(statuses.values()) <= 0.25
    precisions = Counter(len(rel["since"]) for rel in rels)
    assert set(precisions) == {4, 7, 10} and precisions[10] > precisions[7] > precisions[4]
    confidences = Counter(rel["confidence"] for rel in rels)
    assert confidences["high"] > confidences["medium"] > confidences["low"] > 0


def test_degree_is_heavy_tailed(large_data: dict[str, list[dict[str, str]]]) -> None:
    degree: Counter[str] = Counter()
    for rel in large_data[model.RELATIONSHIPS.name]:
        degree[rel["from_id"]] += 1
        degree[rel["to_id"]] += 1
    for pos in large_data[model.POSITIONS.name]:
        degree[pos["org_id"]] += 1
    n_orgs = len(large_data[model.ORGANIZATIONS.name])
    top = sum(d for _, d in degree.most_common(max(1, n_orgs // 100)))
    assert top >= 0.10 * sum(degree.values())
    assert degree.most_common(1)[0][1] >= 20 * sum(degree.values()) / n_orgs  # a hub, far above the mean


def test_cli_generate(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", str(tmp_path / "out"), "--relationships", "1000", "--seed", "2"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "relationships.csv: 850 rows" in result.output
    assert "positions.csv: 150 rows" in result.output
    check_references_and_rules(load(tmp_path / "out"))
