#!/usr/bin/env bash
# End-to-end signing figures of a throw-away 2-of-3 cluster on loopback (deploy/cluster.sh):
#
#   deploy/bench-cluster.sh BUILD_DIR [REQUESTS] [CONCURRENCY]      (defaults 50 and 16)
#
# Starts mpc-coordinatord and three mpc-signerd from BUILD_DIR (an existing build), runs a
# keygen, then
#   1. REQUESTS EIP-191 signing requests one at a time: latency as the coordinator measured it
#      (request accepted -> signature combined and verified; RequestInfo created_ms/finished_ms)
#      and as mpcctl saw it (process start to exit: TLS handshake, submit, 200 ms status polls);
#   2. REQUESTS requests with CONCURRENCY mpcctl processes in flight: signatures per second;
#   3. the in-process reference: `mpc-bench sign --t 2 --n 3` (libmpc, all parties in one process).
# Stops everything on exit. Set CLUSTER_ENCLAVE_ARGS=--insecure-test-mode where mlockall fails.
set -euo pipefail

build=$(cd "${1:?usage: bench-cluster.sh BUILD_DIR [REQUESTS] [CONCURRENCY]}" && pwd)
requests=${2:-50}
conc=${3:-16}
here=$(cd "$(dirname "$0")" && pwd)
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
printf 'benchmark message' >"$dir/msg"

sign_one() { # IDEM -> "server_ms client_ms"
  local t0 out
  t0=$(date +%s%N)
  out=$(cluster_ctl --json --timeout 60 sign --key "$key" --type eip191 --file "$dir/msg" --idempotency-key "$1")
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["state"]=="done", d["error"]; print(d["finished_ms"]-d["created_ms"], (int(sys.argv[3])-int(sys.argv[2]))//1000000)' \
    "$out" "$t0" "$(date +%s%N)"
}

stats() { # LABEL < one number per line
  python3 -c '
import sys, statistics
v = sorted(float(x) for x in sys.stdin.read().split())
p99 = v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]
print("%-42s n=%d median %.1f ms  p99 %.1f ms  min %.1f ms" % (sys.argv[1], len(v), statistics.median(v), p99, v[0]))
' "$1"
}

echo "== sequential: $requests requests, one at a time"
for i in $(seq 1 "$requests"); do sign_one "seq-$i"; done >"$dir/seq"
cut -d' ' -f1 "$dir/seq" | stats "coordinator: accepted -> signature"
cut -d' ' -f2 "$dir/seq" | stats "mpcctl process (connect, submit, poll)"

echo "== concurrent: $requests requests, $conc in flight"
t0=$(date +%s%N)
seq 1 "$requests" | xargs -P "$conc" -I{} bash -c "$(declare -f sign_one cluster_ctl); $(declare -p CL_CTL CL_DIR key dir); sign_one par-{}" >"$dir/par"
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
cut -d' ' -f1 "$dir/par" | stats "coordinator: accepted -> signature"
python3 -c 'import sys; n, ms = int(sys.argv[1]), int(sys.argv[2]); print("throughput: %d signatures in %d ms = %.1f signatures/s" % (n, ms, n * 1000.0 / ms))' \
  "$(wc -l <"$dir/par")" "$elapsed_ms"

echo "== in-process reference (libmpc, 2-of-3, all parties in one process)"
"$build/tools/mpc-bench" sign --t 2 --n 3
