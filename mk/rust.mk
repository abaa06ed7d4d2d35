# The core crate and the emulator: unit and integration tests against the emulator.
TEST_TARGETS += test-rust

.PHONY: test-rust
test-rust:
	$(CARGO) test --workspace --exclude authtoken-python
