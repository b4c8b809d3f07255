#!/usr/bin/env bash
# libaip as other projects use it: installed into a temporary prefix, then the embedding example
# (examples/embedding) configured and built from a copy outside the source tree — once with
# find_package(aip), once with pkg-config — and driven by `aip call` over stdio: a signed call is
# greeted by its DID, an unsigned one refused. Then aip as a subproject (add_subdirectory) of a
# throwaway consumer: it configures without the test/CLI/benchmark dependencies and builds only
# the module the consumer links.
# Usage: install_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail  # Not -e: each step is checked and counted, the run goes on.
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
work=$(mktemp -d /tmp/aip-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
check() {  # check NAME CONDITION-STATUS [DETAIL]
  if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok: $1"; else fail=$((fail + 1)); echo "FAIL: $1 ${3:-}"; fi
}

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" || { echo "FAIL: cmake --install"; exit 1; }
for f in lib/libaip_mcp.a lib/cmake/aip/aipConfig.cmake lib/cmake/aip/aipConfigVersion.cmake lib/cmake/aip/aipTargets.cmake \
         lib/pkgconfig/aip.pc include/aip/mcp/server.h include/aip/aip.h bin/aip bin/example-tasks-server; do
  [ -e "$work/prefix/$f" ]; check "installed $f" $?
done
[ ! -e "$work/prefix/include/aip/testing" ]; check "test support is not installed" $?
! find "$work/prefix/include" -name '*.cc' | grep -q .; check "no sources installed" $?

aip="$work/prefix/bin/aip"
export AIP_HOME="$work/home"
"$aip" init --name embedder >/dev/null
did=$("$aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')

# drive NAME GREETER: a signed call is greeted by this DID; an unsigned call is refused.
drive() {
  out=$("$aip" call --stdio "$2" greet --audience greeter 2>&1) && [[ "$out" == *"hello, $did"* ]]
  check "$1: a signed call is greeted by its DID" $? "$out"
  out=$("$aip" call --stdio "$2" greet 2>&1)
  rc=$?
  [ "$rc" -ne 0 ] && [[ "$out" != *"hello,"* ]] && [[ "$out" == *"requires a signed request"* ]]
  check "$1: an unsigned call is refused" $? "rc=$rc $out"
}

# find_package(aip), from a copy of the example outside the source tree.
cp -r "$src/examples/embedding" "$work/cmake-consumer"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$work/cmake-consumer" -B "$work/cmake-consumer/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >"$work/consumer-configure.log" 2>&1
check "find_package(aip) configures" $? "$(tail -5 "$work/consumer-configure.log")"
cmake --build "$work/cmake-consumer/build" >"$work/consumer-build.log" 2>&1
check "the CMake consumer builds" $? "$(tail -20 "$work/consumer-build.log")"
drive "find_package" "$work/cmake-consumer/build/greeter"

# pkg-config.
cp -r "$src/examples/embedding" "$work/pc-consumer"
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" make -C "$work/pc-consumer" >"$work/pc-build.log" 2>&1
check "the pkg-config consumer builds" $? "$(tail -20 "$work/pc-build.log")"
drive "pkg-config" "$work/pc-consumer/greeter"

# A subproject: only the libraries, and only what the consumer links is built.
mkdir -p "$work/sub"
cat >"$work/sub/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
add_subdirectory("$src" aip)
add_executable(consumer main.cc)
target_link_libraries(consumer PRIVATE aip::base)
CMAKE
cat >"$work/sub/main.cc" <<'CPP'
#include <iostream>
#include "aip/base/encoding.h"
int main() { std::cout << aip::HexEncode(aip::AsBytes(std::string_view("aip"))) << "\n"; }
CPP
cmake -S "$work/sub" -B "$work/sub/build" -G Ninja "${launcher[@]}" >"$work/sub-configure.log" 2>&1
check "aip configures as a subproject" $? "$(tail -5 "$work/sub-configure.log")"
for option in AIP_BUILD_TESTS AIP_BUILD_APPS AIP_BUILD_EXAMPLES AIP_BUILD_FUZZERS AIP_BUILD_BENCH AIP_WERROR AIP_INSTALL; do
  grep -q "^$option:BOOL=OFF" "$work/sub/build/CMakeCache.txt"; check "subproject: $option is off" $?
done
! grep -Eq '^(GTest_DIR|CLI11_DIR|benchmark_DIR):PATH=/' "$work/sub/build/CMakeCache.txt"
check "subproject: GTest, CLI11 and benchmark are not looked for" $?
cmake --build "$work/sub/build" --target consumer >"$work/sub-build.log" 2>&1
check "the subproject consumer builds" $? "$(tail -20 "$work/sub-build.log")"
[ "$("$work/sub/build/consumer")" = "616970" ]; check "the subproject consumer runs" $?
! grep -q "aip_mcp\|aip_gateway\|aip_crypto" "$work/sub-build.log"; check "subproject: only the linked module was built" $?

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
