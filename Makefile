# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The port of `make run` (e.g. `make run PORT=8001` when 8000 is taken).
PORT ?= 8000

.PHONY: run test suite install lint format messages bench bench-web bench-click clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## Start the embedded demo with demo data on http://127.0.0.1:8000
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## Lint and run the whole test suite (SQLite by default; DATABASE_URL/REDIS_URL for PostgreSQL/Redis)
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

## The test suite alone, without the linters (CI's second run, on SQLite)
suite: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerate and compile translations (needs gettext; compiled .mo files are committed)
messages: install
	$(PY) manage.py makemessages -l fr -e html,txt,py,svg --ignore=.venv --ignore=staticfiles
	$(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=staticfiles
	@# The creation date changes on every run: drop it, so a run with no new string leaves the tree clean.
	sed -i '/^"POT-Creation-Date: /d' locale/*/LC_MESSAGES/*.po
	$(PY) manage.py compilemessages --ignore=.venv

## Payday benchmark against PostgreSQL (BENCH_SIZE=small|medium|large); wipes the bench database
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1/flattr_bench
## (BENCH_WORKERS=1,2: the same payday in 1 then 2 worker processes, lock waits sampled)
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/payday_bench.py --size $(or $(BENCH_SIZE),medium) \
		--workers $(or $(BENCH_WORKERS),0) $(BENCH_ARGS)

## The click under gunicorn and wrk, alone and while payday runs on a Celery worker (wipes its bench database)
BENCH_LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1/flattr_bench_load
bench-click: install
	BENCH_DATABASE_URL=$(BENCH_LOAD_DATABASE_URL) bench/click_load.sh $(or $(BENCH_SIZE),small)

## Web throughput against a bare Django app in one run (needs wrk, PostgreSQL, Redis); wipes BENCH_WEB_DB
bench-web: install
	$(PY) bench/web_bench.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
