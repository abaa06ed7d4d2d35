# The `authtoken` command (cli/): its tests, and `make demo`, which shows the main job with it
# against the emulator. The demo uses curl and jq.
DEPS_TARGETS += deps-cli
TEST_TARGETS += test-cli

.PHONY: deps-cli test-cli

deps-cli:
	scripts/apt-install.sh curl jq

## The CLI's tests run the real binary against in-process emulators (no system packages needed).
test-cli:
	$(CARGO) test -p authtoken-cli

## Build the CLI and the emulator, start the emulator, run the scenario (scripts/demo.sh).
demo: deps-cli
	$(CARGO) build -p authtoken-cli -p authtoken-emulator
	scripts/with-emulator.sh scripts/demo.sh
