# aip front door. `make test` and `make demo` work on a fresh Debian 12 machine: each installs
# what is missing (scripts/install-deps.sh), builds once with CMake + Ninja + ccache, then runs.
SHELL := /bin/bash
BUILD := build
JOBS ?= $(shell nproc)
# ccache can reuse compilations that include CMake's precompiled headers (-include
# cmake_pch.hxx) only with this sloppiness; base_dir and nohashdir let clones at other paths
# (CI checks out a fresh one each time) share one cache.
export CCACHE_SLOPPINESS ?= pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= true

.PHONY: all deps build test demo bench asan fuzz fuzz-replay package clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake --preset release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@echo "== test vectors covered =="
	@grep -h '^\[vectors\]' $(BUILD)/Testing/Temporary/LastTest.log | sort -u

demo: build
	@bash scripts/demo.sh $(BUILD)/bin/aip

# Debian packages: build/packages/aip_<version>_amd64.deb and libaip-dev_<version>_amd64.deb.
package: build
	cd $(BUILD) && cpack

bench: build
	@bash bench/run.sh $(BUILD)/bin

# ASan + UBSan build of the unit tests and fuzzer corpus replays.
asan: deps
	@[ -f $(BUILD)/preset-asan/build.ninja ] || cmake --preset asan
	cmake --build $(BUILD)/preset-asan -j $(JOBS)
	ctest --test-dir $(BUILD)/preset-asan --output-on-failure -j $(JOBS)

# libFuzzer (clang-14): RUNS executions per target, new coverage merged into fuzz/corpus.
fuzz: deps
	@[ -f $(BUILD)/preset-fuzz/build.ninja ] || cmake --preset fuzz
	cmake --build $(BUILD)/preset-fuzz -j $(JOBS)
	bash fuzz/run.sh

clean:
	rm -rf $(BUILD)
