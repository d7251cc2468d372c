# Portal Oświatowy. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# axe-core for the accessibility test (tests/browser/test_accessibility.py): the exact
# version of package.json and package-lock.json, installed by `npm ci` (Node.js 20).
AXE := node_modules/axe-core/axe.min.js
HOST ?= 127.0.0.1:8000
# Two workers: the machines here have two cores.
PYTEST_ARGS ?= -n 2

.PHONY: run test test-postgres lint format bench setup migrate messages clean worker

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

setup: $(STAMP)

messages: $(STAMP)
	$(PY) manage.py compiletranslations

migrate: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput

# The web server and the task worker start together (Procfile.dev, run by honcho):
# site search indexing, MARC imports and notifications happen without another command.
run: migrate messages
	$(PY) manage.py seed_demo
	@echo "Portal: http://$(HOST)/  (dashboard: http://$(HOST)/panel/); Ctrl-C stops both"
	HOST=$(HOST) $(VENV)/bin/honcho -f Procfile.dev start

worker: migrate
	$(PY) manage.py task_worker

test: $(STAMP) messages $(AXE)
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) messages $(AXE)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf var/portal.sqlite3* var/media var/static
