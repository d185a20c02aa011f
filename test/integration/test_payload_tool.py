#!/usr/bin/env python3
"""ctest test_payload_tool: self-test of payload_tool.py, the payload generator and output checker
of the end-to-end signing tests.

1. `digest` on the committed payload files equals expected.json (written by gen_payloads.py, whose
   values come from the official vectors and pycryptodome); the BIP143 code reproduces the BIP's
   native P2WPKH example.
2. Every `make` payload is decoded by the project's offline mpc-inspect: it must be shown (exit 0)
   with the same digest (and EIP-712 domain and message hashes) as payload_tool computes, and with
   the recipient, amount, nonce and chain the payload was made with; a Safe DELEGATECALL to a
   target that is not allowlisted must be refused.
3. `check` accepts signatures made here with a `cryptography` private key (and the official signed
   EIP-155 and EIP-1559 transactions), and rejects a one-bit-flipped signature, a wrong address,
   a high-s signature and a wrong public key or witness.

    test_payload_tool.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import payload_tool as pt  # noqa: E402
from eth_check import N, address_of, recover  # noqa: E402

BUILD = sys.argv[1]
INSPECT = os.path.join(BUILD, "tools", "mpc-inspect")
TOOL = os.path.join(HERE, "payload_tool.py")
PAYLOADS = os.path.join(HERE, "..", "vectors", "payloads")
VECTORS = os.path.join(HERE, "..", "..", "..", "shared", "vectors")
TMP = tempfile.mkdtemp(prefix="payload_tool.")
COMPRESSED = (Encoding.X962, PublicFormat.CompressedPoint)
passed = failed = 0


def check(what, cond):
    global passed, failed
    if cond:
        passed += 1
        print("ok  ", what)
    else:
        failed += 1
        print("FAIL", what)


def tool(*args):
    """(exit status, stdout); a crash (traceback) counts as neither acceptance nor rejection."""
    p = subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True)
    if p.returncode not in (0, 1) or "Traceback" in p.stderr:
        print(p.stderr, end="")
        return -1, p.stdout
    return p.returncode, p.stdout


def inspect(ptype, path, *args):
    p = subprocess.run([INSPECT, "--type", ptype, "--file", path, "--json", *args], capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout) if p.stdout.startswith("{") else {}


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "w" if isinstance(data, str) else "wb") as f:
        f.write(data)
    return path


def tool_digest(ptype, path):
    rc, out = tool("digest", ptype, path, "--json")
    return json.loads(out) if rc == 0 else {}


# ---- 1. digests of the committed payload files -------------------------------------------------

def committed_digests():
    exp = json.load(open(os.path.join(PAYLOADS, "expected.json")))
    cases = [("eip155_example", "eth-tx"), ("eip1559_ethereumjs0", "eth-tx"), ("erc20_transfer", "erc20"),
             ("erc20_approve_unlimited", "erc20"), ("eip191_hello", "eip191"), ("eip712_mail", "eip712"),
             ("safe_derived_example", "safe-tx"), ("safe_bybit", "safe-tx"), ("safe_multisend_ok", "safe-tx"),
             ("safe_multisend_inner_delegatecall", "safe-tx"), ("safe_gas_refund", "safe-tx"),
             ("psbt_p2wpkh", "psbt")]
    for name, ptype in cases:
        e = exp[name]
        got = tool_digest(ptype, os.path.join(PAYLOADS, e["file"]))
        check(f"digest {ptype} {e['file']} equals expected.json", got.get("digests") == [e["digest"]])
        if "domain_hash" in e:
            check(f"... and its domain and message hashes",
                  (got.get("domain_hash"), got.get("message_hash")) == (e["domain_hash"], e["message_hash"]))


def official_bip143():
    v = json.load(open(os.path.join(VECTORS, "bitcoin/bip143.json")))["vectors"][0]
    sig = v["signatures"][0]
    tx = pt.tx_parse(bytes.fromhex(v["unsigned_tx"]))
    got = pt.bip143_digest(tx, sig["input_index"], bytes.fromhex(sig["scriptCode"])[1:], sig["amount_sat"])
    check("bip143_digest equals the BIP143 native P2WPKH example's sighash", got.hex() == sig["sighash"])
    der = bytes.fromhex(sig["signature_der_plus_hashtype"])[:-1]
    try:
        pt.verify_ecdsa(bytes.fromhex(sig["public_key"]), got, *pt.der_decode(der), "bip143 example")
        check("... and the example's DER signature verifies", True)
    except pt.Bad as e:
        check(f"... and the example's DER signature verifies ({e})", False)


# ---- 2. made payloads through mpc-inspect ------------------------------------------------------

def same_digest(what, ptype, path, *inspect_args):
    """mpc-inspect shows the payload and reports payload_tool's digest(s); returns its JSON."""
    rc, doc = inspect(ptype, path, *inspect_args)
    mine = tool_digest(ptype, path)
    check(f"{what}: mpc-inspect shows it (exit {rc})", rc == 0)
    check(f"{what}: mpc-inspect's digest equals payload_tool's",
          [d["hex"] for d in doc.get("digests", [])] == mine.get("digests") and mine.get("digests"))
    if "domain_hash" in mine:
        check(f"{what}: same domain and message hashes",
              (doc.get("domain_hash"), doc.get("message_hash")) == (mine["domain_hash"], mine["message_hash"]))
    return doc


def eth_payloads(key_addr):
    rc, tx = tool("make", "eth-1559", "--chain-id", "1337", "--nonce", "3", "--to", key_addr,
                  "--value", "1250000000000000000", "--max-fee", "40000000000", "--tip", "2000000000", "--gas", "21000")
    check("make eth-1559 exits 0", rc == 0)
    path = write("eth.hex", tx)
    doc = same_digest("eth-1559", "eth-tx", path, "--chain-id", "1337")
    check("eth-1559: recipient, amount, nonce, chain and fee as made",
          (doc.get("to"), doc.get("amount"), doc.get("nonce"), doc.get("chain_id"), doc.get("fee")) ==
          (key_addr, "1.25 ETH", "3", "1337", "max 0.00084 ETH"))
    rc, _ = inspect("eth-tx", path, "--chain-id", "1")
    check("eth-1559 for chain 1337 is refused by mpc-inspect configured for chain 1", rc == 1)

    token = "0xa0A0A0a0a0A0A0a0a0a0A0A0a0A0a0a0a0A0a0a0"
    rc, tx = tool("make", "erc20", "--chain-id", "1337", "--nonce", "4", "--token", token.lower(),
                  "--to", key_addr, "--amount", "2500001")
    check("make erc20 exits 0", rc == 0)
    reg = write("registry.txt", f"1337 {token.lower()} TKN 6\n")
    doc = same_digest("erc20", "erc20", write("erc20.hex", tx), "--chain-id", "1337", "--asset-registry", reg)
    check("erc20: token-transfer of 2.500001 TKN to the recipient, nonce 4",
          (doc.get("operation"), doc.get("to"), doc.get("amount"), doc.get("contract"), doc.get("nonce")) ==
          ("token-transfer", key_addr, "2.500001 TKN", pt.eip55(bytes.fromhex(token[2:])), "4"))
    return bytes.fromhex(open(path).read().strip()[2:])


def safe_payloads():
    safe, to = "0x" + "11" * 20, "0x" + "22" * 20
    common = ["make", "safe", "--chain-id", "1337", "--safe", safe, "--to", to, "--nonce", "9"]
    rc, doc13 = tool(*common, "--value", "7", "--data", "0xdeadbeef")
    check("make safe (1.3.0) exits 0", rc == 0)
    path = write("safe13.json", doc13)
    doc = same_digest("safe 1.3.0", "safe-tx", path, "--chain-id", "1337")
    check("safe 1.3.0: label names the chainId domain, safe and nonce as made",
          "Safe >= 1.3.0" in doc.get("digests", [{}])[0].get("label", "") and
          (doc.get("safe"), doc.get("to"), doc.get("nonce")) == (safe, to, "9"))
    rc, doc12 = tool(*common, "--value", "7", "--safe-version", "1.2.0")
    path12 = write("safe12.json", doc12)
    doc = same_digest("safe 1.2.0", "safe-tx", path12, "--chain-id", "1337")
    check("safe 1.2.0: label names the domain without chainId",
          "Safe <= 1.2.0" in doc.get("digests", [{}])[0].get("label", ""))
    check("safe 1.2.0 and 1.3.0 documents have different digests",
          tool_digest("safe-tx", path12).get("digests") != tool_digest("safe-tx", path).get("digests"))
    rc, _ = tool(*common, "--safe-version", "0.1.0")
    check("make safe refuses a Safe version before 1.0.0 (dataGas)", rc == 1)
    rc, dc = tool(*common, "--operation", "1", "--data", "0x8d80ff0a")
    rc, _ = inspect("safe-tx", write("safe_dc.json", dc), "--chain-id", "1337")
    check("a made Safe DELEGATECALL to a non-allowlisted contract is refused by mpc-inspect", rc == 1)
    return path


def psbt_payloads(pubkey):
    regtest_p2wpkh = pt.segwit_address("bcrt", 0, bytes([0x33] * 20))
    regtest_p2tr = pt.segwit_address("bcrt", 1, bytes([0x44] * 32))
    regtest_p2pkh = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"  # testnet/regtest P2PKH of a well-known key
    out = None
    for dest, detail in ((regtest_p2wpkh, "p2wpkh"), (regtest_p2tr, "p2tr"), (regtest_p2pkh, "p2pkh")):
        path = os.path.join(TMP, f"{detail}.psbt")
        rc, _ = tool("make", "psbt", "--pubkey", pubkey.hex(), "--network", "regtest", "--amount", "600000",
                     "--to", dest, "--fee", "1500", "--out", path)
        check(f"make psbt to {detail} exits 0", rc == 0)
        doc = same_digest(f"psbt to {detail}", "psbt", path, "--network", "regtest")
        check(f"psbt to {detail}: one output of 0.006 BTC to {dest}, fee 0.000015 BTC",
              (doc.get("items"), doc.get("fee")) ==
              ([{"kind": "output", "to": dest, "amount": "0.006 BTC", "detail": detail}], "0.000015 BTC"))
        out = out or path
    rc, hexpsbt = tool("make", "psbt", "--pubkey", pubkey.hex(), "--network", "regtest", "--amount", "1000",
                       "--to", regtest_p2wpkh, "--fee", "200", "--path", "m/0/5", "--fingerprint", "d34db33f")
    doc = same_digest("psbt with a derivation path (hex on stdout)", "psbt", write("path.psbt.hex", hexpsbt),
                      "--network", "regtest")
    check("psbt derivation record carries m/0/5 and fingerprint d34db33f",
          "key m/0/5 (master fingerprint d34db33f)" in doc.get("digests", [{}])[0].get("label", ""))
    path = os.path.join(TMP, "two-inputs.psbt")
    other = ec.generate_private_key(ec.SECP256K1()).public_key().public_bytes(*COMPRESSED)
    rc, _ = tool("make", "psbt", "--pubkey", pubkey.hex(), "--pubkey", other.hex(), "--inputs", "2",
                 "--network", "regtest", "--amount", "600001", "--to", regtest_p2wpkh, "--fee", "1500", "--out", path)
    check("make psbt with two keys and --inputs 2 exits 0", rc == 0)
    doc = same_digest("psbt with four inputs", "psbt", path, "--network", "regtest")
    psbt = pt.psbt_parse(open(path, "rb").read())
    keys = [next(k[1:] for k in m if k[0] == pt.IN_BIP32_DERIVATION) for m in psbt["in"]]
    check("psbt with four inputs: the keys in order are pubkey, other, pubkey, other",
          keys == [pubkey, other, pubkey, other])
    check("psbt with four inputs: each spends its own previous transaction",
          len({i[0] for i in psbt["tx"]["ins"]}) == 4)
    check("psbt with four inputs: fee 0.000015 BTC", doc.get("fee") == "0.000015 BTC")
    rc, subject = tool("digest", "psbt", path, "--subject")
    check("digest --subject: the fingerprint subject mpc-inspect shows",
          rc == 0 and subject.strip() == "0x" + doc.get("fingerprint", {}).get("hex", "").replace(" ", ""))
    rc, _ = tool("make", "psbt", "--pubkey", pubkey.hex(), "--network", "regtest", "--amount", "1000",
                 "--to", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "--fee", "200")
    check("make psbt refuses a mainnet destination on regtest", rc == 1)
    rc, _ = tool("make", "psbt", "--pubkey", pubkey.hex(), "--network", "regtest", "--amount", "1000",
                 "--to", regtest_p2wpkh[:-1] + ("q" if regtest_p2wpkh[-1] != "q" else "p"), "--fee", "200")
    check("make psbt refuses a destination with a bad bech32 checksum", rc == 1)
    return out


# ---- 3. checks of signed outputs ---------------------------------------------------------------

def sign(priv, digest):
    """(recovery id, r, s), low-s, with the recovery id found by trying both."""
    r, s = decode_dss_signature(priv.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))))
    s = min(s, N - s)
    pub = priv.public_key().public_numbers()
    for y in (0, 1):
        if recover(digest, r, s, y) == (pub.x, pub.y):
            return y, r, s
    raise AssertionError("no recovery id recovers the key")


def der_encode(r, s):
    def integer(x):
        b = x.to_bytes((x.bit_length() + 8) // 8, "big")
        return b"\x02" + bytes([len(b)]) + b
    body = integer(r) + integer(s)
    return b"\x30" + bytes([len(body)]) + body


def flip_bit(hexstr, nibble_from_end):
    i = len(hexstr) - nibble_from_end
    return hexstr[:i] + format(int(hexstr[i], 16) ^ 1, "x") + hexstr[i + 1:]


def eth_checks(priv, addr, unsigned):
    fields = pt.rlp_decode(unsigned[1:])
    digest = pt.keccak256(unsigned)
    y, r, s = sign(priv, digest)
    raw = (b"\x02" + pt.rlp_encode(fields + [pt.rlp_uint(y), pt.rlp_uint(r), pt.rlp_uint(s)])).hex()
    other = "0x" + "35" * 20
    check("check eth-tx accepts the signed type-2 transaction", tool("check", "eth-tx", "--raw", raw,
                                                                     "--address", addr)[0] == 0)
    check("... with the address in lower case and the signers' digest",
          tool("check", "eth-tx", "--raw", raw, "--address", addr.lower(), "--digest", digest.hex())[0] == 0)
    check("... and rejects another digest", tool("check", "eth-tx", "--raw", raw, "--address", addr,
                                                 "--digest", "00" * 32)[0] == 1)
    check("... and rejects a wrong address", tool("check", "eth-tx", "--raw", raw, "--address", other)[0] == 1)
    bad55 = addr[:2] + "".join(c.swapcase() if c.isalpha() else c for c in addr[2:])
    check("... and rejects an address with a bad EIP-55 checksum",
          tool("check", "eth-tx", "--raw", raw, "--address", bad55)[0] == 1)
    check("... and rejects a one-bit flip in s", tool("check", "eth-tx", "--raw", flip_bit(raw, 1),
                                                      "--address", addr)[0] == 1)
    check("... and rejects a one-bit flip in r", tool("check", "eth-tx", "--raw", flip_bit(raw, 68),
                                                      "--address", addr)[0] == 1)
    high = (b"\x02" + pt.rlp_encode(fields + [pt.rlp_uint(1 - y), pt.rlp_uint(r), pt.rlp_uint(N - s)])).hex()
    check("... and rejects the high-s twin of the signature", tool("check", "eth-tx", "--raw", high,
                                                                   "--address", addr)[0] == 1)

    v = json.load(open(os.path.join(VECTORS, "ethereum/eips/eip155_example.json")))
    vaddr = address_of(pt.decompress(ec.derive_private_key(int(v["private_key"], 16), ec.SECP256K1()).public_key()
                                     .public_bytes(*COMPRESSED)))
    check("check eth-tx accepts the official signed EIP-155 example",
          tool("check", "eth-tx", "--raw", v["signed_tx"], "--address", vaddr, "--digest", v["signing_hash"])[0] == 0)
    v = json.load(open(os.path.join(VECTORS, "ethereum/ethereumjs/eip1559.json")))[0]
    inner = pt.rlp_decode(bytes.fromhex(v["signedTransactionRLP"][2:]))  # ethereumjs wraps it in an RLP string
    vaddr = address_of(pt.decompress(ec.derive_private_key(int(v["privateKey"], 16), ec.SECP256K1()).public_key()
                                     .public_bytes(*COMPRESSED)))
    check("check eth-tx accepts the official signed ethereumjs EIP-1559 vector 0",
          tool("check", "eth-tx", "--raw", inner.hex(), "--address", vaddr)[0] == 0)

    y, r, s = sign(priv, digest)
    sig = (r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + y])).hex()
    check("check sig65 accepts r||s||v", tool("check", "sig65", "--digest", digest.hex(), "--sig", sig,
                                             "--address", addr)[0] == 0)
    check("... and rejects a one-bit flip in s", tool("check", "sig65", "--digest", digest.hex(),
                                                      "--sig", flip_bit(sig, 3), "--address", addr)[0] == 1)
    check("... and rejects a wrong address", tool("check", "sig65", "--digest", digest.hex(), "--sig", sig,
                                                  "--address", other)[0] == 1)
    check("... and rejects v = 0/1 instead of 27/28",
          tool("check", "sig65", "--digest", digest.hex(), "--sig", sig[:-2] + format(y, "02x"),
               "--address", addr)[0] == 1)


def psbt_checks(priv, pubkey, path):
    psbt = pt.psbt_parse(open(path, "rb").read())
    digest = pt.psbt_input_digest(psbt, 0)[0]
    _, r, s = sign(priv, digest)

    def with_sig(der):
        in0 = list(psbt["in"][0].items()) + [(bytes([pt.IN_PARTIAL_SIG]) + pubkey, der + b"\x01")]
        return write("signed.psbt", pt.psbt_serialize(list(psbt["global"].items()), [in0],
                                                       [list(m.items()) for m in psbt["out"]]))
    der = der_encode(r, s)
    signed = with_sig(der)
    check("check psbt accepts the partial signature", tool("check", "psbt", "--psbt", signed,
                                                           "--pubkey", pubkey.hex())[0] == 0)
    other = ec.generate_private_key(ec.SECP256K1()).public_key().public_bytes(*COMPRESSED).hex()
    check("... and rejects another public key", tool("check", "psbt", "--psbt", signed, "--pubkey", other)[0] == 1)
    check("... and rejects the PSBT without a signature", tool("check", "psbt", "--psbt", path,
                                                               "--pubkey", pubkey.hex())[0] == 1)
    flipped = bytearray(der)
    flipped[-1] ^= 1
    check("... and rejects a one-bit flip in the DER signature",
          tool("check", "psbt", "--psbt", with_sig(bytes(flipped)), "--pubkey", pubkey.hex())[0] == 1)
    check("... and rejects the high-s twin", tool("check", "psbt", "--psbt", with_sig(der_encode(r, N - s)),
                                                  "--pubkey", pubkey.hex())[0] == 1)

    signed = with_sig(der)
    tx = dict(psbt["tx"], witnesses=[[der + b"\x01", pubkey]])
    final = pt.tx_serialize(tx, witness=True).hex()
    check("check psbt --final-tx accepts the finalized transaction",
          tool("check", "psbt", "--psbt", signed, "--pubkey", pubkey.hex(), "--final-tx", final)[0] == 0)
    bad = pt.tx_serialize(dict(tx, witnesses=[[der + b"\x01", bytes.fromhex(other)]]), witness=True).hex()
    check("... and rejects a witness with another public key",
          tool("check", "psbt", "--psbt", signed, "--pubkey", pubkey.hex(), "--final-tx", bad)[0] == 1)
    bad = pt.tx_serialize(dict(tx, witnesses=[[bytes(flipped) + b"\x01", pubkey]]), witness=True).hex()
    check("... and rejects a witness with a one-bit-flipped signature",
          tool("check", "psbt", "--psbt", signed, "--pubkey", pubkey.hex(), "--final-tx", bad)[0] == 1)
    outs = [(tx["outs"][0][0] + 1, tx["outs"][0][1])]
    bad = pt.tx_serialize(dict(tx, outs=outs), witness=True).hex()
    check("... and rejects a transaction whose output differs from the PSBT's",
          tool("check", "psbt", "--psbt", signed, "--pubkey", pubkey.hex(), "--final-tx", bad)[0] == 1)


def main():
    if not os.access(INSPECT, os.X_OK):
        print(f"mpc-inspect not built at {INSPECT}")
        return 1
    priv = ec.generate_private_key(ec.SECP256K1())
    pubkey = priv.public_key().public_bytes(*COMPRESSED)
    addr = address_of(pt.decompress(pubkey))
    committed_digests()
    official_bip143()
    unsigned = eth_payloads(addr)
    safe_payloads()
    psbt = psbt_payloads(pubkey)
    eth_checks(priv, addr, unsigned)
    psbt_checks(priv, pubkey, psbt)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
