#!/usr/bin/python3
"""ctest for tools/mpc-inspect: runs it on the payload files of test/vectors/payloads and checks exit
codes, the digest and fingerprint lines against expected.json (written by the independent generator
gen_payloads.py), that --json output is valid JSON (python3 -m json.tool) carrying exactly the values
of the text output in the same order, and the refusals.

    test_mpc_inspect.py <path to mpc-inspect> <test/vectors/payloads>"""
import base64
import json
import os
import subprocess
import sys
import tempfile

TOOL, VEC = sys.argv[1], sys.argv[2]
EXP = json.load(open(os.path.join(VEC, "expected.json")))
REG = ["--asset-registry", os.path.join(VEC, "registry.txt")]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args):
    p = subprocess.run([TOOL] + args, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def unescape(v):
    """Inverse of the text rendering's escapes (the JSON ones without \\")."""
    return json.loads('"' + v.replace('"', '\\"') + '"')


def text_pairs(out):
    pairs = []
    for line in out.splitlines():
        name, sep, value = line.partition(": ")
        check(sep == ": ", "text line without 'name: value': %r" % line)
        pairs.append((name, unescape(value)))
    return pairs


def json_pairs(doc):
    pairs = []
    for k, v in doc.items():
        if k in ("items", "digests"):
            for i, e in enumerate(v):
                pairs += [("%s[%d].%s" % (k[:-1], i, m), x) for m, x in e.items()]
        elif k == "warnings":
            pairs += [("warning[%d]" % i, x) for i, x in enumerate(v)]
        elif k == "fingerprint":
            pairs += [("fingerprint." + m, x) for m, x in v.items()]
        else:
            pairs.append((k, v))
    return pairs


def shown(name, args, digest_key=None):
    rc, text, err = run(args)
    check(rc == 0, "%s: exit %d (%s%s)" % (name, rc, text, err))
    rcj, js, _ = run(args + ["--json"])
    check(rcj == 0, "%s --json: exit %d" % (name, rcj))
    tool = subprocess.run([sys.executable, "-m", "json.tool"], input=js.encode(), capture_output=True)
    check(tool.returncode == 0, "%s: json.tool rejects the JSON output" % name)
    if rc != 0 or rcj != 0 or tool.returncode != 0:
        return {}
    doc = json.loads(js)
    check(all(isinstance(v, str) for k, v in doc.items() if k not in ("items", "digests", "warnings", "fingerprint")),
          "%s: a JSON field value is not a string" % name)
    tp = text_pairs(text)
    check(tp == json_pairs(doc), "%s: text and JSON differ:\n%s\n%s" % (name, tp, json_pairs(doc)))
    d = dict(tp)
    if digest_key is not None:
        want = EXP[digest_key]["digest"]
        check(d.get("digest[0].hex") == want, "%s: digest %s, want %s" % (name, d.get("digest[0].hex"), want))
        hx = want[2:]
        check(d.get("fingerprint.hex") == " ".join(hx[i:i + 8] for i in range(0, 64, 8)),
              "%s: fingerprint.hex is not the grouped digest" % name)
    print("ok: %s (%d lines)" % (name, len(tp)))
    return d


def refused(name, args, reason):
    rc, text, _ = run(args)
    check(rc == 1, "%s: exit %d, want 1" % (name, rc))
    check(text.startswith("refused: ") and reason in text.splitlines()[0], "%s: reason missing: %r" % (name, text))
    rcj, js, _ = run(args + ["--json"])
    check(rcj == 1 and reason in json.loads(js)["refused"], "%s --json: %r" % (name, js))
    print("ok: %s refused" % name)


def f(key):
    return os.path.join(VEC, EXP[key]["file"])


d = shown("eip155", ["--type", "eth-tx", "--file", f("eip155_example"), "--chain-id", "1", "--key-id", "hot-eth-1",
                     "--path", "m/44'/60'/0'/0/0", "--own-address", "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"],
          "eip155_example")
check(d.get("amount") == "1 ETH" and d.get("nonce") == "9" and d.get("path") == "m/44'/60'/0'/0/0" and
      d.get("from") == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F", "eip155 fields: %s" % d)
d = shown("eip1559", ["--type", "eth-tx", "--file", f("eip1559_ethereumjs0")], "eip1559_ethereumjs0")
check(d.get("chain_id") == "4" and d.get("warning[0]", "").startswith("high-fee") and
      d.get("warning[1]", "").startswith("chain-unchecked"), "eip1559 fields: %s" % d)
d = shown("erc20", ["--type", "erc20", "--file", f("erc20_transfer"), "--chain-id", "1"] + REG, "erc20_transfer")
check(d.get("amount") == "1.234567 USDC" and d.get("operation") == "token-transfer", "erc20 fields: %s" % d)
d = shown("approve", ["--type", "erc20", "--file", f("erc20_approve_unlimited"), "--chain-id", "1"] + REG,
          "erc20_approve_unlimited")
check(d.get("warning[0]", "").startswith("unlimited-approval"), "approve warnings: %s" % d)
d = shown("eip191", ["--type", "eip191", "--file", f("eip191_hello")], "eip191_hello")
check(d.get("message") == "hello", "eip191 message: %s" % d)
d = shown("eip712", ["--type", "eip712", "--file", f("eip712_mail"), "--chain-id", "1"], "eip712_mail")
check(d.get("domain_hash") == EXP["eip712_mail"]["domain_hash"] and
      d.get("message_hash") == EXP["eip712_mail"]["message_hash"], "eip712 hashes: %s" % d)
d = shown("safe", ["--type", "safe-tx", "--file", f("safe_derived_example"), "--chain-id", "1"], "safe_derived_example")
check(d.get("domain_hash") == EXP["safe_derived_example"]["domain_hash"], "safe domain hash: %s" % d)
ms = EXP["safe_multisend_ok"]["multisend_call_only"]
d = shown("multisend", ["--type", "safe-tx", "--file", f("safe_multisend_ok"), "--chain-id", "1",
                        "--allow-multisend", ms] + REG, "safe_multisend_ok")
check(d.get("operation") == "safe-delegatecall-multisend" and d.get("item[0].amount") == "2.5 TUSD6" and
      d.get("item[1].amount") == "1 ETH", "multisend items: %s" % d)
psbt = EXP["psbt_p2wpkh"]
d = shown("psbt", ["--type", "psbt", "--file", f("psbt_p2wpkh")], "psbt_p2wpkh")
check(d.get("item[0].to") == psbt["dest_address"] and d.get("fee") == "0.0001 BTC", "psbt fields: %s" % d)

# The same payloads as binary, 0x-hex and base64 files give the same digest.
with tempfile.TemporaryDirectory() as tmp:
    raw = bytes.fromhex(open(f("psbt_p2wpkh")).read().strip())
    forms = {"bin": raw, "b64": base64.b64encode(raw) + b"\n", "0x": b"0x" + raw.hex().encode()}
    for form, data in forms.items():
        path = os.path.join(tmp, "p." + form)
        open(path, "wb").write(data)
        shown("psbt as " + form, ["--type", "psbt", "--file", path], "psbt_p2wpkh")
    path = os.path.join(tmp, "eip155.bin")
    open(path, "wb").write(bytes.fromhex(open(f("eip155_example")).read().strip()))
    shown("eip155 as binary", ["--type", "eth-tx", "--file", path, "--chain-id", "1"], "eip155_example")
    path = os.path.join(tmp, "odd.hex")
    open(path, "w").write("abc\n")
    rc, _, _ = run(["--type", "eth-tx", "--file", path])
    check(rc == 3, "odd-length hex: exit %d, want 3" % rc)
    path = os.path.join(tmp, "bad_registry.txt")
    open(path, "w").write("1 0x0101010101010101010101010101010101010101 A 0 extra\n")
    rc, _, err = run(["--type", "eth-tx", "--file", f("eip155_example"), "--asset-registry", path])
    check(rc == 3 and "registry line 1" in err, "bad registry: exit %d %r" % (rc, err))

refused("contract creation", ["--type", "eth-tx", "--file", f("refused_contract_creation")], "contract creation")
refused("bybit", ["--type", "safe-tx", "--file", f("safe_bybit"), "--chain-id", "1"], "DELEGATECALL")
refused("multisend not allowlisted", ["--type", "safe-tx", "--file", f("safe_multisend_ok"), "--chain-id", "1"],
        "not an allowlisted MultiSendCallOnly")
refused("inner delegatecall", ["--type", "safe-tx", "--file", f("safe_multisend_inner_delegatecall"), "--chain-id", "1",
                               "--allow-multisend", ms], "DELEGATECALL")
refused("wrong chain", ["--type", "eth-tx", "--file", f("eip155_example"), "--chain-id", "5"], "chain id 1")
refused("erc20 of a plain transfer", ["--type", "erc20", "--file", f("eip155_example"), "--chain-id", "1"],
        "not an ERC-20")
refused("bip174 multisig", ["--type", "psbt", "--file", f("refused_bip174_multisig"), "--network", "testnet"],
        "input 0")

for args, want in ((["--file", f("eip155_example")], 2), (["--type", "nope", "--file", f("eip155_example")], 2),
                   (["--type", "safe-tx", "--file", f("safe_multisend_ok"), "--allow-multisend", ms], 2),
                   (["--type", "eth-tx", "--file", f("eip155_example"), "--chain-id", "01"], 2),
                   (["--type", "eth-tx", "--file", f("eip155_example"), "--path", "m/44'/x"], 2),
                   (["--type", "eth-tx", "--file", os.path.join(VEC, "missing.hex")], 3)):
    rc, _, _ = run(args)
    check(rc == want, "%s: exit %d, want %d" % (args, rc, want))

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
