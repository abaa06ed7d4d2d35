# The PHP binding (bindings/php): a Composer package over the C ABI through ext-ffi, tested
# with Debian's PHPUnit 9 against the emulator. No Composer or network access is needed: the
# package's own autoloader (bindings/php/autoload.php) loads the classes.
#
# Debian packages: php-cli (ext-ffi ships in php8.x-common; the CLI allows FFI::cdef() with
# the default ffi.enable=preload), phpunit, php-codesniffer (PSR-12), php-curl (the curl
# example and the benchmark's baseline), php-guzzlehttp-guzzle (the Guzzle handler's tests),
# php-cgi and libfcgi-bin (the FastCGI-workers test: a non-CLI SAPI where ffi.enable=preload
# restricts FFI as under PHP-FPM; cgi-fcgi sends the requests).
DEPS_TARGETS += deps-php
TEST_TARGETS += test-php

PHP ?= php
PHP_DIR := $(ROOT)/bindings/php
# More PHPUnit options (the secrets audit of the suites sets --debug).
PHPUNIT_FLAGS ?=
PHP_SOURCES = $(shell find $(PHP_DIR)/src $(PHP_DIR)/tests $(PHP_DIR)/bench $(PHP_DIR)/examples -name '*.php') \
	$(PHP_DIR)/autoload.php $(PHP_DIR)/preload.php $(PHP_DIR)/bin/authtoken-ffi-header $(ROOT)/bindings/node/test/storm-worker.php

.PHONY: deps-php lint-php test-php bench-php

deps-php:
	scripts/apt-install.sh php-cli phpunit php-codesniffer php-curl php-guzzlehttp-guzzle php-cgi libfcgi-bin

## php -l on every file, PSR-12 (phpcs), and the package's copy of the FFI header up to date.
lint-php: deps-php
	@for f in $(PHP_SOURCES); do $(PHP) -l "$$f" >/dev/null || { $(PHP) -l "$$f"; exit 1; }; done
	@echo "php -l: $(words $(PHP_SOURCES)) files, no syntax errors"
	cd $(PHP_DIR) && phpcs -q --standard=phpcs.xml.dist
	@cmp -s include/authtoken_ffi.h $(PHP_DIR)/include/authtoken_ffi.h || \
		{ echo "bindings/php/include/authtoken_ffi.h is stale: cargo build -p authtoken regenerates it"; exit 1; }

## PHPUnit against a fresh emulator, with the debug library.
test-php: lint-php
	$(CARGO) build -q -p authtoken -p authtoken-emulator
	cd $(PHP_DIR) && AUTHTOKEN_LIB=$(TARGET_DIR)/debug/libauthtoken.so \
		$(ROOT)/scripts/with-emulator.sh phpunit --configuration phpunit.xml.dist $(PHPUNIT_FLAGS)

## Figures: FFI floor, warm authorizationHeader(), signed GETs/s next to ext-curl, cold processes.
bench-php: deps-php
	$(CARGO) build -q --release -p authtoken -p authtoken-emulator
	AUTHTOKEN_LIB=$(TARGET_DIR)/release/libauthtoken.so AUTHTOKEN_EMULATOR_BIN=$(TARGET_DIR)/release/authtoken-emulator \
		$(ROOT)/scripts/with-emulator.sh $(PHP) $(PHP_DIR)/bench/bench.php
