# The two commands: `make run` starts the whole product with demo data, `make test` runs the suite.
# Both need only python3 (>= 3.11) and make: the virtual environment is created on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test install lint format messages check-deploy audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when the lock changes. --require-hashes: every install is the same.
$(VENV)/.installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

# Web, Celery worker and Celery beat in the foreground; Ctrl-C stops all three.
run: export DEBUG ?= true
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:$(PORT)/ (health: http://127.0.0.1:$(PORT)/healthz)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile

# Uses DATABASE_URL / REDIS_URL when set, the embedded defaults otherwise. The browser tests
# run in a second process: their database flushes must not meet the integration tests'.
test: install
	$(BIN)/python -m pytest --ignore=tests/browser $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the catalogues after changing strings (needs GNU gettext), then translate and compile.
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l en -l vi -l tr --no-obsolete \
		--ignore=.venv --ignore=var --ignore=tests --ignore=bench
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

check-deploy: install
	DEBUG=false SECRET_KEY=check-only-$$(date +%s)-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH \
		FIELD_ENCRYPTION_SALT=check-only-salt \
		ALLOWED_HOSTS=mentoring.example.com \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# Known vulnerabilities in every locked package, from PyPI's advisory data (needs pypi.org).
# --strict: a package that could not be looked up fails the audit instead of passing unseen.
# tests/test_dependency_audit.py points both variables at its own files and a fake PyPI.
AUDIT_REQUIREMENTS ?= requirements-dev.lock
AUDIT_CACHE ?= $(or $(VAR_DIR),var)/pip-audit-cache
audit: install
	$(BIN)/pip-audit --strict --progress-spinner off --disable-pip --require-hashes \
		--cache-dir $(AUDIT_CACHE) -r $(AUDIT_REQUIREMENTS)

clean:
	rm -rf $(VENV) var
