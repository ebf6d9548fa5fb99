# Two commands on a fresh machine: `make app` and `make test` (see README.md).
# Everything installs into .venv from the pinned requirements.lock; nothing is installed by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
APP_PORT ?= 8501
# Markers of the tests `make check` leaves to `make test` (registered in pyproject.toml).
SLOW_MARKERS := slow or integration or browser or dask or postgres

.PHONY: help install app test check docs lint typecheck pytest pytest-fast bench migrations-check clean

help:
	@echo "make app    - set up .venv, create the database, load the seed, run the app on http://127.0.0.1:$(APP_PORT)"
	@echo "make test   - set up .venv, run ruff, mypy and the whole test suite"
	@echo "make check  - the fast loop: ruff, ruff format --check, mypy and the tests not marked $(SLOW_MARKERS)"
	@echo "make docs   - build the documentation site into site/ (MkDocs, --strict, offline)"
	@echo "make bench  - run the benchmarks (ratios against a naive baseline and the floor)"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

app: install
	$(BIN)/deps init
	$(BIN)/deps users ensure-admin
	$(BIN)/streamlit run app_streamlit.py --server.address 127.0.0.1 --server.port $(APP_PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# The page-speed tests (marker `timing`) run alone after the parallel suite, so that no other test shares the cores
# with the browser and the server they measure (DEPS_TIMING_PHASE, read by tests/conftest.py, on top of any -m or -k
# in PYTEST_ARGS; exit code 5: the selection held no timing test).
pytest: install
	DEPS_TIMING_PHASE=skip $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)
	DEPS_TIMING_PHASE=only $(BIN)/pytest $(PYTEST_ARGS) || [ $$? -eq 5 ]

pytest-fast: install
	$(BIN)/pytest -n 2 --dist loadfile -m "not ($(SLOW_MARKERS))" $(PYTEST_ARGS)

test: lint typecheck pytest

check: lint typecheck pytest-fast

docs: install
	$(BIN)/mkdocs build --strict

bench: install
	$(BIN)/python -m benchmarks

migrations-check: install
	$(BIN)/alembic upgrade head
	$(BIN)/alembic check

clean:
	rm -rf $(VENV) var site .pytest_cache .mypy_cache .ruff_cache
