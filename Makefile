# Two commands do everything on a fresh machine:
#   make demo   install, migrate an SQLite database, load the demo data, serve on :8000
#   make test   install, lint, check, and run the whole test suite (PostgreSQL with DATABASE_URL)
#   make test-fast   the loop while working: no browser, no live server, no fuzzing, on SQLite
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
# make test spreads test files over this many processes (pytest-xdist; one file stays on one
# worker, so a module's browser and live server are started once). TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= auto
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Demo runs always use the SQLite file under var/, whatever DATABASE_URL the shell has.
DEMO_ENV := DATABASE_URL=sqlite:///$(CURDIR)/var/db.sqlite3 DEBUG=1

# The Python that .python-version names (pyenv honours it), else python3.13/3.12 on PATH;
# at least 3.12.6, whose cookie parser is not quadratic (CVE-2024-7592, config/checks.py).
PYTHON ?= $(shell for p in python3 python3.13 python3.12; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12, 6))' 2>/dev/null \
	  && { command -v $$p; break; }; done)

.PHONY: help install demo test test-fast types lint fmt bench fault fuzz messages clean mutation

help:
	@echo "make demo    install, migrate SQLite, load the demo data, serve http://$(HOST):$(PORT)/"
	@echo "make test    install, ruff, manage.py check, makemigrations --check, mypy, pytest"
	@echo "make types   mypy: the product at the default level, scoring/ under --strict"
	@echo "make test-fast   pytest without browser, live server or fuzzing, on SQLite (the loop)"
	@echo "make lint | make fmt | make bench | make fault | make fuzz | make clean"
	@echo "make lock    refresh requirements/*.txt (hashed) | make audit   outdated, bandit, pip-audit"
	@echo "make mutation   mutation testing of scoring/, score per module (docs/testing.md)"
	@echo "make bench-national | make load   national scale, PostgreSQL DATABASE_URL (bench/README.md)"

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Python >= 3.12.6 not found. Install it (pyenv install 3.13) or put python3.13 on PATH." >&2; \
	  exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)

# Installs exactly the lock file (requirements/dev.txt: every package pinned with its hashes,
# `make lock` refreshes it from pyproject.toml). Reinstalls only when the lock changes; a
# .venv made with a Python older than 3.12.6 (CVE-2024-7592) is made again first.
LOCK := requirements/dev.txt

$(STAMP): $(LOCK) | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12, 6))' || { \
	  echo "$(VENV) has $$($(PY) --version); making it again with $(PYTHON)"; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	@touch $(STAMP)

install: $(STAMP)

# Resolve pyproject.toml's ranges again, to the newest releases on the index, with hashes:
# requirements/base.txt (the site) and requirements/dev.txt (with the tools). Commit both.
.PHONY: lock
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --universal --generate-hashes --upgrade \
	  --quiet -o requirements/base.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
	  --upgrade --quiet -o requirements/dev.txt

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Serving the demo on http://$(HOST):$(PORT)/  (admin: /admin/, user admin / password admin)"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory types
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# mypy (pyproject.toml [tool.mypy]): the product at the default level, then scoring/ strict.
types: install
	$(PY) -m mypy
	$(PY) -m mypy --strict scoring

# Everything that needs no browser, no live server and no fuzzing (those are the `browser`
# and `api_fuzz` markers), on SQLite whatever DATABASE_URL the shell has; PostgreSQL-only
# tests skip with their reason. PYTEST_ARGS narrows it, e.g. PYTEST_ARGS=tests/imports.
test-fast: install
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser and not api_fuzz and not deploy" -q --durations=15 $(PYTEST_ARGS)

bench: install
	$(PY) bench/scoring.py

# National scale (bench/README.md): PostgreSQL holding seed_national --seed 42, best a copy
# of your own, as the recompute benchmarks rewrite draft results:
#   createdb -T egov_helper_b egov_bench
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench make bench-national
define REQUIRE_POSTGRES
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; *) \
	  echo "error: $@ needs DATABASE_URL=postgres://... (a seed_national --seed 42 database);" \
	    "DATABASE_URL is '$$DATABASE_URL'" >&2; exit 2;; esac
endef

.PHONY: bench-national load
bench-national: install
	$(REQUIRE_POSTGRES)
	$(PY) bench/national_recompute.py
	$(PY) bench/national_pages.py
	$(PY) bench/national_api.py
	$(PY) bench/national_fast.py
	$(PY) bench/national_import.py
	$(PY) bench/national_explain.py

# gunicorn (DEBUG off) + locust: 50 users for 60 s at each worker count. LOAD_ARGS for more,
# e.g. LOAD_ARGS="--workers 3 --users 100".
load: install
	$(REQUIRE_POSTGRES)
	$(PY) bench/load.py $(LOAD_ARGS)

# The database stops under traffic and comes back (a private PostgreSQL cluster, ~50 s).
fault: install
	$(PY) bench/fault.py

# The API fuzzing at full depth: 100 generated cases per operation for each of the seven
# roles too (`make test` runs the role runs at 25 each to keep CI within its budget).
fuzz: install
	FUZZ_ROLE_EXAMPLES=100 $(PY) -m pytest -m api_fuzz tests/api/test_live.py tests/api/test_live_roles.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var mutants

# Mutation testing of the engine (docs/testing.md): every mutant of scoring/ against
# tests/scoring, from scratch, two workers at low priority (this machine has 2 cores);
# then killed/total per module. Fails under 95% overall or 90% in a module.
# MUTANTS="scoring.numbers*" limits the run to some mutants (glob on their names).
MUTATION_WORKERS ?= 2
mutation: install
	rm -rf mutants
	nice -n 10 $(VENV)/bin/mutmut run --max-children $(MUTATION_WORKERS) $(MUTANTS) > mutants.log 2>&1 \
	  || { tail -c 2000 mutants.log; exit 1; }
	$(PY) scripts/mutation_report.py --survivors

# Translations: .po files are the source; the compiled .mo files are committed so the demo
# needs no gettext on the machine.
messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Backups: dump DATABASE_URL (pg_dump -Fc), restore it into a new database, compare every
# published ranking by checksum, print the timings; docs/backup.md is the runbook.
.PHONY: backup-check audit
backup-check: install
	@if [ -z "$$DATABASE_URL" ]; then \
	  echo "error: set DATABASE_URL=postgres://user@host:5432/db (the database to check)" >&2; \
	  exit 2; fi
	$(PY) scripts/backup_check.py

# Supply chain (scripts/audit.py): every locked package behind its newest patch release on
# the index, bandit's high-severity findings in our code, and pip-audit on the lock when the
# vulnerability service answers (it says plainly when it does not). AUDIT_ARGS for more,
# e.g. AUDIT_ARGS="--index https://mirror.example.vn".
audit: install
	$(PY) scripts/audit.py $(AUDIT_ARGS)
