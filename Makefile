# 智慧人大 — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := static/vendor
# Test processes for `make test` (pytest-xdist): one per core of the 2-core machines.
TEST_WORKERS ?= 2
# Browser tests: each worker runs its own seeded site and browser, one test file at a time.
E2E_WORKERS ?= 2

.PHONY: totp run serve test e2e lint fmt bench install vendor migrate seed browser clean \
	prod-up prod-down prod-status prod-test fault-test

## Install Python packages (from the lock file) and front-end packages (from npm), no CDN.
install: $(VENV)/.installed vendor

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	touch $@

vendor: $(VENDOR)/.copied

$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/htmx $(VENDOR)/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	# pdf.js (legacy build, for older intranet browsers) with its CJK character maps, standard fonts
	# and image decoders: the 知情知政 reader previews PDFs with it.
	mkdir -p $(VENDOR)/pdfjs
	cp node_modules/pdfjs-dist/legacy/build/pdf.min.mjs node_modules/pdfjs-dist/legacy/build/pdf.worker.min.mjs node_modules/pdfjs-dist/LICENSE $(VENDOR)/pdfjs/
	cp -r node_modules/pdfjs-dist/cmaps node_modules/pdfjs-dist/standard_fonts node_modules/pdfjs-dist/wasm $(VENDOR)/pdfjs/
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

## Fresh machine → working site on http://127.0.0.1:8000 with the demo county loaded.
## The site runs with DEBUG off, as users see it (the project's Chinese error pages, not
## Django's debug pages); --insecure lets runserver serve the static files itself.
run: seed
	@echo "智慧人大: http://$(HOST):$(PORT)/  (演示账号见 README)"
	DEBUG=1 $(PY) manage.py run_huey --workers 1 & HUEY_PID=$$!; \
	trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload --insecure

## The whole test suite (SQLite unless DATABASE_URL is set; CI sets PostgreSQL).
test: install
	$(PY) -m pytest -q -m "not e2e" -n $(TEST_WORKERS)

## Debian's Chromium and CJK fonts for browser tests (Playwright never downloads a browser),
## and nginx for the production topology (make prod-up).
browser:
	@test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi "noto sans cjk" && test -x /usr/sbin/nginx || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk nginx >/dev/null)

e2e: install browser
	$(PY) -m pytest -q -m e2e e2e -n $(E2E_WORKERS) --dist loadfile

## Current demo TOTP code for a strict demo account: make totp U=staff
totp: install
	DEBUG=1 $(PY) manage.py demo_totp $(U)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy renda

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

## The production topology on this machine (docs/deploy.md §11): PostgreSQL and Redis (started
## only if they do not answer), two gunicorn app servers, two Huey consumers (one with the
## scheduler) and nginx on https://127.0.0.1:8100/, RENDA_PRODUCTION=1, all state in var/prod/.
prod-up: install
	$(PY) deploy/local/prod.py up

## Stops exactly the processes prod-up started (their pids are in var/prod/pids).
prod-down:
	$(PY) deploy/local/prod.py down

prod-status:
	$(PY) deploy/local/prod.py status

## The topology test (e2e/test_topology.py, about 3 minutes): starts the topology unless it is
## running, proves sessions, uploads, the scheduler, races and the audit chain across the two
## app servers and consumers, and stops what it started.
prod-test: install
	RENDA_TOPOLOGY_TEST=1 $(PY) -m pytest -q -p no:xdist e2e/test_topology.py

## The fault tests (e2e/test_faults.py, about 10 minutes, as root): an app server killed under
## load behind nginx, PostgreSQL restarted during a budget import (a throwaway cluster on its
## own port), a Huey consumer killed mid-job, a full uploads filesystem; prints the figures.
## Its topology runs on 8400-8402 in var/faults/ beside the default one (docs/deploy.md 故障测试).
fault-test: install
	RENDA_FAULT_TEST=1 $(PY) -m pytest -q -s -p no:xdist --tb=short e2e/test_faults.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) db.sqlite3* huey.sqlite3* staticfiles
