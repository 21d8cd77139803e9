# FusionFlow: `make run` serves the API and the canvas; `make test` runs every test.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_SOURCES := $(shell find web -type f -not -path 'web/node_modules/*' -not -path 'web/dist/*' 2>/dev/null)

.PHONY: run test install web web-test types bench clean

run: install web
	$(VENV)/bin/fusionflow serve --host $(HOST) --port $(PORT)

test: install web
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The canvas: built when missing or older than its sources (needs Node 20 and npm).
web: $(if $(wildcard web/package.json),web/dist/index.html,)

web/dist/index.html: $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund && npm run build
	touch $@

web-test: web
	cd web && npm run --silent types:check && node scripts/vitest-summary.mjs

# The canvas's API types, from the API's OpenAPI document (run after changing a route or a document).
types: install
	$(PY) -m orchestrator.cli openapi --out web/openapi.json
	cd web && npm run --silent types

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) web/node_modules web/dist .fusionflow
