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
total_passed=0
total_failed=0

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
  local rc=0
  (cd "build/$name" && ctest --output-on-failure --no-tests=error -j "$jobs" --timeout 900) \
    | tee "build/$name.ctest.log" || rc=1
  # ctest's own summary: "NN% tests passed, F tests failed out of T"
  local summary failed total
  summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "build/$name.ctest.log" | tail -n 1)
  if [ -n "$summary" ]; then
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
    total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
    total_passed=$((total_passed + total - failed))
    total_failed=$((total_failed + failed))
  else
    total_failed=$((total_failed + 1))
  fi
  return $rc
}

mkdir -p build
run_suite plain -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
run_suite sanitize -DCMAKE_BUILD_TYPE=Debug -DMPC_SANITIZE=ON -DMPC_BUILD_CTIME_TESTS=OFF || status=1

if [ "$fuzz_seconds" != 0 ]; then
  step "fuzz: build (clang, libFuzzer) and run each target for ${fuzz_seconds}s"
  if cmake -S "$root" -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
        -DMPC_BUILD_FUZZ=ON -DMPC_BUILD_TESTS=OFF -DMPC_BUILD_CTIME_TESTS=OFF -DMPC_WERROR=ON >build/fuzz.configure.log 2>&1 &&
     cmake --build build/fuzz -j "$jobs" >build/fuzz.build.log 2>&1; then
    # Each target runs from its seed corpus (if any) into a scratch corpus; $jobs at a time.
    fuzz_one() {
      local target=$1 name work corpus rc=0
      name=$(basename "$target")
      corpus="$root/test/fuzz/corpus/${name#fuzz_}"
      work=$(mktemp -d)
      [ -d "$corpus" ] || corpus=
      (cd "$work" && "$target" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
          -print_final_stats=0 "$work" ${corpus:+"$corpus"} >"$work/log" 2>&1) || rc=1
      if [ $rc -eq 0 ]; then echo "fuzz $name: ok"; else echo "fuzz $name: FAILED"; tail -n 40 "$work/log"; fi
      rm -rf "$work"
      return $rc
    }
    export -f fuzz_one
    export root fuzz_seconds
    mapfile -t targets < <(find "$root/build/fuzz/test/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
    fuzz_total=${#targets[@]}
    fuzz_log=build/fuzz.results.log
    printf '%s\n' "${targets[@]}" | xargs -r -P "$jobs" -I{} bash -c 'fuzz_one "$1"' _ {} | tee "$fuzz_log" || true
    fuzz_failed=$(grep -c ': FAILED$' "$fuzz_log" || true)
    echo "fuzz: $((fuzz_total - fuzz_failed)) passed, $fuzz_failed failed"
    total_passed=$((total_passed + fuzz_total - fuzz_failed))
    total_failed=$((total_failed + fuzz_failed))
    [ "$fuzz_failed" -eq 0 ] || status=1
  else
    cat build/fuzz.configure.log build/fuzz.build.log 2>/dev/null | tail -n 60
    echo "fuzz: build failed"; status=1; total_failed=$((total_failed + 1))
  fi
fi

step "result (plain and sanitizer ctest runs, plus fuzz targets)"
[ $status -eq 0 ] || echo "FAILURES: see above"
[ $total_failed -eq 0 ] || status=1
echo "total: $total_passed passed, $total_failed failed"
exit $status
