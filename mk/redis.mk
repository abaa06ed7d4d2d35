# The Redis token store: its tests run against Debian's redis-server, started on a free
# loopback port by scripts/with-redis.sh (tests that stop and restart Redis, count its
# commands or need TLS start private servers of their own); openssl makes the TLS test's
# certificates; redis-sentinel and redis-tools (redis-cli --cluster create) give the Sentinel
# and Cluster topologies of tests/redis_ha.rs.
DEPS_TARGETS += deps-redis
TEST_TARGETS += test-redis

.PHONY: deps-redis test-redis test-redis-rust test-redis-python test-redis-php bench-redis bench-redis-wait
deps-redis:
	scripts/apt-install.sh redis-server redis-sentinel redis-tools openssl

test-redis: test-redis-rust test-redis-python test-redis-php

## The store, the lock and the fleet of processes, in Rust; Sentinel and Cluster failovers
## under load (redis_ha: about 25 s).
test-redis-rust: deps-redis
	scripts/with-redis.sh $(CARGO) test -p authtoken --test redis_store --test redis_fleet --test redis_ha

## The Redis scenarios of the Python binding (bindings/python/tests/test_redis.py; they are
## skipped by test-python, which runs without Redis).
test-redis-python: deps-redis build-python
	$(CARGO) build -q -p authtoken-emulator
	cd $(PY_DIR) && $(ROOT)/scripts/with-redis.sh $(ROOT)/scripts/with-emulator.sh \
		$(PY_BIN)/python -m pytest -q -p no:cacheprovider tests/test_redis.py

## The Redis scenarios of the PHP binding (bindings/php/tests/RedisTest.php; skipped by
## test-php, which runs without Redis).
test-redis-php: deps-redis deps-php
	$(CARGO) build -q -p authtoken -p authtoken-emulator
	cd $(PHP_DIR) && AUTHTOKEN_LIB=$(TARGET_DIR)/debug/libauthtoken.so $(ROOT)/scripts/with-redis.sh \
		$(ROOT)/scripts/with-emulator.sh phpunit --configuration phpunit.xml.dist tests/RedisTest.php

## Figures: a warm header and a cold process's first header, Redis store next to file store.
bench-redis: deps-redis
	scripts/with-redis.sh $(CARGO) bench -p authtoken --bench redis

## Figures: what WAIT 1 after a save would cost (docs/redis.md, "Failover").
bench-redis-wait: deps-redis
	$(CARGO) bench -p authtoken --bench redis_wait
