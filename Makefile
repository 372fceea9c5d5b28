# The two commands a new user needs: `make run` and `make test`. Both install everything first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= cme.settings

.PHONY: install run test lint typecheck checks test-py test-browser css clean

install: $(VENV)/.installed node_modules/.installed static/css/cme.css chromium

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/css/cme.css: node_modules/.installed Makefile $(shell find assets -type f 2>/dev/null)
	mkdir -p static/css static/js
	npx sass --no-source-map --quiet-deps --style=compressed --quiet --load-path=node_modules --load-path=. \
	    assets/scss/cme.scss static/css/cme.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/js/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js static/js/
	cp node_modules/hmrc-frontend/hmrc/all.js static/js/hmrc-frontend.js
	cp assets/js/*.js static/js/
	rm -rf static/assets && mkdir -p static/assets
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images static/assets/
	cp -r node_modules/@ministryofjustice/frontend/moj/assets/images/. static/assets/images/
	cp assets/images/* static/assets/images/

# Browser tests need Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The demo: fictional data, and demo accounts may sign in without a second factor.
run: export CME_DEMO = 1
run: install
	$(BIN)/cme migrate --no-input --verbosity 0
	$(BIN)/cme collectstatic --no-input --verbosity 0
	$(BIN)/cme demo --if-empty
	@echo
	@echo "CME is at http://127.0.0.1:$(PORT)/  — demo sign-ins (ROLE EMAIL PASSWORD):"
	@$(BIN)/cme demo --print-logins
	@echo
	$(BIN)/gunicorn cme.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - \
	    --access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy cme tests conftest.py

checks: install
	$(BIN)/cme makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=cme.settings_production CME_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	    CME_ALLOWED_HOSTS=cme.example.gov.uk $(BIN)/cme check --deploy --fail-level WARNING

test: install lint typecheck checks
	$(BIN)/cme collectstatic --no-input --verbosity 0
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) node_modules static var/*.sqlite3*
