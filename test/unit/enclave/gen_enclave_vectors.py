#!/usr/bin/env python3
"""Generate enclave_vectors.h: sealed blobs, audit records and channel messages built with an
implementation independent of libsodium (Python `cryptography` for Argon2id, ChaCha20-Poly1305,
Ed25519, X25519, Poly1305; hashlib for BLAKE2b/SHA-512; HChaCha20, HSalsa20 and Salsa20 written
out here from their specifications), so the C tests check the enclave's formats against a second
implementation rather than against themselves.

Usage: python3 gen_enclave_vectors.py > enclave_vectors.h
       python3 gen_enclave_vectors.py --corpus ../../fuzz/corpus   (seed files for the fuzz targets)
"""
import hashlib
import os
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.poly1305 import Poly1305
from cryptography.hazmat.primitives import serialization

MASK = 0xFFFFFFFF


def rotl(v, c):
    return ((v << c) & MASK) | (v >> (32 - c))


# ---- ChaCha20 / HChaCha20 (RFC 8439, draft-irtf-cfrg-xchacha) ----
def chacha_qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK; s[b] = rotl(s[b] ^ s[c], 7)


def hchacha20(key, nonce16):
    s = list(struct.unpack("<4I", b"expand 32-byte k")) + list(struct.unpack("<8I", key)) + \
        list(struct.unpack("<4I", nonce16))
    for _ in range(10):
        chacha_qr(s, 0, 4, 8, 12); chacha_qr(s, 1, 5, 9, 13); chacha_qr(s, 2, 6, 10, 14); chacha_qr(s, 3, 7, 11, 15)
        chacha_qr(s, 0, 5, 10, 15); chacha_qr(s, 1, 6, 11, 12); chacha_qr(s, 2, 7, 8, 13); chacha_qr(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xchacha20poly1305_encrypt(key, nonce24, msg, ad):
    sub = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(sub).encrypt(b"\0" * 4 + nonce24[16:], msg, ad)


# ---- Salsa20 / HSalsa20 / XSalsa20-Poly1305 (crypto_box, crypto_secretbox) ----
def salsa_rounds(x):
    for _ in range(10):
        x[4] ^= rotl((x[0] + x[12]) & MASK, 7); x[8] ^= rotl((x[4] + x[0]) & MASK, 9)
        x[12] ^= rotl((x[8] + x[4]) & MASK, 13); x[0] ^= rotl((x[12] + x[8]) & MASK, 18)
        x[9] ^= rotl((x[5] + x[1]) & MASK, 7); x[13] ^= rotl((x[9] + x[5]) & MASK, 9)
        x[1] ^= rotl((x[13] + x[9]) & MASK, 13); x[5] ^= rotl((x[1] + x[13]) & MASK, 18)
        x[14] ^= rotl((x[10] + x[6]) & MASK, 7); x[2] ^= rotl((x[14] + x[10]) & MASK, 9)
        x[6] ^= rotl((x[2] + x[14]) & MASK, 13); x[10] ^= rotl((x[6] + x[2]) & MASK, 18)
        x[3] ^= rotl((x[15] + x[11]) & MASK, 7); x[7] ^= rotl((x[3] + x[15]) & MASK, 9)
        x[11] ^= rotl((x[7] + x[3]) & MASK, 13); x[15] ^= rotl((x[11] + x[7]) & MASK, 18)
        x[1] ^= rotl((x[0] + x[3]) & MASK, 7); x[2] ^= rotl((x[1] + x[0]) & MASK, 9)
        x[3] ^= rotl((x[2] + x[1]) & MASK, 13); x[0] ^= rotl((x[3] + x[2]) & MASK, 18)
        x[6] ^= rotl((x[5] + x[4]) & MASK, 7); x[7] ^= rotl((x[6] + x[5]) & MASK, 9)
        x[4] ^= rotl((x[7] + x[6]) & MASK, 13); x[5] ^= rotl((x[4] + x[7]) & MASK, 18)
        x[11] ^= rotl((x[10] + x[9]) & MASK, 7); x[8] ^= rotl((x[11] + x[10]) & MASK, 9)
        x[9] ^= rotl((x[8] + x[11]) & MASK, 13); x[10] ^= rotl((x[9] + x[8]) & MASK, 18)
        x[12] ^= rotl((x[15] + x[14]) & MASK, 7); x[13] ^= rotl((x[12] + x[15]) & MASK, 9)
        x[14] ^= rotl((x[13] + x[12]) & MASK, 13); x[15] ^= rotl((x[14] + x[13]) & MASK, 18)


def salsa_state(key, in16):
    c = struct.unpack("<4I", b"expand 32-byte k")
    k = struct.unpack("<8I", key)
    i = struct.unpack("<4I", in16)
    return [c[0], k[0], k[1], k[2], k[3], c[1], i[0], i[1], i[2], i[3], c[2], k[4], k[5], k[6], k[7], c[3]]


def hsalsa20(key, in16):
    x = salsa_state(key, in16)
    salsa_rounds(x)
    return struct.pack("<8I", *[x[i] for i in (0, 5, 10, 15, 6, 7, 8, 9)])


def salsa20_stream(key, nonce8, length):
    out = b""
    counter = 0
    while len(out) < length:
        s = salsa_state(key, nonce8 + struct.pack("<Q", counter))
        x = list(s)
        salsa_rounds(x)
        out += struct.pack("<16I", *[(x[i] + s[i]) & MASK for i in range(16)])
        counter += 1
    return out[:length]


def secretbox_easy(key, nonce24, msg):
    sub = hsalsa20(key, nonce24[:16])
    stream = salsa20_stream(sub, nonce24[16:], 32 + len(msg))
    c = bytes(a ^ b for a, b in zip(msg, stream[32:]))
    return Poly1305.generate_tag(stream[:32], c) + c


P25519 = 2**255 - 19


def ed25519_pk_to_x25519(pk):
    y = int.from_bytes(pk, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow(1 - y, P25519 - 2, P25519) % P25519
    return u.to_bytes(32, "little")


def ed25519_seed_to_x25519_sk(seed):
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return bytes(h)


def box_beforenm(my_seed, peer_ed_pk):
    sk = X25519PrivateKey.from_private_bytes(ed25519_seed_to_x25519_sk(my_seed))
    shared = sk.exchange(X25519PublicKey.from_public_bytes(ed25519_pk_to_x25519(peer_ed_pk)))
    return hsalsa20(shared, b"\0" * 16)


def ed25519(seed):
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sk, pk


# ---- enclave formats (enclave/seal/seal.h, audit.h, channel.h) ----
def sealing_key_id(key):
    return hashlib.blake2b(b"mpc-enclave/seal/sealing-key-id/v1", digest_size=16, key=key).digest()


def seal(key, backend, params, kind, key_id, nonce, plain):
    hdr = b"MPSL" + struct.pack(">HH", 1, kind) + key_id + struct.pack(">HH", backend, len(params)) + \
        sealing_key_id(key) + params + nonce + struct.pack(">I", len(plain))
    return hdr + xchacha20poly1305_encrypt(key, nonce, plain, hdr)


def audit_record(sk, type_, seq, ts, prev, payload):
    body = b"MPAR" + struct.pack(">HHQQ", 1, type_, seq, ts) + prev + struct.pack(">I", len(payload)) + payload
    return body + sk.sign(b"mpc-enclave/audit/v1\0" + body)


def audit_hash(rec):
    return hashlib.blake2b(b"mpc-enclave/audit/hash/v1\0" + rec, digest_size=32).digest()


def chan_header(cls, key_id, sid, rnd, sender, receiver, seq, plen):
    return struct.pack(">BB", 1, cls) + key_id + sid + struct.pack(">HHHII", rnd, sender, receiver, seq, plen)


# ---- minimal protobuf encoder for IPC seed frames (proto/enclave.proto) ----
def pb_varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb_field(num, value):
    if isinstance(value, int):
        return pb_varint(num << 3) + pb_varint(value) if value else b""
    return pb_varint(num << 3 | 2) + pb_varint(len(value)) + value if value else b""


def pb_envelope(type_, body):
    # An empty body message is still present: field tag plus zero length.
    return pb_field(1, 1) + pb_field(2, type_) + pb_varint(type_ << 3 | 2) + pb_varint(len(body)) + body


def c_array(name, data):
    lines = []
    for i in range(0, len(data), 16):
        lines.append("    " + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",")
    if not data:
        lines.append("    0x00,")
    return "static const unsigned char %s[%d] = {\n%s\n};\n" % (name, max(len(data), 1), "\n".join(lines))


def main(corpus_dir=None):
    seeds = {}
    # draft-irtf-cfrg-xchacha-03, section 2.2.1: HChaCha20 test vector.
    assert hchacha20(bytes(range(32)), bytes.fromhex("000000090000004a0000000031415927")) == bytes.fromhex(
        "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc")

    out = ["/* generated by gen_enclave_vectors.py, do not edit */",
           "#ifndef ENCLAVE_VECTORS_H", "#define ENCLAVE_VECTORS_H", ""]
    kf_key = hashlib.sha256(b"vector key file").digest()
    key_id = hashlib.sha256(b"vector key id").digest()
    share = bytes((7 * i + 3) & 0xFF for i in range(100))
    nonce = hashlib.sha256(b"vector nonce").digest()[:24]
    out.append(c_array("ev_keyfile_key", kf_key))
    out.append(c_array("ev_key_id", key_id))
    out.append(c_array("ev_share_plain", share))
    seeds["sealed_blob/keyfile_share"] = seal(kf_key, 2, b"", 1, key_id, nonce, share)
    out.append(c_array("ev_keyfile_blob", seeds["sealed_blob/keyfile_share"]))

    passphrase = b"correct horse battery staple"
    salt = hashlib.sha256(b"vector salt").digest()[:16]
    ops, mem_kib = 1, 8
    pw_key = Argon2id(salt=salt, length=32, iterations=ops, lanes=1, memory_cost=mem_kib).derive(passphrase)
    params = struct.pack(">BII", 2, ops, mem_kib) + salt
    counters = b"counters v1: 42"
    out.append('#define EV_PASSPHRASE "%s"' % passphrase.decode())
    out.append("#define EV_PW_OPSLIMIT %du" % ops)
    out.append("#define EV_PW_MEMLIMIT %du\n" % (mem_kib * 1024))
    out.append(c_array("ev_counters_plain", counters))
    seeds["sealed_blob/passphrase_counters"] = seal(pw_key, 1, params, 5, b"\0" * 32, nonce, counters)
    out.append(c_array("ev_passphrase_blob", seeds["sealed_blob/passphrase_counters"]))

    seed1 = hashlib.sha256(b"vector identity 1").digest()
    seed2 = hashlib.sha256(b"vector identity 2").digest()
    sk1, pk1 = ed25519(seed1)
    sk2, pk2 = ed25519(seed2)
    out.append(c_array("ev_id1_pk", pk1))
    seeds["sealed_blob/id1"] = seal(kf_key, 2, b"", 2, b"\0" * 32, nonce, seed1)
    out.append(c_array("ev_id1_blob", seeds["sealed_blob/id1"]))
    out.append(c_array("ev_id2_pk", pk2))
    out.append(c_array("ev_id2_blob", seal(kf_key, 2, b"", 2, b"\0" * 32, nonce[::-1], seed2)))

    # Audit log of three records signed by identity 1.
    records = [(1, 1700000000000, b"mpc-enclave 0.1.0"), (5, 1700000001000, b"request 7"),
               (10, 1700000002000, b"")]
    prev = b"\0" * 32
    log = b""
    out.append("static const struct { unsigned short type; unsigned long long ts; const char *payload; } "
               "ev_audit_inputs[] = {")
    for seq, (t, ts, payload) in enumerate(records):
        rec = audit_record(sk1, t, seq, ts, prev, payload)
        prev = audit_hash(rec)
        log += rec
        out.append('    {%d, %dull, "%s"},' % (t, ts, payload.decode()))
    out.append("};\n")
    seeds["audit/log"] = log
    out.append(c_array("ev_audit_log", log))
    out.append(c_array("ev_audit_last_hash", prev))

    # Channel messages from party 1 (identity 1) to party 2 (identity 2).
    ck = hashlib.sha256(b"vector chan key id").digest()
    sid = hashlib.sha256(b"vector chan session").digest()
    out.append(c_array("ev_chan_key_id", ck))
    out.append(c_array("ev_chan_session_id", sid))
    bpayload = b"round 1 broadcast commitment"
    hdr = chan_header(2, ck, sid, 1, 1, 2, 1, len(bpayload))
    out.append(c_array("ev_chan_bcast_payload", bpayload))
    seeds["channel/broadcast"] = hdr + bpayload + sk1.sign(b"mpc-enclave/chan/broadcast/v1\0" + hdr + bpayload)
    out.append(c_array("ev_chan_bcast", seeds["channel/broadcast"]))
    ppayload = bytes(range(40))
    hdr = chan_header(1, ck, sid, 1, 1, 2, 2, len(ppayload))
    cnonce = hashlib.sha256(b"vector chan nonce").digest()[:24]
    k12 = box_beforenm(seed1, pk2)
    assert k12 == box_beforenm(seed2, pk1)
    out.append(c_array("ev_chan_p2p_payload", ppayload))
    seeds["channel/p2p"] = hdr + cnonce + secretbox_easy(k12, cnonce, hdr + ppayload)
    seeds["enclave_ipc/hello"] = pb_envelope(10, pb_field(1, 1))
    seeds["enclave_ipc/config_keyfile"] = pb_envelope(11, pb_field(1, 2) + pb_field(2, kf_key) + pb_field(5, 2))
    seeds["enclave_ipc/config_passphrase"] = pb_envelope(
        11, pb_field(1, 1) + pb_field(2, passphrase) + pb_field(3, 3) + pb_field(4, 256 << 20) + pb_field(5, 1))
    seeds["enclave_ipc/init"] = pb_envelope(12, b"")
    seeds["enclave_ipc/unseal_identity"] = pb_envelope(13, pb_field(1, 2) + pb_field(3, seeds["sealed_blob/id1"]))
    seeds["enclave_ipc/sign_round"] = pb_envelope(
        17, pb_field(1, ck) + pb_field(2, sid) + pb_field(3, 1) + pb_field(4, seeds["channel/broadcast"]) +
        pb_field(4, seeds["channel/p2p"]))
    seeds["enclave_ipc/shutdown"] = pb_envelope(18, b"")
    out.append(c_array("ev_chan_p2p", seeds["channel/p2p"]))
    out.append("#endif")
    if corpus_dir is None:
        print("\n".join(out))
        return
    for name, data in seeds.items():
        path = os.path.join(corpus_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--corpus" else None)
