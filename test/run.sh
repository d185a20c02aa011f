#!/usr/bin/env bash
# The project's test command: installs dependencies, builds a plain and a sanitizer build, runs the
# whole suite in both, runs the constant-time test under valgrind and the fuzz targets for a bounded
# time. Exits non-zero on any failure.
#   MPC_JOBS=N        parallel build/test jobs (default: nproc)
#   MPC_FUZZ_SECONDS  seconds per fuzz target (default 10; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${MPC_JOBS:-$(nproc)}
fuzz_seconds=${MPC_FUZZ_SECONDS:-10}
status=0

step() { printf '\n==== %s\n' "$*"; }

step "dependencies"
deploy/install-deps.sh

run_suite() {
  local name=$1; shift
  step "$name: configure and build"
  cmake -S "$root" -B "build/$name" -DMPC_WERROR=ON "$@" >"build/$name.configure.log" 2>&1 ||
    { cat "build/$name.configure.log"; return 1; }
  cmake --build "build/$name" -j "$jobs" >"build/$name.build.log" 2>&1 ||
    { cat "build/$name.build.log"; return 1; }
  step "$name: ctest"
  (cd "build/$name" && ctest --output-on-failure -j "$jobs" --timeout 900)
}

mkdir -p build
run_suite plain -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
run_suite sanitize -DCMAKE_BUILD_TYPE=Debug -DMPC_SANITIZE=ON -DMPC_BUILD_CTIME_TESTS=OFF || status=1

if [ "$fuzz_seconds" != 0 ]; then
  step "fuzz: build (clang, libFuzzer) and run each target for ${fuzz_seconds}s"
  if cmake -S "$root" -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
        -DMPC_BUILD_FUZZ=ON -DMPC_BUILD_TESTS=OFF -DMPC_BUILD_CTIME_TESTS=OFF >build/fuzz.configure.log 2>&1 &&
     cmake --build build/fuzz -j "$jobs" >build/fuzz.build.log 2>&1; then
    fuzz_failed=0
    fuzz_total=0
    for target in build/fuzz/test/fuzz/fuzz_*; do
      [ -x "$target" ] || continue
      fuzz_total=$((fuzz_total + 1))
      name=$(basename "$target")
      corpus="test/fuzz/corpus/${name#fuzz_}"
      args=(-max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -print_final_stats=0)
      dirs=()
      [ -d "$corpus" ] && dirs=("$corpus")
      work=$(mktemp -d)
      if (cd "$work" && "$root/$target" "${args[@]}" "$work" "${dirs[@]/#/$root/}" >"$work/log" 2>&1); then
        echo "fuzz $name: ok"
      else
        echo "fuzz $name: FAILED"; tail -n 40 "$work/log"; fuzz_failed=$((fuzz_failed + 1))
      fi
      rm -rf "$work"
    done
    echo "fuzz: $((fuzz_total - fuzz_failed)) passed, $fuzz_failed failed"
    [ "$fuzz_failed" -eq 0 ] || status=1
  else
    cat build/fuzz.configure.log build/fuzz.build.log 2>/dev/null | tail -n 60
    echo "fuzz: build failed"; status=1
  fi
fi

step "result"
if [ $status -eq 0 ]; then echo "all suites passed"; else echo "FAILURES: see above"; fi
exit $status
