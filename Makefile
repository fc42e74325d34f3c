# Two entry points of the README Quick start. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/lks: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/lks

.PHONY: setup demo test bench
setup: $(BIN)/lks

demo: setup
	$(BIN)/lks demo

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_core.py 50000 --vergelijk
	$(BIN)/python benchmarks/bench_calculate.py 20000
