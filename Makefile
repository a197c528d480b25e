# The two commands a newcomer needs: `make run` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres validate bench clean translations

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

# The interface's catalogues: extract every text from code and templates, update each language's
# .po (new texts appear untranslated; a test fails until they are translated), compile the .mo.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output -k _l -o trainer/translations/messages.pot .
	$(VENV)/bin/pybabel update -i trainer/translations/messages.pot -d trainer/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d trainer/translations

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
