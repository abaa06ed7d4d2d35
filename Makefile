# authtoken: `make demo` shows the main job against the local emulator; `make test` runs
# every test of the repository, installing what it needs on a fresh Debian machine.
#
# Each part of the project adds its own targets in mk/*.mk:
#   DEPS_TARGETS += deps-<part>   (system packages it needs)
#   TEST_TARGETS += test-<part>   (its test suite)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
PREFIX ?= /usr/local
ROOT := $(abspath .)
TARGET_DIR := $(ROOT)/target
# One version for every artifact: the workspace's. The C ABI version is the N of the soname
# libauthtoken.so.N, set in src/ffi/strings.rs (docs/install.md has the rule).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(ROOT)/Cargo.toml | head -n1)
ABI := $(shell sed -n 's/^pub const AUTHTOKEN_ABI_VERSION: u32 = \([0-9]*\);/\1/p' $(ROOT)/src/ffi/strings.rs)
EMULATOR_BIN := $(TARGET_DIR)/debug/authtoken-emulator
export AUTHTOKEN_EMULATOR_BIN := $(EMULATOR_BIN)

DEPS_TARGETS :=
TEST_TARGETS :=

.PHONY: all build test deps demo lint fmt bench clean
all: build

include $(sort $(wildcard mk/*.mk))

build:
	$(CARGO) build --workspace --all-targets

## Every test of the repository. Suites never touch the user's own token cache: they run
## with AUTHTOKEN_CACHE_DIR set to a fresh private directory, removed afterwards.
test: deps
	$(MAKE) --no-print-directory lint
	cache=$$(mktemp -d /tmp/authtoken-test-cache.XXXXXX); \
	  rc=0; AUTHTOKEN_CACHE_DIR=$$cache $(MAKE) --no-print-directory $(TEST_TARGETS) || rc=$$?; \
	  rm -rf "$$cache"; \
	  if [ $$rc -ne 0 ]; then echo "make test: FAILED" >&2; exit $$rc; fi
	@echo "make test: all suites passed ($(TEST_TARGETS))"

## System packages for every suite (skipped when already present).
deps: $(DEPS_TARGETS)

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
