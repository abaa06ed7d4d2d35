# The Ruby gem (bindings/ruby): the ffi gem over the C ABI (libauthtoken.so), tested with
# minitest against the emulator. Ruby, ffi, minitest, faraday (the middleware and its tests)
# and rubocop come from Debian's packages.
DEPS_TARGETS += deps-ruby
TEST_TARGETS += test-ruby

RUBY ?= ruby
RB_DIR := $(ROOT)/bindings/ruby
RB_RUN_TESTS := $(RUBY) -w -Ilib -Itest -e 'ARGV.each { |f| require File.expand_path(f) }'

.PHONY: deps-ruby lint-ruby test-ruby bench-ruby

deps-ruby:
	scripts/apt-install.sh ruby ruby-ffi ruby-minitest ruby-faraday rubocop

## `ruby -wc` on every file (a warning fails), rubocop, and the gemspec's validation.
lint-ruby: deps-ruby
	@cd $(RB_DIR) && for f in $$(find . -name '*.rb' -o -name '*.gemspec' | sort); do \
	  out=$$($(RUBY) -wc "$$f" 2>&1); \
	  [ "$$out" = "Syntax OK" ] || { echo "$$f: $$out" >&2; exit 1; }; \
	done
	cd $(RB_DIR) && rubocop --format simple
	cd $(RB_DIR) && $(RUBY) -e 'Gem::Specification.load("authtoken.gemspec").validate'

## The minitest suite, run with warnings on, against the debug library and a fresh emulator.
test-ruby: lint-ruby
	$(CARGO) build -q -p authtoken -p authtoken-emulator
	cd $(RB_DIR) && AUTHTOKEN_LIB=$(TARGET_DIR)/debug/libauthtoken.so \
	  $(ROOT)/scripts/with-emulator.sh $(RB_RUN_TESTS) test/*_test.rb

## Figures: warm #authorization_header, and signed GETs/s next to Net::HTTP (release builds).
bench-ruby: deps-ruby
	$(CARGO) build -q --release -p authtoken -p authtoken-emulator
	cd $(RB_DIR) && AUTHTOKEN_LIB=$(TARGET_DIR)/release/libauthtoken.so \
	  AUTHTOKEN_EMULATOR_BIN=$(TARGET_DIR)/release/authtoken-emulator \
	  $(ROOT)/scripts/with-emulator.sh $(RUBY) bench/bench.rb
