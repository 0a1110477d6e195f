# The two commands of the README: `make explore` and `make test`.
.PHONY: setup explore test

setup:
	./scripts/setup.sh

# Starts the local Neo4j (unless NEO4J_URI points elsewhere), loads seed_data/ (idempotent), opens the app.
explore: setup
	.venv/bin/supplygraph load seed_data
	.venv/bin/supplygraph app

test: setup
	.venv/bin/pytest
