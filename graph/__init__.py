"""supplygraph: a knowledge-graph explorer for the AI supply chain, on Neo4j."""

from importlib.metadata import version

__version__ = version("supplygraph")  # pyproject.toml's, as installed
