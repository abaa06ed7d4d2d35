# The Node.js binding (bindings/node): a napi-rs addon (crate authtoken-node) under the npm
# package `authtoken` (index.js, index.d.ts), tested with node:test against the emulator.
# Tests use a debug build of the addon; `make dist` ships a release build for glibc 2.17 in
# authtoken-node-VERSION.tgz (npm pack). See docs/node.md.
DEPS_TARGETS += deps-node
TEST_TARGETS += test-node
DIST_TARGETS += dist-node

NODE ?= node
NPM ?= npm
NODE_DIR := $(ROOT)/bindings/node
NODE_ADDON := $(NODE_DIR)/authtoken.linux-x64-gnu.node
NODE_MODULES_STAMP := $(NODE_DIR)/node_modules/.package-lock.json
NODE_TGZ := authtoken-node-$(VERSION).tgz
DIST_FILES += $(NODE_TGZ)
# Every JavaScript file of the binding and the install quickstart (node --check).
NODE_JS = $(shell find $(NODE_DIR) -name node_modules -prune -o -name '*.js' -print) $(ROOT)/tests/dist/quickstart.js

.PHONY: deps-node node-modules build-node lint-node test-node bench-node dist-node

## Node.js >= 18 and npm (Debian's nodejs and npm when missing).
deps-node:
	@command -v $(NODE) >/dev/null && command -v $(NPM) >/dev/null || scripts/apt-install.sh nodejs npm
	@$(NODE) -e 'const [M] = process.versions.node.split("."); if (+M < 18) { console.error("Node.js >= 18 needed, found " + process.version); process.exit(1) }'

## The dev dependencies (typescript, @types/node, axios) from package-lock.json.
node-modules: $(NODE_MODULES_STAMP)
$(NODE_MODULES_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

## The addon, debug build, where index.js loads it.
build-node:
	$(CARGO) build -q -p authtoken-node
	cp $(TARGET_DIR)/debug/libauthtoken_node.so $(NODE_ADDON).tmp && mv $(NODE_ADDON).tmp $(NODE_ADDON)

## rustfmt and clippy over the crate, a `// SAFETY:` comment on every unsafe, tsc --noEmit
## over index.d.ts and the TypeScript example, node --check on every .js file.
lint-node: deps-node node-modules
	$(CARGO) fmt -p authtoken-node -- --check
	$(CARGO) clippy -q -p authtoken-node --all-targets -- -D warnings
	@awk 'FNR == 1 { delete l } { l[FNR] = $$0 } /unsafe *(\{|impl)/ { ok = 0; for (i = FNR - 3; i <= FNR; i++) if (l[i] ~ /SAFETY:/) ok = 1; if (!ok) { print FILENAME ":" FNR ": unsafe without a // SAFETY: comment"; bad = 1 } } END { exit bad }' $(NODE_DIR)/src/*.rs
	cd $(NODE_DIR) && node_modules/.bin/tsc -p tsconfig.json --noEmit
	@for f in $(NODE_JS); do $(NODE) --check "$$f" || exit 1; done
	@echo "lint-node: ok"

## build-python and the C library: the storm test shares its cache with a Python process (the
## venv of mk/python.mk) and a PHP one (the PHP binding over the debug libauthtoken.so).
test-node: lint-node build-node build-python
	$(CARGO) build -q -p authtoken -p authtoken-emulator
	cd $(NODE_DIR) && AUTHTOKEN_LIB=$(TARGET_DIR)/debug/libauthtoken.so \
	  $(ROOT)/scripts/with-emulator.sh $(NODE) --test --test-concurrency=1 test/*.test.js

## Warm header vs a no-op Node-API call; signed GETs vs fetch (undici) and http.request with a
## keep-alive agent and a fixed header. Release builds of the addon and the emulator.
bench-node: deps-node
	$(CARGO) build -q --release -p authtoken-node -p authtoken-emulator
	AUTHTOKEN_NODE_ADDON=$(TARGET_DIR)/release/libauthtoken_node.so \
	  AUTHTOKEN_EMULATOR_BIN=$(TARGET_DIR)/release/authtoken-emulator \
	  $(ROOT)/scripts/with-emulator.sh $(NODE) $(NODE_DIR)/bench/bench.js

## dist/authtoken-node-VERSION.tgz: npm pack of the package with the addon built for glibc 2.17.
dist-node: deps-dist deps-node
	PATH=$(DIST_PATH) $(CARGO) zigbuild --locked --release --target $(DIST_TRIPLE).$(DIST_GLIBC) -p authtoken-node
	rm -rf $(DIST_STAGE)/node && mkdir -p $(DIST_STAGE)/node/package
	cd $(NODE_DIR) && cp package.json index.js index.d.ts $(DIST_STAGE)/node/package/
	cp $(ROOT)/docs/node.md $(DIST_STAGE)/node/package/README.md
	cp $(ROOT)/LICENSE-MIT $(ROOT)/LICENSE-APACHE $(DIST_STAGE)/node/package/
	PATH=$(DIST_PATH) python3 scripts/dist/third-party-licenses.py $(DIST_STAGE)/node/package/THIRD-PARTY-LICENSES.md authtoken-node
	cp $(DIST_NATIVE)/libauthtoken_node.so $(DIST_STAGE)/node/package/authtoken.linux-x64-gnu.node
	cd $(DIST_STAGE)/node/package && $(NPM) pack --silent --pack-destination $(DIST_STAGE)/node >/dev/null
	mv $(DIST_STAGE)/node/authtoken-$(VERSION).tgz $(DIST_DIR)/$(NODE_TGZ)
