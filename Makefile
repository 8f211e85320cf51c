# Pilote — the two commands of the README:
#   make run    create the environment if needed and serve the app on its bundled data (offline)
#   make test   install what the tests need (Chromium, PostgreSQL, Redis included) and run the whole suite
# Installs are stamped against pyproject.toml, so a second run reinstalls nothing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8050
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench refresh status clean test-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies are read from pyproject.toml (the single list), no package build of the app itself.
$(VENV)/.stamp-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > $(VENV)/requirements-app.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-app.txt
	touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-app
	$(BIN)/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['optional-dependencies']['test']))" > $(VENV)/requirements-test.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-test.txt
	touch $@

# Debian packages the tests use, installed (as root, or through sudo) when missing: Chromium for the browser
# tests; PostgreSQL and Redis servers, which the tests start on free loopback ports in throw-away
# directories and stop at the end of the run (tests/services.py). Their system services are not used.
test-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

run: $(VENV)/.stamp-app
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python app.py

# Two workers, a test file each at a time (its module fixtures are made once): the tests spend much of their
# time waiting on Chromium, a server or a database, so two files side by side take about three quarters of the
# time of one after the other (measured on a fresh clone: 1187 s instead of 1585). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: $(VENV)/.stamp-test test-packages
	$(BIN)/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Server-side page figures, pages fully drawn in Chromium against a one-graph Dash page, then the section
# interaction against Vizro and Streamlit (their own environment, var/peers-venv, made from
# benchmarks/peers/requirements.txt on first use).
# python -m benchmarks.load (throughput under gunicorn) is separate: it takes a few minutes.
bench: $(VENV)/.stamp-test test-packages
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.browser
	$(BIN)/python -m benchmarks.peers.interaction

refresh: $(VENV)/.stamp-app
	$(BIN)/python -m data_access refresh

status: $(VENV)/.stamp-app
	$(BIN)/python -m data_access status

clean:
	rm -rf var .pytest_cache
