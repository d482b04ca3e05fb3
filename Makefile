# make run: set up and serve on http://127.0.0.1:8000 · make test: set up and run the whole suite on both engines
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-sqlite test-postgres fuzz install bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# ical.js (the parser Thunderbird uses) for the feed tests, when npm is there; CI installs node and npm first
tests/js/node_modules/.installed: tests/js/package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/js --no-audit --no-fund --silent && touch $@; fi

install: $(STAMP) tests/js/node_modules/.installed

run: install
	$(BIN)/libspace migrate
	$(BIN)/libspace demo --if-empty
	$(BIN)/libspace serve --host 127.0.0.1 --port 8000

# LIBSPACE_TEST_NOW=2026-12-31T23:30:00+09:00 (any ISO instant with an offset) runs the suite as of that instant
export LIBSPACE_TEST_NOW
ENGINES ?= sqlite postgres

# every engine runs even when one fails; both results are printed at the end; fails if any failed.
# RANDOM_ORDER=sqlite runs that engine's suite in a random order (pytest-randomly; the seed is printed in the
# header and the summary; replay an order with PYTEST_ARGS="-p randomly --randomly-seed=N")
RANDOM_ORDER ?=
test: install
	@summary=$$(mktemp -d); status=0; \
	for engine in $(ENGINES); do \
		start=$$(date +%s); order=""; \
		case " $(RANDOM_ORDER) " in *" $$engine "*) order="-p randomly";; esac; \
		LIBSPACE_TEST_DB=$$engine LIBSPACE_TEST_SUMMARY=$$summary/$$engine $(BIN)/python -m pytest $$order $(PYTEST_ARGS); code=$$?; \
		[ $$code -eq 0 ] || status=1; \
		echo "$$engine: $$(cat $$summary/$$engine 2>/dev/null || echo 'no result'), exit $$code, $$(( $$(date +%s) - start )) s" >> $$summary/all; \
	done; \
	echo "make test:"; sed 's/^/  /' $$summary/all; rm -rf $$summary; exit $$status

# schemathesis over the whole OpenAPI document with an admin's and a reader's token, on both engines
fuzz: install
	@for engine in $(ENGINES); do \
		LIBSPACE_FUZZ=1 LIBSPACE_TEST_DB=$$engine $(BIN)/python -m pytest -p no:randomly tests/fuzz $(PYTEST_ARGS) || exit $$?; \
	done

test-sqlite: install
	LIBSPACE_TEST_DB=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	LIBSPACE_TEST_DB=postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

# every benchmark of issue 17 on both engines in one table beside a hello measured in the same run; BENCH_ARGS=--rush adds the rush
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o src/locale/messages.pot --no-location --sort-output --no-wrap .
	$(BIN)/pybabel update -i src/locale/messages.pot -d src/locale --no-fuzzy-matching --ignore-obsolete --no-wrap

clean:
	rm -rf $(VENV) var .pytest_cache
