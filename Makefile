# Everything sets itself up: a fresh clone needs only python3 (>= 3.11), node and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := tools/cypherlint/node_modules/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo serve test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): tools/cypherlint/package.json tools/cypherlint/package-lock.json
	cd tools/cypherlint && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP)

## Run the product on the embedded store: demo portfolio, API on localhost, map links.
demo: $(STAMP)
	$(BIN)/graphsvc demo

serve: $(STAMP)
	$(BIN)/graphsvc serve

lint: $(STAMP)
	$(BIN)/ruff check graphsvc visual queries tests benchmarks
	$(BIN)/mypy

## The whole test suite (what CI runs): lint, types, then pytest on two workers.
test: $(STAMP) $(NODE_STAMP) lint
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/scan.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/map.py
	$(BIN)/python benchmarks/alerts.py
	$(BIN)/python benchmarks/webapp.py

clean:
	rm -rf $(VENV) tools/cypherlint/node_modules .pytest_cache .mypy_cache .ruff_cache
