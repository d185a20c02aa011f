#!/usr/bin/python3
"""ctest for tools/mpc-approve. The approvals mpc-approve signs are parsed and verified by the
independent Python implementation (gen_approval_vectors.py, `cryptography` Ed25519); approvals
signed by Python are accepted by `mpc-approve verify` (the enclave's check); key files, the
confirmation (non-tty, --yes, and a real pseudo-terminal), every verdict and the exit codes.

    test_mpc_approve.py <path to mpc-approve>"""
import os
import select
import stat
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # importing the generator must not leave __pycache__ in the source tree
import gen_approval_vectors as gv  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, NoEncryption

TOOL = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, stdin=subprocess.DEVNULL):
    p = subprocess.run([TOOL] + args, capture_output=True, stdin=stdin)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def ids(req, key, dig):
    return ["--request-id", req.hex(), "--key-id", key.hex(), "--digest", dig.hex()]


def main():
    tmp = tempfile.mkdtemp(prefix="mpc-approve-test-")
    REQ, KEY, DIG = gv.fixed("t/request"), gv.fixed("t/key"), gv.fixed("t/digest")

    rc, out, _ = run(["--help"])
    check(rc == 0 and "pending --socket PATH" in out and "Exit: 0" in out,
          "--help documents the socket commands and exit codes")
    check(run([])[0] == 2 and run(["frobnicate"])[0] == 2, "no/unknown command: exit 2")

    # keygen: new file, mode 0600, the public key is the seed's (checked with Python).
    keys, pubs, names = [], [], ["op1", "op2", "op3"]
    for n in names:
        path = os.path.join(tmp, n + ".key")
        rc, out, err = run(["keygen", "--out", path])
        check(rc == 0, "keygen %s: %s" % (n, err))
        check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "key file mode 0600")
        text = open(path).read()
        check(len(text) == 65 and text.endswith("\n"), "key file: 64 hex digits and a newline")
        check(gv.public_key(bytes.fromhex(text[:64])).hex() == out.strip(), "keygen prints the seed's public key")
        check(run(["pubkey", "--key", path])[1] == out, "pubkey prints the same key")
        keys.append(path)
        pubs.append(bytes.fromhex(out.strip()))
    check(run(["keygen", "--out", keys[0]])[0] == 3, "keygen never overwrites a file")
    check(run(["keygen"])[0] == 2, "keygen without --out: exit 2")
    os.chmod(keys[0], 0o640)
    rc, _, err = run(["pubkey", "--key", keys[0]])
    check(rc == 3 and "chmod 600" in err, "a group-readable key file is refused")
    os.chmod(keys[0], 0o600)
    bad = os.path.join(tmp, "bad.key")
    with open(os.open(bad, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write("zz" * 32 + "\n")
    check(run(["pubkey", "--key", bad])[0] == 3, "a key file that is not hex is refused")

    # sign: refuses without confirmation on a non-tty; with --yes writes an approval Python verifies.
    base = ["sign", "--key", keys[0]] + ids(REQ, KEY, DIG) + ["--decision", "approve", "--expires-in", "600"]
    rc, out, err = run(base)
    check(rc == 2 and out == "" and "pass --yes" in err, "sign without --yes on a non-tty: exit 2, nothing signed")
    check(DIG.hex() in err and "fingerprint.words" in err, "sign shows the digest and fingerprint before asking")
    t0 = int(time.time())
    rc, out, err = run(base + ["--yes"])
    t1 = int(time.time())
    check(rc == 0, "sign --yes: " + err)
    a = bytes.fromhex(out.strip())
    try:
        r, k, d, dec, exp, pub = gv.parse_and_verify(a)
        check((r, k, d, dec, pub) == (REQ, KEY, DIG, gv.APPROVE, pubs[0]), "signed fields are the requested ones")
        check(t0 + 600 <= exp <= t1 + 600, "expiry = now + --expires-in")
        check(a[:153] == gv.statement(REQ, KEY, DIG, gv.APPROVE, exp, pubs[0]), "statement encoding matches Python's")
        # Ed25519 is deterministic: Python signing the same statement with the same seed gives the same bytes.
        seed = bytes.fromhex(open(keys[0]).read()[:64])
        check(gv.sign(seed, REQ, KEY, DIG, gv.APPROVE, exp) == a, "C signature equals Python's")
    except Exception as e:  # noqa: BLE001 - any defect is a failure
        check(False, "Python rejects mpc-approve's approval: %r" % e)
    outfile = os.path.join(tmp, "a.hex")
    rc, out, _ = run(base[:1] + ["--key", keys[0]] + ids(REQ, KEY, DIG) +
                     ["--decision", "reject", "--expires-in", "60", "--yes", "--out", outfile])
    check(rc == 0 and out == "", "sign --out writes the file, not stdout")
    try:
        check(gv.parse_and_verify(bytes.fromhex(open(outfile).read().strip()))[3] == gv.REJECT, "reject decision")
    except Exception as e:  # noqa: BLE001
        check(False, "Python rejects the --out approval: %r" % e)
    check(run(base[:1] + ["--key", keys[0]] + ids(REQ, KEY, DIG) +
              ["--decision", "reject", "--expires-in", "60", "--yes", "--out", outfile])[0] == 3,
          "sign --out never overwrites")
    for extra, what in ((["--decision", "maybe"], "unknown decision"), (["--expires-in", "0"], "zero lifetime"),
                        (["--expires-in", "604801"], "lifetime above 7 days")):
        args = (["sign", "--key", keys[0]] + ids(REQ, KEY, DIG) +
                ["--decision", "approve", "--expires-in", "60", "--yes"])
        i = args.index(extra[0])
        args[i + 1] = extra[1]
        check(run(args)[0] == 2, "sign with %s: exit 2" % what)
    check(run(["sign", "--key", keys[0], "--request-id", "abc", "--key-id", KEY.hex(), "--digest", DIG.hex(),
               "--decision", "approve", "--expires-in", "60", "--yes"])[0] == 2, "short request id: exit 2")

    # Confirmation on a real terminal: only "yes" signs.
    for answer, want in ((b"yes\n", 0), (b"no\n", 4), (b"YES\n", 4)):
        master, slave = os.openpty()
        p = subprocess.Popen([TOOL] + base, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        os.write(master, answer)
        out, err = p.communicate(timeout=30)
        os.close(master)
        check(p.returncode == want, "tty answer %r: exit %d, wanted %d (%s)" % (answer, p.returncode, want, err))
        check((len(out.strip()) == 434) == (want == 0), "tty answer %r: approval printed only after yes" % answer)

    # verify: approvers file with the three keys, quorum 2.
    appr = os.path.join(tmp, "approvers")
    with open(appr, "w") as f:
        f.write("# test\n" + "".join("approver %s %s\n" % (n, p.hex()) for n, p in zip(names, pubs)) +
                "quorum 2\nmax-lifetime 900\n")
    seeds = [bytes.fromhex(open(k).read()[:64]) for k in keys]
    now = int(time.time())

    def py(i, decision=gv.APPROVE, req=REQ, key=KEY, dig=DIG, expiry=None):
        return gv.sign(seeds[i], req, key, dig, decision, now + 300 if expiry is None else expiry).hex()

    def verify(*approvals, extra=()):
        return run(["verify", "--approvers", appr] + ids(REQ, KEY, DIG) + ["--now", str(now)] + list(extra) +
                   list(approvals))

    rc, out, _ = verify(py(0), py(2))
    check(rc == 0 and "verdict: approved: 2 of 2" in out, "Python approvals 2 of 3: approved")
    rc, out, _ = verify(py(1))
    check(rc == 1 and "pending" in out, "1 of 2: not approved, exit 1")
    rc, out, _ = verify(py(0), py(1), py(2, gv.REJECT))
    check(rc == 1 and "verdict: rejected (vetoed) by op3" in out and "valid reject by op3 (veto)" in out,
          "reject vetoes")
    rc, out, _ = verify(py(0), py(0))
    check(rc == 1 and "approval 2: refused: duplicate" in out, "duplicate counted once")
    other = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    cases = [
        (gv.sign(other, REQ, KEY, DIG, gv.APPROVE, now + 300).hex(), "unknown approver key"),
        (py(1, req=gv.fixed("x")), "wrong request id"),
        (py(1, key=gv.fixed("x")), "wrong key id"),
        (py(1, dig=gv.fixed("x")), "wrong digest"),
        (py(1, expiry=now), "expired"),
        (py(1, expiry=now + 901), "expiry too far in the future"),
        (py(1)[:-2], "malformed: wrong length"),
        (py(1) + "00", "malformed: wrong length"),
        (py(1)[:-2] + ("00" if py(1)[-2:] != "00" else "01"), "bad signature"),
    ]
    for hexa, reason in cases:
        rc, out, _ = verify(py(0), hexa)
        check(rc == 1 and ("approval 2: refused: " + reason) in out, "refused: " + reason + " | " + out)
    with open(os.path.join(tmp, "a0.hex"), "w") as f:
        f.write(py(0) + "\n")
    rc, out, _ = verify("@" + os.path.join(tmp, "a0.hex"), py(1))
    check(rc == 0, "@FILE approvals")
    check(verify("zz")[0] == 3, "approval that is not hex: exit 3")
    check(verify("@" + os.path.join(tmp, "missing"))[0] == 3, "missing approval file: exit 3")
    check(run(["verify", "--approvers", appr] + ids(REQ, KEY, DIG))[0] == 2, "verify without approvals: exit 2")
    with open(os.path.join(tmp, "bad-approvers"), "w") as f:
        f.write("approver a %s\nquorum 2\n" % pubs[0].hex())
    rc, _, err = run(["verify", "--approvers", os.path.join(tmp, "bad-approvers")] + ids(REQ, KEY, DIG) + [py(0)])
    check(rc == 3 and "quorum 2 is larger" in err, "invalid approvers file: exit 3 with the reason")
    # Without --now the clock is used: fresh approvals pass.
    rc, out, _ = run(["verify", "--approvers", appr] + ids(REQ, KEY, DIG) + [py(0), py(1)])
    check(rc == 0, "verify with the clock")

    # The committed generator's vectors (fixed time) pass the tool too.
    vec_appr = os.path.join(tmp, "vec-approvers")
    with open(vec_appr, "w") as f:
        f.write(gv.approvers_file(2))
    va = [gv.sign(gv.SEEDS[n], gv.REQUEST_ID, gv.KEY_ID, gv.DIGEST, gv.APPROVE, gv.EXPIRY).hex()
          for n in ("alice", "bob")]
    rc, out, _ = run(["verify", "--approvers", vec_appr] + ids(gv.REQUEST_ID, gv.KEY_ID, gv.DIGEST) +
                     ["--now", str(gv.NOW)] + va)
    check(rc == 0, "generator vectors approved by mpc-approve verify")
    rc, out, _ = run(["verify", "--approvers", vec_appr] + ids(gv.REQUEST_ID, gv.KEY_ID, gv.DIGEST) +
                     ["--now", str(gv.EXPIRY)] + va)
    check(rc == 1 and out.count("expired") == 2, "generator vectors expired at their expiry")

    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("all mpc-approve checks passed")


if __name__ == "__main__":
    main()
