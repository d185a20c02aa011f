#!/usr/bin/env bash
# Integration test of the approval flow with real processes on 127.0.0.1: three signers whose
# enclaves hold a signing policy (deploy/cluster.sh CLUSTER_POLICY=1: operators alice, bob and
# carol, quorum 2), mpcctl as the requester and mpc-approve as each operator's second interface
# against the operator's OWN signer socket.
#
# usage: test_cluster_approvals.sh BUILD_DIR
# Cases: an EIP-1559 transfer, an ERC-20 transfer, a Safe transaction and a PSBT are signed after
# two approvals, each output checked by payload_tool.py (independent RLP, Keccak, EIP-712, BIP143
# and secp256k1 code); the digest every signer reports equals the one computed independently; a
# PSBT with two inputs of the key is signed one session per input after one pair of approvals of
# its digest-set subject, and one with an input of another path is blocked;
# a Safe DELEGATECALL to a non-allowlisted contract is blocked; an operator rejection blocks; an
# approval from an unknown key and an expired one are refused by the enclaves (the request waits
# and completes once a valid approval arrives); a duplicate approval and one for another digest
# are dropped; a coordinator that shows one signer other payload bytes is caught.
set -uo pipefail

build=${1:?usage: test_cluster_approvals.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/itest_lib.sh"
itest_begin mpc-itest-appr
touch "$dir/seen"
tool() { python3 "$here/payload_tool.py" "$@"; }
approve() { "$CL_APPROVE" "$@"; }
sock() { echo "$CL_DIR/signer-$1/operator.sock"; }
coord_log_has() { cluster_wait_log "$CL_DIR/log/coordinator.log" "$1" 100; }

export CLUSTER_POLICY=1
cluster_init "$dir" "$build" 3 || exit 1
cluster_start_coordinator || exit 1
for i in 1 2 3; do cluster_start_signer "$i" || exit 1; done

kg=$(cluster_ctl --json --timeout 60 keygen --n 3 --t 2 --idempotency-key kg-1)
check "keygen 2-of-3 with policy-holding enclaves exits 0" test $? -eq 0
key=$(echo "$kg" | json_get '["key_id"]')
pub=$(cluster_ctl --json address --key "$key" --path m/0/7 | json_get '["public_key"]')
addr=$(cluster_ctl --json address --key "$key" --path m/0/7 | json_get '["eth_address"]')

# submit NAME TYPE FILE: mpcctl sign in the background (it waits for the approvals), its JSON in
# $dir/NAME.json; sets rid to the request id that signer 1's operator then sees pending.
pending_ids() { # SIGNER: the request ids it shows pending, one per line
  approve pending --socket "$(sock "$1")" --json 2>/dev/null |
    python3 -c 'import json, sys; print("\n".join(p["request_id"] for p in json.load(sys.stdin)["pending"]))'
}
submit() {
  pending_ids 1 >>"$dir/seen"
  cluster_ctl --json --timeout 90 sign --key "$key" --path m/0/7 --type "$2" --file "$3" \
    --idempotency-key "$1" >"$dir/$1.json" 2>"$dir/$1.err" &
  eval "pid_$1=$!"
  local n=0
  rid=""
  while [ -z "$rid" ] && [ "$n" -lt 100 ]; do
    rid=$(approve pending --socket "$(sock 1)" --json 2>/dev/null | python3 -c '
import json, sys
seen = open(sys.argv[2]).read().split() if len(sys.argv) > 2 else []
new = [p["request_id"] for p in json.load(sys.stdin)["pending"] if p["key_id"] == sys.argv[1] and p["request_id"] not in seen]
print(new[0] if new else "")' "$key" "$dir/seen")
    n=$((n + 1))
    [ -n "$rid" ] || sleep 0.1
  done
  echo "$rid" >>"$dir/seen"
}
finished() { local p="pid_$1"; wait "${!p}"; } # NAME: mpcctl's exit status
decide() { # SIGNER OPERATOR RID DECISION
  approve decide --socket "$(sock "$1")" --request "$3" --key "$CL_DIR/operators/$2.key" --decision "$4" \
    --expires-in 600 --yes >>"$dir/decide.log" 2>&1
}
out() { json_get "$2" <"$dir/$1.json"; } # NAME EXPR

# ---- the four withdrawals, each after two approvals ---------------------------------------------
tool make eth-1559 --chain-id 1 --nonce 7 --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed \
  --value 1500000000000000000 >"$dir/eth.hex"
tool make erc20 --chain-id 1 --nonce 8 --token 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 \
  --to 0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359 --amount 2500000000 >"$dir/erc20.hex"
tool make safe --chain-id 1 --safe 0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4 \
  --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --value 1000000000000000000 --data 0x --operation 0 \
  --nonce 3 >"$dir/safe-tx.json"
tool make psbt --pubkey "$pub" --network regtest --amount 150000 \
  --to bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080 --fee 1000 --out "$dir/tx.psbt"

for case in "eth eth-tx eth.hex" "erc20 erc20 erc20.hex" "safe safe-tx safe-tx.json" "psbt psbt tx.psbt"; do
  set -- $case
  name=$1 type=$2 file=$dir/$3
  submit "$name" "$type" "$file"
  check "$name: signer 1 shows the request to its operator" test -n "$rid"
  show=$(approve show --socket "$(sock 2)" --request "$rid" --json 2>>"$dir/decide.log")
  want=$(tool digest "$type" "$file")
  check "$name: signer 2's enclave computed the independently computed digest" \
    test "$(echo "$show" | json_get '["digest"]')" = "${want#0x}"
  check "$name: the verdict signature verifies under signer 2's enclave identity" \
    test "$(echo "$show" | json_get '["verdict_signature_valid"]')" = True
  check "$name: alice approves on signer 1" decide 1 alice "$rid" approve
  check "$name: bob approves on signer 2" decide 2 bob "$rid" approve
  finished "$name"
  check "$name: mpcctl sign exits 0 once approved" test $? -eq 0
  check "$name: the request is done with 2 approvals" test "$(out "$name" '["state"]')/$(out "$name" '["approvals"]')" = done/2
  check "$name: every signer reported the same digest" \
    test "$(out "$name" '["views"]' | tr -d ' ' | grep -o "${want#0x}" | wc -l)" -ge 2
done

check "eth: the signed raw transaction re-parses and recovers the key's address" \
  tool check eth-tx --raw "$(out eth '["output"]')" --address "$addr"
check "erc20: the signed raw transaction re-parses and recovers the key's address" \
  tool check eth-tx --raw "$(out erc20 '["output"]')" --address "$addr"
check "safe: the 65-byte Safe signature recovers the key's address over safeTxHash" \
  tool check sig65 --digest "$(out safe '["digest"]')" --sig "$(out safe '["output"]')" --address "$addr"
printf '%s' "$(out psbt '["output"]')" | xxd -r -p >"$dir/signed.psbt"
check "psbt: the output PSBT carries a valid partial signature for our key" \
  tool check psbt --psbt "$dir/signed.psbt" --pubkey "$pub" --final-tx "$(out psbt '["final_tx"]')"

# ---- a PSBT with two inputs of the key: one session per input, one set of approvals ---------------
tool make psbt --pubkey "$pub" --inputs 2 --network regtest --amount 150000 \
  --to bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080 --fee 1000 --out "$dir/tx2.psbt"
want=$(tool digest psbt "$dir/tx2.psbt")
subject=$(tool digest psbt "$dir/tx2.psbt" --subject)
check "psbt2: the payload has two inputs to sign" test "$(echo "$want" | wc -l)" -eq 2
submit psbt2 psbt "$dir/tx2.psbt"
check "psbt2: signer 1 shows the request to its operator" test -n "$rid"
show=$(approve show --socket "$(sock 2)" --request "$rid" --json 2>>"$dir/decide.log")
check "psbt2: signer 2's enclave computed the first input's digest" \
  test "$(echo "$show" | json_get '["digest"]')" = "$(echo "$want" | head -n 1 | sed 's/^0x//')"
check "psbt2: its fingerprint subject is the independently computed hash of the digest set" \
  test "$(echo "$show" | json_get '["fingerprint_subject"]')" = "${subject#0x}"
check "psbt2: alice approves the digest set on signer 1" decide 1 alice "$rid" approve
check "psbt2: bob approves the digest set on signer 2" decide 2 bob "$rid" approve
finished psbt2
check "psbt2: mpcctl sign exits 0 once approved" test $? -eq 0
check "psbt2: the request is done with 2 approvals" \
  test "$(out psbt2 '["state"]')/$(out psbt2 '["approvals"]')" = done/2
check "psbt2: the coordinator signed the second input in its own session" \
  coord_log_has "digest 1 of 2 signed; signing the next"
check "psbt2: the last digest reported is the second input's" \
  test "$(out psbt2 '["digest"]' | sed 's/^0x//')" = "$(echo "$want" | tail -n 1 | sed 's/^0x//')"
printf '%s' "$(out psbt2 '["output"]')" | xxd -r -p >"$dir/signed2.psbt"
rid_psbt2=$(out psbt2 '["request_id"]')
check "psbt2: the output PSBT has a valid partial signature on both inputs and the final tx verifies" \
  tool check psbt --psbt "$dir/signed2.psbt" --pubkey "$pub" --final-tx "$(out psbt2 '["final_tx"]')"

# ---- refusals ------------------------------------------------------------------------------------
tool make safe --chain-id 1 --safe 0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4 \
  --to 0x96221423681A6d52E184D440a8eFCEbB105C7242 --value 0 --data 0xa9059cbb --operation 1 \
  --nonce 4 >"$dir/bybit-tx.json"
cluster_ctl --json --timeout 30 sign --key "$key" --path m/0/7 --type safe-tx --file "$dir/bybit-tx.json" \
  --idempotency-key bybit >"$dir/bybit.out" 2>&1
check "a Safe DELEGATECALL to a non-allowlisted contract is blocked by the signers" \
  test "$(json_get '["state"]' <"$dir/bybit.out")" = blocked

other=$(cluster_ctl --json address --key "$key" --path m/0/8 | json_get '["public_key"]')
tool make psbt --pubkey "$other" --network regtest --amount 150000 \
  --to bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080 --fee 1000 --out "$dir/other.psbt"
cluster_ctl --json --timeout 30 sign --key "$key" --path m/0/7 --type psbt --file "$dir/other.psbt" \
  --idempotency-key other-input >"$dir/other.out" 2>&1
check "a PSBT whose input belongs to another path of the key is blocked by the signers" \
  grep -q 'not spent by this key' "$dir/other.out"
tool make psbt --pubkey "$pub" --pubkey "$other" --network regtest --amount 150000 \
  --to bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080 --fee 1000 --out "$dir/mixed.psbt"
cluster_ctl --json --timeout 30 sign --key "$key" --path m/0/7 --type psbt --file "$dir/mixed.psbt" \
  --idempotency-key mixed-inputs >"$dir/mixed.out" 2>&1
check "a PSBT with one input of the key's path and one of another path is blocked by the signers" \
  grep -q 'a PSBT input to sign is not spent by this key' "$dir/mixed.out"

printf 'please reject me' >"$dir/m-reject"
submit reject eip191 "$dir/m-reject"
check "carol rejects on signer 3" decide 3 carol "$rid" reject
finished reject
check "an operator rejection blocks the request" test "$(out reject '["state"]')" = blocked

printf 'approvals that do not count' >"$dir/m-bad"
submit bad eip191 "$dir/m-bad"
digest=$(approve show --socket "$(sock 1)" --request "$rid" --json | json_get '["digest"]')
approve keygen --out "$dir/mallory.key" >/dev/null
sign_offline() { # KEYFILE DIGEST EXPIRES -> approval hex
  approve sign --key "$1" --request-id "$rid" --key-id "$key" --digest "$2" --decision approve \
    --expires-in "$3" --yes 2>/dev/null | tail -n 1
}
raw_approve() { # SIGNER HEX -> the socket's answer
  python3 - "$(sock "$1")" "approve $2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
data = b""
while chunk := s.recv(65536):
    data += chunk
print(data.decode(), end="")
PY
}
before=$(cluster_count "$CL_DIR/log/coordinator.log" "approval for another request, key or digest")
raw_approve 1 "$(sign_offline "$CL_DIR/operators/alice.key" "$(printf '%064d' 0)" 600)" >/dev/null
check "an approval for another digest is dropped by the coordinator" \
  cluster_wait_more "$CL_DIR/log/coordinator.log" "approval for another request, key or digest" "$before"
short=$(sign_offline "$CL_DIR/operators/alice.key" "$digest" 1)
check "alice approves on signer 1" decide 1 alice "$rid" approve
sleep 2
raw_approve 1 "$short" >/dev/null
check "a second approval from the same operator is dropped" coord_log_has "a second approval from operator key"
raw_approve 2 "$(sign_offline "$dir/mallory.key" "$digest" 600)" >/dev/null
check "an approval from an unknown key is refused by the enclaves" coord_log_has "unknown approver"
check "... and the request still waits for approvals" \
  test "$(cluster_ctl --json status "$rid" | json_get '["state"]')" = awaiting_approval
expired=$(sign_offline "$CL_DIR/operators/carol.key" "$digest" 1)
sleep 2
raw_approve 3 "$expired" >/dev/null
check "an expired approval is refused by the enclaves" coord_log_has "expired (expiry <= now)"
check "... and the request still waits" \
  test "$(cluster_ctl --json status "$rid" | json_get '["state"]')" = awaiting_approval
check "bob approves on signer 2" decide 2 bob "$rid" approve
finished bad
check "the request completes with the two valid approvals" test "$(out bad '["state"]')" = done

# ---- a coordinator that shows one signer other bytes ---------------------------------------------
cluster_stop_coordinator
CL_COORDD=$build/daemon/coordinator/mpc-coordinatord-tamper
cluster_start_coordinator || exit 1
for i in 1 2 3; do cluster_wait_log "$CL_DIR/log/coordinator.log" "signer signer-$i ready" 100; done
sleep 1
st=$(cluster_ctl --json status "$rid_psbt2")
check "psbt2 after a coordinator restart: the same signed PSBT and final transaction, from the store" \
  test "$(echo "$st" | json_get '["output"]')/$(echo "$st" | json_get '["final_tx"]')" = \
  "$(out psbt2 '["output"]')/$(out psbt2 '["final_tx"]')"
printf 'one payload for everybody' >"$dir/m-tamper"
cluster_ctl --json --timeout 30 sign --key "$key" --type eip191 --file "$dir/m-tamper" \
  --idempotency-key tamper >"$dir/tamper.out" 2>&1
check "a coordinator that sends signer 2 other payload bytes is caught by the digest comparison" \
  grep -q 'signers computed different digests' "$dir/tamper.out"

itest_end
