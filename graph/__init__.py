"""supplygraph: a knowledge-graph explorer for the AI supply chain, on Neo4j."""

__version__ = "0.1.0"
