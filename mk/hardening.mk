# Hardening: fuzzing, the fault matrix, the secrets audit and the leak checks.
#
#   make fuzz                    every fuzz target for FUZZ_SECONDS (default 60) each
#   make test-fuzz-smoke         every fuzz target for FUZZ_SMOKE_SECONDS (default 15) each
#   make test-fault-matrix       emulator faults x operations, with login counts (a table)
#   make test-secrets-audit      sentinel password and tokens through every binding
#   make test-secrets-audit-suites  every suite re-run with a sentinel password; no password
#                                or issued token in any output
#   make test-leaks              RSS over 100,000 header calls and 10,000 requests per binding
#
# Fuzzing runs on the stable toolchain: cargo-fuzz with `--sanitizer none` (libFuzzer with
# sancov coverage; AddressSanitizer would need nightly). See docs/hardening.md.
DEPS_TARGETS += deps-hardening
TEST_TARGETS += test-fuzz-smoke test-fault-matrix test-secrets-audit test-secrets-audit-suites test-leaks

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15
CARGO_FUZZ_VERSION ?= 0.13.2

.PHONY: deps-hardening lint-hardening hardening-build fuzz test-fuzz-smoke test-fault-matrix test-secrets-audit \
	test-secrets-audit-suites test-leaks

# The bindings the audit and the leak check go through.
HARDENING_BINDINGS := rust c python php ruby
HARDENING_DEPS := build-python deps-php deps-ruby deps-c deps-cli
HARDENING_PY := $(ROOT)/bindings/python/.venv/bin
# The suites the audit of the suites re-runs.
AUDIT_SUITES := rust c python php ruby cli redis

## libFuzzer is built from source by libfuzzer-sys (a C++ compiler); cargo-fuzz from crates.io,
## once (skipped when present); shellcheck for the scripts.
deps-hardening:
	scripts/apt-install.sh g++ make shellcheck
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install --locked cargo-fuzz --version $(CARGO_FUZZ_VERSION)

fuzz: deps-hardening
	scripts/fuzz.sh $(FUZZ_SECONDS)

test-fuzz-smoke: deps-hardening
	scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS)

## Every emulator fault against login, signed GET, signed POST and logout, for TPStreams and
## Testpress: prints the matrix (outcome, logins counted, time per cell).
test-fault-matrix:
	$(CARGO) test -p authtoken --test fault_matrix -- --include-ignored --nocapture

## The hardening scripts and programs: shellcheck, rustfmt of the fuzz crate (outside the
## workspace, so `make lint` does not see it), ruff + mypy --strict (the Python binding's
## settings), php -l + PSR-12, ruby -wc + rubocop (the gem's settings).
lint-hardening: deps-hardening $(HARDENING_DEPS)
	shellcheck scripts/fuzz.sh scripts/secrets-audit.sh scripts/secrets-audit-suites.sh scripts/leak-check.sh \
	    scripts/with-emulator.sh tests/hardening/audit-cli.sh
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	@if [ -x $(HARDENING_PY)/ruff ]; then \
	  $(HARDENING_PY)/ruff check --config bindings/python/pyproject.toml tests/hardening && \
	  $(HARDENING_PY)/ruff format --check --config bindings/python/pyproject.toml tests/hardening && \
	  $(HARDENING_PY)/mypy --strict tests/hardening/audit.py tests/hardening/leaks.py; fi
	@if command -v php >/dev/null; then for f in tests/hardening/*.php; do php -l "$$f" >/dev/null || exit 1; done; \
	  phpcs -q --standard=PSR12 --exclude=PSR1.Files.SideEffects tests/hardening; fi
	@if command -v rubocop >/dev/null; then for f in tests/hardening/*.rb; do \
	  [ "$$(ruby -wc "$$f" 2>&1)" = "Syntax OK" ] || { ruby -wc "$$f"; exit 1; }; done; \
	  rubocop --config bindings/ruby/.rubocop.yml --format simple tests/hardening; fi

## The debug library, emulator and CLI the audit and the leak check run against.
hardening-build:
	$(CARGO) build -q -p authtoken --lib -p authtoken-emulator -p authtoken-cli

## The sentinel password and tokens through every binding (scripts/secrets-audit.sh), after
## checking that the audit reports planted leaks.
test-secrets-audit: lint-hardening hardening-build
	scripts/secrets-audit.sh --self-test
	scripts/secrets-audit.sh $(HARDENING_BINDINGS) cli

## Every suite's own target (test-rust test-c test-python test-php test-ruby test-cli test-redis)
## again, with a fresh sentinel as the emulator's password and every issued token logged aside;
## fails when a suite fails or the sentinel or a token is in any output
## (scripts/secrets-audit-suites.sh). Re-runs the suites: about 8 to 10 minutes on 2 cores.
test-secrets-audit-suites: lint-hardening
	MAKE="$(MAKE)" scripts/secrets-audit-suites.sh $(AUDIT_SUITES)

## RSS over 100,000 header calls and 10,000 signed GETs per binding (scripts/leak-check.sh),
## after checking that planted leaks exceed its bounds. Exact per-allocation accounting of
## the C ABI: valgrind, in test-c.
test-leaks: lint-hardening hardening-build
	scripts/with-emulator.sh scripts/leak-check.sh --self-test
	scripts/with-emulator.sh scripts/leak-check.sh $(HARDENING_BINDINGS)
