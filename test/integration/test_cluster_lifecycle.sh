#!/usr/bin/env bash
# Integration test of a key's life and of faults during signing, with real processes on 127.0.0.1
# (deploy/cluster.sh): 2-of-3 keygen and signing; a share refresh (new key id, epoch 1, same public
# key and address, old shares deleted, old id refused, idempotent resubmission) and signing after
# it; a signer frozen during the signing rounds (round timeout) and one killed with SIGKILL during
# the rounds (immediate abort), each followed by another quorum signing; signers reconnecting after
# a coordinator restart; a signer pinned to another coordinator id refuses the coordinator.
#
# Fault timing without test hooks in the daemons: the coordinator waits for every asked signer's
# verdict (or the 5 s decode timeout) before it starts a session. With the third signer frozen
# (SIGSTOP), the two members of the first signing set have answered and wait for SessionStart for
# those 5 s; the test freezes a member in that window (after the coordinator logged its digest),
# so the member is certainly stopped when the session starts.
#
# usage: test_cluster_lifecycle.sh BUILD_DIR
set -uo pipefail

build=${1:?usage: test_cluster_lifecycle.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/itest_lib.sh"
itest_begin mpc-itest-life

coord_log="$dir/log/coordinator.log"

cluster_init "$dir" "$build" 3 || exit 1
cluster_start_coordinator || exit 1
for i in 1 2 3; do cluster_start_signer "$i" || exit 1; done

kg=$(cluster_ctl --json --timeout 60 keygen --n 3 --t 2 --idempotency-key kg-life)
check "keygen 2-of-3 exits 0" test $? -eq 0
key=$(echo "$kg" | json_get '["key_id"]')
pub=$(echo "$kg" | json_get '["public_key"]')
addr=$(echo "$kg" | json_get '["eth_address"]')

sign() { # KEY IDEM MESSAGE_FILE -> JSON on stdout, exit status of mpcctl
  cluster_ctl --json --timeout 60 sign --key "$1" --type eip191 --file "$3" --idempotency-key "$2"
}
printf 'before the refresh' >"$dir/m1"
printf 'after the refresh' >"$dir/m2"
printf 'a signer dies during the rounds' >"$dir/m3"
s1=$(sign "$key" s-1 "$dir/m1")
check "signing before the refresh verifies" eth_verify "$s1" "$dir/m1" "$pub" "$addr"

# ---- refresh --------------------------------------------------------------------------------
rf=$(cluster_ctl --json --timeout 60 refresh --key "$key" --idempotency-key rf-1)
check "refresh exits 0" test $? -eq 0
check "... and is done" test "$(echo "$rf" | json_get '["state"]')" = done
new=$(echo "$rf" | json_get '.get("new_key_id", "")')
check "... with a new key id" bash -c "[ ${#new} -eq 64 ] && [ '$new' != '$key' ]"
check "... and the same public key" test "$(echo "$rf" | json_get '["public_key"]')" = "$pub"
check "resubmitting the refresh's idempotency key returns the same request" \
  test "$(cluster_ctl --json refresh --key "$key" --idempotency-key rf-1 | json_get '["new_key_id"]')" = "$new"
list=$(cluster_ctl --json list)
check "list shows the new key at epoch 1" \
  test "$(echo "$list" | json_get '["keys"][0]["key_id"] + " " + str(d["keys"][0]["epoch"])')" = "$new 1"
check "... and no longer the old key" test "$(echo "$list" | json_get '["keys"].__len__()')" = 1
check "the new key id has the same address" \
  test "$(cluster_ctl --json address --key "$new" | json_get '["eth_address"]')" = "$addr"
for i in 1 2 3; do
  check "signer $i replaced its sealed share" \
    bash -c "[ -s '$dir/signer-$i/data/key-$new.sealed' ] && [ ! -e '$dir/signer-$i/data/key-$key.sealed' ]"
done
sign "$key" s-old "$dir/m2" >/dev/null 2>&1
check "signing with the retired key id is refused (exit 4)" test $? -eq 4
s2=$(sign "$new" s-2 "$dir/m2")
check "signing after the refresh verifies under the same key and address" eth_verify "$s2" "$dir/m2" "$pub" "$addr"
cluster_stop_signer 1
cluster_start_signer 1
s2b=$(sign "$new" s-2b "$dir/m1")
check "a restarted signer signs with its refreshed share" eth_verify "$s2b" "$dir/m1" "$pub" "$addr"
check "... in the quorum" test "$(echo "$s2b" | json_get '["signers"]')" = "['signer-1', 'signer-2']"
key=$new

# ---- a member freezes or dies during the signing rounds -------------------------------------
# Starts a signing request with signer 3 frozen, waits until signer 1 (a member of the first
# signing set {1, 2}) has given its verdict, freezes it, and waits for the session to start.
fault_setup() { # IDEM MESSAGE_FILE
  local digests sessions
  digests=$(cluster_count "$coord_log" "signer signer-1: digest")
  sessions=$(cluster_count "$coord_log" "signing session .* with signers signer-1,signer-2")
  kill -STOP "${CL_PID[signer-3]}"
  sign "$key" "$1" "$2" >"$dir/fault.json" &
  sign_pid=$!
  cluster_wait_more "$coord_log" "signer signer-1: digest" "$digests" || return 1
  kill -STOP "${CL_PID[signer-1]}"
  cluster_wait_more "$coord_log" "signing session .* with signers signer-1,signer-2" "$sessions" || return 1
  kill -CONT "${CL_PID[signer-3]}"
}

check "a frozen member is in the signing session" fault_setup s-3 "$dir/m3"
t0=$(date +%s%N)
wait "$sign_pid"
check "the request completes (exit 0)" test $? -eq 0
ms=$((($(date +%s%N) - t0) / 1000000))
check "... with signers 2 and 3" test "$(json_get '["signers"]' <"$dir/fault.json")" = "['signer-2', 'signer-3']"
check "... and verifies" eth_verify "$(cat "$dir/fault.json")" "$dir/m3" "$pub" "$addr"
check "... after the round timeout (10 s) and within 15 s ($ms ms)" test "$ms" -ge 9000 -a "$ms" -le 15000
check "... and the coordinator says why" grep -q "aborted: round timeout" "$coord_log"
kill -CONT "${CL_PID[signer-1]}"

check "a member killed during the rounds: it is in the signing session" fault_setup s-4 "$dir/m2"
t0=$(date +%s%N)
cluster_stop_signer 1 KILL
wait "$sign_pid"
check "the request completes (exit 0)" test $? -eq 0
ms=$((($(date +%s%N) - t0) / 1000000))
check "... with signers 2 and 3" test "$(json_get '["signers"]' <"$dir/fault.json")" = "['signer-2', 'signer-3']"
check "... and verifies" eth_verify "$(cat "$dir/fault.json")" "$dir/m2" "$pub" "$addr"
check "... at once, not after the round timeout ($ms ms)" test "$ms" -le 5000
check "... and the coordinator says why" grep -q "signer signer-1 disconnected during the session" "$coord_log"
cluster_start_signer 1

# ---- dropped connections --------------------------------------------------------------------
ready=$(cluster_count "$coord_log" "ready (party")
cluster_stop_coordinator
cluster_start_coordinator || exit 1
n=0
until [ "$(cluster_count "$coord_log" "ready (party")" -ge $((ready + 3)) ] || [ "$n" -ge 100 ]; do
  n=$((n + 1))
  sleep 0.1
done
check "all three signers reconnect after the coordinator restarted" \
  test "$(cluster_count "$coord_log" "ready (party")" -ge $((ready + 3))
check "list after the restart shows the stored key (refreshed, epoch 1) before any use" \
  test "$(cluster_ctl --json list | json_get '["keys"][0]["key_id"] + " " + str(d["keys"][0]["epoch"])')" = "$key 1"
s5=$(sign "$key" s-5 "$dir/m1")
check "... and sign" eth_verify "$s5" "$dir/m1" "$pub" "$addr"

# ---- coordinator identity -------------------------------------------------------------------
sed -e "s#^id = $CL_COORD_ID#id = coord-other#" "$dir/signer-2/signer.ini" >"$dir/signer-2/other.ini"
# shellcheck disable=SC2086
timeout 3 "$CL_SIGNERD" --config "$dir/signer-2/other.ini" $CLUSTER_ENCLAVE_ARGS >"$dir/log/other.log" 2>&1
check "a signer pinned to another coordinator id refuses this coordinator" \
  grep -q "connecting to the coordinator failed" "$dir/log/other.log"
check "... and never becomes ready" test "$(grep -c 'connected to coordinator' "$dir/log/other.log")" = 0
sed -e "s#^id = $CL_COORD_ID#id = coord-other#" "$dir/mpcctl.ini" >"$dir/other-ctl.ini"
cluster_ctl --config "$dir/other-ctl.ini" list >/dev/null 2>&1
check "mpcctl pinned to another coordinator id refuses it (exit 3)" test $? -eq 3

itest_end
