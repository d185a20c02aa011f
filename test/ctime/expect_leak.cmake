# ctime_detects_leak: passes only if valgrind reports the deliberate leak of ctime_selftest.c.
# Exit code 42 (the --error-exitcode) is required exactly, and the report must name the leaky
# function, so a crash, a missing valgrind or an unrelated error does not count as "detected".
# Usage: cmake "-DVALGRIND=valgrind;--error-exitcode=42;..." -DBIN=<bin> -P expect_leak.cmake
# (VALGRIND is the same command line as ctime_valgrind's, as a CMake list.)
execute_process(
  COMMAND ${VALGRIND} ${BIN} --leak-selftest
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}${err}")
if(NOT rc STREQUAL "42")
  message(FATAL_ERROR "expected valgrind to exit with 42 (leak detected), got '${rc}'")
endif()
if(NOT err MATCHES "Conditional jump or move depends on uninitialised value"
   OR NOT err MATCHES "ctime_leaky_compare")
  message(FATAL_ERROR "valgrind failed, but not on the deliberate branch in ctime_leaky_compare")
endif()
message(STATUS "valgrind detected the deliberate secret-dependent branch")
