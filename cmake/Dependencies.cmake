# Every dependency is found through pkg-config (or CMake's own modules) and a missing one stops the
# configure step with the name of the Debian package that provides it.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config (or run deploy/install-deps.sh)")
endif()

function(mpc_require_pkg target module debian_pkg)
  pkg_check_modules(${target} IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${debian_pkg} (or run deploy/install-deps.sh)")
  endif()
endfunction()

mpc_require_pkg(SECP256K1 libsecp256k1 libsecp256k1-dev)
mpc_require_pkg(SODIUM libsodium libsodium-dev)
mpc_require_pkg(CRYPTO libcrypto libssl-dev)
mpc_require_pkg(SSL libssl libssl-dev)

include(CheckIncludeFile)
set(CMAKE_REQUIRED_INCLUDES ${SECP256K1_INCLUDE_DIRS})
check_include_file(secp256k1_ecdh.h MPC_HAVE_SECP_ECDH)
check_include_file(secp256k1_recovery.h MPC_HAVE_SECP_RECOVERY)
if(NOT MPC_HAVE_SECP_ECDH OR NOT MPC_HAVE_SECP_RECOVERY)
  message(FATAL_ERROR "libsecp256k1 without the ecdh/recovery modules: apt-get install libsecp256k1-dev")
endif()
unset(CMAKE_REQUIRED_INCLUDES)

if(MPC_BUILD_TESTS OR MPC_BUILD_FUZZ)
  mpc_require_pkg(CMOCKA cmocka libcmocka-dev)
endif()

check_include_file(valgrind/memcheck.h MPC_VALGRIND_FOUND)

mpc_require_pkg(PROTOBUFC libprotobuf-c libprotobuf-c-dev)
find_program(PROTOC_C protoc-c)
if(NOT PROTOC_C)
  message(FATAL_ERROR "protoc-c not found: apt-get install protobuf-c-compiler")
endif()
mpc_require_pkg(SECCOMP libseccomp libseccomp-dev)
mpc_require_pkg(UV libuv libuv1-dev)
mpc_require_pkg(SQLITE sqlite3 libsqlite3-dev)
mpc_require_pkg(INIH inih libinih-dev)
