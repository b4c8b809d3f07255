# The only file that calls add_library / add_executable / add_test. Every directory uses these
# rules, so warnings, sanitizers and output locations are the same everywhere.

set(AIP_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(AIP_WERROR)
  list(APPEND AIP_WARNINGS -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false positives on std::string concatenation (GCC bugs 105329, 105651).
  list(APPEND AIP_WARNINGS -Wno-maybe-uninitialized -Wno-stringop-overflow -Wno-restrict -Wno-array-bounds)
endif()

set(AIP_SANITIZER_FLAGS "")
if(AIP_SANITIZE)
  set(AIP_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()
if(AIP_FUZZ)
  set(AIP_SANITIZER_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
endif()

function(_aip_common target)
  target_compile_options(${target} PRIVATE ${AIP_WARNINGS} ${AIP_SANITIZER_FLAGS})
  target_link_options(${target} PRIVATE ${AIP_SANITIZER_FLAGS})
endfunction()

# aip_cc_library(NAME n SRCS ... DEPS ... [PRIVATE_DEPS ...] [INTERNAL]) defines aip_<n> and alias
# aip::<n>, exported and installed as aip::<n> (libaip_<n>.a) unless INTERNAL (test support).
function(aip_cc_library)
  cmake_parse_arguments(A "INTERNAL" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(aip_${A_NAME} STATIC ${A_SRCS})
  add_library(aip::${A_NAME} ALIAS aip_${A_NAME})
  set_target_properties(aip_${A_NAME} PROPERTIES EXPORT_NAME ${A_NAME})
  if(NOT A_INTERNAL)
    set_property(GLOBAL APPEND PROPERTY AIP_MODULES aip_${A_NAME})
  endif()
  target_include_directories(aip_${A_NAME} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src> $<INSTALL_INTERFACE:include>)
  target_link_libraries(aip_${A_NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  _aip_common(aip_${A_NAME})
endfunction()

# aip_cc_binary(NAME n SRCS ... DEPS ...) builds bin/<n>.
function(aip_cc_binary)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
  if(TARGET PkgConfig::JEMALLOC)
    target_link_libraries(${A_NAME} PRIVATE PkgConfig::JEMALLOC)
  endif()
  _aip_common(${A_NAME})
endfunction()

# aip_cc_test(NAME n SRCS ... DEPS ...) builds bin/<n> and registers ctest "aip.<n>".
# Tests run from the source root so they find tests/testdata and ../shared/testdata.
function(aip_cc_test)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  if(AIP_FUZZ OR NOT AIP_BUILD_TESTS)
    return()
  endif()
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} aip::testing GTest::gmock GTest::gtest_main)
  _aip_common(${A_NAME})
  add_test(NAME aip.${A_NAME} COMMAND ${A_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(aip.${A_NAME} PROPERTIES ENVIRONMENT "AIP_SHARED_TESTDATA=${PROJECT_SOURCE_DIR}/../shared/testdata")
endfunction()

# aip_fuzzer(NAME n SRCS ... DEPS ...): with AIP_FUZZ a libFuzzer binary; otherwise the same target
# linked with a replay driver, registered as ctest "aip.fuzz.<n>" that replays fuzz/corpus/<n>.
function(aip_fuzzer)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
  _aip_common(${A_NAME})
  if(AIP_FUZZ)
    target_link_options(${A_NAME} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${A_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
    add_test(NAME aip.fuzz.${A_NAME}
             COMMAND ${A_NAME} ${PROJECT_SOURCE_DIR}/fuzz/corpus/${A_NAME})
  endif()
endfunction()
