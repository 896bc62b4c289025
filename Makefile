# Two commands: `make run` (install, prepare the database with reference and demo data, serve)
# and `make test` (the whole suite). Everything else here is what those two need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
# `make run` is the local development server (and `make messages` a developer tool): debug on, so no SECRET_KEY is needed.
db serve messages: export DEBUG ?= true
PORT ?= 8000

# The first interpreter >= 3.12 found: python3 (pyenv honours .python-version), then versioned names.
PYTHON_BOOT := $(shell for p in python3 python3.13 python3.12 $(wildcard /root/.pyenv/versions/3.1[2-9]*/bin/python3) $(wildcard /usr/local/bin/python3.1[2-9]); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: run test test-browser test-proxy install db serve messages clean

run: db serve

# Browser tests need Chromium and the proxy's need nginx: each runs in its own leg (`make
# test-browser`, `make test-proxy`, called by .ci/run). A model changed without its migration fails
# here (in an in-memory database: no file, no server), and so does code ruff refuses (its rules are
# in pyproject.toml).
test: install
	DEBUG=true DATABASE_URL=sqlite:// $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -m "not browser and not proxy" $(PYTEST_ARGS)

# deploy/nginx.conf in front of gunicorn over TLS on the loopback (tests/deploy/test_proxy.py):
# Debian's nginx, installed when missing; the test runs its own on free ports, whatever the package's
# service does.
test-proxy: install
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	$(PY) -m pytest -m proxy $(PYTEST_ARGS)

# axe-core, the accessibility auditor the browser tests inject into each page (tests/browser/conftest.py):
# a test tool (MPL-2.0), never served or committed. This version's tarball from the npm registry, kept
# only if its sha512 is the registry's `dist.integrity` pinned here (`curl
# https://registry.npmjs.org/axe-core/VERSION` prints both); upgrading means changing the two lines.
# Defined before test-browser, which names $(AXE): make expands a rule's prerequisites as it reads it.
AXE_VERSION := 4.14.1
AXE_INTEGRITY := sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE := build/axe/axe.min.js
AXE_TARBALL := build/axe/axe-core-$(AXE_VERSION).tgz

test-browser: install $(VENV)/.installed-browser $(AXE)
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

$(AXE_TARBALL):
	@mkdir -p $(@D)
	@command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
	curl -fsSL --retry 3 -o $@.tmp https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz
	@expected=$$(echo '$(AXE_INTEGRITY)' | sed 's/^sha512-//' | base64 -d | od -An -v -tx1 | tr -d ' \n'); \
	actual=$$(sha512sum $@.tmp | cut -d' ' -f1); \
	if [ "$$expected" != "$$actual" ]; then rm -f $@.tmp; echo "axe-core $(AXE_VERSION): the tarball's sha512 is not the pinned integrity" >&2; exit 1; fi
	@mv $@.tmp $@

# A new version's tarball is newer than the script extracted from the old one, so it is extracted again.
$(AXE): $(AXE_TARBALL)
	tar -xzf $< -C $(@D) --strip-components=1 package/axe.min.js
	@touch $@

# Installs the locked versions, each checked against its hash (requirements/, written by `make lock`);
# the project itself is not a package. Again whenever the lock or pyproject.toml changes, and then
# fails if pyproject.toml asks for what the locks do not hold.
install: $(VENV)/.installed

$(VENV)/.installed: requirements/test.txt pyproject.toml
	@if [ -z "$(PYTHON_BOOT)" ]; then echo "Python >= 3.12 is required (none found on PATH or in pyenv)." >&2; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements/test.txt
	$(PY) requirements/check_locks.py
	@touch $@

$(VENV)/.installed-browser: requirements/browser.txt $(VENV)/.installed
	$(PY) -m pip install -q --require-hashes -r requirements/browser.txt
	@touch $@

.PHONY: lint lock

# ruff's rules are in pyproject.toml.
lint: install
	$(VENV)/bin/ruff check .

# After changing a dependency in pyproject.toml: the three locks, resolved together for CPython 3.12
# on Linux, each package with the hashes of all its files. Versions already locked stay unless
# asked: `make lock LOCK_ARGS=--upgrade` (or --upgrade-package NAME). The browser lock holds every
# extra, so the other two, constrained by it, pin the same versions: production.txt is what a
# server installs, test.txt what `make install` does. uv itself is pinned in requirements/uv.txt.
LOCK_FLAGS := --generate-hashes --python-version 3.12 --python-platform linux --custom-compile-command "make lock" --quiet
lock:
	@[ -x $(PY) ] || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements/uv.txt
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras $(LOCK_FLAGS) $(LOCK_ARGS) -o requirements/browser.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra bench -c requirements/browser.txt $(LOCK_FLAGS) -o requirements/test.txt
	$(VENV)/bin/uv pip compile pyproject.toml -c requirements/browser.txt $(LOCK_FLAGS) -o requirements/production.txt

# This clone's local settings, written once and git-ignored: a generated SECRET_KEY and DEBUG on, so
# `.venv/bin/python manage.py ...` works here as the README prints it, with nothing exported. The process
# environment wins over it; a production server sets real variables and has no .env.
.env:
	@if [ -z "$(PYTHON_BOOT)" ]; then echo "Python >= 3.12 is required (none found on PATH or in pyenv)." >&2; exit 1; fi
	@umask 077 && $(PYTHON_BOOT) -c 'import secrets; print("# Local development settings written by make run (see .env.example); not for production."); print("DEBUG=true"); print("SECRET_KEY=" + secrets.token_urlsafe(50))' > $@.tmp && mv $@.tmp $@
	@echo "Wrote $@ (DEBUG=true and a generated SECRET_KEY) for this clone's local server and manage.py commands."

db: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_admin_units
	$(PY) manage.py seed_demo
	$(PY) manage.py ensure_login --url http://$(HOST):$(PORT)/admin/

# The import worker runs beside the server (imports are tasks: imports/tasks.py) and stops with it:
# run_worker, as production runs it (db_worker that tells /readyz it is alive).
serve: install
	@$(PY) manage.py run_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Regenerate the translation catalogues after changing user-facing strings; the compiled .mo is
# committed so a fresh clone needs no gettext tools.
messages: install
	$(PY) manage.py makemessages -l vi --ignore=.venv --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles build/axe cache
