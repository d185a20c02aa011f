#!/usr/bin/python3
"""ctest for mpc-approve's second interface (pending, show, decide) against a fake signer: a unix
socket server in a temp dir that speaks the operator socket protocol (one command per connection).

The fake signer's verdicts are signed by a Python Ed25519 enclave key (`cryptography`) over the
verdict encoding written out here from the spec in enclave/session.h (versions 1 and 2), so the C
encoding of enclave/verdict.h is cross-checked independently. The fingerprints come from
test/vectors/payloads/expected.json (written by the independent gen_payloads.py). Approvals sent
by `decide` are parsed and verified by gen_approval_vectors.py's independent implementation.

    test_mpc_approve_socket.py <path to mpc-approve>
    test_mpc_approve_socket.py --corpus ../../fuzz/corpus/approve_reply   (fuzz_approve_reply seeds)"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # importing the generator must not leave __pycache__ in the source tree
import gen_approval_vectors as gv  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

TOOL = sys.argv[1] if len(sys.argv) == 2 else None
HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "..", "..", "vectors", "payloads", "expected.json")
failures = []
checks = []


def check(cond, what):
    checks.append(what)
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, stdin=subprocess.DEVNULL):
    p = subprocess.run([TOOL] + args, capture_output=True, stdin=stdin, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


# ---- The verdict encoding (enclave/session.h), written independently of enclave/verdict.c ----

def be32_text(b):
    return struct.pack(">I", len(b)) + b


def verdict_message(v):
    m = struct.pack(">H", len(v["request_id"])) + v["request_id"] + v["key_id"]
    m += struct.pack(">I", v["payload_type"]) + v["digest"] + v["sigid"] + v["pk"] + bytes([v["decision"]])
    if v["version"] == 2:
        m += v["subject"] + be32_text(v["fp_hex"].encode()) + be32_text(v["fp_words"].encode())
    return m + be32_text(v["summary"].encode())


def verdict_sign(key, v):
    label = b"mpc-enclave/verdict/v2\x00" if v["version"] == 2 else b"mpc-enclave/verdict/v1\x00"
    return key.sign(label + verdict_message(v))


def raw_pub(key):
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def show_answer(v, identity, sig, approvals=2):
    """The show answer of SOCKET_PROTOCOL.md for the verdict v: the header lines, then the summary
    verbatim (its lines joined with '\\n', no final '\\n' added by the framing)."""
    lines = ["ok",
             "request-id: " + v["request_id"].hex(),
             "key-id: " + v["key_id"].hex(),
             "payload-type: %d" % v["payload_type"],
             "digest: " + v["digest"].hex(),
             "session-id: " + v["sigid"].hex(),
             "public-key: " + v["pk"].hex(),
             "decision: " + ("allow" if v["decision"] == 1 else "deny"),
             "verdict-version: %d" % v["version"],
             "fingerprint-subject: " + (v["subject"].hex() if v["version"] == 2 else ""),
             "fingerprint: " + v["fp_hex"],
             "fingerprint-words: " + (v["fp_words"] if v["version"] == 2 else ""),
             "approvals-required: %d" % approvals,
             "enclave-identity: " + identity.hex(),
             "verdict-signature: " + sig.hex()]
    lines.append("summary-lines: %d" % (v["summary"].count("\n") + 1))
    return ("\n".join(lines) + "\n" + v["summary"]).encode()


# ---- The fake signer ----

class FakeSigner:
    """Answers each connection with the configured bytes for its command and records the commands."""

    def __init__(self, path):
        self.path = path
        self.answers = {}
        self.log = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\n") and len(data) < 2048:
                    chunk = conn.recv(2048)
                    if not chunk:
                        break
                    data += chunk
                line = data.decode(errors="replace").rstrip("\n")
                self.log.append(line)
                cmd = line.split(" ", 1)[0]
                answer = self.answers.get(line, self.answers.get(cmd, b"error unknown command\n"))
                conn.sendall(answer)

    def close(self):
        self.sock.close()


def fixtures(fp):
    """Verdicts of the fake signer (allowed v2, denied v2, v1) and its pending answer; fp: the
    fingerprint vectors of expected.json."""
    rid, rid_deny, rid_v1 = gv.fixed("sock/request"), gv.fixed("sock/denied"), gv.fixed("sock/v1")
    key_id = gv.fixed("sock/key")
    pk = bytes([2]) + gv.fixed("sock/pk")
    summary = ("payload: eth-tx\nnetwork: evm\nchain_id: 1\nto: 0x000000000000000000000000000000000000aAaA\n"
               "amount: 1.5 ETH \\u00e9\u00e9\nfingerprint.hex: %s\nfingerprint.words: %s\n"
               "approvals_required: 2 of 3\ndecision: allowed: signs after the approval quorum at SIGN_START\n"
               % (fp[0]["hex"], fp[0]["words"]))
    allow = dict(version=2, request_id=rid, key_id=key_id, payload_type=2, digest=bytes.fromhex(fp[0]["subject"]),
                 sigid=gv.fixed("sock/sigid"), pk=pk, decision=1, subject=bytes.fromhex(fp[0]["subject"]),
                 fp_hex=fp[0]["hex"], fp_words=fp[0]["words"], summary=summary)
    deny = dict(version=2, request_id=rid_deny, key_id=key_id, payload_type=6, digest=bytes(32), sigid=bytes(32),
                pk=bytes(33), decision=2, subject=bytes(32), fp_hex="", fp_words="",
                summary="decision: denied: payload refused: trailing bytes\n")
    v1 = dict(version=1, request_id=rid_v1, key_id=key_id, payload_type=1, digest=bytes.fromhex(fp[1]["subject"]),
              sigid=gv.fixed("sock/sigid1"), pk=pk, decision=1,
              fp_hex=" ".join(fp[1]["subject"][i:i + 4] for i in range(0, 64, 4)), summary="hello")
    pending = ("ok 2\n%s\t%s\teth-tx\tallow\t2\tpayload: eth-tx\n"
               "%s\t%s\tpsbt\tdeny\t0\tdecision: denied: \"x\" \\ y\n"
               % (rid.hex(), key_id.hex(), rid_deny.hex(), key_id.hex())).encode()
    return allow, deny, v1, pending


def write_corpus(directory):
    """Seeds for fuzz_approve_reply (byte 0 selects the mode, see fuzz_approve_reply.c)."""
    allow, deny, v1, pending = fixtures(json.load(open(EXPECTED))["fingerprint"]["single"])
    enclave = Ed25519PrivateKey.from_private_bytes(gv.fixed("sock/enclave"))
    seeds = {"show_v2": b"\x00" + show_answer(allow, raw_pub(enclave), verdict_sign(enclave, allow)),
             "show_deny": b"\x00" + show_answer(deny, raw_pub(enclave), verdict_sign(enclave, deny), 0),
             "show_v1": b"\x00" + show_answer(v1, raw_pub(enclave), verdict_sign(enclave, v1), 0),
             "pending": b"\x01" + pending,
             "approve_ok": b"\x02ok forwarded to the coordinator\n",
             "approve_error": b"\x02error not connected to the coordinator\n"}
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main():
    tmp = tempfile.mkdtemp(prefix="mpc-approve-sock-")
    sock_path = os.path.join(tmp, "operator.sock")
    srv = FakeSigner(sock_path)
    fp = json.load(open(EXPECTED))["fingerprint"]["single"]
    enclave = Ed25519PrivateKey.generate()
    identity = raw_pub(enclave)
    other_identity = raw_pub(Ed25519PrivateKey.generate())

    allow, deny, v1, pending_answer = fixtures(fp)
    rid, rid_deny, rid_v1, key_id, summary = (allow["request_id"], deny["request_id"], v1["request_id"],
                                              allow["key_id"], allow["summary"])

    def install(v, key=enclave, ident=identity, tamper=None):
        answer = show_answer(v, ident, verdict_sign(key, v))
        if tamper:
            answer = answer.replace(tamper[0].encode(), tamper[1].encode(), 1)
        srv.answers["show " + v["request_id"].hex()] = answer
        return answer

    base_answer = install(allow)
    install(deny)
    install(v1)
    srv.answers["approve"] = b"ok forwarded to the coordinator\n"
    srv.answers["pending"] = pending_answer

    # The operator key (its public key as mpc-approve prints it).
    opkey = os.path.join(tmp, "op.key")
    rc, out, err = run(["keygen", "--out", opkey])
    check(rc == 0, "keygen: " + err)
    op_pub = bytes.fromhex(run(["pubkey", "--key", opkey])[1].strip())

    rc, out, _ = run(["--help"])
    check(rc == 0 and "decide" in out and "5 signer socket" in out and "Not available yet" not in out,
          "--help documents the socket commands and their exit codes")

    # ---- pending ----
    rc, out, err = run(["pending", "--socket", sock_path])
    check(rc == 0 and srv.log[-1] == "pending", "pending: exit 0, one 'pending' command (%s)" % err)
    check(rid.hex() in out and rid_deny.hex() in out and "eth-tx" in out and "payload: eth-tx" in out,
          "pending lists both requests")
    rc, out, _ = run(["pending", "--socket", sock_path, "--json"])
    try:
        doc = json.loads(out)
        reqs = doc["pending"]
        check(rc == 0 and len(reqs) == 2 and reqs[0]["request_id"] == rid.hex() and reqs[0]["key_id"] == key_id.hex()
              and reqs[0]["payload_type"] == "eth-tx" and reqs[0]["decision"] == "allow"
              and reqs[0]["approvals_required"] == 2 and reqs[1]["headline"] == 'decision: denied: "x" \\ y',
              "pending --json fields")
    except (ValueError, KeyError, IndexError) as e:
        check(False, "pending --json is not the expected JSON: %r %r" % (e, out))
    good_pending = srv.answers["pending"]
    for bad, what in ((b"ok 3\n" + good_pending[5:], "fewer lines than announced"),
                      (good_pending + b"extra\n", "trailing line"),
                      (good_pending.replace(rid.hex().encode(), rid.hex().upper().encode()), "upper-case hex"),
                      (good_pending.replace(b"\teth-tx\t", b"\tfoo\t"), "unknown payload type"),
                      (good_pending.replace(b"\tallow\t", b"\tmaybe\t"), "bad decision"),
                      (good_pending.replace(b"\t2\t", b"\t02\t"), "approvals with a leading zero"),
                      (good_pending.replace(b"payload: eth-tx", b"payload:\x1b[2Jeth"), "escape sequence"),
                      (good_pending[:-1], "no final newline"),
                      (b"error signer is starting\n", "error answer"),
                      (b"", "empty answer")):
        srv.answers["pending"] = bad
        rc, out, err = run(["pending", "--socket", sock_path])
        check(rc == 5 and out == "", "pending, %s: exit 5 and nothing printed (rc %d)" % (what, rc))
    srv.answers["pending"] = b"error signer is starting\n"
    check("signer is starting" in run(["pending", "--socket", sock_path])[2], "the signer's error is shown")
    srv.answers["pending"] = good_pending
    check(run(["pending", "--socket", os.path.join(tmp, "nothing.sock")])[0] == 5, "no socket: exit 5")
    check(run(["pending"])[0] == 2, "pending without --socket: exit 2")

    # ---- show ----
    rc, out, err = run(["show", "--socket", sock_path, "--request", rid.hex()])
    check(rc == 0, "show a valid verdict: exit 0 (%s)" % err)
    check(srv.log[-1] == "show " + rid.hex(), "show sends 'show <rid>'")
    check(("verdict signature valid for enclave identity %s (not pinned)" % identity.hex()) in out,
          "show says the signature is valid, not pinned")
    check(summary in out, "show prints the summary verbatim")
    check(fp[0]["hex"] in out and fp[0]["words"] in out and allow["digest"].hex() in out,
          "show prints digest, fingerprint hex groups and words")
    check("decision:            allow" in out and "approvals-required:  2" in out, "show prints decision and quorum")
    rc, out, err = run(["show", "--socket", sock_path, "--request", "0x" + rid.hex().upper(),
                        "--enclave-identity", identity.hex()])
    check(rc == 0 and "(pinned)" in out, "show with the right --enclave-identity: pinned (%s)" % err)
    rc, out, err = run(["show", "--socket", sock_path, "--request", rid.hex(), "--enclave-identity",
                        other_identity.hex()])
    check(rc == 6 and out == "" and "not the pinned" in err, "show with a wrong --enclave-identity: exit 6")
    rc, out, _ = run(["show", "--socket", sock_path, "--request", rid.hex(), "--json"])
    try:
        d = json.loads(out)
        check(rc == 0 and d["summary"] == summary and d["digest"] == allow["digest"].hex()
              and d["fingerprint"] == fp[0]["hex"] and d["fingerprint_words"] == fp[0]["words"]
              and d["decision"] == "allow" and d["verdict_version"] == 2 and d["enclave_identity"] == identity.hex()
              and d["identity_pinned"] is False and d["approvals_required"] == 2 and d["payload_type_name"] == "eth-tx"
              and d["verdict_signature_valid"] is True,
              "show --json fields")
    except (ValueError, KeyError) as e:
        check(False, "show --json is not the expected JSON: %r %r" % (e, out))
    rc, out, err = run(["show", "--socket", sock_path, "--request", rid_deny.hex()])
    check(rc == 0 and "decision:            deny" in out and "payload refused" in out, "show a denied verdict")
    rc, out, err = run(["show", "--socket", sock_path, "--request", rid_v1.hex()])
    check(rc == 0 and "verdict-version:     1" in out and "hello" in out, "show a version-1 verdict (%s)" % err)

    # Every signed field altered by the socket (signature kept) fails verification: exit 6.
    tampers = [("amount: 1.5 ETH", "amount: 9.5 ETH", "a summary line"),
               ("decision: allowed", "decision: Allowed", "the decision line of the summary"),
               ("key-id: " + key_id.hex()[:2], "key-id: " + ("00" if key_id.hex()[:2] != "00" else "11"), "key id"),
               ("payload-type: 2", "payload-type: 3", "payload type"),
               ("session-id: " + allow["sigid"].hex()[:2], "session-id: " + ("ff" if allow["sigid"][0] != 0xff else "00"),
                "session id"),
               ("public-key: 02", "public-key: 03", "public key")]
    for old, new, what in tampers:
        install(allow, tamper=(old, new))
        rc, out, err = run(["show", "--socket", sock_path, "--request", rid.hex()])
        check(rc == 6 and out == "" and "does not verify" in err, "show, tampered %s: exit 6 (rc %d)" % (what, rc))
    # A digest or fingerprint altered consistently elsewhere is caught too (signature or fingerprint check).
    for old, new, what in ((fp[0]["words"], fp[1]["words"], "fingerprint words"),
                           ("digest: " + fp[0]["subject"], "digest: " + fp[1]["subject"], "digest")):
        install(allow, tamper=(old, new))
        rc, out, _ = run(["show", "--socket", sock_path, "--request", rid.hex()])
        check(rc in (5, 6) and out == "", "show, altered %s: refused (rc %d)" % (what, rc))
    # Signed by another key than the identity the socket names.
    install(allow, key=Ed25519PrivateKey.generate())
    check(run(["show", "--socket", sock_path, "--request", rid.hex()])[0] == 6, "show, signed by another key: exit 6")
    # Validly signed, but the fingerprint words are not those of the digest: mpc-approve's own check.
    bad_fp = dict(allow, fp_words=fp[1]["words"])
    install(bad_fp)
    rc, _, err = run(["show", "--socket", sock_path, "--request", rid.hex()])
    check(rc == 6 and "not the fingerprint of its digest" in err, "signed but inconsistent fingerprint: exit 6")
    # Malformed answers: exit 5.
    for old, new, what in (("request-id: " + rid.hex(), "request-id: " + rid_deny.hex(), "another request id"),
                           ("verdict-version: 2", "verdict-version: 3", "unknown verdict version"),
                           ("decision: allow\n", "decision: allow \n", "trailing space"),
                           ("amount: 1.5 ETH", "amount: 1.5\x07ETH", "control character in the summary"),
                           ("key-id: ", "key_id: ", "misspelled field name"),
                           ("summary-lines: 10", "summary-lines: 11", "summary-lines above the summary's"),
                           ("summary-lines: 10", "summary-lines: 9", "summary-lines below the summary's")):
        install(allow, tamper=(old, new))
        rc, out, _ = run(["show", "--socket", sock_path, "--request", rid.hex()])
        check(rc == 5 and out == "", "show, %s: exit 5 (rc %d)" % (what, rc))
    srv.answers["show " + rid.hex()] = base_answer + b"more\n"
    check(run(["show", "--socket", sock_path, "--request", rid.hex()])[0] == 5, "show, an extra line: exit 5")
    srv.answers["show " + rid.hex()] = base_answer + b"more"
    check(run(["show", "--socket", sock_path, "--request", rid.hex()])[0] == 6, "show, bytes after the summary: exit 6")
    srv.answers["show " + rid.hex()] = base_answer[:-1]
    check(run(["show", "--socket", sock_path, "--request", rid.hex()])[0] == 5, "show, summary cut: exit 5")
    srv.answers["show " + rid.hex()] = base_answer[:base_answer.index(b"enclave-identity")]
    check(run(["show", "--socket", sock_path, "--request", rid.hex()])[0] == 5, "show, header cut: exit 5")
    unknown = gv.fixed("sock/unknown")
    rc, _, err = run(["show", "--socket", sock_path, "--request", unknown.hex()])
    check(rc == 5 and "unknown" in err, "show, the signer answers error: exit 5 with its message")
    check(run(["show", "--socket", sock_path])[0] == 2, "show without --request: exit 2")
    check(run(["show", "--socket", sock_path, "--request", "abc"])[0] == 2, "show with a short request id: exit 2")
    srv.answers["show " + rid.hex()] = base_answer

    # ---- decide ----
    def decide(request, decision="approve", extra=("--yes",), expires="600", stdin=subprocess.DEVNULL):
        return run(["decide", "--socket", sock_path, "--request", request.hex(), "--key", opkey,
                    "--decision", decision, "--expires-in", expires] + list(extra), stdin=stdin)

    def sent_approvals():
        return [bytes.fromhex(line[len("approve "):]) for line in srv.log if line.startswith("approve ")]

    n0 = len(sent_approvals())
    t0 = int(time.time())
    rc, out, err = decide(rid)
    t1 = int(time.time())
    check(rc == 0 and out.strip() == "ok forwarded to the coordinator", "decide --yes: exit 0, prints the answer (%s)"
          % err)
    sent = sent_approvals()
    check(len(sent) == n0 + 1, "decide sends one approve command")
    if len(sent) == n0 + 1:
        a = sent[-1]
        check(len(a) == 217, "the approval is 217 bytes")
        try:
            r, k, d, dec, exp, pub = gv.parse_and_verify(a)
            check((r, k, d, dec, pub) == (rid, key_id, allow["digest"], gv.APPROVE, op_pub),
                  "approval fields: request id, key id, subject = digest, approve, the operator's key")
            check(t0 + 600 <= exp <= t1 + 600, "approval expiry = now + --expires-in")
        except Exception as e:  # noqa: BLE001 - any defect is a failure
            check(False, "Python rejects the approval sent by decide: %r" % e)
    check(fp[0]["words"] in err and summary.split("\n")[4] in err, "decide displays the fingerprint and summary")

    rc, out, err = decide(rid, "reject", ("--yes", "--json", "--enclave-identity", identity.hex()))
    try:
        d = json.loads(out)
        r, k, dd, dec, exp, pub = gv.parse_and_verify(bytes.fromhex(d["approval"]))
        check(rc == 0 and dec == gv.REJECT and d["decision"] == "reject" and d["answer"] == "forwarded to the coordinator"
              and bytes.fromhex(d["approval"]) == sent_approvals()[-1] and d["expiry"] == exp,
              "decide reject --json: the reject approval that was sent")
    except Exception as e:  # noqa: BLE001
        check(False, "decide reject --json: %r %r %s" % (e, out, err))

    n0 = len(sent_approvals())
    rc, out, err = decide(rid_deny)
    check(rc == 7 and "denied" in err and len(sent_approvals()) == n0, "decide approve on a deny verdict: exit 7, "
          "nothing sent")
    rc, out, err = decide(rid_deny, "reject")
    check(rc == 0 and len(sent_approvals()) == n0 + 1, "decide reject on a deny verdict is allowed")
    n0 = len(sent_approvals())
    rc, _, err = decide(rid_v1)
    check(rc == 7 and len(sent_approvals()) == n0, "decide on a version-1 verdict (no policy): exit 7, nothing sent")
    rc, _, err = decide(rid, extra=("--yes", "--enclave-identity", other_identity.hex()))
    check(rc == 6 and len(sent_approvals()) == n0, "decide with a wrong --enclave-identity: exit 6, nothing sent")
    install(allow, tamper=("amount: 1.5 ETH", "amount: 0.5 ETH"))
    rc, _, err = decide(rid)
    check(rc == 6 and len(sent_approvals()) == n0, "decide on a tampered verdict: exit 6, nothing sent")
    srv.answers["show " + rid.hex()] = base_answer
    rc, out, err = decide(rid, extra=())
    check(rc == 2 and out == "" and "--yes" in err and len(sent_approvals()) == n0,
          "decide without --yes on a non-tty: exit 2, nothing sent")
    for answer in (b"error not connected to the coordinator\n", b"error unknown request\n", b"",
                   b"ok forwarded\nextra\n", b"okay\n"):
        srv.answers["approve"] = answer
        rc, out, err = decide(rid)
        check(rc == 5 and out == "", "decide, signer answers %r: exit 5 (rc %d)" % (answer, rc))
    srv.answers["approve"] = b"error not connected to the coordinator\n"
    check("not connected to the coordinator" in decide(rid)[2], "decide shows the signer's error")
    srv.answers["approve"] = b"ok forwarded to the coordinator\n"
    check(decide(rid, decision="maybe")[0] == 2 and decide(rid, expires="0")[0] == 2, "decide bad options: exit 2")
    check(run(["decide", "--socket", sock_path, "--request", rid.hex(), "--key", os.path.join(tmp, "none"),
               "--decision", "approve", "--expires-in", "60", "--yes"])[0] == 3, "decide with a missing key: exit 3")

    # A PSBT with two inputs: the verdict of its second session (digest 1) names the subject of the
    # digest set (expected.json "set_of_two", over the two "single" digests); the approval names it.
    two = json.load(open(EXPECTED))["fingerprint"]["set_of_two"]
    rid_set = gv.fixed("sock/digest-set")
    set_summary = ("payload: psbt\ndigest[0].label: input 0\ndigest[0].hex: 0x%s\ndigest[1].label: input 1\n"
                   "digest[1].hex: 0x%s\nfingerprint.subject: keccak256 of the digest set\nfingerprint.hex: %s\n"
                   "fingerprint.words: %s\ndecision: allowed: signs after the approval quorum at SIGN_START\n"
                   % (fp[0]["subject"], fp[1]["subject"], two["hex"], two["words"]))
    allow_set = dict(allow, request_id=rid_set, payload_type=6, digest=bytes.fromhex(fp[1]["subject"]),
                     subject=bytes.fromhex(two["subject"]), fp_hex=two["hex"], fp_words=two["words"],
                     summary=set_summary)
    install(allow_set)
    n0 = len(sent_approvals())
    rc, out, err = decide(rid_set)
    sent = sent_approvals()
    check(rc == 0 and len(sent) == n0 + 1, "decide on a digest-set verdict: exit 0, one approval sent (%s)" % err)
    if len(sent) == n0 + 1:
        r, k, d, dec, exp, pub = gv.parse_and_verify(sent[-1])
        check((r, d, dec) == (rid_set, bytes.fromhex(two["subject"]), gv.APPROVE),
              "digest-set approval: subject = the fingerprint subject of the set, not the digest")
    # Validly signed but inconsistent: the digest is not in the listed set, or the set is another.
    for what, v in (("a digest outside the listed set", dict(allow_set, digest=bytes(31) + b"\x01")),
                    ("a set whose subject is not the fingerprint's",
                     dict(allow_set, summary=set_summary.replace(fp[0]["subject"], fp[1]["subject"], 1)))):
        install(v)
        n0 = len(sent_approvals())
        rc, _, err = decide(rid_set)
        check(rc == 6 and "not the fingerprint of its digest" in err and len(sent_approvals()) == n0,
              "decide on a digest-set verdict with %s: exit 6, nothing sent" % what)

    # On a terminal: the decision word must be typed.
    for decision, answer, want in (("approve", b"approve\n", 0), ("approve", b"yes\n", 4), ("reject", b"approve\n", 4),
                                   ("reject", b"reject\n", 0)):
        n0 = len(sent_approvals())
        master, slave = os.openpty()
        p = subprocess.Popen([TOOL, "decide", "--socket", sock_path, "--request", rid.hex(), "--key", opkey,
                              "--decision", decision, "--expires-in", "60"],
                             stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        os.write(master, answer)
        out, err = p.communicate(timeout=60)
        os.close(master)
        check(p.returncode == want, "tty %s answered %r: exit %d, wanted %d" % (decision, answer, p.returncode, want))
        check((len(sent_approvals()) == n0 + 1) == (want == 0), "tty %s answered %r: sent only when confirmed"
              % (decision, answer))
        check(("Type '%s' to sign this decision" % decision).encode() in err, "tty prompt names the decision")

    srv.close()
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("all %d mpc-approve socket checks passed" % len(checks))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--corpus":
        write_corpus(sys.argv[2])
    else:
        main()
