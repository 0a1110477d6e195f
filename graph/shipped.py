"""The files supplygraph ships besides its code: the stored queries, the seed data and the app.

They are package data of `graph`, found with importlib.resources, so an installed supplygraph (a
wheel, pipx) finds them wherever it is. In a clone, `graph/cypher`, `graph/seed_data` and
`graph/explorer/{app.py,pages}` are links to the project's top-level `cypher/`, `seed_data/`, `app.py`
and `pages/`: one copy, where people working in the clone edit it; building a wheel copies what the
links point to (tests/test_packaging.py proves the wheel's files are the tree's). The app has a folder
of its own because Streamlit puts the script's folder on sys.path, where graph's modules must not be.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped(name: str) -> Path:
    """The file or folder `name` of the package's data, as a real path (the links of a clone resolved,
    so messages name the file people edit)."""
    return Path(resources.files("graph").joinpath(name)).resolve()
