#!/usr/bin/env python3
"""Independent model of the k = 1 OT extension (PROTOCOL.md 4.4/4.5) and the RVOLE (4.6).

Writes rvole_vectors.h: fixed inputs (extension keys derived by a documented formula, sid_mul,
Bob's xt, Alice's a and ahat) and the expected outputs of every step, so test_rvole.c can check
libmpc byte for byte against this model. Big outputs are given as SHA-256 digests of their
serialization. Plain Python integers only; nothing here calls libmpc.

Usage: python3 gen_rvole_vectors.py > rvole_vectors.h
"""
import hashlib

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
KAPPA, XI, ROW = 256, 512, 80
SEED_LABEL = b"ot-kat-seed"


def be32(v):
    return v.to_bytes(4, "big")


def H(name, *fields):
    tag = b"dkls23c/v1/" + name
    h = hashlib.sha256()
    for f in (tag,) + fields:
        h.update(len(f).to_bytes(8, "big"))
        h.update(f)
    return h.digest()


def Hs(name, *fields):
    return int.from_bytes(H(name, *fields), "big") % N


def prg(name, length, *fields):
    out = b""
    ctr = 0
    while len(out) < length:
        out += H(name, *fields, be32(ctr))
        ctr += 1
    return out[:length]


def gf_mul(a, b):
    """GF(2^128), x^128 + x^7 + x^2 + x + 1, bit i of the little-endian 16 bytes = x^i."""
    r = 0
    for i in range(128):
        if (a >> i) & 1:
            r ^= b << i
    for i in range(254, 127, -1):
        if (r >> i) & 1:
            r ^= (1 << i) | (0x87 << (i - 128))
    return r


def block(row, m):
    return (row >> (128 * m)) & ((1 << 128) - 1)


def row_check(row, chi):
    acc = block(row, 4)
    for m in range(4):
        acc ^= gf_mul(block(row, m), chi[m])
    return acc


def le(b):
    return int.from_bytes(b, "little")


def enc(s):
    return s.to_bytes(32, "big")


def scalars_digest(rows):
    return hashlib.sha256(b"".join(enc(s) for row in rows for s in row)).digest()


def column(rows, j):
    col = 0
    for r in range(KAPPA):
        col |= ((rows[r] >> j) & 1) << r
    return col


def payload(sid, j, col):
    out = prg(b"sso/column-payload", 96, sid, be32(j), col.to_bytes(32, "little"))
    return [int.from_bytes(out[32 * i:32 * i + 32], "big") % N for i in range(3)]


def main():
    seeds = [[hashlib.sha256(SEED_LABEL + be32(k) + bytes([x])).digest() for x in range(2)]
             for k in range(KAPPA)]
    choice = hashlib.sha256(b"ot-kat-choice").digest()
    sid = hashlib.sha256(b"ot-kat-sid").digest()
    xt_bytes = (hashlib.sha256(b"ot-kat-xt0").digest() + hashlib.sha256(b"ot-kat-xt1").digest()
                + hashlib.sha256(b"ot-kat-xt2").digest()[:16])
    a = [int.from_bytes(hashlib.sha256(b"ot-kat-a%d" % i).digest(), "big") % N for i in (1, 2)]
    ahat_bytes = hashlib.sha256(b"ot-kat-ahat").digest()
    ahat = int.from_bytes(ahat_bytes, "big")
    assert 0 < ahat < N  # fed verbatim to mpc_scalar_random, which must accept it first time
    c = [(choice[k >> 3] >> (k & 7)) & 1 for k in range(KAPPA)]
    delta = [1 - ck for ck in c]
    delta_int = sum(d << k for k, d in enumerate(delta))
    xt = le(xt_bytes)
    beta = [(xt >> j) & 1 for j in range(XI)]

    # Bob (4.4 steps 1-8 with k = 1: v_k = r_{k,1})
    r = [[le(prg(b"sso/leaf", ROW, sid, seeds[k][x])) for x in range(2)] for k in range(KAPPA)]
    u = [r[k][0] ^ r[k][1] ^ xt for k in range(KAPPA)]
    v = [r[k][1] for k in range(KAPPA)]
    u_bytes = b"".join(x.to_bytes(ROW, "little") for x in u)
    hu = H(b"sso/u", sid, u_bytes)
    chi = [le(H(b"sso/chi", sid, hu, be32(m))[:16]) for m in range(4)]
    xchk = row_check(xt, chi)
    tchk = [row_check(v[k], chi) for k in range(KAPPA)]
    ote_msg = (u_bytes + xchk.to_bytes(16, "little")
               + b"".join(t.to_bytes(16, "little") for t in tchk))
    assert len(ote_msg) == 24592
    gamma = [payload(sid, j, column(v, j)) for j in range(XI)]

    # Alice (4.4 sender steps 1-4)
    w = [r[k][c[k]] ^ (u[k] if delta[k] else 0) for k in range(KAPPA)]
    for k in range(KAPPA):
        assert row_check(w[k], chi) == tchk[k] ^ (xchk if delta[k] else 0)
    alpha0 = [payload(sid, j, column(w, j)) for j in range(XI)]
    alpha1 = [payload(sid, j, column(w, j) ^ delta_int) for j in range(XI)]
    for j in range(XI):
        assert gamma[j] == (alpha1[j] if beta[j] else alpha0[j])

    # RVOLE (4.6)
    g = [Hs(b"rvole/gadget", sid, be32(j)) for j in range(XI)]
    b = sum(g[j] for j in range(XI) if beta[j]) % N
    ins = a + [ahat]
    atil = [[(alpha0[j][i] - alpha1[j][i] + ins[i]) % N for i in range(3)] for j in range(XI)]
    atil_bytes = b"".join(enc(x) for row in atil for x in row)
    hatil = H(b"rvole/atil", sid, atil_bytes)
    theta = [Hs(b"rvole/theta", sid, hatil, be32(i)) for i in (1, 2)]
    eta = (ahat + theta[0] * a[0] + theta[1] * a[1]) % N
    mu = H(b"rvole/mu", sid, b"".join(
        enc((alpha0[j][2] + theta[0] * alpha0[j][0] + theta[1] * alpha0[j][1]) % N)
        for j in range(XI)))
    cc = [(-sum(g[j] * alpha0[j][i] for j in range(XI))) % N for i in range(2)]
    rvole_msg = atil_bytes + enc(eta) + mu
    assert len(rvole_msg) == 49216

    dd = [[(gamma[j][i] + beta[j] * atil[j][i]) % N for i in range(3)] for j in range(XI)]
    mu_bob = H(b"rvole/mu", sid, b"".join(
        enc((dd[j][2] + theta[0] * dd[j][0] + theta[1] * dd[j][1] - beta[j] * eta) % N)
        for j in range(XI)))
    assert mu_bob == mu
    d = [sum(g[j] * dd[j][i] for j in range(XI)) % N for i in range(2)]
    for i in range(2):
        assert (cc[i] + d[i]) % N == a[i] * b % N

    def arr(name, data):
        body = ", ".join("0x%02x" % x for x in data)
        lines, line = [], "   "
        for item in body.split(", "):
            if len(line) + len(item) + 2 > 100:
                lines.append(line)
                line = "   "
            line += " " + item + ","
        lines.append(line)
        return "static const unsigned char %s[%d] = {\n%s\n};\n" % (name, len(data), "\n".join(lines))

    print("/* generated by gen_rvole_vectors.py, do not edit */")
    print("#ifndef MPC_TEST_RVOLE_VECTORS_H")
    print("#define MPC_TEST_RVOLE_VECTORS_H")
    print()
    print("/* Extension keys: Bob's seed[k][x] = SHA-256(KAT_SEED_LABEL || be32(k) || byte(x));")
    print(" * Alice's choice bits c_k = bit k of kat_choice, her seed[k] = Bob's seed[k][c_k]. */")
    print('#define KAT_SEED_LABEL "%s"' % SEED_LABEL.decode())
    print(arr("kat_choice", choice))
    print(arr("kat_sid_mul", sid))
    print("/* Bob's only random draw: xt = beta || pad. */")
    print(arr("kat_xt", xt_bytes))
    print("/* Alice's inputs a_1, a_2 and her only random draw, ahat. */")
    print(arr("kat_a1", enc(a[0])))
    print(arr("kat_a2", enc(a[1])))
    print(arr("kat_ahat", ahat_bytes))
    print("/* Expected outputs; *_sha256 are digests of the serialization (scalars as 32-byte")
    print(" * big-endian, j-major, payload column minor). */")
    print(arr("kat_ote_msg_sha256", hashlib.sha256(ote_msg).digest()))
    print(arr("kat_xchk", xchk.to_bytes(16, "little")))
    print(arr("kat_gamma_sha256", scalars_digest(gamma)))
    print(arr("kat_alpha0_sha256", scalars_digest(alpha0)))
    print(arr("kat_alpha1_sha256", scalars_digest(alpha1)))
    print(arr("kat_b", enc(b)))
    print(arr("kat_rvole_msg_sha256", hashlib.sha256(rvole_msg).digest()))
    print(arr("kat_mu", mu))
    print(arr("kat_c1", enc(cc[0])))
    print(arr("kat_c2", enc(cc[1])))
    print(arr("kat_d1", enc(d[0])))
    print(arr("kat_d2", enc(d[1])))
    print("#endif")


if __name__ == "__main__":
    main()
