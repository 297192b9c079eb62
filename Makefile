# ssoenv — the two set-up commands for a fresh machine with only Python:
#   make demo   create .venv, install ssoenv, run the tour against the bundled emulator
#   make test   install ssoenv + test dependencies (and zsh/fish when missing and root), run the suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# tests run in parallel (pytest-xdist), two workers per core: most of them wait on shells, PTYs and
# child processes, and 4 workers on 2 cores took 2/3 of the time 2 did; JOBS=1 runs them in one process.
# Work stealing: an idle worker takes tests queued for a busy one, so the few long tests (hypothesis
# properties, AWS CLI children) do not leave one worker finishing alone (223 s -> 153 s here)
JOBS ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1))')

.PHONY: demo test install install-test shells lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'

demo: install
	$(BIN)/ssoenv demo

# zsh and fish are required by the shell tests; install them when missing and we are root
shells:
	@missing=""; for s in zsh fish shellcheck; do command -v $$s >/dev/null 2>&1 || missing="$$missing $$s"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: missing:$$missing (their tests will be skipped, or fail under CI=true)"; \
	  fi; \
	fi

# the parallel part, then the tests that assert wall-clock bounds, alone (exit 5: none selected);
# bytecode is written even where PYTHONDONTWRITEBYTECODE is set: otherwise every worker compiles
# (and rewrites the assertions of) every module again, each run (~3 s of CPU per worker)
test: install-test shells
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(JOBS) --dist worksteal -m "not serial" $(PYTEST_ARGS)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -m serial $(PYTEST_ARGS) || [ $$? = 5 ]

lint: install-test
	$(BIN)/ruff check ssoenv tests bench
	$(BIN)/mypy ssoenv

bench: install-test
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
