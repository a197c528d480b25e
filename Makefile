# The two commands a newcomer needs: `make run` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test validate clean

run: $(VENV)/.installed
	$(VENV)/bin/trainer validate || true
	$(VENV)/bin/trainer demo
	$(VENV)/bin/trainer run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(VENV)/bin/pytest

validate: $(VENV)/.installed
	$(VENV)/bin/trainer validate

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
