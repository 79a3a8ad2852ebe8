# The two commands of the README are `make demo` and `make test`.
# Both build .venv from nothing when it is absent; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test browser bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# Debian's chromium and its driver, for the review UI's browser test.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; }

demo: $(STAMP)
	$(BIN)/factwire demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/factwire eval ../shared/eval/dev_gold.jsonl ../shared/eval/dev_docs.jsonl
	$(BIN)/factwire eval samples/gold.jsonl

bench: $(STAMP)
	$(BIN)/python -m factwire.bench

clean:
	rm -rf $(VENV) factwire.db factwire.db-wal factwire.db-shm
