/*
 * Base OT (PROTOCOL.md 4.1) and the k = 1 OT extension (4.4/4.5).
 * Expected values are recomputed here from the spec formulas with the hash/point/GF(2^128) APIs
 * (never taken from ot.c), and a cheating Bob is implemented here on top of those formulas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <secp256k1.h>

#include "mpc/gf128.h"
#include "mpc/hash.h"
#include "mpc/point.h"
#include "ot.h"
#include "ot_fixture.h"
#include "test_rng.h"

#define KAPPA MPC_OT_KAPPA
#define ROW MPC_OTE_ROW_BYTES
#define XI MPC_OTE_XI
#define W MPC_OTE_WIDTH
#define XCHK_OFF (KAPPA * ROW)
#define TCHK_OFF (KAPPA * ROW + 16)

typedef struct {
    test_rng rng;
    mpc_context *ctx;
    unsigned char sid_pair[32];
    mpc__ote_sender_key alice;
    mpc__ote_receiver_key bob;
    /* scratch for the extension tests */
    unsigned char msg[MPC_OTE_MSG_BYTES];
    unsigned char beta[XI / 8];
    mpc_scalar gamma[XI][W];
    mpc_scalar alpha0[XI][W];
    mpc_scalar alpha1[XI][W];
    unsigned char v[KAPPA][ROW];
    unsigned char xt[ROW];
} fixture;

static unsigned int bit_of(const unsigned char *a, size_t i)
{
    return (a[i >> 3] >> (i & 7)) & 1u;
}

static int all_zero(const void *p, size_t len)
{
    const unsigned char *b = p;
    unsigned char acc = 0;

    for (size_t i = 0; i < len; i++)
        acc |= b[i];
    return acc == 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    test_rng_init(&f->rng, 0x0715);
    f->ctx = test_context(&f->rng);
    test_rng_bytes(&f->rng, f->sid_pair, sizeof(f->sid_pair));
    if (ot_fixture_base_ot(f->ctx, &f->alice, &f->bob, f->sid_pair) != MPC_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    mpc_context_destroy(f->ctx);
    free(f);
    return 0;
}

/* ---- spec formulas, written out independently of ot.c ---- */

static void spec_h2c(const mpc_context *ctx, mpc_point *out, const unsigned char sid[32],
        uint32_t k, uint32_t bit, const unsigned char enc[33])
{
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_EOT_H);
    mpc_hash_field(&h, sid, 32);
    mpc_hash_field_u32(&h, k);
    mpc_hash_field_u32(&h, bit);
    mpc_hash_field(&h, enc, 33);
    mpc_hash_to_curve_var(ctx, out, &h);
}

/* r_{k,x} = PRG("sso/expand", sid_mul, leaf, 80) */
static void spec_expand(unsigned char out[ROW], const unsigned char sid_mul[32],
        const unsigned char leaf[32])
{
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_SSO_EXPAND);
    mpc_hash_field(&h, sid_mul, 32);
    mpc_hash_field(&h, leaf, 32);
    mpc_prg(out, ROW, &h);
}

static void spec_chi(mpc_gf128 chi[4], const unsigned char *msg, const unsigned char sid_mul[32])
{
    mpc_hash h;
    unsigned char hu[32], d[32];

    mpc_hash_init(&h, MPC_TAG_SSO_U);
    mpc_hash_field(&h, sid_mul, 32);
    mpc_hash_field(&h, msg, KAPPA * ROW);
    mpc_hash_final(&h, hu);
    for (uint32_t m = 0; m < 4; m++) {
        mpc_hash_init(&h, MPC_TAG_SSO_CHI);
        mpc_hash_field(&h, sid_mul, 32);
        mpc_hash_field(&h, hu, 32);
        mpc_hash_field_u32(&h, m);
        mpc_hash_final(&h, d);
        mpc_gf128_load(&chi[m], d);
    }
}

/* B_4(row) + sum_{m<4} B_m(row) * chi_m */
static void spec_row_check(unsigned char out[16], const unsigned char row[ROW],
        const mpc_gf128 chi[4])
{
    mpc_gf128 acc, b, p;

    mpc_gf128_load(&acc, row + 64);
    for (int m = 0; m < 4; m++) {
        mpc_gf128_load(&b, row + 16 * m);
        mpc_gf128_mul(&p, &b, &chi[m]);
        acc.lo ^= p.lo;
        acc.hi ^= p.hi;
    }
    mpc_gf128_store(out, &acc);
}

/* What Bob sends after u: xchk and tchk computed from his rows v, xt and the chi of msg's u. */
static void spec_reseal(unsigned char *msg, const unsigned char sid_mul[32],
        const unsigned char v[KAPPA][ROW], const unsigned char xt[ROW])
{
    mpc_gf128 chi[4];

    spec_chi(chi, msg, sid_mul);
    spec_row_check(msg + XCHK_OFF, xt, chi);
    for (int k = 0; k < KAPPA; k++)
        spec_row_check(msg + TCHK_OFF + 16 * k, v[k], chi);
}

/* Bob's secret rows v_k = r_{k,1} and xt = u_0 + r_{0,0} + r_{0,1}; asserts that every u_k
 * carries the same xt. */
static void spec_bob_rows(unsigned char v[KAPPA][ROW], unsigned char xt[ROW],
        const mpc__ote_receiver_key *key, const unsigned char *msg, const unsigned char sid_mul[32])
{
    unsigned char r0[ROW], x[ROW];

    for (int k = 0; k < KAPPA; k++) {
        spec_expand(r0, sid_mul, key->seed[k][0]);
        spec_expand(v[k], sid_mul, key->seed[k][1]);
        for (int i = 0; i < ROW; i++)
            x[i] = msg[k * ROW + i] ^ r0[i] ^ v[k][i];
        if (k == 0)
            memcpy(xt, x, ROW);
        else
            assert_memory_equal(x, xt, ROW);
    }
}

/* Payloads PRG("sso/rand", sid_mul, be32(j), col, 96) reduced mod n. */
static void spec_payload(mpc_scalar out[W], const unsigned char sid_mul[32], uint32_t j,
        const unsigned char col[32])
{
    mpc_hash h;
    unsigned char buf[96];

    mpc_hash_init(&h, MPC_TAG_SSO_RAND);
    mpc_hash_field(&h, sid_mul, 32);
    mpc_hash_field_u32(&h, j);
    mpc_hash_field(&h, col, 32);
    mpc_prg(buf, sizeof(buf), &h);
    for (int i = 0; i < W; i++)
        mpc_scalar_reduce32(&out[i], buf + 32 * i);
}

/* Column j of a 256-row matrix, bit by bit. */
static void spec_column(unsigned char col[32], const unsigned char rows[KAPPA][ROW], size_t j)
{
    memset(col, 0, 32);
    for (size_t r = 0; r < KAPPA; r++)
        col[r >> 3] |= (unsigned char)(bit_of(rows[r], j) << (r & 7));
}

/* ---- base OT ---- */

static void test_base_ot_keys(void **state)
{
    fixture *f = *state;
    int ones = 0;

    for (int k = 0; k < KAPPA; k++) {
        unsigned int c = 1u - bit_of(f->alice.delta, (size_t)k);

        ones += (int)bit_of(f->alice.delta, (size_t)k);
        assert_memory_equal(f->alice.seed[k], f->bob.seed[k][c], 32);
        assert_memory_not_equal(f->alice.seed[k], f->bob.seed[k][1 - c], 32);
    }
    /* Delta comes from random choice bits: both values occur. */
    assert_true(ones > 64 && ones < 192);
}

/* msg1 entry k: R_{c} + H2C(c, enc(R_{1-c})) == tA_k * G and the other combination is not. */
static void test_base_ot_msg1_formula(void **state)
{
    fixture *f = *state;
    static unsigned char msg1[MPC_OT_BASE_MSG_BYTES];
    mpc__ot_base_receiver *st = malloc(sizeof(*st));
    mpc_point rp[2], hp, m, t;

    assert_non_null(st);
    assert_int_equal(mpc__ot_base_receiver_start(f->ctx, st, msg1, f->sid_pair), MPC_OK);
    for (uint32_t k = 0; k < KAPPA; k++) {
        const unsigned char *enc = msg1 + 66 * k;

        assert_int_equal(mpc_point_parse(f->ctx, &rp[0], enc), MPC_OK);
        assert_int_equal(mpc_point_parse(f->ctx, &rp[1], enc + 33), MPC_OK);
        mpc_point_base_mul(f->ctx, &t, &st->t[k]);
        for (uint32_t b = 0; b < 2; b++) {
            spec_h2c(f->ctx, &hp, f->sid_pair, k, b, enc + 33 * (1 - b));
            mpc_point_add_var(f->ctx, &m, &rp[b], &hp);
            assert_int_equal(mpc_point_eq(f->ctx, &m, &t), b == bit_of(st->choice, k));
        }
    }
    free(st);
}

/* Byte strings that must not parse as a 33-byte point. */
typedef enum {
    BAD_IDENTITY,   /* 33 zero bytes: how the identity would look */
    BAD_PREFIX_04,  /* uncompressed-form prefix with a valid x */
    BAD_PREFIX_05,
    BAD_X_EQ_P,     /* x = p */
    BAD_X_MAX,      /* x = 2^256 - 1 */
    BAD_NOT_ON_CURVE,
    BAD_COUNT
} bad_kind;

static void make_bad_point(unsigned char out[33], const unsigned char valid[33], bad_kind kind)
{
    static const unsigned char p[32] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF,
        0xFC, 0x2F};

    memcpy(out, valid, 33);
    switch (kind) {
    case BAD_IDENTITY:
        memset(out, 0, 33);
        break;
    case BAD_PREFIX_04:
        out[0] = 0x04;
        break;
    case BAD_PREFIX_05:
        out[0] = 0x05;
        break;
    case BAD_X_EQ_P:
        out[0] = 0x02;
        memcpy(out + 1, p, 32);
        break;
    case BAD_X_MAX:
        out[0] = 0x03;
        memset(out + 1, 0xFF, 32);
        break;
    case BAD_NOT_ON_CURVE: {
        /* libsecp256k1 itself decides which x has no point. */
        secp256k1_context *sc = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        secp256k1_pubkey pk;

        out[0] = 0x02;
        while (secp256k1_ec_pubkey_parse(sc, &pk, out, 33))
            out[32]++;
        secp256k1_context_destroy(sc);
        break;
    }
    case BAD_COUNT:
        fail();
    }
}

static void test_base_ot_rejects_bad_msg1(void **state)
{
    fixture *f = *state;
    static unsigned char msg1[MPC_OT_BASE_MSG_BYTES], bad[MPC_OT_BASE_MSG_BYTES];
    static unsigned char msg2[MPC_OT_BASE_MSG_BYTES];
    static const size_t where[] = {0, 1, 2 * 77 + 1, 2 * 255};
    mpc__ot_base_receiver *st = malloc(sizeof(*st));
    mpc__ote_receiver_key *key = malloc(sizeof(*key));
    mpc_point r1, hp, neg;

    assert_non_null(st);
    assert_non_null(key);
    assert_int_equal(mpc__ot_base_receiver_start(f->ctx, st, msg1, f->sid_pair), MPC_OK);
    for (int kind = 0; kind < BAD_COUNT; kind++) {
        for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
            memcpy(bad, msg1, sizeof(bad));
            make_bad_point(bad + 33 * where[w], msg1 + 33 * where[w], (bad_kind)kind);
            memset(msg2, 0xAA, sizeof(msg2));
            assert_int_equal(mpc__ot_base_sender_respond(f->ctx, key, msg2, bad, f->sid_pair),
                    MPC_E_ENCODING);
            assert_true(all_zero(key, sizeof(*key)));
            assert_true(all_zero(msg2, sizeof(msg2)));
        }
    }
    /* Valid points whose M_0 = R_0 + H2C(0, enc(R_1)) is the identity. */
    memcpy(bad, msg1, sizeof(bad));
    assert_int_equal(mpc_point_parse(f->ctx, &r1, bad + 33 * (2 * 9 + 1)), MPC_OK);
    spec_h2c(f->ctx, &hp, f->sid_pair, 9, 0, bad + 33 * (2 * 9 + 1));
    mpc_point_neg_var(f->ctx, &neg, &hp);
    assert_int_equal(mpc_point_serialize(f->ctx, bad + 33 * (2 * 9), &neg), MPC_OK);
    assert_int_equal(mpc__ot_base_sender_respond(f->ctx, key, msg2, bad, f->sid_pair),
            MPC_E_ENCODING);
    assert_true(all_zero(key, sizeof(*key)));
    /* The untouched message still works. */
    assert_int_equal(mpc__ot_base_sender_respond(f->ctx, key, msg2, msg1, f->sid_pair), MPC_OK);
    free(st);
    free(key);
}

static void test_base_ot_rejects_bad_msg2(void **state)
{
    fixture *f = *state;
    static unsigned char msg1[MPC_OT_BASE_MSG_BYTES], msg2[MPC_OT_BASE_MSG_BYTES];
    static unsigned char bad[MPC_OT_BASE_MSG_BYTES];
    static const size_t where[] = {0, 3, 2 * 200, 2 * 255 + 1};
    mpc__ot_base_receiver *st = malloc(sizeof(*st)), *copy = malloc(sizeof(*copy));
    mpc__ote_receiver_key *bkey = malloc(sizeof(*bkey));
    mpc__ote_sender_key *akey = malloc(sizeof(*akey));

    assert_non_null(st);
    assert_non_null(copy);
    assert_non_null(bkey);
    assert_non_null(akey);
    assert_int_equal(mpc__ot_base_receiver_start(f->ctx, st, msg1, f->sid_pair), MPC_OK);
    assert_int_equal(mpc__ot_base_sender_respond(f->ctx, bkey, msg2, msg1, f->sid_pair), MPC_OK);
    for (int kind = 0; kind < BAD_COUNT; kind++) {
        for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
            memcpy(bad, msg2, sizeof(bad));
            make_bad_point(bad + 33 * where[w], msg2 + 33 * where[w], (bad_kind)kind);
            memcpy(copy, st, sizeof(*st));
            memset(akey, 0xAA, sizeof(*akey));
            assert_int_equal(mpc__ot_base_receiver_finish(f->ctx, akey, copy, bad, f->sid_pair),
                    MPC_E_ENCODING);
            assert_true(all_zero(akey, sizeof(*akey)));
            assert_true(all_zero(copy, sizeof(*copy)));
        }
    }
    assert_int_equal(mpc__ot_base_receiver_finish(f->ctx, akey, st, msg2, f->sid_pair), MPC_OK);
    assert_true(all_zero(st, sizeof(*st)));
    for (int k = 0; k < KAPPA; k++)
        assert_memory_equal(akey->seed[k], bkey->seed[k][1 - bit_of(akey->delta, (size_t)k)], 32);
    free(st);
    free(copy);
    free(bkey);
    free(akey);
}

/* ---- extension ---- */

static void run_extension(fixture *f, const unsigned char sid_mul[32])
{
    assert_int_equal(mpc__ote_receiver_extend(f->ctx, f->msg, f->beta, f->gamma, &f->bob, sid_mul),
            MPC_OK);
}

static void test_ote_honest(void **state)
{
    fixture *f = *state;
    unsigned char sid_mul[32];

    for (int session = 0; session < 3; session++) {
        int ones = 0;

        test_rng_bytes(&f->rng, sid_mul, sizeof(sid_mul));
        run_extension(f, sid_mul);
        assert_int_equal(mpc__ote_sender_extend(f->ctx, f->alpha0, f->alpha1, &f->alice, f->msg,
                                 sid_mul), MPC_OK);
        for (size_t j = 0; j < XI; j++) {
            unsigned int b = bit_of(f->beta, j);

            ones += (int)b;
            for (int i = 0; i < W; i++) {
                const mpc_scalar *chosen = b ? &f->alpha1[j][i] : &f->alpha0[j][i];

                assert_true(mpc_scalar_eq(&f->gamma[j][i], chosen));
                assert_false(mpc_scalar_eq(&f->alpha0[j][i], &f->alpha1[j][i]));
            }
        }
        assert_true(ones > 128 && ones < 384);
    }
}

/* Every byte Bob sends and every output of both sides, recomputed from the spec formulas. */
static void test_ote_matches_spec(void **state)
{
    fixture *f = *state;
    static unsigned char resealed[MPC_OTE_MSG_BYTES];
    static unsigned char w[KAPPA][ROW];
    unsigned char sid_mul[32], col[32], rc[ROW];
    mpc_scalar expect[W];

    test_rng_bytes(&f->rng, sid_mul, sizeof(sid_mul));
    run_extension(f, sid_mul);
    spec_bob_rows(f->v, f->xt, &f->bob, f->msg, sid_mul);
    assert_memory_equal(f->xt, f->beta, XI / 8); /* xt = beta || pad */
    memcpy(resealed, f->msg, sizeof(resealed));
    spec_reseal(resealed, sid_mul, (const unsigned char(*)[ROW])f->v, f->xt);
    assert_memory_equal(resealed, f->msg, sizeof(resealed));
    assert_int_equal(mpc__ote_sender_extend(f->ctx, f->alpha0, f->alpha1, &f->alice, f->msg,
                             sid_mul), MPC_OK);

    /* Alice's rows w_k = r_{k,c_k} + Delta_k * u_k = v_k + Delta_k * xt. */
    for (int k = 0; k < KAPPA; k++) {
        unsigned int d = bit_of(f->alice.delta, (size_t)k);

        spec_expand(rc, sid_mul, f->alice.seed[k]);
        for (int i = 0; i < ROW; i++) {
            w[k][i] = (unsigned char)(rc[i] ^ (d ? f->msg[k * ROW + i] : 0));
            assert_int_equal(w[k][i], f->v[k][i] ^ (d ? f->xt[i] : 0));
        }
    }
    for (uint32_t j = 0; j < XI; j++) {
        spec_column(col, (const unsigned char(*)[ROW])f->v, j);
        spec_payload(expect, sid_mul, j, col);
        for (int i = 0; i < W; i++)
            assert_true(mpc_scalar_eq(&expect[i], &f->gamma[j][i]));
        spec_column(col, (const unsigned char(*)[ROW])w, j);
        spec_payload(expect, sid_mul, j, col);
        for (int i = 0; i < W; i++)
            assert_true(mpc_scalar_eq(&expect[i], &f->alpha0[j][i]));
        for (int i = 0; i < 32; i++)
            col[i] ^= f->alice.delta[i];
        spec_payload(expect, sid_mul, j, col);
        for (int i = 0; i < W; i++)
            assert_true(mpc_scalar_eq(&expect[i], &f->alpha1[j][i]));
    }
}

static void expect_ban(fixture *f, const unsigned char *msg, const unsigned char sid_mul[32])
{
    assert_int_equal(mpc__ote_sender_extend(f->ctx, f->alpha0, f->alpha1, &f->alice, msg, sid_mul),
            MPC_E_BAN);
    assert_true(all_zero(f->alpha0, sizeof(f->alpha0)));
    assert_true(all_zero(f->alpha1, sizeof(f->alpha1)));
}

static void test_ote_cheating_bob_bit_flips(void **state)
{
    fixture *f = *state;
    static unsigned char bad[MPC_OTE_MSG_BYTES];
    /* Bit positions in the message: u (beta columns, a padding column, first/last rows),
     * xchk, and single tchk rows. */
    static const size_t flips[] = {
        0, 8 * (17 * ROW) + 300, 8 * (128 * ROW) + 511, 8 * (64 * ROW) + 512,
        8 * (255 * ROW) + 639, 8 * XCHK_OFF, 8 * XCHK_OFF + 127, 8 * TCHK_OFF + 5,
        8 * (TCHK_OFF + 16 * 200) + 77, 8 * (TCHK_OFF + 16 * 255) + 127};
    unsigned char sid_mul[32];

    test_rng_bytes(&f->rng, sid_mul, sizeof(sid_mul));
    run_extension(f, sid_mul);
    for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        memcpy(bad, f->msg, sizeof(bad));
        bad[flips[i] >> 3] ^= (unsigned char)(1u << (flips[i] & 7));
        expect_ban(f, bad, sid_mul);
    }
    /* A different session id invalidates the whole check too. */
    sid_mul[0] ^= 1;
    expect_ban(f, f->msg, sid_mul);
    sid_mul[0] ^= 1;
    assert_int_equal(mpc__ote_sender_extend(f->ctx, f->alpha0, f->alpha1, &f->alice, f->msg,
                             sid_mul), MPC_OK);
}

/*
 * Why a failed check must ban Bob. Bob adds a one-bit error e to u_k only, then computes xchk and
 * tchk honestly for the new chi. Alice's row becomes w_k + Delta_k * e, so her check passes iff
 * Delta_k = 0; with tchk_k also shifted by check(e), it passes iff Delta_k = 1. Each session leaks
 * one bit of Alice's long-term Delta. The test plays that attacker over 256 sessions (fresh sid_mul
 * each), asserts every outcome equals the predicted function of Delta_k, recovers all of Delta,
 * and then computes both of Alice's payloads alpha0, alpha1 of a later honest session, which is
 * everything her RVOLE inputs are masked with.
 */
static void test_ote_selective_failure_reveals_delta(void **state)
{
    fixture *f = *state;
    static unsigned char bad[MPC_OTE_MSG_BYTES];
    unsigned char sid_mul[32], e_row[ROW], ce[16], learned[KAPPA / 8] = {0}, col[32];
    mpc_gf128 chi[4];
    mpc_scalar stolen[W];
    int passed = 0, banned = 0;

    for (uint32_t k = 0; k < KAPPA; k++) {
        size_t column = (101u * k) % (8u * ROW);
        int compensate = (int)(k & 1u), r;

        test_rng_bytes(&f->rng, sid_mul, sizeof(sid_mul));
        run_extension(f, sid_mul);
        spec_bob_rows(f->v, f->xt, &f->bob, f->msg, sid_mul);

        memcpy(bad, f->msg, sizeof(bad));
        bad[k * ROW + (column >> 3)] ^= (unsigned char)(1u << (column & 7));
        spec_reseal(bad, sid_mul, (const unsigned char(*)[ROW])f->v, f->xt);
        if (compensate) {
            memset(e_row, 0, sizeof(e_row));
            e_row[column >> 3] = (unsigned char)(1u << (column & 7));
            spec_chi(chi, bad, sid_mul);
            spec_row_check(ce, e_row, chi);
            for (int i = 0; i < 16; i++)
                bad[TCHK_OFF + 16 * k + (size_t)i] ^= ce[i];
        }
        r = mpc__ote_sender_extend(f->ctx, f->alpha0, f->alpha1, &f->alice, bad, sid_mul);
        assert_true(r == MPC_OK || r == MPC_E_BAN);
        passed += r == MPC_OK;
        banned += r == MPC_E_BAN;
        /* Bob's inference from the public outcome alone. */
        assert_int_equal((unsigned int)((r == MPC_OK) == compensate), bit_of(f->alice.delta, k));
        learned[k >> 3] |= (unsigned char)(((r == MPC_OK) == compensate) << (k & 7));
    }
    assert_true(passed > 0 && banned > 0);
    assert_memory_equal(learned, f->alice.delta, sizeof(learned));

    /* With Delta, Alice's column is Bob's column + beta_j * Delta: both payloads are known. */
    test_rng_bytes(&f->rng, sid_mul, sizeof(sid_mul));
    run_extension(f, sid_mul);
    assert_int_equal(mpc__ote_sender_extend(f->ctx, f->alpha0, f->alpha1, &f->alice, f->msg,
                             sid_mul), MPC_OK);
    spec_bob_rows(f->v, f->xt, &f->bob, f->msg, sid_mul);
    for (uint32_t j = 0; j < XI; j += 37) {
        unsigned int b = bit_of(f->beta, j);

        spec_column(col, (const unsigned char(*)[ROW])f->v, j);
        for (int i = 0; i < 32; i++)
            col[i] ^= (unsigned char)(b ? learned[i] : 0); /* Alice's column */
        spec_payload(stolen, sid_mul, j, col);
        for (int i = 0; i < W; i++)
            assert_true(mpc_scalar_eq(&stolen[i], &f->alpha0[j][i]));
        for (int i = 0; i < 32; i++)
            col[i] ^= learned[i];
        spec_payload(stolen, sid_mul, j, col);
        for (int i = 0; i < W; i++)
            assert_true(mpc_scalar_eq(&stolen[i], &f->alpha1[j][i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_ot_keys),
        cmocka_unit_test(test_base_ot_msg1_formula),
        cmocka_unit_test(test_base_ot_rejects_bad_msg1),
        cmocka_unit_test(test_base_ot_rejects_bad_msg2),
        cmocka_unit_test(test_ote_honest),
        cmocka_unit_test(test_ote_matches_spec),
        cmocka_unit_test(test_ote_cheating_bob_bit_flips),
        cmocka_unit_test(test_ote_selective_failure_reveals_delta),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
