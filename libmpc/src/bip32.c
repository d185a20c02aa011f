/*
 * BIP32 CKDpub (PROTOCOL.md 6.3) and xpub Base58Check, with HMAC-SHA512, SHA-256 and RIPEMD-160
 * from OpenSSL. Every input and output is public, so nothing here needs to be constant time.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bip32_internal.h"
#include "context.h"

#define XPUB_PAYLOAD_BYTES 78
#define XPUB_CHECKED_BYTES (XPUB_PAYLOAD_BYTES + 4)
#define XPUB_MAX_CHARS (MPC_BIP32_XPUB_STRING_BYTES - 1)

static const unsigned char xpub_version[4] = { 0x04, 0x88, 0xb2, 0x1e };
static const char base58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static void put_be32(unsigned char out[4], uint32_t v)
{
    out[0] = (unsigned char)(v >> 24);
    out[1] = (unsigned char)(v >> 16);
    out[2] = (unsigned char)(v >> 8);
    out[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

/* HASH160 = RIPEMD-160(SHA-256(data)); the fingerprint is its first four bytes. */
static int fingerprint(unsigned char out4[4], const unsigned char pk33[33])
{
    unsigned char sha[32], rmd[EVP_MAX_MD_SIZE];
    unsigned int len;

    if (!EVP_Digest(pk33, MPC_POINT_BYTES, sha, &len, EVP_sha256(), NULL) || len != sizeof(sha) ||
        !EVP_Digest(sha, sizeof(sha), rmd, &len, EVP_ripemd160(), NULL) || len != 20)
        return MPC_E_INTERNAL;
    memcpy(out4, rmd, 4);
    return MPC_OK;
}

/* First four bytes of SHA-256(SHA-256(data)). */
static int checksum(unsigned char out4[4], const unsigned char *data, size_t len)
{
    unsigned char h[32];
    unsigned int hlen;

    if (!EVP_Digest(data, len, h, &hlen, EVP_sha256(), NULL) || hlen != sizeof(h) ||
        !EVP_Digest(h, sizeof(h), h, &hlen, EVP_sha256(), NULL) || hlen != sizeof(h))
        return MPC_E_INTERNAL;
    memcpy(out4, h, 4);
    return MPC_OK;
}

int mpc__bip32_apply_il(const mpc_context *ctx, mpc_point *child, mpc_scalar *tweak,
        const mpc_point *parent, const unsigned char il32[32])
{
    mpc_point ilG;

    mpc_point_set_infinity(child);
    /* A parse failure means IL >= n: BIP32 declares the index invalid. */
    if (mpc_scalar_parse(tweak, il32) != MPC_OK)
        return MPC_E_BIP32_INVALID_CHILD;
    mpc_point_base_mul(ctx, &ilG, tweak);
    mpc_point_add_var(ctx, child, parent, &ilG);
    if (mpc_point_is_infinity(child)) {
        mpc_scalar_set_u32(tweak, 0);
        return MPC_E_BIP32_INVALID_CHILD;
    }
    return MPC_OK;
}

int mpc_bip32_derive_child(const mpc_context *ctx, mpc_bip32_xpub *child, mpc_scalar *tweak,
        const mpc_bip32_xpub *parent, uint32_t index)
{
    unsigned char data[MPC_POINT_BYTES + 4], I[64];
    unsigned int ilen = 0;
    int r;

    memset(child, 0, sizeof(*child));
    mpc_point_set_infinity(&child->pk);
    mpc_scalar_set_u32(tweak, 0);
    MPC_ARG_CHECK(ctx, index < MPC_BIP32_HARDENED);
    MPC_ARG_CHECK(ctx, !mpc_point_is_infinity(&parent->pk));
    MPC_ARG_CHECK(ctx, parent->depth < MPC_BIP32_MAX_DEPTH);

    if ((r = mpc_point_serialize(ctx, data, &parent->pk)) != MPC_OK)
        goto out;
    put_be32(data + MPC_POINT_BYTES, index);
    r = MPC_E_INTERNAL;
    if (HMAC(EVP_sha512(), parent->chain_code, sizeof(parent->chain_code), data, sizeof(data), I,
                &ilen) == NULL || ilen != sizeof(I))
        goto out;
    if ((r = fingerprint(child->parent_fingerprint, data)) != MPC_OK)
        goto out;
    if ((r = mpc__bip32_apply_il(ctx, &child->pk, tweak, &parent->pk, I)) != MPC_OK)
        goto out;
    memcpy(child->chain_code, I + 32, 32);
    child->depth = parent->depth + 1;
    child->child_number = index;
    r = MPC_OK;
out:
    if (r != MPC_OK) {
        memset(child, 0, sizeof(*child));
        mpc_point_set_infinity(&child->pk);
        mpc_scalar_set_u32(tweak, 0);
    }
    return r;
}

int mpc_bip32_derive_path(const mpc_context *ctx, mpc_bip32_xpub *child, mpc_scalar *tau,
        const mpc_bip32_xpub *parent, const uint32_t *path, size_t path_len)
{
    mpc_bip32_xpub cur, next;
    mpc_scalar il;
    int r = MPC_OK;

    memset(child, 0, sizeof(*child));
    mpc_point_set_infinity(&child->pk);
    mpc_scalar_set_u32(tau, 0);
    MPC_ARG_CHECK(ctx, path_len <= MPC_BIP32_MAX_DEPTH);
    MPC_ARG_CHECK(ctx, path != NULL || path_len == 0);

    cur = *parent;
    for (size_t i = 0; i < path_len; i++) {
        if ((r = mpc_bip32_derive_child(ctx, &next, &il, &cur, path[i])) != MPC_OK) {
            mpc_scalar_set_u32(tau, 0);
            return r;
        }
        mpc_scalar_add(tau, tau, &il);
        cur = next;
    }
    *child = cur;
    return r;
}

/* Base58 of len bytes into out (NUL-terminated, at most out_size - 1 characters). */
static int base58_encode(char *out, size_t out_size, const unsigned char *in, size_t len)
{
    unsigned char digits[XPUB_MAX_CHARS + 1];
    size_t zeros = 0, ndigits = 0, i, j;

    while (zeros < len && in[zeros] == 0)
        zeros++;
    for (i = zeros; i < len; i++) {
        unsigned carry = in[i];

        for (j = 0; j < ndigits; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (unsigned char)(carry % 58);
            carry /= 58;
        }
        while (carry != 0) {
            if (ndigits == sizeof(digits))
                return MPC_E_INTERNAL;
            digits[ndigits++] = (unsigned char)(carry % 58);
            carry /= 58;
        }
    }
    if (zeros + ndigits + 1 > out_size)
        return MPC_E_INTERNAL;
    for (i = 0; i < zeros; i++)
        *out++ = '1';
    while (ndigits > 0)
        *out++ = base58_alphabet[digits[--ndigits]];
    *out = '\0';
    return MPC_OK;
}

/* Strict Base58 decode of exactly out_len bytes: every character in the alphabet, and the
 * leading '1's plus the significant bytes adding up to out_len exactly. */
static int base58_decode(unsigned char *out, size_t out_len, const char *in, size_t len)
{
    size_t zeros = 0, i, first;

    memset(out, 0, out_len);
    while (zeros < len && in[zeros] == '1')
        zeros++;
    for (i = zeros; i < len; i++) {
        const char *pos = in[i] != '\0' ? strchr(base58_alphabet, in[i]) : NULL;
        unsigned carry;

        if (pos == NULL)
            return MPC_E_ENCODING;
        carry = (unsigned)(pos - base58_alphabet);
        for (size_t k = out_len; k-- > 0;) {
            carry += (unsigned)out[k] * 58;
            out[k] = (unsigned char)carry;
            carry >>= 8;
        }
        if (carry != 0)
            return MPC_E_ENCODING;
    }
    for (first = 0; first < out_len && out[first] == 0; first++)
        ;
    if (zeros != first)
        return MPC_E_ENCODING;
    return MPC_OK;
}

int mpc_bip32_xpub_parse(const mpc_context *ctx, mpc_bip32_xpub *out, const char *in, size_t len)
{
    unsigned char raw[XPUB_CHECKED_BYTES], sum[4];
    static const unsigned char zero4[4];
    int r = MPC_E_ENCODING;

    memset(out, 0, sizeof(*out));
    mpc_point_set_infinity(&out->pk);
    if (len > XPUB_MAX_CHARS || base58_decode(raw, sizeof(raw), in, len) != MPC_OK)
        goto out;
    if ((r = checksum(sum, raw, XPUB_PAYLOAD_BYTES)) != MPC_OK)
        goto out;
    r = MPC_E_ENCODING;
    if (memcmp(sum, raw + XPUB_PAYLOAD_BYTES, 4) != 0 || memcmp(raw, xpub_version, 4) != 0)
        goto out;
    out->depth = raw[4];
    memcpy(out->parent_fingerprint, raw + 5, 4);
    out->child_number = get_be32(raw + 9);
    memcpy(out->chain_code, raw + 13, 32);
    if (out->depth == 0 &&
        (memcmp(out->parent_fingerprint, zero4, 4) != 0 || out->child_number != 0))
        goto out;
    if ((r = mpc_point_parse(ctx, &out->pk, raw + 45)) != MPC_OK)
        goto out;
    r = MPC_OK;
out:
    if (r != MPC_OK) {
        memset(out, 0, sizeof(*out));
        mpc_point_set_infinity(&out->pk);
        r = MPC_E_ENCODING;
    }
    return r;
}

int mpc_bip32_xpub_serialize(const mpc_context *ctx, char out[MPC_BIP32_XPUB_STRING_BYTES],
        const mpc_bip32_xpub *xpub)
{
    unsigned char raw[XPUB_CHECKED_BYTES];
    int r;

    memset(out, 0, MPC_BIP32_XPUB_STRING_BYTES);
    if (xpub->depth > MPC_BIP32_MAX_DEPTH)
        return MPC_E_ENCODING;
    memcpy(raw, xpub_version, 4);
    raw[4] = (unsigned char)xpub->depth;
    memcpy(raw + 5, xpub->parent_fingerprint, 4);
    put_be32(raw + 9, xpub->child_number);
    memcpy(raw + 13, xpub->chain_code, 32);
    if ((r = mpc_point_serialize(ctx, raw + 45, &xpub->pk)) != MPC_OK ||
        (r = checksum(raw + XPUB_PAYLOAD_BYTES, raw, XPUB_PAYLOAD_BYTES)) != MPC_OK ||
        (r = base58_encode(out, MPC_BIP32_XPUB_STRING_BYTES, raw, sizeof(raw))) != MPC_OK)
        memset(out, 0, MPC_BIP32_XPUB_STRING_BYTES);
    return r;
}
