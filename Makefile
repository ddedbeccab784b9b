# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
LOCALE := backcast/locale
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))

.PHONY: run test test-fast lint format docs install catalogues messages chromium bench screenshots clean

run: $(APP_STAMP) catalogues
	$(BIN)/backcast db upgrade
	$(BIN)/backcast serve

test: $(TEST_STAMP) catalogues chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# The edit-test loop: everything but the PostgreSQL and browser tests, which `make test` runs too.
test-fast: $(TEST_STAMP) catalogues
	$(BIN)/pytest -q -m "not postgres and not browser" $(ARGS)

# Style, format and types; mypy's settings are in pyproject.toml ([tool.mypy]).
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# docs/events.md and docs/settings.md, written from backcast/events.py and backcast/settings.py.
docs: $(APP_STAMP)
	$(BIN)/python -m backcast.docsgen

install: $(APP_STAMP) catalogues

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(APP_STAMP) $@

# Compiled catalogues (.mo) are built from the translations (.po), never committed. The install
# comes first in `run` and `test`, so pybabel is there when these run.
catalogues: $(CATALOGUES)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel --quiet compile --domain=messages --input-file=$< --output-file=$@

# After changing a message in the code or templates: extract them all again and carry the changes
# into every language's .po, then translate what is new or marked fuzzy (docs/i18n.md). When only
# the extraction date would change, the files stay as they are.
messages: $(APP_STAMP)
	$(BIN)/pybabel --quiet extract --mapping-file=babel.cfg --output-file=$(LOCALE)/messages.pot.new \
		--project=backcast --version=$(VERSION) --add-location=file --add-comments=Translators: --keyword=N_plural:1,2 \
		--header-comment="# backcast's messages, as 'make messages' extracts them; not edited by hand." .
	@if diff -q -I '^"POT-Creation-Date:' $(LOCALE)/messages.pot $(LOCALE)/messages.pot.new >/dev/null 2>&1; \
	then rm $(LOCALE)/messages.pot.new; echo "messages: nothing changed"; \
	else mv $(LOCALE)/messages.pot.new $(LOCALE)/messages.pot && \
		$(BIN)/pybabel --quiet update --input-file=$(LOCALE)/messages.pot --output-dir=$(LOCALE) \
			--domain=messages --ignore-obsolete; fi

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	else echo "chromium is missing and cannot be installed here: browser tests will say so"; fi

# Every benchmark in bench/ and one table of their figures at the end (bench/run.py says how).
bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find $(LOCALE) -name "*.mo" -delete

# The pictures in docs/screenshots/: every phase of the demo workshop on the console, the screen
# and a phone, in English and German, taken from a real server in Debian's Chromium.
screenshots: $(TEST_STAMP) catalogues chromium
	$(BIN)/python -m tests.screenshots docs/screenshots
