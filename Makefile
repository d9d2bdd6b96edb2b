# One command list for developers, CI and the README.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat constraints.txt pyproject.toml | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-$(shell cat constraints.txt pyproject.toml | cksum | cut -d' ' -f1)
NPM_STAMP := frontend/node_modules/.installed
FRONTEND_SRC := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig.json -type f 2>/dev/null)

.PHONY: up test test-python test-frontend test-e2e lint fmt bench bench-year install frontend clean

up: install frontend/dist/index.html ## run the whole system on the embedded default
	$(BIN)/fleet up

test: lint test-frontend test-e2e test-python ## lint and type checks, then every test (pytest last: its summary closes the run)

test-python: install
	$(BIN)/pytest

test-frontend: install $(NPM_STAMP) ## vitest, and the generated API client matches the API
	cd frontend && npm test
	cd frontend && npm run check:api

test-e2e: install frontend/dist/index.html ## the dashboard in headless Chromium against `fleet up`
	cd frontend && npm run e2e

install: $(STAMP)

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# The peers of bench/bench_peers.py (the `bench` extra): only for `make bench`.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,bench]'
	rm -f $(VENV)/.bench-*
	touch $@

$(NPM_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: $(NPM_STAMP) $(FRONTEND_SRC)
	cd frontend && npm run build

frontend: frontend/dist/index.html

lint: install $(NPM_STAMP) ## ruff, ruff format, mypy strict, and the frontend's tsc
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd frontend && npm run typecheck
	cd frontend && npx playwright test -c e2e/playwright.config.ts --list > /dev/null  # e2e scenarios parse

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install $(BENCH_STAMP) ## every benchmark but the year's, then one report: bench/report.md and bench/report.json
	@for b in $(filter-out bench/bench_year.py,$(wildcard bench/bench_*.py)); do echo "== $$b"; $(BIN)/python $$b || exit 1; done
	$(BIN)/python bench/report.py

bench-year: install $(BENCH_STAMP) ## a year of a 1,500-driver fleet (BENCH_YEAR_SCALE=0.02: a minute), then the report
	$(BIN)/python bench/bench_year.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist
