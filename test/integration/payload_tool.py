#!/usr/bin/env python3
"""Payload generator and independent output checker for the end-to-end signing tests.

Everything here is written independently of the C decoders (Python 3.11 stdlib plus the
`cryptography` package; Keccak-256, secp256k1 recovery and EIP-55 come from eth_check.py), so
comparing its digests with the enclave's, and its checks with the coordinator's outputs, can fail.

  make eth-1559 --chain-id N --nonce N --to 0x.. --value WEI [--max-fee WEI] [--tip WEI] [--gas N]
  make erc20    --chain-id N --nonce N --token 0x.. --to 0x.. --amount UNITS [--max-fee ..] [--tip ..] [--gas N]
      -> hex of the unsigned type-2 transaction (0x02 || rlp([...]), no signature)
  make safe     --chain-id N --safe 0x.. --to 0x.. [--value WEI] [--data 0x..] [--operation 0|1] --nonce N
                [--safe-version 1.3.0] [--safe-tx-gas N] [--base-gas N] [--gas-price N]
                [--gas-token 0x..] [--refund-receiver 0x..]
      -> eth_signTypedData_v4 JSON of a SafeTx (domain without chainId for Safe < 1.3.0)
  make psbt     --pubkey HEX33 [--pubkey HEX33 ...] [--inputs N] --network main|testnet|signet|regtest
                --amount SAT --to ADDR --fee SAT [--fingerprint HEX8] [--path m/0/5] [--out FILE]
      -> PSBT v0, binary to --out or hex on stdout: N (default 1) P2WPKH inputs per --pubkey, in
         order, each spending its own synthesized previous transaction, together worth amount + fee
         (full previous transaction, witness UTXO and the BIP32 derivation record the enclave looks
         for; the first --pubkey names the default fingerprint), one output of amount to ADDR
  digest TYPE FILE [--json | --subject]
      TYPE: eth-tx, erc20, eip191, eip712, safe-tx, psbt (the names mpc-inspect uses); FILE as
      mpc-inspect reads it. Prints each digest to be signed as 0x-hex, one per line (per input for
      a PSBT); --json adds the EIP-712 domain and message hashes; --subject prints only the
      fingerprint subject (payload/fingerprint.h: the digest, or the hash of the digest set).
  check eth-tx --raw HEX --address 0x.. [--digest HEX]
  check sig65  --digest HEX --sig HEX130 --address 0x..
  check psbt   --psbt FILE --pubkey HEX33 [--final-tx HEX]
      exit 0 when every check holds, 1 on a mismatch or a malformed input, 2 on bad usage.
"""
import argparse
import base64
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eth_check import N, address_of, decompress, eip55, keccak256, recover  # noqa: E402


class Bad(Exception):
    """A malformed input or a failed check; the message says which."""


def parse_hex(s, what, length=None):
    t = s.strip()
    if t[:2] in ("0x", "0X"):
        t = t[2:]
    try:
        b = bytes.fromhex(t)
    except ValueError:
        raise Bad(f"{what}: not hex") from None
    if length is not None and len(b) != length:
        raise Bad(f"{what}: {len(b)} bytes, expected {length}")
    return b


def parse_uint(s, what, bits=256):
    try:
        v = int(s, 16) if str(s).lower().startswith("0x") else int(s, 10)
    except ValueError:
        raise Bad(f"{what}: not an integer: {s!r}") from None
    if not 0 <= v < 1 << bits:
        raise Bad(f"{what}: out of range for uint{bits}")
    return v


# ---- RLP (Yellow Paper appendix B), canonical forms only -----------------------------------------

def rlp_encode(item):
    if isinstance(item, list):
        body = b"".join(rlp_encode(i) for i in item)
        return _rlp_head(len(body), 0xc0) + body
    if len(item) == 1 and item[0] < 0x80:
        return item
    return _rlp_head(len(item), 0x80) + item


def _rlp_head(n, offset):
    if n < 56:
        return bytes([offset + n])
    nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(nb)]) + nb


def rlp_uint(v):
    return v.to_bytes((v.bit_length() + 7) // 8, "big")


def rlp_decode(data):
    """The item of data (bytes or nested lists of bytes); refuses non-canonical encodings and
    trailing bytes."""
    def length(p, ll):
        if p + ll > len(data):
            raise Bad("rlp: truncated length")
        if data[p] == 0:
            raise Bad("rlp: length with a leading zero")
        n = int.from_bytes(data[p:p + ll], "big")
        if n < 56:
            raise Bad("rlp: long form for a short length")
        return n

    def item(p):
        if p >= len(data):
            raise Bad("rlp: truncated")
        t = data[p]
        if t < 0x80:
            return data[p:p + 1], p + 1
        if t < 0xc0:
            if t < 0xb8:
                n, start = t - 0x80, p + 1
            else:
                n, start = length(p + 1, t - 0xb7), p + 1 + t - 0xb7
            if start + n > len(data):
                raise Bad("rlp: string runs past the end")
            s = data[start:start + n]
            if n == 1 and s[0] < 0x80:
                raise Bad("rlp: single byte below 0x80 wrapped in a string header")
            return s, start + n
        if t < 0xf8:
            n, start = t - 0xc0, p + 1
        else:
            n, start = length(p + 1, t - 0xf7), p + 1 + t - 0xf7
        if start + n > len(data):
            raise Bad("rlp: list runs past the end")
        out, q = [], start
        while q < start + n:
            v, q = item(q)
            out.append(v)
        if q != start + n:
            raise Bad("rlp: list items overrun the list")
        return out, q

    v, end = item(0)
    if end != len(data):
        raise Bad(f"rlp: {len(data) - end} trailing bytes")
    return v


def rlp_to_uint(b, what):
    if not isinstance(b, bytes):
        raise Bad(f"{what}: a list where an integer belongs")
    if b[:1] == b"\x00":
        raise Bad(f"{what}: integer with a leading zero")
    return int.from_bytes(b, "big")


# ---- Ethereum ------------------------------------------------------------------------------------

def parse_eth_address(s, what="address"):
    """20 bytes from 0x + 40 hex digits; a mixed-case address must carry a valid EIP-55 checksum."""
    if not (s.startswith("0x") and len(s) == 42):
        raise Bad(f"{what}: need 0x and 40 hex digits: {s!r}")
    b = parse_hex(s, what, 20)
    body = s[2:]
    if body != body.lower() and body != body.upper() and eip55(b) != s:
        raise Bad(f"{what}: bad EIP-55 checksum: {s!r}")
    return b


def eip1559_unsigned(chain_id, nonce, tip, max_fee, gas, to, value, data):
    fields = [rlp_uint(chain_id), rlp_uint(nonce), rlp_uint(tip), rlp_uint(max_fee), rlp_uint(gas), to,
              rlp_uint(value), data, []]
    return b"\x02" + rlp_encode(fields)


def erc20_transfer_calldata(to, amount):
    return keccak256(b"transfer(address,uint256)")[:4] + bytes(12) + to + amount.to_bytes(32, "big")


def eth_signing_hash(raw):
    """(signing hash, (yParity or recovery id, r, s), chain id) of a signed transaction: typed
    (EIP-2930 type 1, EIP-1559 type 2) or legacy with EIP-155."""
    if not raw:
        raise Bad("transaction: empty")
    if raw[0] in (1, 2):
        fields = rlp_decode(raw[1:])
        want = {1: 11, 2: 12}[raw[0]]
        if not isinstance(fields, list) or len(fields) != want:
            raise Bad(f"type-{raw[0]} transaction: need a list of {want} fields")
        y = rlp_to_uint(fields[-3], "yParity")
        if y > 1:
            raise Bad("yParity is not 0 or 1")
        chain_id = rlp_to_uint(fields[0], "chainId")
        return keccak256(raw[:1] + rlp_encode(fields[:-3])), (y, _sig_int(fields[-2]), _sig_int(fields[-1])), chain_id
    if raw[0] < 0xc0:
        raise Bad(f"transaction: unknown type byte 0x{raw[0]:02x}")
    fields = rlp_decode(raw)
    if not isinstance(fields, list) or len(fields) != 9:
        raise Bad("legacy transaction: need a list of 9 fields")
    v = rlp_to_uint(fields[6], "v")
    if v < 35:
        raise Bad("legacy transaction without EIP-155 replay protection")
    chain_id, y = (v - 35) // 2, (v - 35) % 2
    unsigned = fields[:6] + [rlp_uint(chain_id), b"", b""]
    return keccak256(rlp_encode(unsigned)), (y, _sig_int(fields[7]), _sig_int(fields[8])), chain_id


def _sig_int(b):
    v = rlp_to_uint(b, "signature value")
    if not 0 < v < N:
        raise Bad("signature value out of range")
    return v


def recovered_address(digest, y, r, s):
    if not (0 < r < N and 0 < s < N):
        raise Bad("r or s out of range")
    if s > N // 2:
        raise Bad("signature is not low-s")
    try:
        point = recover(digest, r, s, y)
    except ValueError as e:
        raise Bad(f"recovery failed: {e}") from None
    if point is None:
        raise Bad("recovery gave the point at infinity")
    return address_of(point)


def expect_address(got, want_text):
    want = eip55(parse_eth_address(want_text))
    print(f"recovered address  {got}")
    if got != want:
        raise Bad(f"recovered {got}, expected {want}")


def eip191_digest(msg):
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(msg)).encode() + msg)


# ---- EIP-712 -------------------------------------------------------------------------------------

def _base_type(t):
    return t[:t.index("[")] if "[" in t else t


def _deps(types, primary, found):
    if primary in found or primary not in types:
        return found
    found.add(primary)
    for f in types[primary]:
        _deps(types, _base_type(f["type"]), found)
    return found


def encode_type(types, primary):
    deps = sorted(_deps(types, primary, set()) - {primary})
    return "".join(t + "(" + ",".join(f["type"] + " " + f["name"] for f in types[t]) + ")" for t in [primary] + deps)


def _encode_value(types, t, v):
    if t.endswith("]"):
        base, count = t[:t.rindex("[")], t[t.rindex("[") + 1:-1]
        if not isinstance(v, list) or (count and len(v) != int(count)):
            raise Bad(f"eip712: {t}: wrong array value")
        return keccak256(b"".join(_encode_value(types, base, e) for e in v))
    if t in types:
        return hash_struct(types, t, v)
    if t == "string":
        return keccak256(v.encode("utf-8"))
    if t == "bytes":
        return keccak256(parse_hex(v, "eip712 bytes"))
    if t == "address":
        return bytes(12) + parse_eth_address(v)
    if t == "bool":
        if not isinstance(v, bool):
            raise Bad("eip712: bool value is not true/false")
        return int(v).to_bytes(32, "big")
    if t.startswith("bytes"):
        n = int(t[5:])
        if not 1 <= n <= 32:
            raise Bad(f"eip712: unknown type {t}")
        return parse_hex(v, f"eip712 {t}", n) + bytes(32 - n)
    if t.startswith("uint") or t.startswith("int"):
        bits = int(t[t.index("int") + 3:] or 256)
        x = v if isinstance(v, int) and not isinstance(v, bool) else None
        if x is None:
            s = str(v)
            x = -parse_uint(s[1:], t) if s.startswith("-") else parse_uint(s, t)
        lo, hi = (0, 1 << bits) if t.startswith("uint") else (-(1 << (bits - 1)), 1 << (bits - 1))
        if not lo <= x < hi:
            raise Bad(f"eip712: {x} out of range for {t}")
        return (x % (1 << 256)).to_bytes(32, "big")
    raise Bad(f"eip712: unknown type {t}")


def hash_struct(types, primary, value):
    enc = keccak256(encode_type(types, primary).encode())
    for f in types[primary]:
        if f["name"] not in value:
            raise Bad(f"eip712: {primary}.{f['name']} missing")
        enc += _encode_value(types, f["type"], value[f["name"]])
    return keccak256(enc)


def eip712_hashes(doc):
    """(digest, domain hash, message hash) of an eth_signTypedData_v4 document."""
    types = doc["types"]
    domain = hash_struct(types, "EIP712Domain", doc["domain"])
    message = hash_struct(types, doc["primaryType"], doc["message"])
    return keccak256(b"\x19\x01" + domain + message), domain, message


SAFE_TX_FIELDS = [("to", "address"), ("value", "uint256"), ("data", "bytes"), ("operation", "uint8"),
                  ("safeTxGas", "uint256"), ("baseGas", "uint256"), ("gasPrice", "uint256"),
                  ("gasToken", "address"), ("refundReceiver", "address"), ("nonce", "uint256")]


def safe_typed_data(a):
    try:
        version = tuple(int(x) for x in a.safe_version.split("."))
    except ValueError:
        raise Bad(f"--safe-version: not a version: {a.safe_version!r}") from None
    if version < (1, 0, 0):
        raise Bad("--safe-version: Safe before 1.0.0 signs 'dataGas', not 'baseGas'; not supported")
    # Safe 1.3.0 added chainId to the domain; before it a signature was valid on every chain.
    with_chain = version >= (1, 3, 0)
    domain_fields = ([{"name": "chainId", "type": "uint256"}] if with_chain else []) + \
        [{"name": "verifyingContract", "type": "address"}]
    domain = ({"chainId": a.chain_id} if with_chain else {}) | \
        {"verifyingContract": eip55(parse_eth_address(a.safe, "--safe"))}
    if a.operation not in (0, 1):
        raise Bad("--operation: 0 (CALL) or 1 (DELEGATECALL)")
    message = {"to": eip55(parse_eth_address(a.to, "--to")), "value": str(parse_uint(a.value, "--value")),
               "data": "0x" + parse_hex(a.data, "--data").hex(), "operation": a.operation,
               "safeTxGas": parse_uint(a.safe_tx_gas, "--safe-tx-gas"), "baseGas": parse_uint(a.base_gas, "--base-gas"),
               "gasPrice": parse_uint(a.gas_price, "--gas-price"),
               "gasToken": eip55(parse_eth_address(a.gas_token, "--gas-token")),
               "refundReceiver": eip55(parse_eth_address(a.refund_receiver, "--refund-receiver")),
               "nonce": parse_uint(a.nonce, "--nonce")}
    return {"types": {"EIP712Domain": domain_fields,
                      "SafeTx": [{"name": n, "type": t} for n, t in SAFE_TX_FIELDS]},
            "primaryType": "SafeTx", "domain": domain, "message": message}


# ---- Bitcoin: hashes, addresses, transactions ----------------------------------------------------

def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def hash160(b):
    return hashlib.new("ripemd160", hashlib.sha256(b).digest()).digest()


NETWORKS = {  # bech32 hrp, base58 P2PKH and P2SH version bytes
    "main": ("bc", 0x00, 0x05),
    "testnet": ("tb", 0x6f, 0xc4),
    "signet": ("tb", 0x6f, 0xc4),
    "regtest": ("bcrt", 0x6f, 0xc4),
}
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST, BECH32M_CONST = 1, 0x2bc830a3
B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _bech32_polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def _hrp_expand(hrp):
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data, frm, to, pad):
    acc, bits, out = 0, 0, []
    for v in data:
        acc, bits = acc << frm | v, bits + frm
        while bits >= to:
            bits -= to
            out.append(acc >> bits & ((1 << to) - 1))
    if pad and bits:
        out.append(acc << (to - bits) & ((1 << to) - 1))
    elif not pad and (bits >= frm or acc & ((1 << bits) - 1)):
        raise Bad("bech32: non-zero or excess padding")
    return out


def segwit_address(hrp, version, program):
    data = [version] + _convert_bits(program, 8, 5, True)
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    pm = _bech32_polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + [pm >> 5 * (5 - i) & 31 for i in range(6)])


def _segwit_decode(hrp, addr):
    if addr.lower() != addr and addr.upper() != addr:
        raise Bad("bech32: mixed case")
    addr = addr.lower()
    pos = addr.rfind("1")
    if addr[:pos] != hrp or len(addr) > 90 or len(addr) - pos - 1 < 6:
        raise Bad(f"bech32: not a {hrp} address")
    try:
        data = [BECH32_CHARSET.index(c) for c in addr[pos + 1:]]
    except ValueError:
        raise Bad("bech32: invalid character") from None
    version = data[0]
    const = _bech32_polymod(_hrp_expand(hrp) + data)
    if version > 16 or const != (BECH32_CONST if version == 0 else BECH32M_CONST):
        raise Bad("bech32: bad checksum (or bech32 and bech32m swapped)")
    program = bytes(_convert_bits(data[1:-6], 5, 8, False))
    if not 2 <= len(program) <= 40 or (version == 0 and len(program) not in (20, 32)):
        raise Bad("bech32: bad witness program length")
    return version, program


def _base58check_decode(s):
    n = 0
    for c in s:
        if c not in B58_ALPHABET:
            raise Bad("base58: invalid character")
        n = n * 58 + B58_ALPHABET.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    raw = bytes(len(s) - len(s.lstrip("1"))) + body
    if len(raw) < 5 or sha256d(raw[:-4])[:4] != raw[-4:]:
        raise Bad("base58: bad checksum")
    return raw[:-4]


def address_script(addr, network):
    """scriptPubKey paid by a Bitcoin address of the given network."""
    hrp, p2pkh, p2sh = NETWORKS[network]
    for other in {n[0] for n in NETWORKS.values()} - {hrp}:
        if addr.lower().startswith(other + "1"):
            raise Bad(f"{addr}: an address with prefix {other}, not of network {network}")
    if addr.lower().startswith(hrp + "1"):
        version, program = _segwit_decode(hrp, addr)
        return bytes([0x50 + version if version else 0, len(program)]) + program
    raw = _base58check_decode(addr)
    if len(raw) == 21 and raw[0] == p2pkh:
        return b"\x76\xa9\x14" + raw[1:] + b"\x88\xac"
    if len(raw) == 21 and raw[0] == p2sh:
        return b"\xa9\x14" + raw[1:] + b"\x87"
    raise Bad(f"{addr}: not an address of network {network}")


def p2wpkh_script(pubkey):
    return b"\x00\x14" + hash160(pubkey)


def compact_size(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xffffffff:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


class Reader:
    def __init__(self, data, what):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n):
        if self.pos + n > len(self.data):
            raise Bad(f"{self.what}: truncated")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def uint(self, n):
        return int.from_bytes(self.take(n), "little")

    def compact(self):
        t = self.uint(1)
        if t < 0xfd:
            return t
        size = {0xfd: 2, 0xfe: 4, 0xff: 8}[t]
        v = self.uint(size)
        if v < {2: 0xfd, 4: 0x10000, 8: 0x100000000}[size]:
            raise Bad(f"{self.what}: non-minimal compact size")
        return v

    def var_bytes(self):
        return self.take(self.compact())

    def done(self):
        if self.pos != len(self.data):
            raise Bad(f"{self.what}: {len(self.data) - self.pos} trailing bytes")


def tx_serialize(tx, witness=False):
    """tx: {version, ins: [(txid, vout, script_sig, sequence)], outs: [(amount, script)], locktime,
    witnesses: [[item, ...] per input]}."""
    b = tx["version"].to_bytes(4, "little")
    if witness:
        b += b"\x00\x01"
    b += compact_size(len(tx["ins"]))
    for txid, vout, script_sig, seq in tx["ins"]:
        b += txid + vout.to_bytes(4, "little") + compact_size(len(script_sig)) + script_sig + seq.to_bytes(4, "little")
    b += compact_size(len(tx["outs"]))
    for amount, script in tx["outs"]:
        b += amount.to_bytes(8, "little") + compact_size(len(script)) + script
    if witness:
        for stack in tx["witnesses"]:
            b += compact_size(len(stack)) + b"".join(compact_size(len(x)) + x for x in stack)
    return b + tx["locktime"].to_bytes(4, "little")


def tx_parse(data, what="transaction"):
    r = Reader(data, what)
    tx = {"version": r.uint(4), "ins": [], "outs": [], "witnesses": []}
    n_in = r.compact()
    segwit = n_in == 0
    if segwit:
        if r.uint(1) != 1:
            raise Bad(f"{what}: segwit marker without flag 0x01")
        n_in = r.compact()
        if n_in == 0:
            raise Bad(f"{what}: no inputs")
    for _ in range(n_in):
        tx["ins"].append((r.take(32), r.uint(4), r.var_bytes(), r.uint(4)))
    for _ in range(r.compact()):
        tx["outs"].append((r.uint(8), r.var_bytes()))
    if segwit:
        tx["witnesses"] = [[r.var_bytes() for _ in range(r.compact())] for _ in range(n_in)]
    tx["locktime"] = r.uint(4)
    r.done()
    return tx


def txid(tx):
    return sha256d(tx_serialize(tx))


def display_txid(tid):
    return tid[::-1].hex()


# ---- PSBT v0 (BIP174) ----------------------------------------------------------------------------

PSBT_MAGIC = b"psbt\xff"
IN_NON_WITNESS_UTXO, IN_WITNESS_UTXO, IN_PARTIAL_SIG, IN_SIGHASH_TYPE, IN_BIP32_DERIVATION = 0, 1, 2, 3, 6


def parse_path(text):
    """m/0/5'/... -> list of uint32 (bit 31 = hardened)."""
    parts = text.split("/")
    if parts[0] != "m":
        raise Bad(f"path {text!r}: must start with m")
    out = []
    for p in parts[1:]:
        hard = p[-1:] in ("'", "h", "H")
        digits = p[:-1] if hard else p
        if not digits.isdigit() or (len(digits) > 1 and digits[0] == "0") or int(digits) >= 1 << 31:
            raise Bad(f"path {text!r}: bad step {p!r}")
        out.append(int(digits) | (1 << 31 if hard else 0))
    return out


def psbt_serialize(global_map, in_maps, out_maps):
    """Maps are lists of (key bytes including the type, value) in the order to write."""
    def write_map(m):
        return b"".join(compact_size(len(k)) + k + compact_size(len(v)) + v for k, v in m) + b"\x00"
    return PSBT_MAGIC + write_map(global_map) + b"".join(write_map(m) for m in in_maps) + \
        b"".join(write_map(m) for m in out_maps)


def make_psbt(pubkeys, network, amount, fee, to_addr, fingerprint, path):
    """One P2WPKH input per entry of pubkeys (in order), each spending its own previous
    transaction; together they fund amount + fee, the first input taking any remainder."""
    for pubkey in pubkeys:
        if len(pubkey) != 33 or pubkey[0] not in (2, 3):
            raise Bad("--pubkey: need a 33-byte compressed public key")
        decompress(pubkey)
    n = len(pubkeys)
    if amount + fee < n:
        raise Bad("--amount + --fee: less than one satoshi per input")
    origin = fingerprint + b"".join(step.to_bytes(4, "little") for step in path)
    ins, in_maps = [], []
    for i, pubkey in enumerate(pubkeys):
        own = p2wpkh_script(pubkey)
        value = (amount + fee) // n + ((amount + fee) % n if i == 0 else 0)
        # The funding transaction spends an outpoint derived from the key (and the input's index
        # after the first), so every input has its own previous txid; nothing checks that outpoint.
        seed = b"payload_tool funding " + pubkey + (i.to_bytes(4, "little") if i > 0 else b"")
        prev = {"version": 2, "ins": [(sha256d(seed), 0, b"", 0xffffffff)], "outs": [(value, own)], "locktime": 0}
        ins.append((txid(prev), 0, b"", 0xfffffffd))
        in_maps.append([(bytes([IN_NON_WITNESS_UTXO]), tx_serialize(prev)),
                        (bytes([IN_WITNESS_UTXO]), value.to_bytes(8, "little") + compact_size(len(own)) + own),
                        (bytes([IN_BIP32_DERIVATION]) + pubkey, origin)])
    unsigned = {"version": 2, "ins": ins, "outs": [(amount, address_script(to_addr, network))], "locktime": 0}
    return psbt_serialize([(b"\x00", tx_serialize(unsigned))], in_maps, [[]])


def psbt_parse(data):
    """{'tx': unsigned tx, 'global': map, 'in': [map], 'out': [map]}; a map is {key bytes: value}."""
    if not data.startswith(PSBT_MAGIC):
        raise Bad("psbt: bad magic")
    r = Reader(data, "psbt")
    r.take(len(PSBT_MAGIC))

    def read_map():
        m = {}
        while True:
            key = r.var_bytes()
            if not key:
                return m
            if key in m:
                raise Bad(f"psbt: duplicate key {key.hex()}")
            m[key] = r.var_bytes()

    g = read_map()
    if b"\x00" not in g:
        raise Bad("psbt: no unsigned transaction")
    tx = tx_parse(g[b"\x00"], "psbt unsigned transaction")
    if tx["witnesses"] or any(i[2] for i in tx["ins"]):
        raise Bad("psbt: unsigned transaction has a scriptSig or witness")
    ins = [read_map() for _ in tx["ins"]]
    outs = [read_map() for _ in tx["outs"]]
    r.done()
    return {"tx": tx, "global": g, "in": ins, "out": outs}


def psbt_spent_output(psbt, i):
    """(amount, scriptPubKey) of the output input i spends, from the full previous transaction,
    checked against its txid and against the witness UTXO when that is present too."""
    m = psbt["in"][i]
    prev_txid, vout = psbt["tx"]["ins"][i][:2]
    if bytes([IN_NON_WITNESS_UTXO]) not in m:
        raise Bad(f"psbt input {i}: no full previous transaction")
    prev = tx_parse(m[bytes([IN_NON_WITNESS_UTXO])], f"psbt input {i} previous transaction")
    if txid(prev) != prev_txid or vout >= len(prev["outs"]):
        raise Bad(f"psbt input {i}: previous transaction does not match the outpoint")
    spent = prev["outs"][vout]
    wu = m.get(bytes([IN_WITNESS_UTXO]))
    if wu is not None and wu != spent[0].to_bytes(8, "little") + compact_size(len(spent[1])) + spent[1]:
        raise Bad(f"psbt input {i}: witness UTXO differs from the previous transaction's output")
    return spent


def bip143_digest(tx, i, script_code, amount):
    """BIP143 signature hash of input i for SIGHASH_ALL."""
    prevouts = b"".join(t + v.to_bytes(4, "little") for t, v, _, _ in tx["ins"])
    sequences = b"".join(s.to_bytes(4, "little") for _, _, _, s in tx["ins"])
    outputs = b"".join(a.to_bytes(8, "little") + compact_size(len(s)) + s for a, s in tx["outs"])
    t, v, _, seq = tx["ins"][i]
    pre = (tx["version"].to_bytes(4, "little") + sha256d(prevouts) + sha256d(sequences) + t + v.to_bytes(4, "little") +
           compact_size(len(script_code)) + script_code + amount.to_bytes(8, "little") + seq.to_bytes(4, "little") +
           sha256d(outputs) + tx["locktime"].to_bytes(4, "little") + (1).to_bytes(4, "little"))
    return sha256d(pre)


def psbt_input_digest(psbt, i):
    """(digest, key hash) of a P2WPKH input, SIGHASH_ALL."""
    amount, script = psbt_spent_output(psbt, i)
    if len(script) != 22 or script[:2] != b"\x00\x14":
        raise Bad(f"psbt input {i}: not P2WPKH (only P2WPKH is checked here)")
    st = psbt["in"][i].get(bytes([IN_SIGHASH_TYPE]))
    if st is not None and st != (1).to_bytes(4, "little"):
        raise Bad(f"psbt input {i}: sighash type other than ALL")
    keyhash = script[2:]
    return bip143_digest(psbt["tx"], i, b"\x76\xa9\x14" + keyhash + b"\x88\xac", amount), keyhash


# ---- ECDSA signatures ----------------------------------------------------------------------------

def der_decode(sig):
    """(r, s) from a strict DER (BIP66) signature."""
    if len(sig) < 8 or sig[0] != 0x30 or sig[1] != len(sig) - 2:
        raise Bad("DER: bad sequence header")
    out, p = [], 2
    for name in ("r", "s"):
        if p + 2 > len(sig) or sig[p] != 0x02:
            raise Bad(f"DER: {name} is not an integer")
        n = sig[p + 1]
        v = sig[p + 2:p + 2 + n]
        if n == 0 or len(v) != n or v[0] & 0x80 or (n > 1 and v[0] == 0 and not v[1] & 0x80):
            raise Bad(f"DER: {name} is negative, empty or not minimal")
        out.append(int.from_bytes(v, "big"))
        p += 2 + n
    if p != len(sig):
        raise Bad("DER: trailing bytes")
    return out[0], out[1]


def verify_ecdsa(pubkey, digest, r, s, what):
    if not (0 < r < N and 0 < s < N):
        raise Bad(f"{what}: r or s out of range")
    if s > N // 2:
        raise Bad(f"{what}: signature is not low-s")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), pubkey)
    try:
        key.verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        raise Bad(f"{what}: signature does not verify (OpenSSL)") from None


# ---- payload files as mpc-inspect reads them -----------------------------------------------------

def read_payload(ptype, path):
    raw = open(path, "rb").read()
    if ptype in ("eip191", "eip712", "safe-tx"):
        return raw
    text = raw.rstrip(b" \t\r\n")
    if ptype == "psbt" and text.startswith(b"cHNidP"):
        return base64.b64decode(text, validate=True)
    body = text[2:] if text[:2] in (b"0x", b"0X") else text
    if body[:1] and body[:1] in b"0123456789abcdefABCDEF":
        return parse_hex(body.decode("ascii"), path)
    return raw


def digests(ptype, data):
    """(list of digests, EIP-712 domain hash or None, message hash or None)."""
    if ptype in ("eth-tx", "erc20"):
        return [keccak256(data)], None, None
    if ptype == "eip191":
        return [eip191_digest(data)], None, None
    if ptype in ("eip712", "safe-tx"):
        d, dom, msg = eip712_hashes(json.loads(data))
        return [d], dom, msg
    if ptype == "psbt":
        psbt = psbt_parse(data)
        return [psbt_input_digest(psbt, i)[0] for i in range(len(psbt["in"]))], None, None
    raise Bad(f"unknown payload type {ptype}")


# ---- commands ------------------------------------------------------------------------------------

def cmd_make(a):
    if a.kind in ("eth-1559", "erc20"):
        to = parse_eth_address(a.to, "--to")
        if a.kind == "eth-1559":
            dest, value, data = to, parse_uint(a.value, "--value"), b""
        else:
            dest, value = parse_eth_address(a.token, "--token"), 0
            data = erc20_transfer_calldata(to, parse_uint(a.amount, "--amount"))
        gas = a.gas if a.gas is not None else (21000 if a.kind == "eth-1559" else 65000)
        tx = eip1559_unsigned(a.chain_id, a.nonce, parse_uint(a.tip, "--tip"), parse_uint(a.max_fee, "--max-fee"),
                              gas, dest, value, data)
        print("0x" + tx.hex())
    elif a.kind == "safe":
        print(json.dumps(safe_typed_data(a), indent=1))
    else:
        pubkeys = [parse_hex(k, "--pubkey", 33) for k in a.pubkey]
        if a.inputs < 1:
            raise Bad("--inputs: at least 1")
        path = parse_path(a.path)
        if a.fingerprint is None and path:
            raise Bad("--fingerprint is required with a non-empty --path (the master key's fingerprint)")
        # With an empty path the key is the master key, whose BIP32 fingerprint is its hash160 prefix.
        fpr = parse_hex(a.fingerprint, "--fingerprint", 4) if a.fingerprint is not None else hash160(pubkeys[0])[:4]
        psbt = make_psbt(pubkeys * a.inputs, a.network, a.amount, a.fee, a.to, fpr, path)
        if a.out:
            with open(a.out, "wb") as f:
                f.write(psbt)
        else:
            print(psbt.hex())
    return 0


def fingerprint_subject(ds):
    """payload/fingerprint.h: the digest itself, or for several the keccak256 of the tagged set."""
    if len(ds) == 1:
        return ds[0]
    return keccak256(b"mpc-fingerprint-digest-set/v1" + len(ds).to_bytes(4, "big") + b"".join(ds))


def cmd_digest(a):
    ds, dom, msg = digests(a.type, read_payload(a.type, a.file))
    if a.subject:
        print("0x" + fingerprint_subject(ds).hex())
    elif a.json:
        doc = {"digests": ["0x" + d.hex() for d in ds]}
        if dom is not None:
            doc |= {"domain_hash": "0x" + dom.hex(), "message_hash": "0x" + msg.hex()}
        print(json.dumps(doc))
    else:
        for d in ds:
            print("0x" + d.hex())
    return 0


def check_eth_tx(a):
    digest, (y, r, s), chain_id = eth_signing_hash(parse_hex(a.raw, "--raw"))
    print(f"chain id           {chain_id}")
    print(f"signing hash       0x{digest.hex()}")
    if a.digest is not None and parse_hex(a.digest, "--digest", 32) != digest:
        raise Bad(f"signers' digest {a.digest} differs from the recomputed signing hash")
    expect_address(recovered_address(digest, y, r, s), a.address)


def check_sig65(a):
    digest = parse_hex(a.digest, "--digest", 32)
    sig = parse_hex(a.sig, "--sig", 65)
    if sig[64] not in (27, 28):
        raise Bad(f"v is {sig[64]}, expected 27 or 28")
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big")
    expect_address(recovered_address(digest, sig[64] - 27, r, s), a.address)


def check_psbt(a):
    pubkey = parse_hex(a.pubkey, "--pubkey", 33)
    psbt = psbt_parse(read_payload("psbt", a.psbt))
    sigs = {}
    for i in range(len(psbt["in"])):
        digest, keyhash = psbt_input_digest(psbt, i)
        if keyhash != hash160(pubkey):
            raise Bad(f"psbt input {i}: does not pay to the given public key")
        rec = psbt["in"][i].get(bytes([IN_PARTIAL_SIG]) + pubkey)
        if rec is None:
            raise Bad(f"psbt input {i}: no partial signature for the given public key")
        if rec[-1:] != b"\x01":
            raise Bad(f"psbt input {i}: partial signature is not SIGHASH_ALL")
        verify_ecdsa(pubkey, digest, *der_decode(rec[:-1]), f"psbt input {i}")
        sigs[i] = rec
        print(f"input {i}            BIP143 digest 0x{digest.hex()}: partial signature verifies, low-s")
    if a.final_tx is None:
        return
    final = tx_parse(parse_hex(a.final_tx, "--final-tx"), "final transaction")
    unsigned = psbt["tx"]
    if (final["version"], final["outs"], final["locktime"]) != (unsigned["version"], unsigned["outs"],
                                                                 unsigned["locktime"]):
        raise Bad("final transaction: version, outputs or locktime differ from the PSBT")
    if [i[:2] + i[3:] for i in final["ins"]] != [i[:2] + i[3:] for i in unsigned["ins"]]:
        raise Bad("final transaction: inputs differ from the PSBT")
    if len(final["witnesses"]) != len(final["ins"]):
        raise Bad("final transaction: not a segwit transaction")
    for i, stack in enumerate(final["witnesses"]):
        if final["ins"][i][2]:
            raise Bad(f"final transaction input {i}: non-empty scriptSig for P2WPKH")
        if len(stack) != 2 or stack[1] != pubkey or stack[0][-1:] != b"\x01":
            raise Bad(f"final transaction input {i}: witness is not [signature || 01, public key]")
        verify_ecdsa(pubkey, psbt_input_digest(psbt, i)[0], *der_decode(stack[0][:-1]), f"final input {i}")
    if txid(final) != txid(unsigned):
        raise Bad("final transaction: txid differs from the PSBT's")
    print(f"final transaction  txid {display_txid(txid(final))}, witnesses verify")


def cmd_check(a):
    {"eth-tx": check_eth_tx, "sig65": check_sig65, "psbt": check_psbt}[a.kind](a)
    print("ok")
    return 0


def parser():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    make = sub.add_parser("make").add_subparsers(dest="kind", required=True)
    for kind in ("eth-1559", "erc20"):
        p = make.add_parser(kind)
        p.add_argument("--chain-id", type=int, required=True)
        p.add_argument("--nonce", type=int, required=True)
        p.add_argument("--to", required=True)
        if kind == "eth-1559":
            p.add_argument("--value", required=True)
        else:
            p.add_argument("--token", required=True)
            p.add_argument("--amount", required=True)
        p.add_argument("--max-fee", default=str(30 * 10**9), help="max fee per gas, wei")
        p.add_argument("--tip", default=str(10**9), help="max priority fee per gas, wei")
        p.add_argument("--gas", type=int, help="gas limit (21000 for eth-1559, 65000 for erc20)")
    p = make.add_parser("safe")
    p.add_argument("--chain-id", type=int, required=True)
    p.add_argument("--safe", required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--value", default="0")
    p.add_argument("--data", default="0x")
    p.add_argument("--operation", type=int, default=0)
    p.add_argument("--nonce", required=True)
    p.add_argument("--safe-version", default="1.3.0")
    p.add_argument("--safe-tx-gas", default="0")
    p.add_argument("--base-gas", default="0")
    p.add_argument("--gas-price", default="0")
    p.add_argument("--gas-token", default="0x" + "00" * 20)
    p.add_argument("--refund-receiver", default="0x" + "00" * 20)
    p = make.add_parser("psbt")
    p.add_argument("--pubkey", required=True, action="append",
                   help="the key an input pays to; repeat for inputs of several keys, in order")
    p.add_argument("--inputs", type=int, default=1, help="inputs per --pubkey (each its own previous tx)")
    p.add_argument("--network", choices=sorted(NETWORKS), required=True)
    p.add_argument("--amount", type=int, required=True)
    p.add_argument("--fee", type=int, required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--fingerprint")
    p.add_argument("--path", default="m")
    p.add_argument("--out")

    p = sub.add_parser("digest")
    p.add_argument("type", choices=["eth-tx", "erc20", "eip191", "eip712", "safe-tx", "psbt"])
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--subject", action="store_true",
                   help="print the fingerprint subject instead (what operator approvals name)")

    check = sub.add_parser("check").add_subparsers(dest="kind", required=True)
    p = check.add_parser("eth-tx")
    p.add_argument("--raw", required=True)
    p.add_argument("--address", required=True)
    p.add_argument("--digest")
    p = check.add_parser("sig65")
    p.add_argument("--digest", required=True)
    p.add_argument("--sig", required=True)
    p.add_argument("--address", required=True)
    p = check.add_parser("psbt")
    p.add_argument("--psbt", required=True)
    p.add_argument("--pubkey", required=True)
    p.add_argument("--final-tx")
    return ap


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        return {"make": cmd_make, "digest": cmd_digest, "check": cmd_check}[a.cmd](a)
    except Bad as e:
        print(f"payload_tool: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"payload_tool: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
