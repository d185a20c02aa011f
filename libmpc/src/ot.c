/*
 * Pairwise oblivious transfer, PROTOCOL.md 4.1 (Masny-Rindal endemic base OT) and 4.4 with the
 * k = 1 simplification of 4.5 (the corrected KOS form): every "block" k is one base OT, Bob holds
 * both leaves rho_{k,0}, rho_{k,1}, Alice holds rho_{k,c_k} and Delta_k = 1 - c_k.
 *
 * Encoding choices (PROTOCOL.md leaves them open; both sides of every hash below use them):
 *  - the base-OT index k and the bit in "eot/h" and "eot/key" are 4-byte big-endian fields;
 *  - "sso/u" hashes u_0 || ... || u_255 as one field of 20,480 bytes;
 *  - rows of 640 bits are handled as ten little-endian 64-bit words, so bit b of a row is bit
 *    (b & 63) of word b >> 6, which is the byte order of PROTOCOL.md 1.1 and of mpc_gf128_load.
 */
#include <string.h>

#include "context.h"
#include "mpc/gf128.h"
#include "mpc/hash.h"
#include "mpc/point.h"
#include "ot.h"
#include "point_internal.h"

#define ROW_WORDS (MPC_OTE_ROW_BYTES / 8) /* 10 */
#define COL_WORDS (MPC_OT_KAPPA / 64)     /* 4: a column has one bit per base OT */
#define U_BYTES (MPC_OT_KAPPA * MPC_OTE_ROW_BYTES)
#define XCHK_OFFSET U_BYTES
#define TCHK_OFFSET (U_BYTES + 16)
#define CHI_COUNT 4 /* 128-bit blocks of a row that carry extended OTs; block 4 is padding */

/* The base-OT bit of index k, as 0 or 1 (k is public, the bit may be secret). */
static unsigned int bit_at(const unsigned char *bits, size_t k)
{
    return (bits[k >> 3] >> (k & 7)) & 1u;
}

#if !defined(__BYTE_ORDER__)
#error "ot.c needs __BYTE_ORDER__ (GCC or clang)"
#endif

/* Little-endian words through memcpy (one mov each on x86; a swap on big-endian hosts): rows and
 * columns are converted tens of thousands of times per signing. */
static uint64_t load64_le(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static void store64_le(unsigned char *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, sizeof(v));
}

/* r = flag ? a : r over len bytes, without a branch (flag is 0 or 1). */
static void bytes_cmov(void *r, const void *a, size_t len, unsigned int flag)
{
    unsigned char *rb = r;
    const unsigned char *ab = a;
    unsigned char mask = (unsigned char)(0u - flag);

    for (size_t i = 0; i < len; i++)
        rb[i] ^= mask & (rb[i] ^ ab[i]);
}

/* r = flag ? a : r for points (flag is 0 or 1). */
static void point_cmov(mpc_point *r, const mpc_point *a, unsigned int flag)
{
    bytes_cmov(r, a, sizeof(*r), flag);
}

/* out = H2C("eot/h", sid_pair, k, bit, enc(other point)); every input is public. */
static void eot_h2c(const mpc_context *ctx, mpc_point *out, const mpc_hash *sid_prefix, uint32_t k,
        uint32_t bit, const unsigned char enc_other[MPC_POINT_BYTES])
{
    mpc_hash h = *sid_prefix;

    mpc_hash_field_u32(&h, k);
    mpc_hash_field_u32(&h, bit);
    mpc_hash_field(&h, enc_other, MPC_POINT_BYTES);
    mpc_hash_to_curve_var(ctx, out, &h);
    mpc_memclear(&h, sizeof(h));
}

/* rho = H("eot/key", sid_pair, k, bit, enc(dh)). bit and dh are secret on the receiver side, dh
 * on both sides; enc(dh) comes from mpc__point_mul_encode, never from a variable-time serialize. */
static void eot_key(unsigned char out[32], const mpc_hash *sid_prefix, uint32_t k, uint32_t bit,
        const unsigned char enc_dh[MPC_POINT_BYTES])
{
    mpc_hash h = *sid_prefix;

    mpc_hash_field_u32(&h, k);
    mpc_hash_field_u32(&h, bit);
    mpc_hash_field(&h, enc_dh, MPC_POINT_BYTES);
    mpc_hash_final(&h, out);
}

static void sid_prefix_init(mpc_hash *h, mpc_tag tag, const unsigned char sid[32])
{
    mpc_hash_init(h, tag);
    mpc_hash_field(h, sid, 32);
}

int mpc__ot_base_receiver_start(const mpc_context *ctx, mpc__ot_base_receiver *st,
        unsigned char msg1[MPC_OT_BASE_MSG_BYTES], const unsigned char sid_pair[32])
{
    mpc_hash h2c_prefix;
    mpc_scalar y;
    mpc_point y_point, t_point, h_point[2], neg_h, cand[2], out_point[2];
    unsigned char enc_y[MPC_POINT_BYTES];
    int r;

    MPC_ARG_CHECK(ctx, ctx != NULL && st != NULL && msg1 != NULL && sid_pair != NULL);
    sid_prefix_init(&h2c_prefix, MPC_TAG_EOT_H, sid_pair);
    if ((r = mpc_random_bytes(ctx, st->choice, sizeof(st->choice))) != MPC_OK)
        goto out;
    for (uint32_t k = 0; k < MPC_OT_KAPPA; k++) {
        unsigned int c = bit_at(st->choice, k);

        if ((r = mpc_scalar_random(ctx, &y)) != MPC_OK)
            goto out;
        mpc_point_base_mul(ctx, &y_point, &y);
        /* Y is sent as R_{1-c}. */
        mpc__declassify(ctx, &y_point, sizeof(y_point));
        if ((r = mpc_point_serialize(ctx, enc_y, &y_point)) != MPC_OK) {
            r = MPC_E_INTERNAL;
            goto out;
        }
        /* Both bit values are hashed and both candidates tA*G - H_b are formed, so all the work,
         * including the variable-time point arithmetic, is the same for either c (its operands
         * are Y, H_0, H_1 and tA*G, which Bob learns anyway as M_c); c only drives the
         * constant-time selection below. */
        eot_h2c(ctx, &h_point[0], &h2c_prefix, k, 0, enc_y);
        eot_h2c(ctx, &h_point[1], &h2c_prefix, k, 1, enc_y);
        do {
            if ((r = mpc_scalar_random(ctx, &st->t[k])) != MPC_OK)
                goto out;
            mpc_point_base_mul(ctx, &t_point, &st->t[k]);
            /* tA*G is public: Bob computes it as M_c = R_c + H2C(c, enc(R_{1-c})). */
            mpc__declassify(ctx, &t_point, sizeof(t_point));
            for (int b = 0; b < 2; b++) {
                mpc_point_neg_var(ctx, &neg_h, &h_point[b]);
                mpc_point_add_var(ctx, &cand[b], &t_point, &neg_h);
            }
            /* An identity candidate cannot be sent; resampling on either keeps this c-blind. */
        } while (mpc_point_is_infinity(&cand[0]) | mpc_point_is_infinity(&cand[1]));
        /* R_c = tA*G - H2C(c, enc(Y)), R_{1-c} = Y. */
        out_point[0] = cand[0];
        point_cmov(&out_point[0], &y_point, c);
        out_point[1] = y_point;
        point_cmov(&out_point[1], &cand[1], c);
        /* The pair is sent; it is distributed alike for either c (PROTOCOL.md 4.1). */
        mpc__declassify(ctx, out_point, sizeof(out_point));
        for (int b = 0; b < 2; b++) {
            if (mpc_point_serialize(ctx, msg1 + (2 * k + (uint32_t)b) * MPC_POINT_BYTES,
                        &out_point[b]) != MPC_OK) {
                r = MPC_E_INTERNAL;
                goto out;
            }
        }
    }
    r = MPC_OK;
out:
    if (r != MPC_OK) {
        mpc_memclear(st, sizeof(*st));
        mpc_memclear(msg1, MPC_OT_BASE_MSG_BYTES);
    }
    mpc_scalar_clear(&y);
    mpc_memclear(&t_point, sizeof(t_point));
    mpc_memclear(cand, sizeof(cand));
    mpc_memclear(out_point, sizeof(out_point));
    mpc_memclear(&h2c_prefix, sizeof(h2c_prefix));
    return r;
}

int mpc__ot_base_sender_respond(const mpc_context *ctx, mpc__ote_receiver_key *key,
        unsigned char msg2[MPC_OT_BASE_MSG_BYTES], const unsigned char msg1[MPC_OT_BASE_MSG_BYTES],
        const unsigned char sid_pair[32])
{
    mpc_hash h2c_prefix, key_prefix;
    mpc_point rp[2], hp, m, b_point;
    mpc_scalar b;
    unsigned char dh[MPC_POINT_BYTES];
    int r;

    MPC_ARG_CHECK(ctx, ctx != NULL && key != NULL && msg2 != NULL && msg1 != NULL &&
            sid_pair != NULL);
    sid_prefix_init(&h2c_prefix, MPC_TAG_EOT_H, sid_pair);
    sid_prefix_init(&key_prefix, MPC_TAG_EOT_KEY, sid_pair);
    for (uint32_t k = 0; k < MPC_OT_KAPPA; k++) {
        const unsigned char *enc = msg1 + 2 * k * MPC_POINT_BYTES;

        if ((r = mpc_point_parse(ctx, &rp[0], enc)) != MPC_OK ||
            (r = mpc_point_parse(ctx, &rp[1], enc + MPC_POINT_BYTES)) != MPC_OK) {
            r = MPC_E_ENCODING;
            goto out;
        }
        for (uint32_t bit = 0; bit < 2; bit++) {
            /* M_bit = R_bit + H2C(bit, enc(R_{1-bit})): one of the two is tA*G. */
            eot_h2c(ctx, &hp, &h2c_prefix, k, bit, enc + (1 - bit) * MPC_POINT_BYTES);
            mpc_point_add_var(ctx, &m, &rp[bit], &hp);
            if (mpc_point_is_infinity(&m)) {
                r = MPC_E_ENCODING;
                goto out;
            }
            if ((r = mpc_scalar_random(ctx, &b)) != MPC_OK)
                goto out;
            mpc_point_base_mul(ctx, &b_point, &b);
            /* b*G is sent to Alice in msg2. */
            mpc__declassify(ctx, &b_point, sizeof(b_point));
            if (mpc_point_serialize(ctx, msg2 + (2 * k + bit) * MPC_POINT_BYTES, &b_point) !=
                    MPC_OK) {
                r = MPC_E_INTERNAL;
                goto out;
            }
            mpc__point_mul_encode(ctx, dh, &m, &b);
            eot_key(key->seed[k][bit], &key_prefix, k, bit, dh);
        }
    }
    r = MPC_OK;
out:
    if (r != MPC_OK) {
        mpc_memclear(key, sizeof(*key));
        mpc_memclear(msg2, MPC_OT_BASE_MSG_BYTES);
    }
    mpc_scalar_clear(&b);
    mpc_memclear(dh, sizeof(dh));
    mpc_memclear(&h2c_prefix, sizeof(h2c_prefix));
    mpc_memclear(&key_prefix, sizeof(key_prefix));
    return r;
}

int mpc__ot_base_receiver_finish(const mpc_context *ctx, mpc__ote_sender_key *key,
        mpc__ot_base_receiver *st, const unsigned char msg2[MPC_OT_BASE_MSG_BYTES],
        const unsigned char sid_pair[32])
{
    mpc_hash key_prefix;
    mpc_point bp[2];
    unsigned char dh[2][MPC_POINT_BYTES];
    int r;

    MPC_ARG_CHECK(ctx, ctx != NULL && key != NULL && st != NULL && msg2 != NULL &&
            sid_pair != NULL);
    sid_prefix_init(&key_prefix, MPC_TAG_EOT_KEY, sid_pair);
    for (uint32_t k = 0; k < MPC_OT_KAPPA; k++) {
        unsigned int c = bit_at(st->choice, k);
        const unsigned char *enc = msg2 + 2 * k * MPC_POINT_BYTES;

        if ((r = mpc_point_parse(ctx, &bp[0], enc)) != MPC_OK ||
            (r = mpc_point_parse(ctx, &bp[1], enc + MPC_POINT_BYTES)) != MPC_OK) {
            r = MPC_E_ENCODING;
            goto out;
        }
        /* Both products are formed: secp256k1_ecdh treats its point as public (its table of
         * multiples is built in variable time), so the point must not be chosen by c. */
        mpc__point_mul_encode(ctx, dh[0], &bp[0], &st->t[k]);
        mpc__point_mul_encode(ctx, dh[1], &bp[1], &st->t[k]);
        bytes_cmov(dh[0], dh[1], MPC_POINT_BYTES, c);
        eot_key(key->seed[k], &key_prefix, k, c, dh[0]);
    }
    /* Delta_k = 1 - c_k. */
    for (size_t i = 0; i < sizeof(key->delta); i++)
        key->delta[i] = (unsigned char)~st->choice[i];
    r = MPC_OK;
out:
    if (r != MPC_OK)
        mpc_memclear(key, sizeof(*key));
    mpc_memclear(st, sizeof(*st));
    mpc_memclear(dh, sizeof(dh));
    mpc_memclear(&key_prefix, sizeof(key_prefix));
    return r;
}

/* ---------------------------------------------------------------------------------------------
 * Extension (k = 1).
 */

/* Working memory of one extension run; all of it SECRET. */
typedef struct {
    uint64_t row[MPC_OT_KAPPA][ROW_WORDS];   /* Bob: v_k; Alice: w_k */
    uint64_t col[MPC_OTE_XI][COL_WORDS];     /* column j of the rows, one bit per base OT */
    unsigned char prg[MPC_OTE_ROW_BYTES];
    unsigned char out[MPC_OTE_WIDTH * 32];
    mpc_hash h;
} ote_work;

/* In-place transpose of a 64 x 64 bit matrix: afterwards bit i of a[j] is the old bit j of a[i].
 * Six rounds; round s swaps the off-diagonal s x s sub-blocks of every 2s x 2s block. */
static void transpose64(uint64_t a[64])
{
    uint64_t mask = 0x00000000FFFFFFFFull;

    for (unsigned int s = 32; s != 0; s >>= 1, mask ^= mask << s) {
        for (unsigned int k = 0; k < 64; k = ((k | s) + 1) & ~s) {
            uint64_t t = ((a[k] >> s) ^ a[k | s]) & mask;

            a[k] ^= t << s;
            a[k | s] ^= t;
        }
    }
}

/* col[j] = column j of the 256 x 640 row matrix, for the 512 columns that carry OTs. */
static void transpose_rows(uint64_t col[MPC_OTE_XI][COL_WORDS],
        const uint64_t row[MPC_OT_KAPPA][ROW_WORDS])
{
    uint64_t blk[64];

    for (unsigned int w = 0; w < MPC_OTE_XI / 64; w++) {
        for (unsigned int rb = 0; rb < COL_WORDS; rb++) {
            for (unsigned int i = 0; i < 64; i++)
                blk[i] = row[64 * rb + i][w];
            transpose64(blk);
            for (unsigned int j = 0; j < 64; j++)
                col[64 * w + j][rb] = blk[j];
        }
    }
    mpc_memclear(blk, sizeof(blk));
}

/* chi_m = first 16 bytes of H("sso/chi", sid_mul, hu, be32(m)), hu = H("sso/u", sid_mul, u). */
static void derive_chi(mpc_gf128 chi[CHI_COUNT], const unsigned char *u,
        const unsigned char sid_mul[32])
{
    mpc_hash h, pre;
    unsigned char hu[32], digest[32];

    sid_prefix_init(&h, MPC_TAG_SSO_U, sid_mul);
    mpc_hash_field(&h, u, U_BYTES);
    mpc_hash_final(&h, hu);
    sid_prefix_init(&pre, MPC_TAG_SSO_CHI, sid_mul);
    mpc_hash_field(&pre, hu, sizeof(hu));
    for (uint32_t m = 0; m < CHI_COUNT; m++) {
        h = pre;
        mpc_hash_field_u32(&h, m);
        mpc_hash_final(&h, digest);
        mpc_gf128_load(&chi[m], digest);
    }
    mpc_memclear(&pre, sizeof(pre));
}

/* B_4(row) + sum_{m<4} B_m(row) * chi_m in GF(2^128). */
static void row_check(mpc_gf128 *out, const uint64_t row[ROW_WORDS], const mpc_gf128 chi[CHI_COUNT])
{
    mpc_gf128 blk, prod;

    out->lo = row[2 * CHI_COUNT];
    out->hi = row[2 * CHI_COUNT + 1];
    for (int m = 0; m < CHI_COUNT; m++) {
        blk.lo = row[2 * m];
        blk.hi = row[2 * m + 1];
        mpc_gf128_mul(&prod, &blk, &chi[m]);
        out->lo ^= prod.lo;
        out->hi ^= prod.hi;
    }
    mpc_memclear(&blk, sizeof(blk));
    mpc_memclear(&prod, sizeof(prod));
}

static void row_load(uint64_t row[ROW_WORDS], const unsigned char in[MPC_OTE_ROW_BYTES])
{
    for (int i = 0; i < ROW_WORDS; i++)
        row[i] = load64_le(in + 8 * i);
}

/* r_{k,x} = PRG("sso/leaf", sid_mul, leaf, 80) into w->prg ("sso/expand" in PROTOCOL.md; the
 * tag length is explained in hash.c); w->h is scratch. */
static void expand_leaf(ote_work *w, const mpc_hash *expand_prefix, const unsigned char leaf[32])
{
    w->h = *expand_prefix;
    mpc_hash_field(&w->h, leaf, 32);
    mpc_prg(w->prg, sizeof(w->prg), &w->h);
}

/* Payloads of OT j from a 256-bit column: PRG("sso/column-payload", sid_mul, be32(j), col, 96)
 * ("sso/rand" in PROTOCOL.md; the tag length is explained in hash.c) cut into three 32-byte
 * values, each reduced mod n. col_xor (or NULL) is XORed into the column first. */
static void column_payload(ote_work *w, mpc_scalar out[MPC_OTE_WIDTH], const mpc_hash *rand_prefix,
        uint32_t j, const unsigned char *col_xor)
{
    unsigned char colb[MPC_OT_KAPPA / 8];

    for (int i = 0; i < COL_WORDS; i++)
        store64_le(colb + 8 * i, w->col[j][i]);
    if (col_xor != NULL) {
        for (size_t i = 0; i < sizeof(colb); i++)
            colb[i] ^= col_xor[i];
    }
    w->h = *rand_prefix;
    mpc_hash_field_u32(&w->h, j);
    mpc_hash_field(&w->h, colb, sizeof(colb));
    mpc_prg(w->out, sizeof(w->out), &w->h);
    for (int i = 0; i < MPC_OTE_WIDTH; i++)
        mpc_scalar_reduce32(&out[i], w->out + 32 * i);
    mpc_memclear(colb, sizeof(colb));
}

int mpc__ote_receiver_extend(const mpc_context *ctx, unsigned char msg[MPC_OTE_MSG_BYTES],
        unsigned char beta[MPC_OTE_XI / 8], mpc_scalar gamma[MPC_OTE_XI][MPC_OTE_WIDTH],
        const mpc__ote_receiver_key *key, const unsigned char sid_mul[32])
{
    ote_work w;
    mpc_hash expand_prefix, rand_prefix;
    unsigned char xt[MPC_OTE_ROW_BYTES];
    uint64_t xt_row[ROW_WORDS], r0[ROW_WORDS];
    mpc_gf128 chi[CHI_COUNT], chk;
    int r;

    MPC_ARG_CHECK(ctx, ctx != NULL && msg != NULL && beta != NULL && gamma != NULL &&
            key != NULL && sid_mul != NULL);
    /* xt = beta || 128 random padding bits. */
    if ((r = mpc_random_bytes(ctx, xt, sizeof(xt))) != MPC_OK)
        goto out;
    memcpy(beta, xt, MPC_OTE_XI / 8);
    row_load(xt_row, xt);

    sid_prefix_init(&expand_prefix, MPC_TAG_SSO_EXPAND, sid_mul);
    for (unsigned int k = 0; k < MPC_OT_KAPPA; k++) {
        unsigned char *u = msg + k * MPC_OTE_ROW_BYTES;

        expand_leaf(&w, &expand_prefix, key->seed[k][0]);
        row_load(r0, w.prg);
        expand_leaf(&w, &expand_prefix, key->seed[k][1]);
        row_load(w.row[k], w.prg); /* v_k = r_{k,1} */
        for (int i = 0; i < ROW_WORDS; i++)
            store64_le(u + 8 * i, r0[i] ^ w.row[k][i] ^ xt_row[i]);
    }

    /* u is sent to Alice: each u_k is masked by the PRG output of the leaf she lacks. */
    mpc__declassify(ctx, msg, U_BYTES);
    derive_chi(chi, msg, sid_mul);
    row_check(&chk, xt_row, chi);
    mpc_gf128_store(msg + XCHK_OFFSET, &chk);
    for (unsigned int k = 0; k < MPC_OT_KAPPA; k++) {
        row_check(&chk, w.row[k], chi);
        mpc_gf128_store(msg + TCHK_OFFSET + 16 * k, &chk);
    }
    /* xchk and tchk are sent too: their combinations are masked by the 128 padding bits. */
    mpc__declassify(ctx, msg + XCHK_OFFSET, MPC_OTE_MSG_BYTES - XCHK_OFFSET);

    transpose_rows(w.col, (const uint64_t(*)[ROW_WORDS])w.row);
    sid_prefix_init(&rand_prefix, MPC_TAG_SSO_RAND, sid_mul);
    for (uint32_t j = 0; j < MPC_OTE_XI; j++)
        column_payload(&w, gamma[j], &rand_prefix, j, NULL);
    r = MPC_OK;
out:
    if (r != MPC_OK) {
        mpc_memclear(msg, MPC_OTE_MSG_BYTES);
        mpc_memclear(beta, MPC_OTE_XI / 8);
        mpc_memclear(gamma, sizeof(mpc_scalar) * MPC_OTE_XI * MPC_OTE_WIDTH);
    }
    mpc_memclear(&w, sizeof(w));
    mpc_memclear(&expand_prefix, sizeof(expand_prefix));
    mpc_memclear(&rand_prefix, sizeof(rand_prefix));
    mpc_memclear(xt, sizeof(xt));
    mpc_memclear(xt_row, sizeof(xt_row));
    mpc_memclear(r0, sizeof(r0));
    mpc_memclear(&chk, sizeof(chk));
    return r;
}

int mpc__ote_sender_extend(const mpc_context *ctx, mpc_scalar alpha0[MPC_OTE_XI][MPC_OTE_WIDTH],
        mpc_scalar alpha1[MPC_OTE_XI][MPC_OTE_WIDTH], const mpc__ote_sender_key *key,
        const unsigned char msg[MPC_OTE_MSG_BYTES], const unsigned char sid_mul[32])
{
    ote_work w;
    mpc_hash expand_prefix, rand_prefix;
    mpc_gf128 chi[CHI_COUNT], xchk, q, t;
    mpc_scalar zero;
    uint64_t u_row[ROW_WORDS], diff = 0;
    unsigned int bad;
    int r;

    MPC_ARG_CHECK(ctx, ctx != NULL && alpha0 != NULL && alpha1 != NULL && key != NULL &&
            msg != NULL && sid_mul != NULL);
    derive_chi(chi, msg, sid_mul);
    mpc_gf128_load(&xchk, msg + XCHK_OFFSET);
    sid_prefix_init(&expand_prefix, MPC_TAG_SSO_EXPAND, sid_mul);
    for (unsigned int k = 0; k < MPC_OT_KAPPA; k++) {
        uint64_t dmask = 0 - (uint64_t)bit_at(key->delta, k);

        /* w_k = r_{k,c_k} + Delta_k * u_k = v_k + Delta_k * xt. */
        expand_leaf(&w, &expand_prefix, key->seed[k]);
        row_load(w.row[k], w.prg);
        row_load(u_row, msg + k * MPC_OTE_ROW_BYTES);
        for (int i = 0; i < ROW_WORDS; i++)
            w.row[k][i] ^= dmask & u_row[i];

        /* q_k == tchk_k + Delta_k * xchk, folded into diff and decided once below. */
        row_check(&q, w.row[k], chi);
        mpc_gf128_load(&t, msg + TCHK_OFFSET + 16 * k);
        diff |= q.lo ^ t.lo ^ (dmask & xchk.lo);
        diff |= q.hi ^ t.hi ^ (dmask & xchk.hi);
    }
    /* The outputs are computed whatever the verdict and wiped by mask if the check failed, so no
     * branch depends on it here: the verdict becomes public only through the return value,
     * which the caller announces as a ban. */
    bad = (unsigned int)((diff | (0 - diff)) >> 63);
    transpose_rows(w.col, (const uint64_t(*)[ROW_WORDS])w.row);
    sid_prefix_init(&rand_prefix, MPC_TAG_SSO_RAND, sid_mul);
    mpc_scalar_set_u32(&zero, 0);
    for (uint32_t j = 0; j < MPC_OTE_XI; j++) {
        column_payload(&w, alpha0[j], &rand_prefix, j, NULL);
        column_payload(&w, alpha1[j], &rand_prefix, j, key->delta);
        for (int i = 0; i < MPC_OTE_WIDTH; i++) {
            mpc_scalar_cmov(&alpha0[j][i], &zero, (int)bad);
            mpc_scalar_cmov(&alpha1[j][i], &zero, (int)bad);
        }
    }
    r = MPC_E_BAN * (int)bad;
    mpc_memclear(&w, sizeof(w));
    mpc_memclear(&expand_prefix, sizeof(expand_prefix));
    mpc_memclear(&rand_prefix, sizeof(rand_prefix));
    mpc_memclear(&q, sizeof(q));
    mpc_memclear(&t, sizeof(t));
    mpc_memclear(&diff, sizeof(diff));
    mpc_memclear(&bad, sizeof(bad));
    return r;
}
