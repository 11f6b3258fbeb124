# The policy desk tracker. `make run` to try it, `make test` to check it.
# Finds a Python 3.12+ by itself (override with PYTHON=/path/to/python3.13).
PYTHON = $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install migrate seed run test test-postgres serve bench lint format browser clean

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
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

serve: install
	DEBUG=false $(PY) manage.py collectstatic --noinput -v0
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(VENV)/bin/gunicorn tracker.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile -

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
