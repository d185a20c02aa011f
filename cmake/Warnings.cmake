set(MPC_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
  -Wold-style-definition -Wpointer-arith -Wcast-align -Wvla -Wundef -Wnull-dereference
  -Wno-unused-parameter)
include(CheckCCompilerFlag)
foreach(flag ${MPC_WARNING_FLAGS})
  string(MAKE_C_IDENTIFIER "HAVE_FLAG${flag}" var)
  check_c_compiler_flag(${flag} ${var})
  if(${var})
    add_compile_options(${flag})
  endif()
endforeach()
if(MPC_WERROR)
  add_compile_options(-Werror)
endif()
# Secrets must not reach a core dump or be spilled by fortification quirks; keep the stack protected.
add_compile_options(-fstack-protector-strong -fno-strict-aliasing "$<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>")
