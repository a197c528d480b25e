# The two commands a newcomer needs: `make run` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres validate bench clean

run: $(VENV)/.installed
	$(VENV)/bin/trainer validate || true
	$(VENV)/bin/trainer demo
	$(VENV)/bin/trainer run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(VENV)/bin/pytest

# The suite on PostgreSQL, less the browser and packaging tests that the SQLite run already
# covers (slow ones that need PostgreSQL start their own). Needs a server with database `test`.
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: $(VENV)/.installed-test
	TRAINER_TEST_DATABASE_URL=$(POSTGRES_URL) $(VENV)/bin/pytest -m "not slow"

validate: $(VENV)/.installed
	$(VENV)/bin/trainer validate

bench: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[test,bench]'
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) instance dist build test-artifacts
