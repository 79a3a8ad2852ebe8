# The two commands of the README: `make demo` and `make test`.
# Both build .venv from nothing when it is absent; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/factwire demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/factwire eval ../shared/eval/dev_gold.jsonl ../shared/eval/dev_docs.jsonl
	$(BIN)/factwire eval samples/gold.jsonl

bench: $(STAMP)
	$(BIN)/python -m factwire.bench

clean:
	rm -rf $(VENV) factwire.db factwire.db-wal factwire.db-shm
