/*
 * Points of secp256k1 over libsecp256k1's public API (PROTOCOL.md section 10). A point is a
 * secp256k1_pubkey plus an identity flag, because the library has no representation of infinity.
 * The identity always has all-zero data, so a struct compare never sees stale bytes.
 */
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_ecdh.h>

#include "context.h"
#include "mpc/point.h"
#include "point_internal.h"

_Static_assert(sizeof(secp256k1_pubkey) == sizeof(((mpc_point *)0)->data),
        "mpc_point.data must hold exactly one secp256k1_pubkey");

/* The field prime p, big-endian: a compressed x must be below it. */
static const unsigned char field_p[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f
};

static const secp256k1_pubkey *pubkey_const(const mpc_point *p)
{
    return (const secp256k1_pubkey *)(const void *)p->data;
}

static void point_from_pubkey(mpc_point *r, const secp256k1_pubkey *pk)
{
    memcpy(r->data, pk->data, sizeof(r->data));
    r->infinity = 0;
}

void mpc_point_set_infinity(mpc_point *r)
{
    memset(r->data, 0, sizeof(r->data));
    r->infinity = 1;
}

int mpc_point_is_infinity(const mpc_point *p)
{
    return p->infinity != 0;
}

int mpc_point_parse(const mpc_context *ctx, mpc_point *r, const unsigned char in33[33])
{
    secp256k1_pubkey pk;

    mpc_point_set_infinity(r);
    if (in33[0] != 0x02 && in33[0] != 0x03)
        return MPC_E_ENCODING;
    /* libsecp256k1 also rejects x >= p, but canonical encodings are this module's promise, so the
     * check does not depend on the library version. Points on the wire are public. */
    if (memcmp(in33 + 1, field_p, sizeof(field_p)) >= 0)
        return MPC_E_ENCODING;
    if (!secp256k1_ec_pubkey_parse(ctx->secp, &pk, in33, MPC_POINT_BYTES))
        return MPC_E_ENCODING;
    point_from_pubkey(r, &pk);
    return MPC_OK;
}

int mpc_point_serialize(const mpc_context *ctx, unsigned char out33[33], const mpc_point *p)
{
    size_t len = MPC_POINT_BYTES;

    memset(out33, 0, MPC_POINT_BYTES);
    if (mpc_point_is_infinity(p))
        return MPC_E_ENCODING;
    if (!secp256k1_ec_pubkey_serialize(ctx->secp, out33, &len, pubkey_const(p),
                SECP256K1_EC_COMPRESSED) || len != MPC_POINT_BYTES) {
        memset(out33, 0, MPC_POINT_BYTES);
        return MPC_E_INTERNAL;
    }
    return MPC_OK;
}

/* Result of a constant-time multiplication whose scalar may have been zero: the identity when
 * is_identity is 1, else pk. Selection by mask, as the flag derives from the secret scalar. */
static void point_select_identity(mpc_point *r, const secp256k1_pubkey *pk, int is_identity)
{
    const unsigned char keep = (unsigned char)((unsigned)is_identity - 1u); /* 0xff iff 0 */
    size_t i;

    for (i = 0; i < sizeof(r->data); i++)
        r->data[i] = pk->data[i] & keep;
    r->infinity = (uint32_t)is_identity;
}

/* k with zero replaced by one (without a branch), as 32 big-endian bytes for libsecp256k1.
 * Returns 1 if k was zero. */
static int scalar_nonzero_bytes(unsigned char out32[32], const mpc_scalar *k)
{
    mpc_scalar tmp, one;
    int is_zero = mpc_scalar_is_zero(k);

    mpc_scalar_set_u32(&one, 1);
    tmp = *k;
    mpc_scalar_cmov(&tmp, &one, is_zero);
    mpc_scalar_serialize(out32, &tmp);
    mpc_scalar_clear(&tmp);
    return is_zero;
}

void mpc_point_base_mul(const mpc_context *ctx, mpc_point *r, const mpc_scalar *k)
{
    unsigned char k32[32];
    secp256k1_pubkey pk;
    int is_zero, ok;

    is_zero = scalar_nonzero_bytes(k32, k);
    /* k32 is in [1, n-1], so this cannot fail; a failure is folded into the identity flag rather
     * than branched on, because its cause would be the secret. */
    ok = secp256k1_ec_pubkey_create(ctx->secp, &pk, k32);
    point_select_identity(r, &pk, is_zero | !ok);
    mpc_memclear(k32, sizeof(k32));
    mpc_memclear(&pk, sizeof(pk));
}

/* secp256k1_ecdh callback returning the full point 0x04 || x || y instead of a hash. */
static int ecdh_full_point(unsigned char *output, const unsigned char *x32,
        const unsigned char *y32, void *data)
{
    (void)data;
    output[0] = 0x04;
    memcpy(output + 1, x32, 32);
    memcpy(output + 33, y32, 32);
    return 1;
}

void mpc_point_mul(const mpc_context *ctx, mpc_point *r, const mpc_point *p, const mpc_scalar *k)
{
    unsigned char k32[32], full[65];
    secp256k1_pubkey pk;
    int is_zero, ok;

    /* P is public: branching on its identity flag leaks nothing about k. */
    if (mpc_point_is_infinity(p)) {
        mpc_point_set_infinity(r);
        return;
    }
    is_zero = scalar_nonzero_bytes(k32, k);
    ok = secp256k1_ecdh(ctx->secp, full, pubkey_const(p), k32, ecdh_full_point, NULL);
    /* With k32 in [1, n-1] and a valid P, neither call can fail. The public API has no other way
     * to turn (x, y) into a secp256k1_pubkey than this parse, whose curve-equation check
     * (ge_is_valid_var -> fe_normalizes_to_zero_var) takes a value-dependent time on the
     * product: the outcome is fixed, the timing is not (see mpc/point.h and test/ctime/ctime.supp).
     * Where only the encoding of the product is needed, mpc__point_mul_encode avoids it. */
    ok &= secp256k1_ec_pubkey_parse(ctx->secp, &pk, full, sizeof(full));
    point_select_identity(r, &pk, is_zero | !ok);
    mpc_memclear(k32, sizeof(k32));
    mpc_memclear(full, sizeof(full));
    mpc_memclear(&pk, sizeof(pk));
}

/* secp256k1_ecdh callback writing the compressed encoding (0x02 | parity(y)) || x. x32 and y32
 * are already normalized by secp256k1_ecdh (constant time), so the parity is a plain bit. */
static int ecdh_compressed(unsigned char *output, const unsigned char *x32,
        const unsigned char *y32, void *data)
{
    (void)data;
    output[0] = (unsigned char)(0x02 | (y32[31] & 1));
    memcpy(output + 1, x32, 32);
    return 1;
}

void mpc__point_mul_encode(const mpc_context *ctx, unsigned char out33[33], const mpc_point *p,
        const mpc_scalar *k)
{
    unsigned char k32[32];
    unsigned char keep;
    int is_zero, ok;

    /* P is public: branching on its identity flag leaks nothing about k. */
    if (mpc_point_is_infinity(p)) {
        memset(out33, 0, MPC_POINT_BYTES);
        return;
    }
    is_zero = scalar_nonzero_bytes(k32, k);
    /* With k32 in [1, n-1] and a valid P this cannot fail; like k = 0, a failure is folded into
     * the identity encoding by mask rather than branched on. */
    ok = secp256k1_ecdh(ctx->secp, out33, pubkey_const(p), k32, ecdh_compressed, NULL);
    keep = (unsigned char)(((unsigned)(is_zero | !ok)) - 1u); /* 0xff iff a real product */
    for (size_t i = 0; i < MPC_POINT_BYTES; i++)
        out33[i] &= keep;
    mpc_memclear(k32, sizeof(k32));
}

void mpc_point_mul_var(const mpc_context *ctx, mpc_point *r, const mpc_point *p,
        const mpc_scalar *k)
{
    unsigned char k32[32];
    secp256k1_pubkey pk;

    if (mpc_point_is_infinity(p) || mpc_scalar_is_zero(k)) {
        mpc_point_set_infinity(r);
        return;
    }
    mpc_scalar_serialize(k32, k);
    pk = *pubkey_const(p);
    /* Fails only for k = 0 (excluded above) or k >= n (impossible for an mpc_scalar). */
    if (!secp256k1_ec_pubkey_tweak_mul(ctx->secp, &pk, k32))
        mpc_point_set_infinity(r);
    else
        point_from_pubkey(r, &pk);
}

void mpc_point_add_var(const mpc_context *ctx, mpc_point *r, const mpc_point *a,
        const mpc_point *b)
{
    const secp256k1_pubkey *ins[2];
    secp256k1_pubkey sum;

    if (mpc_point_is_infinity(a)) {
        *r = *b;
        return;
    }
    if (mpc_point_is_infinity(b)) {
        *r = *a;
        return;
    }
    ins[0] = pubkey_const(a);
    ins[1] = pubkey_const(b);
    /* With two valid inputs, combine fails only when the sum is infinity (b = -a). */
    if (!secp256k1_ec_pubkey_combine(ctx->secp, &sum, ins, 2))
        mpc_point_set_infinity(r);
    else
        point_from_pubkey(r, &sum);
}

void mpc_point_neg_var(const mpc_context *ctx, mpc_point *r, const mpc_point *a)
{
    secp256k1_pubkey pk;

    if (mpc_point_is_infinity(a)) {
        mpc_point_set_infinity(r);
        return;
    }
    pk = *pubkey_const(a);
    if (!secp256k1_ec_pubkey_negate(ctx->secp, &pk))
        mpc_point_set_infinity(r);
    else
        point_from_pubkey(r, &pk);
}

/* Points are combined in batches: one secp256k1_ec_pubkey_combine call does a single affine
 * conversion per batch instead of one per addition. */
#define SUM_BATCH 32

void mpc_point_sum_var(const mpc_context *ctx, mpc_point *r, const mpc_point *points,
        size_t count)
{
    const secp256k1_pubkey *ins[SUM_BATCH];
    mpc_point acc, part;
    secp256k1_pubkey sum;
    size_t i = 0, m;

    mpc_point_set_infinity(&acc);
    while (i < count) {
        for (m = 0; m < SUM_BATCH && i < count; i++) {
            if (!mpc_point_is_infinity(&points[i]))
                ins[m++] = pubkey_const(&points[i]);
        }
        if (m == 0)
            continue;
        if (!secp256k1_ec_pubkey_combine(ctx->secp, &sum, ins, m))
            mpc_point_set_infinity(&part);
        else
            point_from_pubkey(&part, &sum);
        mpc_point_add_var(ctx, &acc, &acc, &part);
    }
    *r = acc;
}

void mpc_point_lincomb_var(const mpc_context *ctx, mpc_point *r, const mpc_scalar *k,
        const mpc_point *points, size_t count)
{
    mpc_point acc, term;
    size_t i;

    mpc_point_set_infinity(&acc);
    for (i = 0; i < count; i++) {
        mpc_point_mul_var(ctx, &term, &points[i], &k[i]);
        mpc_point_add_var(ctx, &acc, &acc, &term);
    }
    *r = acc;
}

int mpc_point_eq(const mpc_context *ctx, const mpc_point *a, const mpc_point *b)
{
    if (mpc_point_is_infinity(a) || mpc_point_is_infinity(b))
        return mpc_point_is_infinity(a) && mpc_point_is_infinity(b);
    return secp256k1_ec_pubkey_cmp(ctx->secp, pubkey_const(a), pubkey_const(b)) == 0;
}
