# Throw-away MPC deployment on loopback: certificates, configurations, sealing keys, and start/stop
# helpers for mpc-coordinatord and mpc-signerd. Sourced by deploy/demo.sh and the integration tests.
#
#   cluster_init DIR BUILD N [PORT] create DIR/{ca,certs,coordinator,signer-I,...} for N signers,
#                                   using the binaries of the CMake build directory BUILD
#   cluster_start_coordinator       start mpc-coordinatord (waits until it listens)
#   cluster_start_signer I          start signer I (waits until the coordinator says it is ready)
#   cluster_stop_signer I [SIG]     stop signer I (SIGTERM by default; KILL for kill -9)
#   cluster_stop_all                stop everything that is still running
#   cluster_ctl ARGS...             run mpcctl as the requester "ops"
# Logs go to DIR/log/*.log. Set CLUSTER_ENCLAVE_ARGS=--insecure-test-mode where mlockall fails.
# With CLUSTER_POLICY=1, cluster_init also creates three operator keys DIR/operators/{alice,bob,
# carol}.key and gives every enclave a signing policy (deploy/examples/policy/): those operators
# with a quorum of 2, chain id 1, the example asset registry, the Safe MultiSendCallOnly 1.3.0
# deployment, Bitcoin regtest. Signing then needs two approvals (mpc-approve).

cluster_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cluster_init() {
  CL_DIR=$1 CL_N=$3 CL_PORT=${4:-$(cluster_free_port)}
  CL_CA=$2/tools/mpc-ca CL_CTL=$2/tools/mpcctl CL_ENCLAVE=$2/enclave/mpc-enclave
  CL_SIGNERD=$2/daemon/signer/mpc-signerd CL_COORDD=${CLUSTER_COORDINATORD:-$2/daemon/coordinator/mpc-coordinatord}
  CL_APPROVE=$2/tools/mpc-approve
  CL_GROUP=$(id -gn) CL_COORD_ID=coord-main
  declare -gA CL_PID=()
  mkdir -p "$CL_DIR/log" "$CL_DIR/certs" "$CL_DIR/coordinator"
  chmod 700 "$CL_DIR"
  "$CL_CA" init --dir "$CL_DIR/ca" >/dev/null || return 1
  "$CL_CA" issue --dir "$CL_DIR/ca" --role coordinator --id "$CL_COORD_ID" --ip 127.0.0.1 \
    --out "$CL_DIR/certs/coordinator" >/dev/null || return 1
  "$CL_CA" issue --dir "$CL_DIR/ca" --role requester --id ops --out "$CL_DIR/certs/ops" >/dev/null || return 1
  local i signers="" policy=""
  if [ "${CLUSTER_POLICY:-0}" = 1 ]; then
    cluster_policy || return 1
    policy=$'\n'"[policy]"$'\n'"approvers = $CL_DIR/operators/approvers.txt"$'\n'"chain_id = 1"$'\n'
    policy+="asset_registry = $CL_DIR/operators/registry.txt"$'\n'
    policy+="multisend_call_only = 0x40A2aCCbd92BCA938b02010E17A5b8929b49130D"$'\n'"btc_network = regtest"$'\n'
  fi
  for i in $(seq 1 "$CL_N"); do
    local d="$CL_DIR/signer-$i"
    mkdir -p "$d/data"
    chmod 700 "$d" "$d/data"
    "$CL_CA" issue --dir "$CL_DIR/ca" --role signer --id "signer-$i" --out "$CL_DIR/certs/signer-$i" >/dev/null || return 1
    head -c 32 /dev/urandom >"$d/sealing.key"
    chmod 600 "$d/sealing.key"
    cat >"$d/signer.ini" <<INI
[signer]
id = signer-$i
party_index = $i
data_dir = $d/data
enclave_path = $CL_ENCLAVE
sealing = keyfile:$d/sealing.key

[tls]
ca = $CL_DIR/ca/ca.crt
cert = $CL_DIR/certs/signer-$i.crt
key = $CL_DIR/certs/signer-$i.key

[coordinator]
address = 127.0.0.1
port = $CL_PORT
id = $CL_COORD_ID

[operator]
socket = $d/operator.sock
group = $CL_GROUP

[timeouts]
round_ms = 10000
heartbeat_ms = 1000
reconnect_min_ms = 100
reconnect_max_ms = 1000
$policy
INI
    local pk
    pk=$(cluster_signerd "$i" --print-identity 2>>"$CL_DIR/log/signer-$i.log") || {
      echo "cluster: signer $i: the enclave did not start (see $CL_DIR/log/signer-$i.log)" >&2
      return 1
    }
    signers+="signer-$i = $pk"$'\n'
  done
  cat >"$CL_DIR/coordinator/coordinator.ini" <<INI
[coordinator]
listen = 127.0.0.1
port = $CL_PORT
database = $CL_DIR/coordinator/coordinator.db

[tls]
ca = $CL_DIR/ca/ca.crt
cert = $CL_DIR/certs/coordinator.crt
key = $CL_DIR/certs/coordinator.key

[signers]
$signers
[requesters]
ops = sign, keygen, refresh

[timeouts]
round_ms = 10000
heartbeat_ms = 1000
decode_ms = 5000
INI
  cat >"$CL_DIR/mpcctl.ini" <<INI
[requester]
id = ops

[coordinator]
address = 127.0.0.1
port = $CL_PORT
id = $CL_COORD_ID

[tls]
ca = $CL_DIR/ca/ca.crt
cert = $CL_DIR/certs/ops.crt
key = $CL_DIR/certs/ops.key
INI
}

CL_EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/examples

# Operator keys alice, bob and carol and the approvers file naming them (quorum 2).
cluster_policy() {
  local name
  mkdir -p "$CL_DIR/operators"
  chmod 700 "$CL_DIR/operators"
  echo "# operators of this throw-away deployment" >"$CL_DIR/operators/approvers.txt"
  for name in alice bob carol; do
    "$CL_APPROVE" keygen --out "$CL_DIR/operators/$name.key" >/dev/null || return 1
    echo "approver $name $("$CL_APPROVE" pubkey --key "$CL_DIR/operators/$name.key")" >>"$CL_DIR/operators/approvers.txt"
  done
  printf 'quorum 2\nmax-lifetime 3600\n' >>"$CL_DIR/operators/approvers.txt"
  cp "$CL_EXAMPLES/policy/registry.txt" "$CL_DIR/operators/registry.txt"
  # signerd refuses policy files that others may write (whatever the checkout's umask was)
  chmod 644 "$CL_DIR/operators/approvers.txt" "$CL_DIR/operators/registry.txt"
}

cluster_signerd() {
  local i=$1
  shift
  # shellcheck disable=SC2086
  "$CL_SIGNERD" --config "$CL_DIR/signer-$i/signer.ini" ${CLUSTER_ENCLAVE_ARGS:-} "$@"
}

cluster_wait_log() { # FILE PATTERN [TENTHS]
  local n=0 limit=${3:-100}
  until grep -q -- "$2" "$1" 2>/dev/null; do
    n=$((n + 1))
    [ "$n" -ge "$limit" ] && return 1
    sleep 0.1
  done
}

cluster_count() { # FILE PATTERN: matching lines (0 if the file does not exist yet)
  local n
  n=$(grep -c -- "$2" "$1" 2>/dev/null)
  echo "${n:-0}"
}

cluster_wait_more() { # FILE PATTERN COUNT_BEFORE: wait until PATTERN appears more often
  local n=0
  while [ "$(cluster_count "$1" "$2")" -le "$3" ]; do
    n=$((n + 1))
    [ "$n" -ge 150 ] && return 1
    sleep 0.1
  done
}

cluster_start_coordinator() {
  local before
  before=$(cluster_count "$CL_DIR/log/coordinator.log" "listening on")
  "$CL_COORDD" --config "$CL_DIR/coordinator/coordinator.ini" >>"$CL_DIR/log/coordinator.log" 2>&1 &
  CL_PID[coordinator]=$!
  cluster_wait_more "$CL_DIR/log/coordinator.log" "listening on" "$before" || {
    echo "cluster: the coordinator did not start (see $CL_DIR/log/coordinator.log)" >&2
    return 1
  }
}

cluster_start_signer() {
  local i=$1 before
  before=$(cluster_count "$CL_DIR/log/coordinator.log" "signer signer-$i ready")
  # Started directly (not through a shell function) so that $! is the daemon itself.
  # shellcheck disable=SC2086
  "$CL_SIGNERD" --config "$CL_DIR/signer-$i/signer.ini" ${CLUSTER_ENCLAVE_ARGS:-} \
    >>"$CL_DIR/log/signer-$i.log" 2>&1 &
  CL_PID[signer-$i]=$!
  cluster_wait_more "$CL_DIR/log/coordinator.log" "signer signer-$i ready" "$before" || {
    echo "cluster: signer $i did not connect (see $CL_DIR/log/signer-$i.log)" >&2
    return 1
  }
}

cluster_stop() { # NAME [SIGNAL]
  local pid=${CL_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -"${2:-TERM}" "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true # a frozen (SIGSTOP) process acts on the signal only now
  wait "$pid" 2>/dev/null || true
  unset "CL_PID[$1]"
}

cluster_stop_signer() { cluster_stop "signer-$1" "${2:-TERM}"; }
cluster_stop_coordinator() { cluster_stop coordinator "${1:-TERM}"; }

cluster_stop_all() {
  local name
  for name in "${!CL_PID[@]}"; do
    [ "$name" = coordinator ] || cluster_stop "$name"
  done
  cluster_stop coordinator
}

cluster_ctl() {
  "$CL_CTL" --config "$CL_DIR/mpcctl.ini" "$@"
}
