# `make bench-http`: signed keep-alive GETs per second from wrk, each language's native HTTP
# client and authtoken's request call, side by side in one table, against a private nginx on
# loopback (scripts/bench-http.sh; docs/bench-http.md). Not part of `make test`.
#
#   BENCH_HTTP_S      seconds per row (3), split into BENCH_HTTP_ROUNDS rounds (3) in which
#                     the rows of a language take turns; each row's best round is kept
#   BENCH_HTTP_LANGS  the rows besides wrk: any of rust c php ruby python (all)

BENCH_HTTP_S ?= 3
BENCH_HTTP_ROUNDS ?= 3
BENCH_HTTP_LANGS ?= rust c php ruby python
BENCH_HTTP_DIR := $(TARGET_DIR)/bench-http
bench_http_has = $(filter $(1),$(BENCH_HTTP_LANGS))
bench_http_comma := ,

.PHONY: deps-bench-http bench-http

## nginx (answers the benchmark's GETs, passes logins to the emulator), wrk, curl.
deps-bench-http:
	scripts/apt-install.sh nginx-light wrk curl

bench-http: deps-bench-http $(if $(call bench_http_has,c),deps-c) $(if $(call bench_http_has,php),deps-php) \
	    $(if $(call bench_http_has,ruby),deps-ruby) $(if $(call bench_http_has,python),build-python)
	$(CARGO) build -q --release -p authtoken -p authtoken-emulator
	mkdir -p $(BENCH_HTTP_DIR)
	if [ -n "$(call bench_http_has,rust)" ]; then \
	  $(CARGO) bench -q -p authtoken --bench http --no-run --message-format=json \
	    | python3 -c 'import json, sys; print([m["executable"] for m in map(json.loads, sys.stdin) \
	        if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "http" and m.get("executable")][-1])' \
	    > $(BENCH_HTTP_DIR)/.rust-runner; \
	  cp "$$(cat $(BENCH_HTTP_DIR)/.rust-runner)" $(BENCH_HTTP_DIR)/bench_http_rust; \
	fi
	cp $(TARGET_DIR)/release/libauthtoken.so $(BENCH_HTTP_DIR)/libauthtoken.so.$(VERSION)
	scripts/link-dir.sh $(BENCH_HTTP_DIR)/libauthtoken.so.$(VERSION) $(BENCH_HTTP_DIR)
	$(if $(call bench_http_has,c),cc -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude tests/c/bench_http.c \
	    -L$(BENCH_HTTP_DIR) -Wl$(bench_http_comma)-rpath$(bench_http_comma)$(BENCH_HTTP_DIR) -lauthtoken -lcurl \
	    -o $(BENCH_HTTP_DIR)/bench_http)
	BENCH_HTTP_S=$(BENCH_HTTP_S) BENCH_HTTP_ROUNDS=$(BENCH_HTTP_ROUNDS) BENCH_HTTP_LANGS="$(BENCH_HTTP_LANGS)" PHP=$(PHP) RUBY=$(RUBY) \
	  BENCH_HTTP_C=$(BENCH_HTTP_DIR)/bench_http BENCH_HTTP_RUST=$(BENCH_HTTP_DIR)/bench_http_rust BENCH_HTTP_PYTHON=$(PY_BIN)/python \
	  AUTHTOKEN_LIB=$(BENCH_HTTP_DIR)/libauthtoken.so \
	  AUTHTOKEN_EMULATOR_BIN=$(TARGET_DIR)/release/authtoken-emulator \
	  scripts/with-emulator.sh scripts/bench-http.sh
