# The Python binding (bindings/python): a pyo3 module built by maturin into an abi3 wheel,
# installed into a virtual environment and tested with pytest against the emulator.
DEPS_TARGETS += deps-python
TEST_TARGETS += test-python

PYTHON ?= python3
PY_DIR := $(ROOT)/bindings/python
PY_VENV := $(PY_DIR)/.venv
PY_BIN := $(PY_VENV)/bin
PY_WHEELS := $(TARGET_DIR)/wheels

.PHONY: deps-python test-python build-python lint-python bench-python

## A virtual environment with maturin, pytest, requests, httpx, mypy and ruff.
deps-python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || scripts/apt-install.sh python3-venv
	@[ -x $(PY_BIN)/python ] || $(PYTHON) -m venv $(PY_VENV)
	@$(PY_BIN)/python -m pip install -q --disable-pip-version-check -r $(PY_DIR)/requirements-dev.txt

## The wheel (release build, abi3, CPython 3.8+), installed into the virtual environment. It
## is built exactly as `make dist` builds the released one (zig, manylinux2014, the same
## target dir), so the suites test the wheel that ships and dist-python finds it compiled.
build-python: deps-python deps-dist
	rm -f $(PY_WHEELS)/authtoken-*.whl
	PATH=$(DIST_PATH) maturin build --locked --release --quiet --zig --compatibility manylinux2014 \
	    --target $(DIST_TRIPLE) --interpreter $(DIST_VENV)/bin/python --manifest-path $(PY_DIR)/Cargo.toml --out $(PY_WHEELS)
	$(PY_BIN)/python -m pip install -q --disable-pip-version-check --force-reinstall --no-deps $(PY_WHEELS)/authtoken-*.whl

## ruff and mypy --strict over the package, the tests and the benchmark (the stubs are checked
## against the compiled module by tests/test_stubs.py, with mypy.stubtest).
lint-python: build-python
	cd $(PY_DIR) && $(PY_BIN)/ruff check --config pyproject.toml python tests bench examples $(ROOT)/scripts/soak.py
	cd $(PY_DIR) && $(PY_BIN)/ruff format --check --config pyproject.toml python tests bench examples $(ROOT)/scripts/soak.py
	cd $(PY_DIR) && $(PY_BIN)/mypy python/authtoken tests bench examples $(ROOT)/scripts/soak.py

test-python: lint-python
	$(CARGO) build -q -p authtoken-emulator
	cd $(PY_DIR) && $(ROOT)/scripts/with-emulator.sh $(PY_BIN)/python -m pytest -q -p no:cacheprovider tests

## Throughput and latency figures (needs a release wheel; starts its own emulator).
bench-python: build-python
	$(CARGO) build -q --release -p authtoken-emulator
	AUTHTOKEN_EMULATOR_BIN=$(TARGET_DIR)/release/authtoken-emulator $(ROOT)/scripts/with-emulator.sh $(PY_BIN)/python $(PY_DIR)/bench/bench.py
