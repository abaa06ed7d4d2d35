# Hardening (issue 10): fuzzing, the fault matrix, the secrets audit and the leak checks.
#
#   make fuzz                    every fuzz target for FUZZ_SECONDS (default 60) each
#   make test-fuzz-smoke         every fuzz target for FUZZ_SMOKE_SECONDS (default 15) each
#   make test-fault-matrix       emulator faults x operations, with login counts (a table)
#   make test-secrets-audit      sentinel password and tokens through every binding
#   make test-leaks              RSS over 100,000 header calls and 10,000 requests per binding
#
# Fuzzing runs on the stable toolchain: cargo-fuzz with `--sanitizer none` (libFuzzer with
# sancov coverage; AddressSanitizer would need nightly). See docs/hardening.md.
DEPS_TARGETS += deps-hardening
TEST_TARGETS += test-fuzz-smoke test-fault-matrix

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15
CARGO_FUZZ_VERSION ?= 0.13.2

.PHONY: deps-hardening fuzz test-fuzz-smoke test-fault-matrix

## libFuzzer is built from source by libfuzzer-sys (a C++ compiler); cargo-fuzz from crates.io,
## once (skipped when present).
deps-hardening:
	scripts/apt-install.sh g++ make
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install --locked cargo-fuzz --version $(CARGO_FUZZ_VERSION)

fuzz: deps-hardening
	scripts/fuzz.sh $(FUZZ_SECONDS)

test-fuzz-smoke: deps-hardening
	scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS)

## Every emulator fault against login, signed GET, signed POST and logout, for TPStreams and
## Testpress: prints the matrix (outcome, logins counted, time per cell).
test-fault-matrix:
	$(CARGO) test -p authtoken --test fault_matrix -- --include-ignored --nocapture
