# Everything sets itself up: a fresh clone needs only python3 (>= 3.11), node and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := tools/cypherlint/node_modules/.installed-stamp
SPECTRAL_STAMP := tools/spectral/node_modules/.installed-stamp
CLIENTGEN_STAMP := tools/openapi-client/.venv/.installed-stamp
PYTEST_ARGS ?=
PY_PATHS := graphsvc visual queries tests benchmarks
# `make lint` checks ruff's formatting too (FORMAT_CHECK=no skips it for a quick look).
FORMAT_CHECK ?= yes

.PHONY: install demo serve test lint format-check typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): tools/cypherlint/package.json tools/cypherlint/package-lock.json
	cd tools/cypherlint && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# API tooling the OpenAPI tests run: Spectral (npm) and openapi-python-client (its own
# venv: it pins an older typer than ours).
$(SPECTRAL_STAMP): tools/spectral/package.json tools/spectral/package-lock.json
	cd tools/spectral && npm ci --no-audit --no-fund --loglevel=error
	touch $(SPECTRAL_STAMP)

$(CLIENTGEN_STAMP): tools/openapi-client/requirements.txt
	$(PYTHON) -m venv tools/openapi-client/.venv
	tools/openapi-client/.venv/bin/pip install --quiet -r tools/openapi-client/requirements.txt
	touch $(CLIENTGEN_STAMP)

install: $(STAMP)

## Run the product on the embedded store: demo portfolio, API on localhost, map links.
demo: $(STAMP)
	$(BIN)/graphsvc demo

serve: $(STAMP)
	$(BIN)/graphsvc serve

## Style and types: ruff's rules, mypy, and (see FORMAT_CHECK) ruff's formatting.
lint: $(STAMP) typecheck $(if $(filter yes,$(FORMAT_CHECK)),format-check)
	$(BIN)/ruff check $(PY_PATHS)

format-check: $(STAMP)
	$(BIN)/ruff format --check $(PY_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy

## The whole test suite (what CI runs): lint, types, then pytest on two workers
## (doctests of every module included: tests/test_docstrings.py).
test: $(STAMP) $(NODE_STAMP) $(SPECTRAL_STAMP) $(CLIENTGEN_STAMP) lint
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## The quick loop: pytest without the browser and slow end-to-end tests, no lint.
unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -m "not browser and not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/scan.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/map.py
	$(BIN)/python benchmarks/alerts.py
	$(BIN)/python benchmarks/webapp.py

clean:
	rm -rf $(VENV) tools/cypherlint/node_modules tools/spectral/node_modules \
	       tools/openapi-client/.venv .pytest_cache .mypy_cache .ruff_cache \
	       .import_linter_cache .grimp_cache
