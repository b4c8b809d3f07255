# Every dependency is a Debian package (scripts/install-deps.sh); nothing is downloaded at build time.
find_package(OpenSSL 3.0 REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json url)
# Only what is built is looked for: a consumer of the libraries alone needs none of CLI11, GTest,
# Google Benchmark or jemalloc.
if(AIP_BUILD_APPS OR AIP_BUILD_EXAMPLES)
  find_package(CLI11 CONFIG REQUIRED)
endif()
if(AIP_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
if(AIP_BUILD_BENCH AND NOT AIP_FUZZ)
  find_package(benchmark CONFIG REQUIRED)
endif()

# The servers (aip gateway, registry, the examples) allocate a little on every request from
# several threads; jemalloc keeps that off the hot path (glibc malloc cost the gateway about a
# third of its CPU per call). Not under the sanitizers, which bring their own allocator.
option(AIP_JEMALLOC "Link the programs with jemalloc" ON)
if(AIP_JEMALLOC AND NOT AIP_SANITIZE AND NOT AIP_FUZZ AND (AIP_BUILD_APPS OR AIP_BUILD_EXAMPLES))
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
