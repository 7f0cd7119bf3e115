# Developer entry points. `make run` and `make test` work from a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
TRANSLATIONS := booking/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help install translations browser-deps run web worker test test-postgres lint i18n-extract i18n-update i18n-check bench clean

help:
	@echo "make run       set up, migrate, seed the demo and serve http://127.0.0.1:5000 plus the worker"
	@echo "make test      install and run the whole test suite (SQLite; PostgreSQL with BOOKING_TEST_DATABASE_URL)"
	@echo "make lint      ruff and the import contract that keeps booking/domain pure"
	@echo "make i18n-check  fail when a UI language misses a translation"
	@echo "make bench     run the benchmarks under bench/"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO_FILES)

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Serving http://127.0.0.1:5000 and the scheduler worker; Ctrl+C stops both."
	@trap 'kill 0' INT TERM EXIT; \
	  $(FLASK) scheduler run & \
	  $(FLASK) run --host 127.0.0.1 --port 5000 --no-reload

web: install translations
	$(FLASK) run --host 127.0.0.1 --port 5000 --debug

worker: install translations
	$(FLASK) scheduler run

# The browser tests (tests/browser) need axe-core from npm and Debian's Chromium; the calendar
# tests need ical.js from npm (tests/tools/parse_ics.mjs).
browser-deps:
	@if [ ! -d node_modules/axe-core ] || [ ! -d node_modules/ical.js ]; then \
	  command -v npm >/dev/null || { echo "npm is needed to install axe-core and ical.js: apt-get install npm"; exit 1; }; \
	  npm ci --no-audit --no-fund; \
	fi
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium."; \
	    echo "Install it with: sudo apt-get update && sudo apt-get install -y chromium"; \
	    exit 1; \
	  fi; \
	fi

test: install translations browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

i18n-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output \
	  --project iq-mv-booking -o $(TRANSLATIONS)/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

i18n-check: install
	$(BIN)/python -m pytest -q tests/test_i18n_catalogues.py

bench: install translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis .ruff_cache
