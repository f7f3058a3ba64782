# Everyday commands; the README lists the same ones. VENV and PYTHON may be overridden.
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
DEV_STAMP := $(VENV)/.requirements-dev-installed

.PHONY: venv services run test lint bench worker beat clean

# Local development defaults; any value already in the environment wins.
run worker beat lint: export DEBUG ?= 1
run worker beat: export INGEST_ALLOW_PRIVATE_NETWORKS ?= 1
worker beat: export REDIS_URL ?= redis://127.0.0.1:6379/0
worker: export DB_SYNCHRONOUS_COMMIT ?= off

venv: $(DEV_STAMP)

# Each stamp re-installs only when its requirements file is newer than the last install.
# The runtime: enough for run, worker and beat.
$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt && touch $@

# The runtime plus what test, lint and bench need (pytest, selenium, ruff, import-linter, numpy).
$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt && touch $@

services:
	bash .ci/services.sh

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@echo "Dashboard at http://127.0.0.1:8000 - log in as analyst, curator or admin, password: demo"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(DEV_STAMP) services
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(DEV_STAMP) services
	for script in bench/*.py; do echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

# Worker and beat are started again whenever they exit with an error (a worker ends on a broker error it cannot
# recover from); a clean stop (Ctrl-C) ends the loop. Workers need no gossip nor mingle, whose queues kombu trips
# over when the connection to Redis is lost.
worker: $(STAMP)
	until $(BIN)/celery -A tracker worker -l info --without-gossip --without-mingle; do \
		echo "worker exited with status $$?, starting it again in 5 s"; sleep 5; done

beat: $(STAMP)
	mkdir -p var
	until $(BIN)/celery -A tracker beat -l info -s var/celerybeat-schedule; do \
		echo "beat exited with status $$?, starting it again in 5 s"; sleep 5; done

clean:
	rm -rf $(VENV) .venv-ci var .pytest_cache .ruff_cache test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
