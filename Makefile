# Two commands for a newcomer: `make run` and `make test`. Both set up what is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
PYTEST_ARGS ?=
export SPATIALITE_LIBRARY_PATH ?= mod_spatialite

.PHONY: setup run serve test test-postgis load-test migrate seed messages clean-venv upgrade lock lint lint-js test-js

setup:
	@scripts/bootstrap.sh run

## run: install what is missing, migrate, load the demo ward, serve on 127.0.0.1:$(PORT)
run: setup migrate
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## serve: the production server (gunicorn, gunicorn.conf.py) on 127.0.0.1:8000; put HTTPS in front (docs/DEPLOY.md)
serve: setup migrate
	$(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

migrate:
	$(FLASK) db upgrade

## upgrade: an installation made by scripts/install.sh (same options in INSTALL_ARGS): backup, git pull,
##          install again (code, dependencies, migrations), graceful reload; docs/DEPLOY.md says how to roll back
upgrade:
	scripts/upgrade.sh $(INSTALL_ARGS)

seed:
	$(FLASK) seed-demo

## test: set up (browser included) and run the whole suite on the database of DATABASE_URL
##       (SpatiaLite in a temporary folder when unset)
test:
	@scripts/bootstrap.sh test
	@$(MAKE) --no-print-directory test-js
	$(PY) -m pytest $(PYTEST_ARGS)

## test-js: the browser code's pure parts (outbox queue, track rules, map clusters) under Node's own test runner (tests/js)
test-js:
	node --test tests/js/*.test.js

## lint: every linter, each finding fails: ruff (pyproject.toml), mypy on the domain, ESLint (lint-js)
lint:
	@scripts/bootstrap.sh test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	@$(MAKE) --no-print-directory lint-js

## lint-js: ESLint over inspect_app/static/js and tests/js (eslint.config.js; ESLint from tools/js); a finding fails
lint-js:
	@scripts/bootstrap.sh test
	tools/js/node_modules/.bin/eslint --max-warnings 0 inspect_app/static/js tests/js eslint.config.js

## test-postgis: the same suite against a throwaway PostGIS database on 127.0.0.1:5432
test-postgis:
	@scripts/with-postgis-db.sh $(MAKE) test

## load-test: simulated inspectors against gunicorn, SpatiaLite then PostGIS (bench/load.py, docs/BENCHMARKS.md)
load-test: setup
	$(PY) bench/load.py
	scripts/with-postgis-db.sh $(PY) bench/load.py

## messages: refresh the Vietnamese catalogue after adding strings (then translate them)
messages: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k N_ -o inspect_app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i inspect_app/translations/messages.pot -d inspect_app/translations --no-fuzzy-matching

## lock: pin requirements.in and requirements-dev.in into requirements.txt and requirements-dev.txt (pip-tools);
##       the other pins stay unless UPGRADE=1
LOCK := $(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
        --annotation-style line $(if $(UPGRADE),--upgrade)
export CUSTOM_COMPILE_COMMAND := make lock
lock:
	@scripts/bootstrap.sh test
	$(LOCK) -o requirements.txt requirements.in
	$(LOCK) -o requirements-dev.txt requirements-dev.in

clean-venv:
	rm -rf $(VENV)
