# All set-up happens here: `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/refugio demo

test: $(STAMP) chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	@if [ -z "$$DATABASE_URL" ]; then echo "DATABASE_URL is not set: running on SQLite; tests that need PostgreSQL are skipped and listed at the end."; fi
	$(BIN)/pytest $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium; without it (no root, no apt) they are skipped and listed.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } || \
		echo "Chromium is not installed (apt-get install -y chromium): browser tests will be skipped."

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache
