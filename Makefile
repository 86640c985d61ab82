# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The ONNX export of the bundled model (dedupe/onnx_files.py: default_onnx_dir).
ONNX   := $(VENV)/share/ideabot/all-MiniLM-L6-v2-onnx/manifest.json
# axe-core from the npm registry: the web board's tests check each page's accessibility
# with it inside Chromium.
AXE_VERSION := 4.14.1
AXE    := $(VENV)/share/axe-core-$(AXE_VERSION)/axe.min.js

.PHONY: install browser postgres demo test lint bench eval clean

install: $(STAMP) $(ONNX)

# torch goes in first, pinned to the CPU build, and stays pinned through constraints.txt
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Once, after the pip installs: the model's own weights to ONNX (torch is needed for this
# step only). The export itself skips work when its manifest still matches the weights.
$(ONNX): $(STAMP) dedupe/onnx_export.py dedupe/onnx_files.py
	$(BIN)/python -m dedupe.onnx_export
	touch $(ONNX)

# The HTML digest's test opens the page in headless Chromium (Debian's package).
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Chromium and an emoji font for the browser test (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium fonts-noto-color-emoji; \
	else \
	  echo "Chromium is needed for the tests: install it (Debian/Ubuntu:" \
	    "sudo apt-get install chromium) so that 'chromium' is on PATH, then run make test again" >&2; \
	  exit 1; \
	fi

$(AXE): $(STAMP)
	mkdir -p $(dir $(AXE))
	cd $(dir $(AXE)) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar -xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js \
	  && rm axe-core-$(AXE_VERSION).tgz
	touch $(AXE)

# The store's tests run on PostgreSQL too: a throwaway cluster of Debian's binaries
# (tests/postgres.py), unless IDEABOT_TEST_POSTGRES names a database to use.
postgres:
	@if [ -n "$$IDEABOT_TEST_POSTGRES" ] || command -v pg_ctl >/dev/null 2>&1 \
	    || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing PostgreSQL for the store's tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq postgresql; \
	else \
	  echo "PostgreSQL is needed for the tests: install it (Debian/Ubuntu:" \
	    "sudo apt-get install postgresql) or set IDEABOT_TEST_POSTGRES to a database URL," \
	    "then run make test again" >&2; \
	  exit 1; \
	fi

demo: install
	$(BIN)/ideabot demo

# Two test processes or more (up to four): the suite is CPU-bound and each worker loads
# the model and starts its own PostgreSQL cluster once.
test: install browser $(AXE) postgres
	$(BIN)/python -m pytest -n auto --maxprocesses 4

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench.core
	$(BIN)/python -m bench.importing
	$(BIN)/python -m bench.reconcile
	$(BIN)/python -m bench.embed
	$(BIN)/python -m bench.pairs
	$(BIN)/python -m bench.web
	$(BIN)/python -m bench.store

eval: install
	$(BIN)/ideabot eval-dedupe $(or $(PAIRS),../shared/data/dedupe-devset.jsonl)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
