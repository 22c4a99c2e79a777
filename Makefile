# Two commands for a newcomer: `make run` and `make test`. Both build .venv from
# this project's own files the first time (pinned CPU torch: see constraints.txt).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean models lecture-check gallery

$(STAMP): pyproject.toml setup.py constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[gui,dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/transformer-sim

# Bytecode is cached between runs: where PYTHONDONTWRITEBYTECODE is set, every worker
# and every child process a test starts recompiled the project and the test modules.
test: $(STAMP)
	$(BIN)/ruff check core visualizer tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	env -u PYTHONDONTWRITEBYTECODE QT_QPA_PLATFORM=offscreen $(BIN)/pytest

# Issue 16: every chapter scene and room at every screen x language x zoom (make test
# runs a rotation of them; these run the whole cross-product).
lecture-check: $(STAMP)
	LECTURE_CHECK=full QT_QPA_PLATFORM=offscreen $(BIN)/pytest tests/visualizer/layout

gallery: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/transformer-sim gallery --out $(or $(OUT),gallery)

lint: $(STAMP)
	$(BIN)/ruff check core visualizer tests bench
	$(BIN)/ruff format --check core visualizer tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/gui.py

models: $(STAMP)
	$(BIN)/transformer-sim train --preset demo-de --seed 0 --force --out assets/models/demo-de
	$(BIN)/transformer-sim train --preset demo-fr --seed 0 --force --out assets/models/demo-fr
	$(BIN)/transformer-sim train --preset gpt-de --seed 0 --force --out assets/models/gpt-de
	$(BIN)/transformer-sim train --preset moe-de --seed 0 --force --out assets/models/moe-de
	$(BIN)/transformer-sim train --preset bert-who --seed 0 --force --out assets/models/bert-who
	$(BIN)/transformer-sim train --preset vit-pets --seed 0 --force --out assets/models/vit-pets
	# the stages room's built-in run (not under assets/models: the catalogue scans that)
	$(BIN)/transformer-sim stages --seed 0 --force --out assets/stages

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
