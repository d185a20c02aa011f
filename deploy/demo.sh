#!/usr/bin/env bash
# The project's demonstration, from a fresh Debian 12 machine to a verified threshold signature:
#   1. installs the build dependencies (deploy/install-deps.sh) and builds (build/demo, RelWithDebInfo);
#   2. creates a throw-away deployment on 127.0.0.1 in a temporary directory: a private CA,
#      certificates for the coordinator, three signers and one requester, configurations and a
#      sealing key file per signer;
#   3. starts mpc-coordinatord and three mpc-signerd (each with its mpc-enclave);
#   4. runs a 2-of-3 key generation among enclaves that hold a signing policy (operators alice,
#      bob and carol; two approvals needed) and submits a realistic withdrawal: an EIP-1559
#      transfer of 2.5 ETH on chain 1 from the key's address m/0/0 to a hot wallet;
#   5. shows what the operators see on their second interface: signer 1's enclave's own summary
#      and fingerprint (mpc-approve show), and mpc-inspect's offline decoding of the same bytes;
#   6. alice approves on her signer and bob on his (mpc-approve decide), the signers sign, and the
#      coordinator returns the signed raw transaction;
#   7. verifies independently: OpenSSL checks (r, s) on the digest against the derived public key,
#      and test/integration/payload_tool.py re-parses the signed transaction with its own RLP and
#      Keccak code and recovers the sender address;
#   8. prints a report and stops everything (also on error or Ctrl-C).
#
# usage: deploy/demo.sh [--keep] [--no-deps]
#   --keep      leave the cluster running and print how to use mpcctl and mpc-approve against it
#   --no-deps   skip deploy/install-deps.sh (dependencies already installed)
# Environment: MPC_DEMO_BUILD_DIR (default build/demo), MPC_DEMO_ENCLAVE_ARGS (e.g.
# --insecure-test-mode in containers where mlockall is not permitted).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
keep=0
deps=1
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --no-deps) deps=0 ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
  shift
done

step() { printf '\n== %s\n' "$*"; }
ms() { date +%s%3N; }

if [ "$deps" = 1 ]; then
  step "installing dependencies (deploy/install-deps.sh)"
  "$here/install-deps.sh"
fi

build=${MPC_DEMO_BUILD_DIR:-$root/build/demo}
step "building in $build"
t0=$(ms)
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPC_BUILD_TESTS=OFF >"$build/demo-cmake.log" 2>&1 ||
  { cat "$build/demo-cmake.log" >&2; exit 1; }
cmake --build "$build" -j"$(nproc)" --target mpc-coordinatord mpc-signerd mpc-enclave mpcctl mpc-ca mpc-approve mpc-inspect \
  >"$build/demo-build.log" 2>&1 || { tail -n 40 "$build/demo-build.log" >&2; exit 1; }
echo "built in $(( $(ms) - t0 )) ms"

# shellcheck source=deploy/cluster.sh
. "$here/cluster.sh"
CLUSTER_ENCLAVE_ARGS=${MPC_DEMO_ENCLAVE_ARGS:-}
dir=$(mktemp -d /tmp/mpc-demo.XXXXXX)
cleanup() {
  if [ "$keep" = 0 ]; then
    cluster_stop_all
    rm -rf "$dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "creating a deployment in $dir (CA, 5 certificates, configurations, sealing keys, operator keys)"
CLUSTER_POLICY=1 cluster_init "$dir" "$build" 3
echo "operators alice, bob and carol; every enclave seals the policy: 2 approvals, chain id 1"
echo "coordinator on 127.0.0.1:$CL_PORT; signers dial out, no inbound port"

step "starting mpc-coordinatord and three mpc-signerd"
cluster_start_coordinator
for i in 1 2 3; do cluster_start_signer "$i"; done
echo "all three signers connected and authenticated (mutual TLS 1.3, pinned enclave identity keys)"

json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d'"$1"')'; }

step "2-of-3 key generation"
t0=$(ms)
kg=$(cluster_ctl --json --timeout 60 keygen --n 3 --t 2 --idempotency-key demo-keygen)
t_keygen=$(( $(ms) - t0 ))
key=$(echo "$kg" | json_get '["key_id"]')
pub=$(echo "$kg" | json_get '["public_key"]')
addr=$(echo "$kg" | json_get '["eth_address"]')
echo "key $key"

tool() { python3 "$root/test/integration/payload_tool.py" "$@"; }
sock() { echo "$dir/signer-$1/operator.sock"; }
path=m/0/0
hot=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
from=$(cluster_ctl --json address --key "$key" --path "$path" | json_get '["eth_address"]')
from_pub=$(cluster_ctl --json address --key "$key" --path "$path" | json_get '["public_key"]')

step "withdrawal request: 2.5 ETH from $from ($path) to the hot wallet $hot"
tool make eth-1559 --chain-id 1 --nonce 0 --to "$hot" --value 2500000000000000000 \
  --max-fee 40000000000 --tip 1500000000 >"$dir/withdrawal.hex"
echo "unsigned EIP-1559 transaction: $(cat "$dir/withdrawal.hex")"
t0=$(ms)
cluster_ctl --json --timeout 120 sign --key "$key" --path "$path" --type eth-tx --payload "$dir/withdrawal.hex" \
  --idempotency-key demo-withdrawal-1 >"$dir/sign.json" 2>"$dir/sign.err" &
sign_pid=$!
rid=""
for _ in $(seq 1 100); do
  rid=$("$CL_APPROVE" pending --socket "$(sock 1)" --json 2>/dev/null | json_get '["pending"][0]["request_id"]' 2>/dev/null) && break
  sleep 0.1
done
[ -n "$rid" ] || { echo "demo: signer 1 never showed the request" >&2; cat "$dir/sign.err" >&2; exit 1; }
t_decoded=$(( $(ms) - t0 ))
echo "request $rid: every signer decoded it; waiting for 2 operator approvals"

step "the second interface: what signer 1's enclave says (mpc-approve show, on signer 1's socket)"
"$CL_APPROVE" show --socket "$(sock 1)" --request "$rid"
step "the same bytes decoded offline (mpc-inspect, no network)"
"$build/tools/mpc-inspect" --type eth-tx --file "$dir/withdrawal.hex" --chain-id 1 \
  --asset-registry "$dir/operators/registry.txt" --key-id "$key" --path "$path" --own-address "$from" |
  grep -E '^(digest|fingerprint|operation|to|amount|max_fee|from)'

step "alice approves on signer 1, bob on signer 2 (mpc-approve decide)"
t1=$(ms)
for op in "1 alice" "2 bob"; do
  set -- $op
  "$CL_APPROVE" decide --socket "$(sock "$1")" --request "$rid" --key "$dir/operators/$2.key" \
    --decision approve --expires-in 900 --yes >"$dir/decide-$2.log" 2>&1 ||
    { cat "$dir/decide-$2.log" >&2; exit 1; }
  echo "$2 on signer $1: $(tail -n 1 "$dir/decide-$2.log")"
done
wait "$sign_pid" || { echo "demo: signing failed:" >&2; cat "$dir/sign.err" "$dir/sign.json" >&2; exit 1; }
t_signed=$(( $(ms) - t1 ))
sg=$(cat "$dir/sign.json")
state=$(echo "$sg" | json_get '["state"]')
[ "$state" = done ] || { echo "demo: signing ended $state: $(echo "$sg" | json_get '["error"]')" >&2; exit 1; }
sig=$(echo "$sg" | json_get '["signature"]')
v=$(echo "$sg" | json_get '["recovery_id"]')
digest=$(echo "$sg" | json_get '["digest"]')
raw=$(echo "$sg" | json_get '["output"]')
quorum=$(echo "$sg" | json_get '["signers"]' | tr -d "[]'")
signer_pub=$(echo "$sg" | json_get '["public_key"]')

step "every signer's view, side by side"
echo "$sg" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for v in d["views"]:
    why = [l for l in v["summary"].splitlines() if l.startswith("decision: ")]
    print("%-9s digest %s" % (v["signer"], v["digest"]))
    print("%-9s %s" % ("", why[-1] if why else ""))
    print("%-9s fingerprint %s" % ("", v["fingerprint"]))
    print("%-9s words %s" % ("", v.get("fingerprint_words", "")))
print("all digests equal" if len({v["digest"] for v in d["views"]}) == 1 else "DIGESTS DIFFER")'
fp=$(echo "$sg" | json_get '["views"][0]["fingerprint"]')
words=$(echo "$sg" | json_get '["views"][0].get("fingerprint_words","")')

step "independent verification"
python3 - "$signer_pub" "$digest" "$sig" "$dir" <<'PY'
import sys
pub, digest, sig, d = sys.argv[1:]
# SubjectPublicKeyInfo of a compressed secp256k1 point (id-ecPublicKey, secp256k1).
open(f"{d}/pub.der", "wb").write(bytes.fromhex("3036301006072a8648ce3d020106052b8104000a032200" + pub))
open(f"{d}/digest.bin", "wb").write(bytes.fromhex(digest))
open(f"{d}/sig.cnf", "w").write(f"asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x{sig[:64]}\ns=INTEGER:0x{sig[64:]}\n")
PY
openssl pkey -pubin -inform DER -in "$dir/pub.der" -out "$dir/pub.pem"
openssl asn1parse -genconf "$dir/sig.cnf" -out "$dir/sig.der" -noout
if openssl pkeyutl -verify -pubin -inkey "$dir/pub.pem" -in "$dir/digest.bin" -sigfile "$dir/sig.der" >/dev/null; then
  openssl_result="Signature Verified Successfully (openssl pkeyutl, secp256k1)"
else
  echo "demo: OpenSSL rejected the signature" >&2
  exit 1
fi
echo "$openssl_result"
[ "$signer_pub" = "$from_pub" ] || { echo "demo: the signing key is not the key at $path" >&2; exit 1; }
[ "$(tool digest eth-tx "$dir/withdrawal.hex")" = "0x$digest" ] ||
  { echo "demo: the independent digest differs from the signers'" >&2; exit 1; }
echo "independent digest (payload_tool.py, own RLP and Keccak): equal to every signer's"
tool check eth-tx --raw "$raw" --address "$from" --digest "$digest" ||
  { echo "demo: the signed transaction does not recover $from" >&2; exit 1; }

step "report"
cat <<REPORT
key id        $key
threshold     2 of 3 (signers signer-1, signer-2, signer-3); policy: 2 of alice, bob, carol
root key      $pub ($addr)
withdrawal    2.5 ETH, chain 1, nonce 0, from $from ($path) to $hot
request id    $rid
digest        $digest   (EIP-1559 signing hash, computed by each enclave; recomputed independently)
fingerprint   $fp
              $words
approved by   alice (on signer 1), bob (on signer 2)
signed by     $quorum
signature     r = ${sig:0:64}
              s = ${sig:64:64}
              yParity = $v
signed tx     $raw
verified      OpenSSL: ok; sender recovered from the signed transaction = $from: ok
timings       keygen ${t_keygen} ms; request to all verdicts ${t_decoded} ms; approvals to signed
              transaction ${t_signed} ms (two mpc-approve runs, session, combine; TLS included)
REPORT

if [ "$keep" = 1 ]; then
  step "cluster left running (--keep)"
  cat <<KEEP
state and logs:   $dir (logs in $dir/log; operator keys in $dir/operators)
mpcctl:           $build/tools/mpcctl --config $dir/mpcctl.ini list
                  $build/tools/mpcctl --config $dir/mpcctl.ini address --key $key --path m/0/1
                  $build/tools/mpcctl --config $dir/mpcctl.ini sign --key $key --path m/0/0 \\
                      --type eth-tx --payload $dir/withdrawal.hex --idempotency-key my-key-1
operators:        $build/tools/mpc-approve pending --socket $dir/signer-1/operator.sock
                  $build/tools/mpc-approve show --socket $dir/signer-1/operator.sock --request ID
                  $build/tools/mpc-approve decide --socket $dir/signer-1/operator.sock --request ID \\
                      --key $dir/operators/alice.key --decision approve --expires-in 900
                  (and bob with --socket $dir/signer-2/operator.sock: two approvals are needed)
stop:             kill ${CL_PID[*]}; rm -rf $dir
KEEP
fi
