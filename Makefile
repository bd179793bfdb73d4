# parkportal — `make run` serves the demo portal, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app parkportal
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve benchmark-load benchmark-coverage setup test test-sqlite test-shifted-clock test-postgres lint translations extract-messages update-translations benchmark clean

# The address `make run` serves at: every link in e-mails, calendar files and the API is built on it (PORTAL_URL;
# older instance/config.py files have none, and production sets its own).
RUN_URL ?= http://$(HOST):$(PORT)

run: setup instance/config.py
	$(FLASK) init-db
	PORTAL_URL=$(RUN_URL) $(FLASK) seed-demo
	PORTAL_URL=$(RUN_URL) OUTBOX_SEND_AFTER_REQUEST=true $(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn with WORKERS processes (default 2 per core), configuration from instance/config.py (and
# instance/gunicorn.conf.py when present); migrations (with ANALYZE) first. See README.md, "Production".
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
serve: setup instance/config.py
	$(FLASK) init-db
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) \
	  $$(test -f instance/gunicorn.conf.py && echo "--config instance/gunicorn.conf.py") 'parkportal:create_app()'

setup: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Compiled catalogs are build output (git-ignored), made from the .po files in the repository.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy --statistics -d parkportal/translations

# A random SECRET_KEY for this machine, written once (instance/ is git-ignored).
instance/config.py:
	@mkdir -p instance
	@printf '# Written by `make run` for this machine; see README.md for every key.\nSECRET_KEY = "%s"\n# make run serves plain http on 127.0.0.1; behind HTTPS set this to True.\nSESSION_COOKIE_SECURE = False\n# The public address every link is built on: `make serve` and production need it (`make run` sets its own).\n# PORTAL_URL = "https://portal.example.cn"\n' \
	  "$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')" > $@
	@echo "wrote $@"

# SQLite always; PostgreSQL too when PARKPORTAL_TEST_DATABASE_URL is set (.ci/run sets it).
# A second SQLite run with the portal's clock at a Sunday 30 s before midnight (Asia/Shanghai) proves that no test
# depends on today's weekday or time of day.
SHIFTED_NOW ?= 2026-12-06T23:59:30
# Each run spreads the tests over TEST_WORKERS processes (pytest-xdist; one per core), each on its own database:
# a SQLite file in the worker's temporary directory, or <database>_gw0, _gw1, … on PostgreSQL (.ci/run creates
# them). TEST_WORKERS=0 runs every test in one process.
TEST_WORKERS ?= $(shell nproc)
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS)

test: setup
	$(MAKE) test-sqlite
	$(MAKE) test-shifted-clock
	@if [ -n "$$PARKPORTAL_TEST_DATABASE_URL" ]; then $(MAKE) test-postgres; else echo "PARKPORTAL_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-sqlite:
	env -u PARKPORTAL_TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

# The hostile-input walker reads no clock: it runs in the other two runs only (it is the slowest module).
test-shifted-clock:
	env -u PARKPORTAL_TEST_DATABASE_URL PARKPORTAL_TEST_NOW=$(SHIFTED_NOW) $(PYTEST) -q --ignore=tests/test_hostile_input.py $(PYTEST_ARGS)

test-postgres:
	$(PYTEST) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o parkportal/translations/messages.pot --no-location --sort-output .

update-translations: extract-messages
	$(BIN)/pybabel update -i parkportal/translations/messages.pot -d parkportal/translations --no-fuzzy-matching --ignore-obsolete

benchmark: setup
	$(BIN)/python scripts/benchmark.py

# gunicorn (2 workers) + wrk (apt-get install wrk) at 16 connections, demo and district scale, ratio to /healthz;
# BENCHMARK_ARGS='--database postgresql://…' for PostgreSQL (that database is emptied). Output: docs/performance.md.
benchmark-load: setup
	$(BIN)/python scripts/benchmark_load.py $(BENCHMARK_ARGS)

# Coverage at district scale (issue 12): dashboard, coverage pages and a 10,000-row roster import, in process.
# Seeds a district into a temporary SQLite file (minutes) unless BENCHMARK_ARGS='--reuse FILE' or '--database URL'.
benchmark-coverage: setup
	$(BIN)/python scripts/benchmark_coverage.py $(BENCHMARK_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache test-artifacts
