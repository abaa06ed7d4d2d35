# The core crate and the emulator: unit and integration tests against the emulator.
# (The CLI and the Python module have suites of their own: mk/cli.mk, mk/python.mk.)
TEST_TARGETS += test-rust

.PHONY: test-rust
test-rust:
	$(CARGO) test --workspace --exclude authtoken-python --exclude authtoken-cli

## Figures: what a remembered login refusal saves and costs (benches/cooloff.rs).
.PHONY: bench-cooloff
bench-cooloff:
	$(CARGO) bench -p authtoken --bench cooloff
