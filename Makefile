# MakrX: `make run` (local, SQLite, no other service) and `make test` (PostgreSQL + Redis).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/makrx)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/15)
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2

.PHONY: help run test test-browser install migrate seed worker beat lint format check clean

.DEFAULT_GOAL := help
PORT ?= 8000

help: ## List the targets (this text)
	@grep -hE '^[a-z][a-z_-]*:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  (make run PORT=8010 serves on another port)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install requirements.txt

# Local development: SQLite, local-memory cache, eager tasks; nothing else needs to run.
RUN_ENV := ENVIRONMENT=development DATABASE_URL=sqlite:///db.sqlite3 REDIS_URL= CELERY_BROKER_URL=

run: install ## Migrate, seed sample data and serve on 127.0.0.1:PORT (SQLite; default 8000)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install ## Run the test suite (PostgreSQL + Redis; PYTEST_ARGS=, PYTEST_WORKERS=)
	@DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(PY) scripts/check_services.py
	ENVIRONMENT=development DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
	  CELERY_BROKER_URL= CELERY_TASK_ALWAYS_EAGER=true LOG_LEVEL=WARNING \
	  $(PY) -m pytest -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS)

test-browser: install ## Only the browser tests (Debian chromium via Playwright; screenshots in artifacts/browser/)
	@DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(PY) scripts/check_services.py
	ENVIRONMENT=development DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
	  CELERY_BROKER_URL= CELERY_TASK_ALWAYS_EAGER=true LOG_LEVEL=WARNING \
	  $(PY) -m pytest -m browser --create-db $(PYTEST_ARGS) makrx/tests/browser

migrate: install ## Apply migrations to DATABASE_URL
	$(PY) manage.py migrate --noinput

seed: install ## Add the sample makerspace and store data (idempotent)
	$(PY) manage.py seed

worker: install ## Start a Celery worker (queues default, notifications)
	$(VENV)/bin/celery -A makrx worker -Q default,notifications,bridge --loglevel=INFO

beat: install ## Start Celery beat (periodic tasks)
	$(VENV)/bin/celery -A makrx beat --loglevel=INFO --schedule /tmp/makrx-celerybeat-schedule

lint: install ## ruff check and format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## ruff format and fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install ## Django system checks and makemigrations --check
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean: ## Remove .venv, db.sqlite3 and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
