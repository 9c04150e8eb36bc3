# The few commands the README names. Everything runs from .venv (created here).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
export PYTHONPATH := $(CURDIR)
export GX_ANALYTICS_ENABLED := False

.PHONY: demo demo-clean test up down stop lint format lock bench deps check-system check-moodle test-distributed

demo: deps  ## every DAG end to end against the local sandbox
	$(PY) -m include.sandbox demo

demo-clean:  ## stop the local services and delete all local state (.local/)
	@if [ -x $(PY) ]; then $(PY) -m include.sandbox clean; else rm -rf .local; fi

test: deps  ## the whole test suite (starts MariaDB for the session, or reuses it)
	$(PY) -m pytest --ignore=tests/distributed $(PYTEST_ARGS)

test-distributed: deps  ## CeleryExecutor, 2 workers, PostgreSQL, Redis, S3 store on loopback (docs/scaling.md)
	$(PY) -m pytest tests/distributed $(PYTEST_ARGS)

up: deps  ## Airflow UI (airflow standalone) on 127.0.0.1 with the sandbox
	$(PY) -m include.sandbox up

down:  ## stop airflow standalone (its whole process group)
	$(PY) -m include.sandbox down

stop:  ## stop airflow standalone, the sandbox and MariaDB
	$(PY) -m include.sandbox stop

lint: deps  ## ruff, sqlfluff and the import contracts between the layers
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint sql --dialect mysql
	$(VENV)/bin/lint-imports

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: deps  ## benchmarks at realistic scale: they print figures (SCALE=full | a fraction)
	@for b in bench/bench_*.py; do echo "== $$b"; \
	  if [ -n "$(SCALE)" ] && grep -q -- '"--scale"' $$b; then \
	    $(PY) $$b --scale $(if $(filter full,$(SCALE)),1,$(SCALE)) || exit 1; \
	  else $(PY) $$b || exit 1; fi; done

check-moodle: deps  ## your Moodle against the recordings (AIRFLOW_CONN_MOODLE_WS/_DB; CHECK_MOODLE_ARGS=--write)
	$(PY) -m include.moodle_contract check $(CHECK_MOODLE_ARGS)

lock:  ## recompile requirements.txt from requirements.in (needs uv)
	$(VENV)/bin/uv pip compile requirements.in -o requirements.txt --python-version 3.11

check-system:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is missing: apt-get install python3 python3-venv"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required (found $$($(PYTHON) --version))"; exit 1; }
	@pkg-config --exists libmariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null || { echo "missing system packages: apt-get install libmariadb-dev pkg-config build-essential (mysqlclient builds from source)"; exit 1; }
	@command -v mariadbd >/dev/null || test -x /usr/sbin/mariadbd || { echo "missing system packages: apt-get install mariadb-server mariadb-client"; exit 1; }

deps: $(STAMP)

$(STAMP): requirements.txt | check-system
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --upgrade $(VENV)
	@test -x $(VENV)/bin/uv || $(VENV)/bin/python -m pip install -q uv
	$(VENV)/bin/uv pip install --python $(PY) --compile-bytecode -q -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@
