# Shared by the integration test scripts (sourced after they set $here and $build): a throw-away
# cluster directory, pass/fail counting and the final checks.
#
#   itest_begin PREFIX      temporary directory $dir (kept with its logs if a check failed)
#   check WHAT CMD...       counts CMD's success as a passed check named WHAT
#   json_get EXPR           Python subscript EXPR of the JSON object on stdin, e.g. '["key_id"]'
#   eth_verify JSON MSGFILE PUBKEY ADDRESS
#                           the signature in mpcctl's JSON verifies (OpenSSL) and recovers ADDRESS
#   itest_end               stops every daemon, checks the logs for sanitizer reports, prints
#                           the counts; its status is the script's
# shellcheck source=deploy/cluster.sh
. "$here/../../deploy/cluster.sh"
CLUSTER_ENCLAVE_ARGS=${MPC_TEST_ENCLAVE_ARGS:-}
passed=0
failed=0

itest_cleanup() {
  cluster_stop_all
  if [ "$failed" -eq 0 ]; then rm -rf "$dir"; else echo "logs kept in $dir/log"; fi
}

itest_begin() {
  dir=$(mktemp -d "/tmp/$1.XXXXXX")
  trap itest_cleanup EXIT
}

ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d'"$1"')'; }

eth_verify() { # JSON MESSAGE_FILE PUBKEY ADDRESS
  local sig v digest
  sig=$(echo "$1" | json_get '["signature"]') v=$(echo "$1" | json_get '["recovery_id"]')
  digest=$(echo "$1" | json_get '["digest"]')
  python3 "$here/eth_check.py" --message "$2" --pubkey "$3" --signature "$sig" --v "$v" --digest "$digest" \
    --address "$4" >/dev/null
}

itest_end() {
  cluster_stop_all
  check "no sanitizer report in any daemon log" bash -c "! grep -l 'Sanitizer\|runtime error' '$dir'/log/*.log"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
