#!/usr/bin/env bash
# Integration test with real processes on 127.0.0.1: mpc-coordinatord, three mpc-signerd (each
# with its mpc-enclave) and mpcctl, using deploy/cluster.sh.
#
# usage: test_cluster.sh BUILD_DIR
# Cases: 2-of-3 keygen and signing; the signature verifies with OpenSSL and recovers the key's
# address (eth_check.py, independent Keccak and secp256k1); idempotency; any 2 signers sign while
# the third is stopped; a signer restarted (and one killed with SIGKILL) between keygen and
# signing still signs; a coordinator restart keeps keys and results and fails nothing silently;
# certificates from another CA, a wrong role, an unknown signer id and garbage bytes are rejected
# with a clear log line while the daemons keep serving.
set -uo pipefail

build=${1:?usage: test_cluster.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/itest_lib.sh"
itest_begin mpc-itest
coord_log_has() { cluster_wait_log "$CL_DIR/log/coordinator.log" "$1" 50; }

cluster_init "$dir" "$build" 3 || exit 1
cluster_start_coordinator || exit 1
for i in 1 2 3; do cluster_start_signer "$i" || exit 1; done

# ---- keygen and signing ---------------------------------------------------------------------
kg=$(cluster_ctl --json --timeout 60 keygen --n 3 --t 2 --idempotency-key kg-1)
check "keygen 2-of-3 exits 0" test $? -eq 0
key=$(echo "$kg" | json_get '["key_id"]')
pub=$(echo "$kg" | json_get '["public_key"]')
addr=$(echo "$kg" | json_get '["eth_address"]')
check "keygen reports the three signers" test "$(echo "$kg" | json_get '["signers"]')" = "['signer-1', 'signer-2', 'signer-3']"
for i in 1 2 3; do
  check "signer $i stored its sealed share" test -s "$dir/signer-$i/data/key-$key.sealed"
done
check "keygen resubmitted with its idempotency key returns the same key" \
  test "$(cluster_ctl --json keygen --n 3 --t 2 --idempotency-key kg-1 | json_get '["key_id"]')" = "$key"

sign() { # IDEM MESSAGE_FILE -> JSON on stdout, exit status of mpcctl
  cluster_ctl --json --timeout 30 sign --key "$key" --type eip191 --file "$2" --idempotency-key "$1"
}
verify() { eth_verify "$1" "$2" "$pub" "$addr"; } # JSON MESSAGE_FILE

printf 'integration test message 1' >"$dir/m1"
printf 'integration test message 2' >"$dir/m2"
s1=$(sign s-1 "$dir/m1")
check "sign with all signers up exits 0" test $? -eq 0
check "the signature verifies (OpenSSL) and recovers the key's address" verify "$s1" "$dir/m1"
check "the quorum has exactly 2 signers" test "$(echo "$s1" | json_get '["signers"].__len__()')" = 2
check "all three signers reported the same digest" \
  test "$(echo "$s1" | json_get '["views"].__len__()')" = 3

s1b=$(sign s-1 "$dir/m1")
check "resubmitting the idempotency key returns the existing request" \
  test "$(echo "$s1b" | json_get '["existing"]')" = True
check "... with the same signature" \
  test "$(echo "$s1b" | json_get '["signature"]')" = "$(echo "$s1" | json_get '["signature"]')"
sign s-1 "$dir/m2" >/dev/null 2>&1
check "reusing the idempotency key for another payload is refused (exit 4)" test $? -eq 4

# ---- any two signers ------------------------------------------------------------------------
cluster_stop_signer 1
s2=$(sign s-2 "$dir/m2")
check "signer 1 stopped: signers 2 and 3 sign" test "$(echo "$s2" | json_get '["signers"]')" = "['signer-2', 'signer-3']"
check "... and the signature verifies" verify "$s2" "$dir/m2"

cluster_start_signer 1
cluster_stop_signer 3 KILL
s3=$(sign s-3 "$dir/m1")
check "signer 3 killed with SIGKILL: signers 1 and 2 sign" test "$(echo "$s3" | json_get '["signers"]')" = "['signer-1', 'signer-2']"
check "... and the signature verifies" verify "$s3" "$dir/m1"
cluster_start_signer 3

cluster_stop_signer 2
cluster_start_signer 2
cluster_stop_signer 1
s4=$(sign s-4 "$dir/m2")
check "signer 2 restarted after keygen signs with signer 3" \
  test "$(echo "$s4" | json_get '["signers"]')" = "['signer-2', 'signer-3']"
check "... and the signature verifies" verify "$s4" "$dir/m2"
cluster_stop_signer 3
sign s-5 "$dir/m1" >/dev/null 2>&1
check "with only one signer left, signing fails cleanly (exit 5)" test $? -eq 5
cluster_start_signer 1
cluster_start_signer 3

# ---- coordinator restart --------------------------------------------------------------------
rid=$(echo "$s1" | json_get '["request_id"]')
# A request in flight when the coordinator stops: the signers are frozen so it cannot finish.
for i in 1 2 3; do kill -STOP "${CL_PID[signer-$i]}"; done
pending=$(cluster_ctl --json --no-wait sign --key "$key" --type eip191 --file "$dir/m2" --idempotency-key s-pending)
pending_id=$(echo "$pending" | json_get '["request_id"]')
check "a request submitted with --no-wait is pending" test "$(echo "$pending" | json_get '["state"]')" = pending
declare -A ready_before=()
for i in 1 2 3; do ready_before[$i]=$(cluster_count "$CL_DIR/log/coordinator.log" "signer signer-$i ready"); done
cluster_stop_coordinator
for i in 1 2 3; do kill -CONT "${CL_PID[signer-$i]}"; done
cluster_start_coordinator
check "after the restart the interrupted request is failed, not left hanging" \
  test "$(cluster_ctl --json status "$pending_id" | json_get '["state"]')" = failed
check "... and says why" coord_log_has "1 unfinished request(s) failed"
for i in 1 2 3; do
  cluster_wait_more "$CL_DIR/log/coordinator.log" "signer signer-$i ready" "${ready_before[$i]}" ||
    fail "signer $i reconnects after the coordinator restart"
done
st=$(cluster_ctl --json status "$rid")
check "after a coordinator restart the stored result is returned" \
  test "$(echo "$st" | json_get '["signature"]')" = "$(echo "$s1" | json_get '["signature"]')"
s6=$(sign s-6 "$dir/m2")
check "after a coordinator restart the key still signs" verify "$s6" "$dir/m2"
check "after a coordinator restart a resubmitted idempotency key returns the stored request" \
  test "$(sign s-1 "$dir/m1" | json_get '["signature"]')" = "$(echo "$s1" | json_get '["signature"]')"

# ---- rejected peers -------------------------------------------------------------------------
"$CL_CA" init --dir "$dir/evil-ca" >/dev/null
"$CL_CA" issue --dir "$dir/evil-ca" --role requester --id ops --out "$dir/certs/evil-ops" >/dev/null
sed -e "s#certs/ops#certs/evil-ops#" "$dir/mpcctl.ini" >"$dir/evil.ini"
cluster_ctl --config "$dir/evil.ini" list >/dev/null 2>&1
check "a requester certificate from another CA is refused (exit 3)" test $? -eq 3
check "... with a log line naming the certificate problem" coord_log_has "unable to get local issuer certificate"

"$CL_CA" issue --dir "$dir/ca" --role requester --id intruder --out "$dir/certs/intruder" >/dev/null
sed -e "s#certs/ops#certs/intruder#" -e "s#^id = ops#id = intruder#" "$dir/mpcctl.ini" >"$dir/intruder.ini"
cluster_ctl --config "$dir/intruder.ini" list >/dev/null 2>&1
check "an unknown requester id is refused (exit 3)" test $? -eq 3
check "... with a log line" coord_log_has "requester intruder is not in the allow-list"

sed -e "s#certs/ops#certs/signer-1#" "$dir/mpcctl.ini" >"$dir/wrongrole.ini"
cluster_ctl --config "$dir/wrongrole.ini" keygen --n 2 --t 2 >/dev/null 2>&1
check "a signer certificate used as a requester is refused" test $? -ne 0
check "... with a log line" coord_log_has "Hello does not match its certificate"

"$CL_CA" issue --dir "$dir/ca" --role signer --id signer-9 --out "$dir/certs/signer-9" >/dev/null
mkdir -p "$dir/signer-9/data" && chmod 700 "$dir/signer-9/data"
sed -e "s#signer-1#signer-9#g" "$dir/signer-1/signer.ini" >"$dir/signer-9/signer.ini"
cp "$dir/signer-1/sealing.key" "$dir/signer-9/sealing.key"
# shellcheck disable=SC2086
timeout 3 "$CL_SIGNERD" --config "$dir/signer-9/signer.ini" $CLUSTER_ENCLAVE_ARGS >"$dir/log/signer-9.log" 2>&1
check "an unknown signer id is refused" coord_log_has "signer signer-9 is not in the allow-list"

python3 - "$CL_PORT" <<'PY'
import socket, sys
for junk in (b"\x00\x00\x00\x05hello", b"GET / HTTP/1.1\r\n\r\n", bytes(range(256)) * 4):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(junk)
    s.settimeout(2)
    try:
        s.recv(100)
    except OSError:
        pass
    s.close()
PY
check "garbage bytes are rejected with a log line" coord_log_has "peer is not speaking TLS"
s7=$(sign s-7 "$dir/m1")
check "after all that the cluster still signs" verify "$s7" "$dir/m1"

# ---- operator socket ------------------------------------------------------------------------
status=$(python3 - "$dir/signer-2/operator.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"status\n")
print(s.recv(4096).decode())
PY
)
check "the operator socket answers status" grep -q "coordinator: connected" <<<"$status"
check "the operator socket has mode 0660" test "$(stat -c %a "$dir/signer-2/operator.sock")" = 660

# ---- concurrency: a burst of requests and a keygen -----------------------------------------------
for i in 1 2 3; do cluster_stop_signer "$i" 2>/dev/null; cluster_start_signer "$i"; done
restarts=$(cat "$dir"/log/signer-*.log | grep -c "replaces the unfinished")
burst=()
for i in $(seq 1 12); do
  printf 'burst message %s' "$i" >"$dir/b$i"
  sign "b-$i" "$dir/b$i" >"$dir/b$i.json" 2>&1 &
  burst+=($!)
done
kg2=$(cluster_ctl --json --timeout 60 keygen --n 3 --t 2 --idempotency-key kg-burst)
check "a keygen submitted during a burst of 12 signing requests completes" \
  test "$(echo "$kg2" | json_get '["state"]')" = done
wait "${burst[@]}"
done_count=0
for i in $(seq 1 12); do
  [ "$(json_get '["state"]' <"$dir/b$i.json" 2>/dev/null)" = done ] && verify "$(cat "$dir/b$i.json")" "$dir/b$i" &&
    done_count=$((done_count + 1))
done
check "all 12 concurrent signing requests are done and verify" test "$done_count" = 12
check "no signer had to drop a running session for another one" \
  test "$(cat "$dir"/log/signer-*.log | grep -c "replaces the unfinished")" = "$restarts"

itest_end
