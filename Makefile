# The policy desk tracker. `make run` to try it, `make test` to check it.
# Finds a Python 3.12+ by itself (override with PYTHON=/path/to/python3.13).
PYTHON = $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn's workers and threads for `make serve` (chosen by measurement: docs/benchmarks.md).
WORKERS ?= 3
THREADS ?= 1
# The suite runs on every core (pytest-xdist; a worker that runs out of tests takes some
# of another's); `make test PYTEST_ARGS=tests/api` picks files. Quick by default: the
# property, fuzz and API-contract tests try fewer examples; `TEST_EFFORT=full make test`
# runs them at CI's effort (tests/effort.py).
PYTEST_ARGS ?= -n auto --dist worksteal

.PHONY: install migrate seed run test test-postgres serve bench lint format browser clean backup restore cluster soak nginx varnish edge-bench

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py load_seeds

run: seed
	$(PY) manage.py local_staff
	PY=$(PY) scripts/with-worker $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest --durations=5 $(PYTEST_ARGS)

serve: install
	DEBUG=false $(PY) manage.py collectstatic --noinput -v0
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false PY=$(PY) scripts/with-worker $(VENV)/bin/gunicorn tracker.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# The production server under load (docs/benchmarks.md). BENCH_ARGS=--quick to try it;
# BENCH_DATABASE_URL=postgres://... for PostgreSQL; CACHE_URL=redis://... for Redis.
bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) scripts/bench.py $(BENCH_ARGS)

# One file with the whole database: backups/tracker-<UTC time>.dump (PostgreSQL, pg_dump)
# or .sqlite3 (SQLite's online backup). `make restore BACKUP=<file>` puts it back exactly.
backup: install
	@$(PY) manage.py backup $(if $(BACKUP),--output $(BACKUP))

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=<file>" >&2; exit 2; }
	$(PY) manage.py restore $(BACKUP)

# Varnish (the edge cache, Debian's varnish and varnish-modules) in front of nginx
# (Debian's package) in front of two gunicorn servers on one PostgreSQL and one Redis,
# and a worker that purges the edge after each change, on loopback: http://127.0.0.1:8323
# (the edge), http://127.0.0.1:8320 (nginx). Uses DATABASE_URL / CACHE_URL when they are
# PostgreSQL / Redis, else throw-away ones. Ctrl-C stops it (or CLUSTER_SECONDS=n).
cluster: install nginx varnish
	$(PY) scripts/cluster.py

varnish:
	@dpkg -s varnish varnish-modules >/dev/null 2>&1 || { \
	  echo "Installing Varnish (Debian's varnish and varnish-modules, for xkey)..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules >/dev/null; }

# A viral claim through the edge: one claim page at 64 connections through Varnish and
# through nginx to the app servers, and how long a correction takes to show through the
# edge (docs/benchmarks.md, "Edge"). It corrects a claim: give it a bench or throw-away
# DATABASE_URL (none: a throw-away PostgreSQL with the seeds). Report: artifacts/edge-bench.json.
edge-bench: install nginx varnish
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) scripts/edge_bench.py

nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "Installing nginx (Debian's nginx-light)..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# Load and fault test, loopback only: readers, API partners and staff editing through
# the admin, through nginx, two app servers and a worker, while its own PostgreSQL is
# frozen then restarted, its Redis frozen then restarted, and one webhook receiver
# trickles while another refuses (docs/deploying.md). Report: artifacts/soak.json.
# SOAK_SHORT=1: the few-minute version CI runs.
soak: install nginx
	$(PY) scripts/soak.py
