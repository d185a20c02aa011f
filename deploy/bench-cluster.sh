#!/usr/bin/env bash
# End-to-end signing figures of a throw-away 2-of-3 cluster on loopback (deploy/cluster.sh):
#
#   deploy/bench-cluster.sh [BUILD_DIR [REQUESTS [CONCURRENCY [MPC-BENCH OPTIONS...]]]]
#                                       (defaults: build/bench, 100, 16)
#
# Brings the binaries in BUILD_DIR up to date (configuring it first if it is not a build directory
# yet, so a fresh clone works once deploy/install-deps.sh has run), starts mpc-coordinatord and
# three mpc-signerd, runs a 2-of-3 keygen, then `mpc-bench cluster` over one requester
# connection:
#   1. REQUESTS EIP-191 signing requests one at a time: end-to-end latency (median, p99);
#   2. REQUESTS requests with CONCURRENCY in flight on the same connection: signatures per second;
#   3. the in-process reference (libmpc 2-of-3, all parties in one process) and the ratio.
# Further arguments go to mpc-bench cluster (e.g. --poll-ms 5 --warmup 10; see its --help).
# Stops everything on exit. Set CLUSTER_ENCLAVE_ARGS=--insecure-test-mode where mlockall fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build/bench}
requests=${2:-100}
conc=${3:-16}
shift $(($# < 3 ? $# : 3))
mkdir -p "$build"
build=$(cd "$build" && pwd)

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPC_BUILD_TESTS=OFF >"$build/bench-cmake.log" 2>&1 ||
    { cat "$build/bench-cmake.log" >&2; exit 1; }
fi
cmake --build "$build" -j"$(nproc)" --target mpc-coordinatord mpc-signerd mpc-enclave mpcctl mpc-ca mpc-bench \
  >"$build/bench-build.log" 2>&1 || { tail -n 40 "$build/bench-build.log" >&2; exit 1; }

. "$here/cluster.sh"
dir=$(mktemp -d /tmp/mpc-bench.XXXXXX)
cleanup() {
  cluster_stop_all
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cluster_init "$dir" "$build" 3
cluster_start_coordinator
for i in 1 2 3; do cluster_start_signer "$i"; done
key=$(cluster_ctl --json --timeout 60 keygen --n 3 --t 2 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key_id"])')

"$build/tools/mpc-bench" cluster --config "$dir/mpcctl.ini" --key "$key" --requests "$requests" \
  --concurrency "$conc" "$@"
