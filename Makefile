# huesmart: `make demo` serves the demo city; `make test` runs the whole suite. Both start from a fresh
# Debian/Ubuntu machine with Python 3.11+ and install what is missing (apt with sudo when not root).

PYTHON ?= python3
PORT ?= 8000
PYTEST_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; newer than pyproject.toml means there is nothing to install.
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: demo test lint format messages install clean-venv

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:$(PORT)/ (the logins above; Ctrl-C stops it)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update && $(APT_INSTALL) chromium; }
	@command -v docker-compose >/dev/null || { $(SUDO) apt-get update && $(APT_INSTALL) docker-compose; }
	@command -v xgettext >/dev/null || { $(SUDO) apt-get update && $(APT_INSTALL) gettext; }
	$(BIN)/pytest $(PYTEST_ARGS)

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
