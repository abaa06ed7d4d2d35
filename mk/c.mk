# The C ABI (src/ffi -> include/authtoken.h): the header drift check, the C test programs
# under AddressSanitizer + UndefinedBehaviorSanitizer and again under valgrind, `make install`
# with a pkg-config file, the example, and the benchmark.
DEPS_TARGETS += deps-c
TEST_TARGETS += test-c

# Where `make install` puts things (PREFIX comes from the root Makefile; DESTDIR for staging).
INSTALL_PROFILE ?= release
C_INSTALL_LIBDIR ?= $(PREFIX)/lib
C_INSTALL_INCLUDEDIR ?= $(PREFIX)/include
C_VERSION = $(VERSION)
# What a static link of libauthtoken.a needs (rustc --print native-static-libs, Linux).
C_LIBS_PRIVATE := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_PROFILE_DIR = $(if $(filter release,$(INSTALL_PROFILE)),release,debug)
C_TEST_LIBDIR := $(TARGET_DIR)/c-tests/lib
C_BENCH_DIR := $(TARGET_DIR)/c-bench

.PHONY: deps-c test-c lint-c check-header c-lib install install-c bench bench-c

## Compilers, sanitizer runtimes, valgrind, libcurl + json-c for the tests' admin calls, and
## the linters of the C part (cppcheck, shellcheck).
deps-c:
	scripts/apt-install.sh gcc libc6-dev make pkg-config valgrind libcurl4-openssl-dev \
	    libjson-c-dev cppcheck shellcheck

## The C sources and the suite's scripts (the compilers add -Wall -Wextra -Werror).
lint-c:
	cppcheck --quiet --enable=warning,style,performance,portability --std=c11 \
	    --error-exitcode=1 --suppress=missingIncludeSystem -Iinclude -Itests/c \
	    tests/c/*.c bindings/c/example.c
	shellcheck tests/c/*.sh

## Fails when include/ is not what build.rs generates from src/ffi (and self-tests that check).
check-header:
	CARGO="$(CARGO)" tests/c/check-header.sh

## The debug library (it carries the panic test hooks), copied so that a concurrent build in
## the shared target dir cannot replace it under the running tests; and the emulator.
c-lib:
	$(CARGO) build -p authtoken --lib
	$(CARGO) build -p authtoken-emulator --bin authtoken-emulator
	mkdir -p $(C_TEST_LIBDIR)
	cp $(TARGET_DIR)/debug/libauthtoken.so $(C_TEST_LIBDIR)/.libauthtoken.so.tmp
	mv $(C_TEST_LIBDIR)/.libauthtoken.so.tmp $(C_TEST_LIBDIR)/libauthtoken.so
	scripts/link-dir.sh $(C_TEST_LIBDIR)/libauthtoken.so $(C_TEST_LIBDIR)

## The C suite: ASan+UBSan, valgrind, then install + pkg-config + the example. Ends with
## "N passed, 0 failed".
test-c: lint-c check-header c-lib
	LIBDIR=$(C_TEST_LIBDIR) MAKE="$(MAKE)" scripts/with-emulator.sh tests/c/suite.sh

## Installs the library, headers and authtoken.pc under $(DESTDIR)$(PREFIX).
install: install-c

install-c:
	$(CARGO) build -p authtoken --lib $(if $(filter release,$(INSTALL_PROFILE)),--release,)
	install -d "$(DESTDIR)$(C_INSTALL_LIBDIR)/pkgconfig" "$(DESTDIR)$(C_INSTALL_INCLUDEDIR)"
	install -m 644 include/authtoken.h include/authtoken_ffi.h "$(DESTDIR)$(C_INSTALL_INCLUDEDIR)/"
	install -m 755 $(TARGET_DIR)/$(C_PROFILE_DIR)/libauthtoken.so "$(DESTDIR)$(C_INSTALL_LIBDIR)/libauthtoken.so.$(C_VERSION)"
	ln -sf libauthtoken.so.$(C_VERSION) "$(DESTDIR)$(C_INSTALL_LIBDIR)/libauthtoken.so.$(ABI)"
	ln -sf libauthtoken.so.$(ABI) "$(DESTDIR)$(C_INSTALL_LIBDIR)/libauthtoken.so"
	install -m 644 $(TARGET_DIR)/$(C_PROFILE_DIR)/libauthtoken.a "$(DESTDIR)$(C_INSTALL_LIBDIR)/"
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(C_INSTALL_LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(C_INSTALL_INCLUDEDIR)|' -e 's|@VERSION@|$(C_VERSION)|' \
	    -e 's|@LIBS_PRIVATE@|$(C_LIBS_PRIVATE)|' bindings/c/authtoken.pc.in \
	    > "$(DESTDIR)$(C_INSTALL_LIBDIR)/pkgconfig/authtoken.pc"
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi
	@echo "installed authtoken $(C_VERSION) ($(INSTALL_PROFILE)) under $(DESTDIR)$(PREFIX)"

## A warm header call through the C ABI next to the no-op floor (release library).
bench: bench-c

bench-c:
	$(CARGO) build --release -p authtoken --lib
	$(CARGO) build -p authtoken-emulator --bin authtoken-emulator
	mkdir -p $(C_BENCH_DIR)
	cp $(TARGET_DIR)/release/libauthtoken.so $(C_BENCH_DIR)/libauthtoken.so.$(VERSION)
	scripts/link-dir.sh $(C_BENCH_DIR)/libauthtoken.so.$(VERSION) $(C_BENCH_DIR)
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude tests/c/bench.c -L$(C_BENCH_DIR) \
	   -Wl,-rpath,$(C_BENCH_DIR) -lauthtoken -o $(C_BENCH_DIR)/bench
	scripts/with-emulator.sh sh -c '"$$0" "$$AUTHTOKEN_EMULATOR/tpstreams"' $(C_BENCH_DIR)/bench
