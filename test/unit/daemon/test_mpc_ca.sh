#!/bin/sh
# mpc-ca command line: exit codes, file modes, and the issued certificates checked with the
# openssl CLI (an independent reader of what the tool wrote).
# usage: test_mpc_ca.sh /path/to/mpc-ca
set -u
ca_tool=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect() { # expect CODE command...
  want=$1; shift
  "$@" >/dev/null 2>"$dir/err"; got=$?
  [ "$got" -eq "$want" ] || { cat "$dir/err"; fail "exit $got, wanted $want: $*"; }
}
mode() { stat -c %a "$1"; }

expect 0 "$ca_tool" --help
expect 1 "$ca_tool"
expect 1 "$ca_tool" frobnicate
expect 1 "$ca_tool" init
expect 0 "$ca_tool" init --dir "$dir/ca"
[ "$(mode "$dir/ca/ca.key")" = 600 ] || fail "ca.key mode $(mode "$dir/ca/ca.key")"
[ "$(mode "$dir/ca")" = 700 ] || fail "CA dir mode $(mode "$dir/ca")"
expect 2 "$ca_tool" init --dir "$dir/ca"
grep -q "File exists" "$dir/err" || fail "re-init error does not say the file exists"

expect 0 "$ca_tool" issue --dir "$dir/ca" --role signer --id 3 --out "$dir/s3" --dns s3.example --ip 10.0.0.3 --days 30
expect 0 "$ca_tool" issue --dir "$dir/ca" --role coordinator --id main --out "$dir/co"
[ "$(mode "$dir/s3.key")" = 600 ] || fail "s3.key mode $(mode "$dir/s3.key")"
expect 2 "$ca_tool" issue --dir "$dir/ca" --role signer --id 3 --out "$dir/s3"
expect 1 "$ca_tool" issue --dir "$dir/ca" --role auditor --id 3 --out "$dir/x"
expect 1 "$ca_tool" issue --dir "$dir/ca" --role signer --id "a/b" --out "$dir/x"
expect 1 "$ca_tool" issue --dir "$dir/ca" --role signer --id 3 --out "$dir/x" --days 0
expect 1 "$ca_tool" issue --dir "$dir/ca" --role signer --id 3 --out "$dir/x" --days 3651
expect 1 "$ca_tool" issue --dir "$dir/ca" --role signer --id 3 --out "$dir/x" --ip 10.0.0.300
expect 1 "$ca_tool" issue --dir "$dir/ca" --role signer --id 3 --out "$dir/x" --dns "a,URI:mpc://coordinator/x"
expect 1 "$ca_tool" issue --dir "$dir/ca" --role signer --id 3
expect 2 "$ca_tool" issue --dir "$dir/missing" --role signer --id 3 --out "$dir/x"
[ ! -e "$dir/x.key" ] && [ ! -e "$dir/x.crt" ] || fail "a failed issue left files behind"

openssl verify -CAfile "$dir/ca/ca.crt" -purpose sslclient "$dir/s3.crt" >/dev/null || fail "s3 not a valid client cert"
openssl verify -CAfile "$dir/ca/ca.crt" -purpose sslserver "$dir/s3.crt" >/dev/null 2>&1 && fail "s3 usable as server"
openssl verify -CAfile "$dir/ca/ca.crt" -purpose sslserver "$dir/co.crt" >/dev/null || fail "co not a valid server cert"
openssl verify -CAfile "$dir/ca/ca.crt" -purpose sslclient "$dir/co.crt" >/dev/null 2>&1 && fail "co usable as client"
san=$(openssl x509 -in "$dir/s3.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')
[ "$san" = "URI:mpc://signer/3,DNS:s3.example,IPAddress:10.0.0.3" ] || fail "SAN is $san"
openssl x509 -in "$dir/co.crt" -noout -ext subjectAltName | grep -q "URI:mpc://coordinator/main" || fail "coordinator SAN"
openssl x509 -in "$dir/ca/ca.crt" -noout -ext basicConstraints | grep -q "CA:TRUE, pathlen:0" || fail "CA basicConstraints"
# The key matches the certificate.
[ "$(openssl pkey -in "$dir/s3.key" -pubout)" = "$(openssl x509 -in "$dir/s3.crt" -noout -pubkey)" ] || fail "key mismatch"
# Two certificates never share a serial.
[ "$(openssl x509 -in "$dir/s3.crt" -noout -serial)" != "$(openssl x509 -in "$dir/co.crt" -noout -serial)" ] || fail "serials equal"
echo "mpc-ca: all checks passed"
