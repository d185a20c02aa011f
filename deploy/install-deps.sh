#!/usr/bin/env bash
# Installs the Debian 12 packages this project needs to build, test and run. Only what is missing
# is installed; running it again does nothing. Works as root or through sudo. Quiet unless a step
# fails, in which case the apt output is shown.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang llvm valgrind python3 python3-cryptography
  libsecp256k1-dev libsodium-dev libssl-dev openssl
  libprotobuf-c-dev protobuf-c-compiler libuv1-dev
  libsqlite3-dev libseccomp-dev libcmocka-dev libinih-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get update -q >"$log" 2>&1 ||
   ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps: failed to install: ${missing[*]}" >&2
  exit 1
fi
