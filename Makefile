# Everyday commands; the README lists the same ones. VENV and PYTHON may be overridden.
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed

.PHONY: venv services run test lint bench worker beat clean

# Local development defaults; any value already in the environment wins.
run worker beat lint: export DEBUG ?= 1
run worker beat: export INGEST_ALLOW_PRIVATE_NETWORKS ?= 1
worker beat: export REDIS_URL ?= redis://127.0.0.1:6379/0
worker: export DB_SYNCHRONOUS_COMMIT ?= off

venv: $(STAMP)

# Re-install only when requirements.txt is newer than the last install.
$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt && touch $@

services:
	bash .ci/services.sh

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@echo "Dashboard at http://127.0.0.1:8000 - log in as analyst, curator or admin, password: demo"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: venv services
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: venv services
	for script in bench/*.py; do echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

worker: venv
	$(BIN)/celery -A tracker worker -l info

beat: venv
	mkdir -p var && $(BIN)/celery -A tracker beat -l info -s var/celerybeat-schedule

clean:
	rm -rf $(VENV) .venv-ci var .pytest_cache .ruff_cache test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
