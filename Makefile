# ImprovePlan: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo and the tests run with DEBUG on unless told otherwise.
DEV := DEBUG=$${DEBUG:-1}
# Python keeps the compiled project in __pycache__ (ignored by git) even where the machine
# says not to: every test process, and every worker, gunicorn and command the tests start,
# would otherwise compile the project's modules again (a test process 4.7 s of its 9.4 s of
# collecting the tests).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run test lint format worker beat migrations-check bench docs docs-serve clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ImprovePlan needs Python 3.11 or newer.")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo --if-empty
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Every test, in parallel: a worker process per core, each on a database, a Redis database and
# ports of its own; the browser tests together in one (docs/developers/tests.md).
# PYTEST_ARGS="path/to/test_file.py" runs some tests in one process, PYTEST_ARGS="-n 0" all.
PYTEST_ARGS ?= -n auto --dist loadgroup
test: install
	$(DEV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

# A Celery worker (run as many as needed), and beat, the scheduler that starts the reminder
# run on the hour, as a process of its own (exactly one): a beat inside a worker outlives a
# worker killed outright and a restarted worker starts a second one. Both need
# CELERY_BROKER_URL; run both (two terminals, or two services).
worker: install
	@test -n "$$CELERY_BROKER_URL" || (echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0" && exit 2)
	$(DEV) $(BIN)/celery -A improveplan worker --loglevel=info

beat: install
	@test -n "$$CELERY_BROKER_URL" || (echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0" && exit 2)
	$(DEV) $(BIN)/celery -A improveplan beat --loglevel=info

# Benchmarks on PostgreSQL (that database is emptied and refilled each run); figures and
# targets go to docs/benchmarks.md. BENCH_ARGS=--quick for a short run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/improveplan_bench
bench: install
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "create database $(notdir $(BENCH_DATABASE_URL))" 2>/dev/null || true
	DATABASE_URL=$(BENCH_DATABASE_URL) $(DEV) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(DEV) $(BIN)/python bench/run.py $(BENCH_ARGS)

# The documentation site (mkdocs.yml, docs/) into site/. --strict: a link to a page or a
# heading that does not exist fails the build, here and in CI.
docs: install
	$(BIN)/mkdocs build --strict --site-dir site

docs-serve: install
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8001

clean:
	rm -rf $(VENV) staticfiles site .pytest_cache .ruff_cache
