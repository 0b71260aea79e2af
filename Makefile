# The two commands of the README: `make run` and `make check`.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=

.PHONY: all deps run check check-asan bench bench-check clean

all: $(BUILD)/sipfed

deps:
	@scripts/deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

$(BUILD)/sipfed: $(BUILD)/build.ninja FORCE
	ninja -C $(BUILD)

FORCE:

# The seed lab with fresh keys, then `sipfed check` on each of its stages.
run: deps $(BUILD)/sipfed
	@examples/seed-lab/run $(BUILD)/sipfed

check: deps $(BUILD)/sipfed
	@scripts/test-all $(BUILD) $(ASAN_BUILD)

check-asan: deps
	@scripts/test-all --asan-only $(BUILD) $(ASAN_BUILD)

# Speed and memory figures (not tests): see bench/README.md.
# bench: `sipfed logs` (bench/run-logs), then `sipfed check` at scale (bench/run-check).
bench: deps $(BUILD)/sipfed
	@bench/run-logs $(BUILD)
	@bench/run-check $(BUILD)

bench-check: deps $(BUILD)/sipfed
	@bench/run-check $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
