#!/usr/bin/python3
"""Generates eth_generated.json for the payload tests: expected values from an implementation
independent of the C code under test (Python + pycryptodome's Keccak; Debian: python3-pycryptodome).

    /usr/bin/python3 test/unit/payload/gen_eth_vectors.py > test/unit/payload/eth_generated.json

Where a published value exists (EIP-191 "hello" prefix, the Bybit safeTxHash in PAYLOADS.md 1.1,
the EIP-712 Mail digest, the Safe derived example) this script asserts it reproduces it, so the
Python side is itself checked before its other outputs are trusted."""
import json
import os
import random

from Cryptodome.Hash import keccak


VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "vectors")


def k256(b):
    h = keccak.new(digest_bits=256)
    h.update(b)
    return h.digest()


def hx(b):
    return "0x" + b.hex()


# ---- EIP-55 (ERC-55 text: uppercase a letter when its hash nibble is >= 8) ----
def checksum(addr):
    low = addr.hex()
    h = k256(low.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c for i, c in enumerate(low))


# ---- EIP-712 (EIPS/eip-712.md) ----
def base_type(t):
    return t.split("[")[0]


def deps(types, t, found):
    t = base_type(t)
    if t in found or t not in types:
        return found
    found.add(t)
    for f in types[t]:
        deps(types, f["type"], found)
    return found


def encode_type(types, t):
    d = deps(types, t, set())
    d.discard(t)
    return "".join(f"{n}({','.join(f['type'] + ' ' + f['name'] for f in types[n])})" for n in [t] + sorted(d))


def type_hash(types, t):
    return k256(encode_type(types, t).encode())


def to_int(v):
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.startswith("0x"):
        return int(v, 16)
    return int(v)


def encode_value(types, t, v):
    if t.endswith("]"):
        inner = t[: t.rindex("[")]
        return k256(b"".join(encode_value(types, inner, x) for x in v))
    if t in types:
        return hash_struct(types, t, v)
    if t == "string":
        return k256(v.encode())
    if t == "bytes":
        return k256(bytes.fromhex(v[2:]))
    if t == "bool":
        return (1 if v else 0).to_bytes(32, "big")
    if t == "address":
        return bytes(12) + bytes.fromhex(v[2:])
    if t.startswith("bytes"):
        b = bytes.fromhex(v[2:])
        assert len(b) == int(t[5:])
        return b + bytes(32 - len(b))
    if t.startswith("uint"):
        return to_int(v).to_bytes(32, "big")
    if t.startswith("int"):
        return (to_int(v) % (1 << 256)).to_bytes(32, "big")
    raise ValueError(t)


def encode_data(types, t, v):
    return type_hash(types, t) + b"".join(encode_value(types, f["type"], v[f["name"]]) for f in types[t])


def hash_struct(types, t, v):
    return k256(encode_data(types, t, v))


def typed_digest(doc):
    ds = hash_struct(doc["types"], "EIP712Domain", doc["domain"])
    mh = hash_struct(doc["types"], doc["primaryType"], doc["message"])
    return ds, mh, k256(b"\x19\x01" + ds + mh)


SAFE_TX_FIELDS = [
    ("to", "address"), ("value", "uint256"), ("data", "bytes"), ("operation", "uint8"),
    ("safeTxGas", "uint256"), ("baseGas", "uint256"), ("gasPrice", "uint256"), ("gasToken", "address"),
    ("refundReceiver", "address"), ("nonce", "uint256")]


def safe_doc(chain_id, safe, tx):
    dom_fields = ([{"name": "chainId", "type": "uint256"}] if chain_id is not None else []) + \
        [{"name": "verifyingContract", "type": "address"}]
    domain = ({"chainId": chain_id} if chain_id is not None else {}) | {"verifyingContract": safe}
    return {"types": {"EIP712Domain": dom_fields, "SafeTx": [{"name": n, "type": t} for n, t in SAFE_TX_FIELDS]},
            "primaryType": "SafeTx", "domain": domain, "message": tx}


def safe_case(name, chain_id, safe, tx, **extra):
    doc = safe_doc(chain_id, safe, tx)
    ds, mh, dg = typed_digest(doc)
    return {"name": name, "typed_data": doc, "domainSeparator": hx(ds), "safeTx_structHash": hx(mh),
            "safeTxHash": hx(dg), "eth_sign_digest": hx(k256(b"\x19Ethereum Signed Message:\n32" + dg))} | extra


def abi_word(n):
    return n.to_bytes(32, "big")


def multisend(calls):
    packed = b"".join(bytes([op]) + bytes.fromhex(to[2:]) + abi_word(val) + abi_word(len(d)) + d
                      for op, to, val, d in calls)
    pad = (-len(packed)) % 32
    return bytes.fromhex("8d80ff0a") + abi_word(32) + abi_word(len(packed)) + packed + bytes(pad)


def erc20_transfer(to, amount):
    return bytes.fromhex("a9059cbb") + bytes(12) + bytes.fromhex(to[2:]) + abi_word(amount)


def main():
    out = {"generated_by": "test/unit/payload/gen_eth_vectors.py (do not edit)"}
    rnd = random.Random(0x6555)

    msgs = ["hello", "", "I am an OKX address", "x" * 1000, "caf\u00e9 \u2603 \U0001F600"]
    eip191 = [{"text": m, "digest": hx(k256(b"\x19Ethereum Signed Message:\n" + str(len(m.encode())).encode() + m.encode()))}
              for m in msgs]
    assert eip191[0]["digest"].startswith("0x50b2c43f") and eip191[0]["digest"].endswith("7750")  # PAYLOADS.md 2.6
    out["eip191_personal"] = eip191

    out["eip55_random"] = [checksum(bytes(rnd.getrandbits(8) for _ in range(20))) for _ in range(32)]

    out["selectors"] = {sig: hx(k256(sig.encode())[:4]) for sig in [
        "transfer(address,uint256)", "approve(address,uint256)", "transferFrom(address,address,uint256)",
        "multiSend(bytes)"]}

    # EIP-712: the spec's Mail example must come out right before anything else is trusted.
    mail = json.load(open(os.path.join(VECTORS, "ethereum/eips/eip712_mail.json")))
    assert hx(typed_digest(mail["typed_data"])[2]) == mail["expected"]["digest"]
    docs = []
    t1 = {"types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                         {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
                         {"name": "salt", "type": "bytes32"}],
        "Order": [{"name": "maker", "type": "address"}, {"name": "amounts", "type": "uint256[]"},
                  {"name": "tags", "type": "string[2]"}, {"name": "blob", "type": "bytes"},
                  {"name": "flag", "type": "bool"}, {"name": "delta", "type": "int64"},
                  {"name": "id", "type": "bytes4"}, {"name": "legs", "type": "Leg[]"},
                  {"name": "grid", "type": "uint8[2][]"}],
        "Leg": [{"name": "asset", "type": "Asset"}, {"name": "qty", "type": "int256"}],
        "Asset": [{"name": "symbol", "type": "string"}, {"name": "token", "type": "address"}]},
        "primaryType": "Order",
        "domain": {"name": "Test \u00e9", "version": "2", "chainId": "0x89",
                   "verifyingContract": checksum(bytes(range(20))), "salt": hx(bytes(range(32)))},
        "message": {"maker": checksum(bytes([0xab] * 20)), "amounts": [0, "1", "115792089237316195423570985008687907853269984665640564039457584007913129639935"],
                    "tags": ["a", "\u0000\"\\"], "blob": "0x00ff10", "flag": True, "delta": -5,
                    "id": "0xdeadbeef",
                    "legs": [{"asset": {"symbol": "USDC", "token": checksum(bytes([1] * 20))}, "qty": "-1"},
                             {"asset": {"symbol": "", "token": checksum(bytes(20))}, "qty": 7}],
                    "grid": [[1, 2], [3, 255]]}}
    ds, mh, dg = typed_digest(t1)
    docs.append({"name": "arrays_nested_signed", "typed_data": t1, "encodeType": encode_type(t1["types"], "Order"),
                 "domainSeparator": hx(ds), "structHash": hx(mh), "digest": hx(dg)})
    permit = {"types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                         {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
        "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                   {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                   {"name": "deadline", "type": "uint256"}]},
        "primaryType": "Permit",
        "domain": {"name": "USD Coin", "version": "2", "chainId": 1, "verifyingContract": checksum(bytes([0xa0] * 20))},
        "message": {"owner": checksum(bytes([0x11] * 20)), "spender": checksum(bytes([0x22] * 20)),
                    "value": "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "nonce": 0,
                    "deadline": "1893456000"}}
    tree = {"types": {
        "EIP712Domain": [{"name": "verifyingContract", "type": "address"}, {"name": "salt", "type": "bytes32"}],
        "Node": [{"name": "label", "type": "string"}, {"name": "kids", "type": "Node[]"},
                 {"name": "edge", "type": "bytes1[2][1]"}, {"name": "empty", "type": "bytes"},
                 {"name": "lo", "type": "int256"}, {"name": "hi", "type": "uint256"}]},
        "primaryType": "Node",
        "domain": {"verifyingContract": "0x" + "00" * 19 + "01", "salt": "0x" + "ff" * 32},
        "message": {"label": "root", "kids": [
            {"label": "a", "kids": [], "edge": [["0x01", "0x02"]], "empty": "0x", "lo": "-1", "hi": "0"},
            {"label": "b", "kids": [{"label": "c", "kids": [], "edge": [["0x00", "0xff"]], "empty": "0x", "lo": 0,
                                     "hi": 1}], "edge": [["0x10", "0x20"]], "empty": "0xab", "lo": 42, "hi": 43}],
            "edge": [["0xaa", "0xbb"]], "empty": "0x",
            "lo": "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
            "hi": "115792089237316195423570985008687907853269984665640564039457584007913129639935"}}
    for name, t in (("permit_unlimited", permit), ("recursive_tree", tree)):
        ds, mh, dg = typed_digest(t)
        docs.append({"name": name, "typed_data": t, "encodeType": encode_type(t["types"], t["primaryType"]),
                     "domainSeparator": hx(ds), "structHash": hx(mh), "digest": hx(dg)})
    out["eip712"] = docs

    safe = []
    ex = json.load(open(os.path.join(VECTORS, "safe/safe_typehashes.json")))["derived_example"]
    c = safe_case("derived_example", 1, ex["domain"]["verifyingContract"], ex["safe_tx"])
    assert c["domainSeparator"] == ex["domainSeparator"] and c["safeTxHash"] == ex["safeTxHash"]
    safe.append(c)
    # PAYLOADS.md 1.1 (Bybit, Safe 1.1.1: no chainId in the domain).
    bybit = {"to": "0x96221423681A6d52E184D440a8eFCEbB105C7242", "value": "0",
             "data": hx(erc20_transfer("0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516", 0)), "operation": 1,
             "safeTxGas": 45746, "baseGas": 0, "gasPrice": 0,
             "gasToken": "0x0000000000000000000000000000000000000000",
             "refundReceiver": "0x0000000000000000000000000000000000000000", "nonce": 71}
    c = safe_case("bybit", None, "0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4", bybit)
    assert c["safeTxHash"] == "0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8"
    assert c["eth_sign_digest"].startswith("0x28eddb7e") and c["eth_sign_digest"].endswith("8a260")
    safe.append(c)
    ms_addr = checksum(bytes([0x40] * 20))
    usdc = checksum(bytes([0xa0] * 20))
    inner_ok = [(0, usdc, 0, erc20_transfer(checksum(bytes([0x77] * 20)), 2500000)),
                (0, checksum(bytes([0x78] * 20)), 10**18, b"")]
    safe_addr = checksum(bytes([0x5a] * 20))
    base = {"value": "0", "operation": 1, "safeTxGas": 0, "baseGas": 0, "gasPrice": 0,
            "gasToken": "0x0000000000000000000000000000000000000000",
            "refundReceiver": "0x0000000000000000000000000000000000000000", "nonce": 3}
    safe.append(safe_case("multisend_ok", 1, safe_addr, base | {"to": ms_addr, "data": hx(multisend(inner_ok))},
                          multisend_call_only=ms_addr, inner=[{"operation": op, "to": to, "value": str(v), "data": hx(d)}
                                                              for op, to, v, d in inner_ok]))
    inner_bad = inner_ok + [(1, checksum(bytes([0x79] * 20)), 0, b"\x12\x34\x56\x78")]
    safe.append(safe_case("multisend_inner_delegatecall", 1, safe_addr,
                          base | {"to": ms_addr, "data": hx(multisend(inner_bad))}, multisend_call_only=ms_addr))
    refund = {"to": checksum(bytes([0x78] * 20)), "value": "5", "data": "0x", "operation": 0, "safeTxGas": 0,
              "baseGas": 21000, "gasPrice": 1000000000, "gasToken": usdc,
              "refundReceiver": checksum(bytes([0x66] * 20)), "nonce": 4}
    safe.append(safe_case("gas_refund", 100, safe_addr, refund))
    out["safe"] = safe
    print(json.dumps(out, indent=1, ensure_ascii=True))


main()
