# `make soak` (docs/soak.md): Python, PHP, Ruby, C and CLI workers on one identity making
# signed requests against the emulator, through the file store and then through Redis
# (Sentinel: a primary, a replica, 3 sentinels), while faults happen on a schedule
# (scripts/soak.py). SOAK_S seconds in all (default 60); `make test-soak` is the 20-second
# smoke, part of `make test`. Prints a table per phase; fails on a crash, an error no fault
# explains, or logins above floor + bound.
TEST_TARGETS += test-soak

SOAK_S ?= 60
SOAK_DIR := $(TARGET_DIR)/soak
SOAK_PY := scripts/soak.py bindings/python/tests/soak_worker.py

.PHONY: soak test-soak soak-build lint-soak

## The debug library, CLI and emulator, copied so that a concurrent build cannot replace them
## under the running workers; the C worker, linked against that copy; the Python wheel.
soak-build: deps-redis deps-php deps-ruby deps-c build-python
	$(CARGO) build -q -p authtoken -p authtoken-emulator -p authtoken-cli
	mkdir -p $(SOAK_DIR)
	for f in authtoken authtoken-emulator; do \
	  cp $(TARGET_DIR)/debug/$$f $(SOAK_DIR)/.$$f.tmp && mv $(SOAK_DIR)/.$$f.tmp $(SOAK_DIR)/$$f; \
	done
	mkdir -p $(SOAK_DIR)/lib
	cp $(TARGET_DIR)/debug/libauthtoken.so $(SOAK_DIR)/lib/.libauthtoken.so.tmp
	mv $(SOAK_DIR)/lib/.libauthtoken.so.tmp $(SOAK_DIR)/lib/libauthtoken.so.real
	scripts/link-dir.sh $(SOAK_DIR)/lib/libauthtoken.so.real $(SOAK_DIR)/lib
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude tests/c/soak_worker.c -L$(SOAK_DIR)/lib \
	   -Wl,-rpath,$(SOAK_DIR)/lib -lauthtoken -o $(SOAK_DIR)/soak_worker

## ruff and mypy --strict (the Python binding's settings) over the orchestrator and the Python
## worker; php -l, ruby -wc and cppcheck over the other workers.
lint-soak: soak-build
	$(PY_BIN)/ruff check --config $(PY_DIR)/pyproject.toml $(SOAK_PY)
	$(PY_BIN)/ruff format --check --config $(PY_DIR)/pyproject.toml $(SOAK_PY)
	cd $(PY_DIR) && $(PY_BIN)/mypy $(addprefix $(ROOT)/,$(SOAK_PY))
	$(PHP) -l bindings/php/tests/fixtures/soak_worker.php >/dev/null
	@out=$$($(RUBY) -wc bindings/ruby/test/soak_worker.rb 2>&1); \
	  [ "$$out" = "Syntax OK" ] || { echo "soak_worker.rb: $$out" >&2; exit 1; }
	cppcheck --quiet --enable=warning,style,performance,portability --std=c11 \
	    --error-exitcode=1 --suppress=missingIncludeSystem -Iinclude tests/c/soak_worker.c

soak: lint-soak
	$(PY_BIN)/python scripts/soak.py --seconds $(SOAK_S) --root $(ROOT) \
	    --emulator $(SOAK_DIR)/authtoken-emulator --cli $(SOAK_DIR)/authtoken \
	    --lib $(SOAK_DIR)/lib/libauthtoken.so --c-worker $(SOAK_DIR)/soak_worker \
	    --python $(PY_BIN)/python --php $(PHP) --ruby $(RUBY)

## The 20-second smoke (`make test`).
test-soak:
	$(MAKE) --no-print-directory soak SOAK_S=20
