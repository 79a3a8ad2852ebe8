# The two commands of the README are `make demo` and `make test`.
# Both build .venv from nothing when it is absent; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test browser bench eval audit lock clean

# The exact versions of requirements.lock (what the tests ran with, what `make audit`
# checks), then factwire itself; `make lock` rewrites the lock from pyproject's ranges.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e '.[test,bench]'
	touch $(STAMP)

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[test,bench]'
	{ sed -n '1,3p' requirements.lock; .venv-lock/bin/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .venv-lock

# Known vulnerabilities in the locked dependencies (pip-audit in a venv of its own, so the
# project's environment stays exactly the lock). --strict: a dependency that could not be
# checked is a failure too, never a silent pass.
audit:
	test -x .venv-audit/bin/pip-audit || { $(PYTHON) -m venv .venv-audit && .venv-audit/bin/python -m pip install --quiet pip-audit; }
	.venv-audit/bin/pip-audit --strict --no-deps --disable-pip -r requirements.lock

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
	$(BIN)/factwire eval tests/devset/gold.jsonl tests/devset/docs.jsonl

bench: $(STAMP)
	$(BIN)/python -m factwire.bench

clean:
	rm -rf $(VENV) .venv-audit factwire.db factwire.db-wal factwire.db-shm
