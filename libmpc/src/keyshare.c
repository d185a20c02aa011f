#include <string.h>

#include "context.h"
#include "keyshare.h"
#include "mpc/hash.h"
#include "wire.h"

#define KS_VERSION 1u
static const unsigned char ks_magic[4] = { 'M', 'P', 'C', 'K' };

mpc_keyshare *mpc__keyshare_alloc(void)
{
    mpc_keyshare *ks = mpc_secure_alloc(sizeof(*ks));

    if (ks != NULL) {
        memset(ks, 0, sizeof(*ks));
        ks->magic = MPC__KEYSHARE_MAGIC;
    }
    return ks;
}

void mpc_keyshare_destroy(mpc_keyshare *share)
{
    if (share != NULL)
        mpc_secure_free(share); /* sodium_free wipes before releasing */
}

size_t mpc_keyshare_serialized_len(const mpc_keyshare *share)
{
    return MPC_KEYSHARE_BYTES(share->n);
}

void mpc__poly_eval_points_var(const mpc_context *ctx, mpc_point *r, const mpc_point *F,
        uint32_t count, uint32_t x)
{
    mpc_scalar pw[MPC_MAX_PARTIES], xs;
    uint32_t k;

    mpc_scalar_set_u32(&xs, x);
    mpc_scalar_set_u32(&pw[0], 1);
    for (k = 1; k < count; k++)
        mpc_scalar_mul(&pw[k], &pw[k - 1], &xs);
    mpc_point_lincomb_var(ctx, r, pw, F, count);
}

int mpc__public_shares_consistent_var(const mpc_context *ctx, const mpc_point *S, uint32_t n,
        uint32_t t, const mpc_point *pk)
{
    uint32_t base[MPC_MAX_PARTIES], k, m, x;
    mpc_scalar lam[MPC_MAX_PARTIES], xs, xm, num, den, diff;
    mpc_point pts[MPC_MAX_PARTIES], v;

    /* Interpolate from Q = {1..t}; every other S_k (and pk at 0) must match. The Lagrange
     * coefficients at an arbitrary x are computed inline (public data). */
    for (k = 0; k < t; k++) {
        base[k] = k + 1;
        pts[k] = S[k + 1];
    }
    for (x = 0; x <= n; x++) {
        if (x >= 1 && x <= t)
            continue;
        mpc_scalar_set_u32(&xs, x);
        for (k = 0; k < t; k++) {
            mpc_scalar_set_u32(&num, 1);
            mpc_scalar_set_u32(&den, 1);
            for (m = 0; m < t; m++) {
                if (m == k)
                    continue;
                mpc_scalar_set_u32(&xm, base[m]);
                mpc_scalar_sub(&diff, &xs, &xm);
                mpc_scalar_mul(&num, &num, &diff);
                mpc_scalar_set_u32(&diff, base[k]);
                mpc_scalar_sub(&diff, &diff, &xm);
                mpc_scalar_mul(&den, &den, &diff);
            }
            mpc_scalar_inverse(&den, &den);
            mpc_scalar_mul(&lam[k], &num, &den);
        }
        mpc_point_lincomb_var(ctx, &v, lam, pts, t);
        if (!mpc_point_eq(ctx, &v, x == 0 ? pk : &S[x]))
            return 0;
    }
    return 1;
}

int mpc_keyshare_serialize(const mpc_context *ctx, unsigned char *out, size_t outlen,
        const mpc_keyshare *share)
{
    unsigned char *p = out;
    uint32_t k;

    MPC_ARG_CHECK(ctx, share->magic == MPC__KEYSHARE_MAGIC);
    MPC_ARG_CHECK(ctx, outlen == MPC_KEYSHARE_BYTES(share->n));
    memcpy(p, ks_magic, 4);
    mpc__be32(p + 4, KS_VERSION);
    mpc__be32(p + 8, share->n);
    mpc__be32(p + 12, share->t);
    mpc__be32(p + 16, share->self);
    mpc__be32(p + 20, share->epoch);
    memcpy(p + 24, share->sid, 32);
    p += 56;
    if (mpc_point_serialize(ctx, p, &share->pk) != MPC_OK)
        goto bad;
    p += 33;
    memcpy(p, share->chaincode, 32);
    p += 32;
    mpc_scalar_serialize(p, &share->share);
    p += 32;
    for (k = 1; k <= share->n; k++, p += 33)
        if (mpc_point_serialize(ctx, p, &share->S[k]) != MPC_OK)
            goto bad;
    for (k = 1; k <= share->n; k++) {
        const mpc__peer_keys *pk = &share->peer[k];
        if (k == share->self)
            continue;
        memcpy(p, pk->zero_seed, 32);
        p += 32;
        memcpy(p, pk->ote_send.delta, sizeof(pk->ote_send.delta));
        p += sizeof(pk->ote_send.delta);
        memcpy(p, pk->ote_send.seed, sizeof(pk->ote_send.seed));
        p += sizeof(pk->ote_send.seed);
        memcpy(p, pk->ote_recv.seed, sizeof(pk->ote_recv.seed));
        p += sizeof(pk->ote_recv.seed);
    }
    return MPC_OK;
bad:
    /* A share object always holds valid points; reaching here is a library bug. */
    mpc_memclear(out, outlen);
    return MPC_E_INTERNAL;
}

static uint32_t get_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int mpc_keyshare_parse(const mpc_context *ctx, mpc_keyshare **share, const unsigned char *in,
        size_t inlen)
{
    mpc_keyshare *ks = NULL;
    mpc__reader rd;
    mpc_point chk;
    const unsigned char *b;
    uint32_t n, t, self, k;
    int r = MPC_E_ENCODING;

    *share = NULL;
    if (inlen < 24 || memcmp(in, ks_magic, 4) != 0 || get_be32(in + 4) != KS_VERSION)
        goto out;
    n = get_be32(in + 8);
    t = get_be32(in + 12);
    self = get_be32(in + 16);
    if (t < 2 || t > n || n > MPC_MAX_PARTIES || self < 1 || self > n ||
        inlen != MPC_KEYSHARE_BYTES(n))
        goto out;
    if ((ks = mpc__keyshare_alloc()) == NULL) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    ks->n = n;
    ks->t = t;
    ks->self = self;
    ks->epoch = get_be32(in + 20);
    mpc__reader_init(&rd, in + 24, inlen - 24);
    if ((b = mpc__get_bytes(&rd, 32)) != NULL)
        memcpy(ks->sid, b, 32);
    mpc__get_point(ctx, &rd, &ks->pk);
    if ((b = mpc__get_bytes(&rd, 32)) != NULL)
        memcpy(ks->chaincode, b, 32);
    mpc__get_scalar(&rd, &ks->share);
    for (k = 1; k <= n; k++)
        mpc__get_point(ctx, &rd, &ks->S[k]);
    for (k = 1; k <= n; k++) {
        mpc__peer_keys *pk = &ks->peer[k];
        if (k == self)
            continue;
        if ((b = mpc__get_bytes(&rd, 32)) != NULL)
            memcpy(pk->zero_seed, b, 32);
        if ((b = mpc__get_bytes(&rd, sizeof(pk->ote_send.delta))) != NULL)
            memcpy(pk->ote_send.delta, b, sizeof(pk->ote_send.delta));
        if ((b = mpc__get_bytes(&rd, sizeof(pk->ote_send.seed))) != NULL)
            memcpy(pk->ote_send.seed, b, sizeof(pk->ote_send.seed));
        if ((b = mpc__get_bytes(&rd, sizeof(pk->ote_recv.seed))) != NULL)
            memcpy(pk->ote_recv.seed, b, sizeof(pk->ote_recv.seed));
    }
    if (mpc__reader_end(&rd) != MPC_OK || mpc_scalar_is_zero(&ks->share))
        goto out;
    mpc_point_base_mul(ctx, &chk, &ks->share);
    if (!mpc_point_eq(ctx, &chk, &ks->S[self]) ||
        !mpc__public_shares_consistent_var(ctx, ks->S, n, t, &ks->pk))
        goto out;
    *share = ks;
    ks = NULL;
    r = MPC_OK;
out:
    mpc_keyshare_destroy(ks);
    return r;
}

void mpc_keyshare_get_info(const mpc_context *ctx, mpc_keyshare_info *info,
        const mpc_keyshare *share)
{
    memset(info, 0, sizeof(*info));
    info->n = share->n;
    info->t = share->t;
    info->self = share->self;
    info->epoch = share->epoch;
    memcpy(info->sid, share->sid, 32);
    memcpy(info->chaincode, share->chaincode, 32);
    /* pk of a share object is never the identity (checked by the DKG and by parse). */
    if (mpc_point_serialize(ctx, info->pubkey, &share->pk) != MPC_OK)
        memset(info->pubkey, 0, sizeof(info->pubkey));
}

int mpc_keyshare_public_share(const mpc_context *ctx, unsigned char out33[33],
        const mpc_keyshare *share, uint32_t k)
{
    MPC_ARG_CHECK(ctx, k >= 1 && k <= share->n);
    return mpc_point_serialize(ctx, out33, &share->S[k]);
}

void mpc_keyshare_public_hash(const mpc_context *ctx, unsigned char out32[32],
        const mpc_keyshare *share)
{
    mpc_hash h;
    uint32_t k;

    mpc_hash_init(&h, MPC_TAG_KEYSHARE_STATE);
    mpc_hash_field(&h, share->sid, 32);
    mpc_hash_field_u32(&h, share->epoch);
    mpc_hash_field_u32(&h, share->n);
    mpc_hash_field_u32(&h, share->t);
    mpc_hash_field_point(ctx, &h, &share->pk);
    mpc_hash_field(&h, share->chaincode, 32);
    for (k = 1; k <= share->n; k++)
        mpc_hash_field_point(ctx, &h, &share->S[k]);
    mpc_hash_final(&h, out32);
}
