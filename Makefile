# The two commands of the README: `make explore` and `make test`.
.PHONY: setup explore test

setup:
	./scripts/setup.sh

explore: setup
	.venv/bin/supplygraph db start

test: setup
	.venv/bin/pytest
