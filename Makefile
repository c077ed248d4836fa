# Two commands matter: `make site` and `make test`. Everything else is set-up they share.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
NSTAMP := node_modules/.installed

.PHONY: site test check bench serve clean

site: $(STAMP) $(NSTAMP)
	$(PY) build.py

check: $(STAMP)
	$(PY) build.py --check

test: $(TSTAMP) $(NSTAMP)
	$(PY) -m pytest -q

bench: $(TSTAMP) $(NSTAMP)
	$(PY) -m tests.bench

serve: $(STAMP) $(NSTAMP)
	$(PY) build.py --serve

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e .
	touch $@

$(TSTAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(NSTAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf site dist .cache
