#!/usr/bin/env bash
# Integration test, five signers: 3-of-5 keygen; signing with all up, then with two signers
# stopped (one of them SIGKILLed), then with a frozen (SIGSTOP) signer in the first signing set; signatures checked by eth_check.py (independent Keccak,
# OpenSSL verify, address recovery).
#
# usage: test_cluster_3of5.sh BUILD_DIR
set -uo pipefail

build=${1:?usage: test_cluster_3of5.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/itest_lib.sh"
itest_begin mpc-itest5

cluster_init "$dir" "$build" 5 || exit 1
cluster_start_coordinator || exit 1
for i in 1 2 3 4 5; do cluster_start_signer "$i" || exit 1; done

kg=$(cluster_ctl --json --timeout 60 keygen --n 5 --t 3 --idempotency-key kg-5)
check "keygen 3-of-5 exits 0" test $? -eq 0
key=$(echo "$kg" | json_get '["key_id"]')
pub=$(echo "$kg" | json_get '["public_key"]')
printf 'three of five' >"$dir/m"
verify() {
  local addr
  addr=$(cluster_ctl --json address --key "$key" --path m/7 | json_get '["eth_address"]')
  # The derived key of m/7 is what the signature verifies under.
  eth_verify "$1" "$dir/m" "$(echo "$1" | json_get '["public_key"]')" "$addr"
}
sign() {
  cluster_ctl --json --timeout 30 sign --key "$key" --type eip191 --file "$dir/m" --path m/7 --idempotency-key "$1"
}
s1=$(sign a)
check "3-of-5 signing on derived path m/7 verifies and recovers the derived address" verify "$s1"
check "the derived key differs from the root key" test "$(echo "$s1" | json_get '["public_key"]')" != "$pub"
check "three signers signed" test "$(echo "$s1" | json_get '["signers"].__len__()')" = 3
cluster_stop_signer 1
cluster_stop_signer 2 KILL
s2=$(sign b)
check "with signers 1 and 2 down, 3, 4 and 5 sign" \
  test "$(echo "$s2" | json_get '["signers"]')" = "['signer-3', 'signer-4', 'signer-5']"
check "... and the signature verifies" verify "$s2"

cluster_start_signer 1
kill -STOP "${CL_PID[signer-1]}"
t0=$(date +%s)
s3=$(sign c)
elapsed=$(( $(date +%s) - t0 ))
kill -CONT "${CL_PID[signer-1]}"
check "a frozen signer in the first signing set is excluded and 3, 4, 5 sign" \
  test "$(echo "$s3" | json_get '["signers"]')" = "['signer-3', 'signer-4', 'signer-5']"
check "... and the signature verifies" verify "$s3"
check "... after the decode timeout (5 s), not longer than 15 s" test "$elapsed" -le 15

itest_end
