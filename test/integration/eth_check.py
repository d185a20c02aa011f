#!/usr/bin/env python3
"""Independent check of an EIP-191 signature produced by the MPC cluster.

Recomputes the EIP-191 personal-message digest with a Keccak-256 written here (not the project's),
verifies (r, s) against the public key with the `cryptography` package (OpenSSL), recovers the
public key from (r, s, v) with plain secp256k1 arithmetic, and derives the EIP-55 address.
Exit status 0 only if every given expectation holds.

usage: eth_check.py --message FILE --pubkey HEX33 --signature HEX64 --v N
                    [--digest HEX32] [--address 0x...]
"""
import argparse
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

# ---- Keccak-f[1600] (FIPS 202 permutation, original Keccak padding 0x01) ----------------------

MASK = (1 << 64) - 1


def _round_constants():
    # LFSR x^8 + x^6 + x^5 + x^4 + 1 (FIPS 202, algorithm 5).
    out, r = [], 1
    for _ in range(24):
        rc = 0
        for j in range(7):
            if r & 1:
                rc |= 1 << ((1 << j) - 1)
            r = ((r << 1) ^ 0x171) if r & 0x80 else (r << 1)
        out.append(rc)
    return out


def _rotations():
    rot = [[0] * 5 for _ in range(5)]
    x, y = 1, 0
    for t in range(24):
        rot[x][y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return rot


RC, ROT = _round_constants(), _rotations()


def _rol(v, n):
    return ((v << n) | (v >> (64 - n))) & MASK if n else v


def _permute(a):
    for rc in RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rol(a[x][y], ROT[x][y])
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        a[0][0] ^= rc
    return a


def keccak256(data: bytes) -> bytes:
    rate = 136
    msg = bytearray(data) + b"\x01"
    msg += b"\x00" * (-len(msg) % rate)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            a[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        a = _permute(a)
    out = b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


# ---- secp256k1 ---------------------------------------------------------------------------------

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def _add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % P == 0:
        return None
    if p == q:
        lam = 3 * p[0] * p[0] * pow(2 * p[1], -1, P) % P
    else:
        lam = (q[1] - p[1]) * pow(q[0] - p[0], -1, P) % P
    x = (lam * lam - p[0] - q[0]) % P
    return x, (lam * (p[0] - x) - p[1]) % P


def _mul(k, p):
    r = None
    while k:
        if k & 1:
            r = _add(r, p)
        p = _add(p, p)
        k >>= 1
    return r


def recover(digest: bytes, r: int, s: int, v: int):
    x = r + (N if v & 2 else 0)
    y = pow((x * x * x + 7) % P, (P + 1) // 4, P)
    if (y * y - (x * x * x + 7)) % P != 0:
        raise ValueError("r is not the x coordinate of a curve point")
    if y & 1 != v & 1:
        y = P - y
    e = int.from_bytes(digest, "big")
    rinv = pow(r, -1, N)
    return _add(_mul(s * rinv % N, (x, y)), _mul((-e) * rinv % N, G))


def decompress(pk: bytes):
    x = int.from_bytes(pk[1:], "big")
    y = pow((x * x * x + 7) % P, (P + 1) // 4, P)
    if y & 1 != pk[0] & 1:
        y = P - y
    return x, y


def eip55(addr20: bytes) -> str:
    hexaddr = addr20.hex()
    h = keccak256(hexaddr.encode()).hex()
    return "0x" + "".join(c.upper() if int(h[i], 16) >= 8 else c for i, c in enumerate(hexaddr))


def address_of(point) -> str:
    return eip55(keccak256(point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big"))[12:])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--message", required=True)
    ap.add_argument("--pubkey", required=True)
    ap.add_argument("--signature", required=True)
    ap.add_argument("--v", type=int, required=True)
    ap.add_argument("--digest")
    ap.add_argument("--address")
    a = ap.parse_args()

    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    msg = open(a.message, "rb").read()
    digest = keccak256(b"\x19Ethereum Signed Message:\n" + str(len(msg)).encode() + msg)
    sig = bytes.fromhex(a.signature)
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    pk = bytes.fromhex(a.pubkey)
    ok = True

    print(f"eip191 digest (recomputed)  {digest.hex()}")
    if a.digest is not None and a.digest.lower() != digest.hex():
        print(f"MISMATCH: signers' digest {a.digest}")
        ok = False
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), pk)
    try:
        key.verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        print("ecdsa verify (OpenSSL)      ok")
    except InvalidSignature:
        print("ecdsa verify (OpenSSL)      FAILED")
        ok = False
    if s > N // 2:
        print("signature is not low-s")
        ok = False
    rec = recover(digest, r, s, a.v)
    if rec != decompress(pk):
        print("recovered public key        MISMATCH")
        ok = False
    addr = address_of(rec)
    print(f"recovered address           {addr}")
    if a.address is not None and a.address != addr:
        print(f"MISMATCH: coordinator's address {a.address}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
