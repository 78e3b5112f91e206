# huesmart: `make demo` serves the demo city; `make test` runs the whole suite. Both start from a fresh
# Debian/Ubuntu machine with Python 3.11+ and install what is missing (apt with sudo when not root).

PYTHON ?= python3
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist), a test module per process: each process has its own test database
# and Redis database (tests/conftest.py). TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; newer than pyproject.toml means there is nothing to install.
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: demo test bench lint format messages install clean-venv

# The monthly PDF report writes Vietnamese in DejaVu Sans (dashboard/monthly_report.py).
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

demo: install
	@[ -f $(DEJAVU) ] || { $(SUDO) apt-get update && $(APT_INSTALL) fonts-dejavu-core; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:$(PORT)/ (the logins above; Ctrl-C stops it), the demo cameras running beside it"
	@# The cameras play their scenes in a process of their own; it stops when the server does.
	$(BIN)/python manage.py run_cameras & pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update && $(APT_INSTALL) chromium; }
	@command -v docker-compose >/dev/null || { $(SUDO) apt-get update && $(APT_INSTALL) docker-compose; }
	@command -v xgettext >/dev/null || { $(SUDO) apt-get update && $(APT_INSTALL) gettext; }
	@[ -f $(DEJAVU) ] || { $(SUDO) apt-get update && $(APT_INSTALL) fonts-dejavu-core; }
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The web benchmark (bench/web.py, bench/README.md): PostgreSQL at DATABASE_URL (default the local server) and Redis
# database 8 on the local server; BENCH_ARGS=--quick for a smoke run, --big for the 1,000,000-case transparency stage.
BENCH_ARGS ?=
bench: install
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && $(APT_INSTALL) wrk; }
	$(BIN)/python bench/web.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	@command -v msgfmt >/dev/null || { $(SUDO) apt-get update && $(APT_INSTALL) gettext; }
	$(BIN)/python manage.py makemessages -l vi --ignore=static/vendor --ignore=staticfiles --ignore=var --no-obsolete
	$(BIN)/python manage.py compilemessages -l vi --ignore=.venv --ignore=staticfiles --ignore=var

install: $(STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e ".[dev]"
	touch $@

# Debian and Ubuntu ship venv (ensurepip) separately: install it only when creating a venv fails.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "huesmart needs Python 3.11 or newer ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		rm -rf $(VENV); \
		echo "$(PYTHON) -m venv failed: installing python3-venv"; \
		$(SUDO) apt-get update && $(APT_INSTALL) python3-venv && $(PYTHON) -m venv $(VENV); \
	}

clean-venv:
	rm -rf $(VENV)
