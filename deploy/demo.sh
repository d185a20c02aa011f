#!/usr/bin/env bash
# The project's demonstration, from a fresh Debian 12 machine to a verified threshold signature:
#   1. installs the build dependencies (deploy/install-deps.sh) and builds (build/demo, RelWithDebInfo);
#   2. creates a throw-away deployment on 127.0.0.1 in a temporary directory: a private CA,
#      certificates for the coordinator, three signers and one requester, configurations and a
#      sealing key file per signer;
#   3. starts mpc-coordinatord and three mpc-signerd (each with its mpc-enclave);
#   4. runs a 2-of-3 key generation and signs an EIP-191 personal message with two signers;
#   5. verifies the signature independently: the OpenSSL command line checks (r, s) against the
#      derived public key, and test/integration/eth_check.py recomputes the EIP-191 digest with its
#      own Keccak, recovers the public key from (r, s, v) and derives the Ethereum address;
#   6. prints a report and stops everything (also on error or Ctrl-C).
#
# usage: deploy/demo.sh [--keep] [--no-deps] [--message TEXT]
#   --keep      leave the cluster running and print how to use mpcctl against it
#   --no-deps   skip deploy/install-deps.sh (dependencies already installed)
#   --message   the personal message to sign (default: a fixed demo text)
# Environment: MPC_DEMO_BUILD_DIR (default build/demo), MPC_DEMO_ENCLAVE_ARGS (e.g.
# --insecure-test-mode in containers where mlockall is not permitted).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
keep=0
deps=1
message="MPC demo: proof of control at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --no-deps) deps=0 ;;
    --message) shift; message=${1:?--message needs a text} ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
cmake --build "$build" -j"$(nproc)" --target mpc-coordinatord mpc-signerd mpc-enclave mpcctl mpc-ca \
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

step "creating a deployment in $dir (CA, 5 certificates, configurations, sealing keys)"
cluster_init "$dir" "$build" 3
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

step "signing an EIP-191 personal message with two signers"
printf '%s' "$message" >"$dir/message.txt"
t0=$(ms)
sg=$(cluster_ctl --json --timeout 60 sign --key "$key" --type eip191 --file "$dir/message.txt" \
  --idempotency-key demo-sign-1)
t_sign=$(( $(ms) - t0 ))
state=$(echo "$sg" | json_get '["state"]')
[ "$state" = done ] || { echo "demo: signing ended $state: $(echo "$sg" | json_get '["error"]')" >&2; exit 1; }
sig=$(echo "$sg" | json_get '["signature"]')
v=$(echo "$sg" | json_get '["recovery_id"]')
digest=$(echo "$sg" | json_get '["digest"]')
quorum=$(echo "$sg" | json_get '["signers"]' | tr -d "[]'")
fp=$(echo "$sg" | json_get '["views"][0]["fingerprint"]')
signer_pub=$(echo "$sg" | json_get '.get("public_key","")')

step "independent verification"
python3 - "$pub" "$digest" "$sig" "$dir" <<'PY'
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
python3 "$root/test/integration/eth_check.py" --message "$dir/message.txt" --pubkey "$pub" --signature "$sig" \
  --v "$v" --digest "$digest" --address "$addr" >"$dir/eth_check.out" || { cat "$dir/eth_check.out" >&2; exit 1; }
cat "$dir/eth_check.out"
[ -z "$signer_pub" ] || [ "$signer_pub" = "$pub" ] || { echo "demo: derived key differs from the root key" >&2; exit 1; }

step "report"
cat <<REPORT
key id        $key
threshold     2 of 3 (signers signer-1, signer-2, signer-3)
public key    $pub
address       $addr
message       "$message"
digest        $digest   (EIP-191, computed by each enclave; recomputed independently)
fingerprint   $fp
signed by     $quorum
signature     r = ${sig:0:64}
              s = ${sig:64:64}
              v = $((v + 27)) (recovery id $v)
verified      OpenSSL: ok; recovered address matches: ok
timings       keygen ${t_keygen} ms, signing ${t_sign} ms (mpcctl round trips, TLS included)
REPORT

if [ "$keep" = 1 ]; then
  step "cluster left running (--keep)"
  cat <<KEEP
state and logs:   $dir (logs in $dir/log)
mpcctl:           $build/tools/mpcctl --config $dir/mpcctl.ini list
                  $build/tools/mpcctl --config $dir/mpcctl.ini address --key $key --path m/0/1
                  $build/tools/mpcctl --config $dir/mpcctl.ini sign --key $key --type eip191 \\
                      --file $dir/message.txt --idempotency-key my-key-1
operator socket:  echo status | python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect("$dir/signer-1/operator.sock"); s.sendall(sys.stdin.buffer.read()); print(s.recv(4096).decode())'
stop:             kill ${CL_PID[*]}; rm -rf $dir
KEEP
fi
