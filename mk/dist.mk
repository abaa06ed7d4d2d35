# Release artifacts (`make dist` writes dist/) and their install test (`make test-dist`).
#
# Every binary is built for glibc 2.17 (manylinux2014: RHEL/CentOS 7 and everything newer) with
# zig as the C compiler and linker: cargo-zigbuild for the C library, the CLI and the emulator
# (target x86_64-unknown-linux-gnu.2.17), maturin --zig for the wheel. Both come from PyPI
# with zig itself (the `ziglang` package), pinned in scripts/dist/requirements.txt, so no
# cross toolchain or old-distribution container is needed. See docs/install.md.
#
# A part of the project that ships an artifact of its own adds:
#   DIST_TARGETS      += dist-<part>       (writes into $(DIST_DIR))
#   DIST_TEST_TARGETS += test-dist-<part>  (installs it as a user would, see scripts/dist/)
# and may use $(DIST_LIB): the glibc-2.17 libauthtoken.so (soname libauthtoken.so.$(ABI)).
DEPS_TARGETS += deps-dist
TEST_TARGETS += test-dist

DIST_DIR ?= $(ROOT)/dist
DIST_ARCH := x86_64
DIST_TRIPLE := $(DIST_ARCH)-unknown-linux-gnu
DIST_GLIBC := 2.17
DIST_VENV := $(TARGET_DIR)/dist-venv
DIST_PATH := $(DIST_VENV)/bin:$(PATH)
DIST_NATIVE := $(TARGET_DIR)/$(DIST_TRIPLE)/release
DIST_LIB := $(DIST_NATIVE)/libauthtoken.so
DIST_STAGE := $(TARGET_DIR)/dist-stage
# Archive timestamps (tar, zip, gem): the last commit's date, so rebuilding one commit gives
# the same bytes.
export SOURCE_DATE_EPOCH ?= $(shell git -C $(ROOT) log -1 --format=%ct 2>/dev/null || echo 0)

C_TARBALL := authtoken-$(VERSION)-$(DIST_ARCH)-linux-gnu.tar.gz
WHEEL_TAG := cp38-abi3-manylinux2014_$(DIST_ARCH).manylinux_2_17_$(DIST_ARCH)
WHEEL := authtoken-$(VERSION)-$(WHEEL_TAG).whl
SDIST := authtoken-$(VERSION).tar.gz
GEM_PLATFORM := $(DIST_ARCH)-linux
PLATFORM_GEM := authtoken-$(VERSION)-$(GEM_PLATFORM).gem
PLAIN_GEM := authtoken-$(VERSION).gem
PHP_ZIP := authtoken-php-$(VERSION).zip
# What `make dist` must write, exactly (test-dist checks the list). `+=` here and below: the
# mk/*.mk files are included in name order, and a part sorted before dist.mk (csharp.mk) has
# already added its own.
DIST_FILES += $(C_TARBALL) $(WHEEL) $(SDIST) $(PLATFORM_GEM) $(PLAIN_GEM) $(PHP_ZIP)
# Not exported: a sub-make would start from the parent's value and append every name again.

DIST_TARGETS += dist-c dist-python dist-ruby dist-php
DIST_TEST_TARGETS +=

.PHONY: deps-dist dist dist-native dist-c dist-python dist-ruby dist-php dist-sums test-dist \
        lint-dist

## zig, cargo-zigbuild, maturin and auditwheel (PyPI, in a virtualenv); Composer, zip and
## unzip, binutils (objdump, readelf) and pkg-config (Debian); the emulator's and CLI's
## dependencies are fetched by cargo.
deps-dist:
	scripts/apt-install.sh composer php-zip unzip zip binutils pkg-config python3-venv
	@[ -x $(DIST_VENV)/bin/python ] || python3 -m venv $(DIST_VENV)
	@$(DIST_VENV)/bin/python -m pip install -q --disable-pip-version-check -r scripts/dist/requirements.txt

## Everything in dist/, then dist/SHA256SUMS.
dist: deps-dist
	rm -rf $(DIST_DIR)
	mkdir -p $(DIST_DIR)
	$(MAKE) --no-print-directory $(DIST_TARGETS)
	$(MAKE) --no-print-directory dist-sums
	@echo "dist: $$(ls $(DIST_DIR) | tr '\n' ' ')"

dist-sums:
	cd $(DIST_DIR) && rm -f SHA256SUMS && sha256sum -- $$(ls | sort) > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS

## The C library (shared, with its soname, and static), the CLI and the emulator, for glibc 2.17.
dist-native: deps-dist
	PATH=$(DIST_PATH) $(CARGO) zigbuild --locked --release --target $(DIST_TRIPLE).$(DIST_GLIBC) \
	    -p authtoken -p authtoken-cli -p authtoken-emulator
	PATH=$(DIST_PATH) python3 scripts/dist/third-party-licenses.py $(TARGET_DIR)/THIRD-PARTY-LICENSES.md \
	    authtoken authtoken-cli authtoken-emulator

## The C SDK: authtoken-VERSION-x86_64-linux-gnu.tar.gz (lib, include, pkg-config, bin, licences).
dist-c: dist-native
	scripts/dist/c-tarball.sh $(DIST_NATIVE) $(DIST_STAGE)/c $(DIST_DIR)/$(C_TARBALL) \
	    $(VERSION) $(ABI) $(TARGET_DIR)/THIRD-PARTY-LICENSES.md

## The manylinux2014 abi3 wheel (maturin --zig) and the sdist.
dist-python: deps-dist
	PATH=$(DIST_PATH) maturin build --locked --release --quiet --zig --compatibility manylinux2014 \
	    --target $(DIST_TRIPLE) --interpreter $(DIST_VENV)/bin/python \
	    --manifest-path bindings/python/Cargo.toml --out $(DIST_DIR)
	PATH=$(DIST_PATH) maturin sdist --manifest-path bindings/python/Cargo.toml --out $(DIST_DIR)
	@test -f $(DIST_DIR)/$(WHEEL) || { echo "expected $(WHEEL), maturin wrote: $$(ls $(DIST_DIR))" >&2; exit 1; }

## The platform gem (vendoring the library under lib/authtoken/native/x86_64-linux/) and the
## plain gem (no library: its load error says which gem or library to install).
dist-ruby: dist-native
	scripts/dist/ruby-gems.sh $(ROOT)/bindings/ruby $(DIST_LIB) $(GEM_PLATFORM) $(DIST_STAGE)/ruby $(DIST_DIR)

## The Composer package: the library under lib/linux-x86_64/ next to the PHP sources.
dist-php: dist-native
	scripts/dist/php-package.sh $(ROOT)/bindings/php $(DIST_LIB) linux-$(DIST_ARCH) $(VERSION) \
	    $(DIST_STAGE)/php $(DIST_DIR)/$(PHP_ZIP)

## The scripts and the install quickstarts, each with its language's checker.
lint-dist:
	shellcheck scripts/dist/*.sh scripts/link-dir.sh
	for f in scripts/dist/*.py tests/dist/*.py; do python3 -m py_compile "$$f"; done
	ruby -wc tests/dist/quickstart.rb >/dev/null
	php -l tests/dist/quickstart.php >/dev/null
	node --check tests/dist/quickstart.js
	cppcheck --quiet --enable=warning,style,performance,portability --std=c11 --error-exitcode=1 \
	    --suppress=missingIncludeSystem -Iinclude tests/dist/quickstart.c

## Installs every artifact of dist/ as a user would, in a clean environment (no cargo or
## rustc on PATH, a fresh HOME), runs each language's quickstart against the emulator from
## the C tarball, all sharing one cache directory, and checks the server saw one login.
## Also checks glibc symbol versions, the soname, exported symbols and the wheel's tag.
test-dist: dist lint-dist
	DIST_FILES="$(sort $(DIST_FILES))" PATH=$(DIST_PATH) scripts/dist/test-dist.sh $(DIST_DIR)
	@# The core crate as crates.io would get it: packaged, then built from the package alone.
	$(CARGO) package -p authtoken --locked --allow-dirty --quiet
	$(if $(DIST_TEST_TARGETS),$(MAKE) --no-print-directory $(DIST_TEST_TARGETS))
