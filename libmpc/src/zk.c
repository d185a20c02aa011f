/* Schnorr proof of knowledge of a discrete log, Fiat-Shamir with full context binding
 * (PROTOCOL.md 2.1). */
#include <string.h>

#include "context.h"
#include "mpc/hash.h"
#include "mpc/zk.h"

/* SEC1 compressed encoding of the generator G, hashed into every challenge. */
static const unsigned char generator_enc[MPC_POINT_BYTES] = {
    0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b,
    0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17,
    0x98
};

#define SCHNORR_SID_BYTES 32

static int context_ok(const mpc_schnorr_context *sctx)
{
    return (unsigned)sctx->label < MPC_TAG_COUNT && sctx->sid != NULL &&
           (sctx->extra != NULL || sctx->extra_len == 0);
}

/* e = H_s("schnorr", label, sid, be32(prover), be32(statement), extra, enc(G), enc(X), enc(T)). */
static void challenge(const mpc_context *ctx, mpc_scalar *e, const mpc_point *X, const mpc_point *T,
        const mpc_schnorr_context *sctx)
{
    const char *label = mpc_tag_string(sctx->label);
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_SCHNORR);
    mpc_hash_field(&h, label, strlen(label));
    mpc_hash_field(&h, sctx->sid, SCHNORR_SID_BYTES);
    mpc_hash_field_u32(&h, sctx->prover);
    mpc_hash_field_u32(&h, sctx->statement);
    mpc_hash_field(&h, sctx->extra, sctx->extra_len);
    mpc_hash_field(&h, generator_enc, sizeof(generator_enc));
    mpc_hash_field_point(ctx, &h, X);
    mpc_hash_field_point(ctx, &h, T);
    mpc_hash_final_scalar(&h, e);
}

int mpc_schnorr_prove(const mpc_context *ctx, mpc_schnorr_proof *proof, const mpc_scalar *x,
        const mpc_point *X, const mpc_schnorr_context *sctx)
{
    mpc_scalar r, e, ex;
    int ret;

    mpc_point_set_infinity(&proof->T);
    mpc_scalar_set_u32(&proof->z, 0);
    MPC_ARG_CHECK(ctx, context_ok(sctx));
    MPC_ARG_CHECK(ctx, !mpc_point_is_infinity(X));
    if ((ret = mpc_scalar_random(ctx, &r)) != MPC_OK)
        goto out;
    mpc_point_base_mul(ctx, &proof->T, &r);
    challenge(ctx, &e, X, &proof->T, sctx);
    mpc_scalar_mul(&ex, &e, x);
    mpc_scalar_add(&proof->z, &r, &ex);
    ret = MPC_OK;
out:
    mpc_scalar_clear(&r);
    mpc_scalar_clear(&ex);
    return ret;
}

int mpc_schnorr_verify(const mpc_context *ctx, const mpc_schnorr_proof *proof, const mpc_point *X,
        const mpc_schnorr_context *sctx)
{
    mpc_point lhs, rhs;
    mpc_scalar e;

    MPC_ARG_CHECK(ctx, context_ok(sctx));
    if (mpc_point_is_infinity(X) || mpc_point_is_infinity(&proof->T))
        return MPC_E_PROOF;
    challenge(ctx, &e, X, &proof->T, sctx);
    /* z*G == T + e*X; everything here is public. */
    mpc_point_base_mul(ctx, &lhs, &proof->z);
    mpc_point_mul_var(ctx, &rhs, X, &e);
    mpc_point_add_var(ctx, &rhs, &rhs, &proof->T);
    return mpc_point_eq(ctx, &lhs, &rhs) ? MPC_OK : MPC_E_PROOF;
}

int mpc_schnorr_serialize(const mpc_context *ctx, unsigned char out[MPC_SCHNORR_BYTES],
        const mpc_schnorr_proof *proof)
{
    int ret;

    if ((ret = mpc_point_serialize(ctx, out, &proof->T)) != MPC_OK) {
        memset(out, 0, MPC_SCHNORR_BYTES);
        return ret;
    }
    mpc_scalar_serialize(out + MPC_POINT_BYTES, &proof->z);
    return MPC_OK;
}

int mpc_schnorr_parse(const mpc_context *ctx, mpc_schnorr_proof *proof,
        const unsigned char in[MPC_SCHNORR_BYTES])
{
    int ret;

    mpc_scalar_set_u32(&proof->z, 0);
    if ((ret = mpc_point_parse(ctx, &proof->T, in)) != MPC_OK)
        return ret;
    if ((ret = mpc_scalar_parse(&proof->z, in + MPC_POINT_BYTES)) != MPC_OK) {
        mpc_point_set_infinity(&proof->T);
        return ret;
    }
    return MPC_OK;
}
