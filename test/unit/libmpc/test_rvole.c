/*
 * RVOLE, PROTOCOL.md 4.6: the correlation c_i + d_i = a_i * b, b = <g, beta> with g recomputed
 * here from the hash API, a cheating Alice caught by the mu check, strict parsing, and an Alice
 * whose OT-extension check fails; and a known-answer run against gen_rvole_vectors.py, an
 * independent Python model of the extension and the RVOLE.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "mpc/hash.h"
#include "ot_fixture.h"
#include "rvole.h"
#include "rvole_vectors.h"
#include "test_rng.h"

#define XI MPC_OTE_XI
#define W MPC_OTE_WIDTH
#define ETA_OFF (XI * W * 32)
#define MU_OFF (XI * W * 32 + 32)

typedef struct {
    test_rng rng;
    mpc_context *ctx;
    mpc__ote_sender_key alice;
    mpc__ote_receiver_key bob;
    mpc__rvole_bob st, st_copy;
    unsigned char ote_msg[MPC_OTE_MSG_BYTES];
    unsigned char msg[MPC_RVOLE_MSG_BYTES];
    unsigned char bad[MPC_RVOLE_MSG_BYTES];
} fixture;

static const unsigned char order_n[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
    0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41};

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
    unsigned char sid_pair[32];

    if (f == NULL)
        return -1;
    test_rng_init(&f->rng, 0x4f1e);
    f->ctx = test_context(&f->rng);
    test_rng_bytes(&f->rng, sid_pair, sizeof(sid_pair));
    if (ot_fixture_base_ot(f->ctx, &f->alice, &f->bob, sid_pair) != MPC_OK)
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

static void random_scalar(fixture *f, mpc_scalar *s)
{
    unsigned char b[32];

    test_rng_bytes(&f->rng, b, sizeof(b));
    mpc_scalar_reduce32(s, b);
}

/* b = sum_j beta_j * H_s("rvole/gadget", sid_mul, be32(j)), written out from the spec. */
static void spec_b(mpc_scalar *b, const unsigned char beta[XI / 8], const unsigned char sid_mul[32])
{
    mpc_hash h;
    mpc_scalar g;

    mpc_scalar_set_u32(b, 0);
    for (uint32_t j = 0; j < XI; j++) {
        mpc_hash_init(&h, MPC_TAG_RVOLE_GADGET);
        mpc_hash_field(&h, sid_mul, 32);
        mpc_hash_field_u32(&h, j);
        mpc_hash_final_scalar(&h, &g);
        if ((beta[j >> 3] >> (j & 7)) & 1)
            mpc_scalar_add(b, b, &g);
    }
}

/* One honest pair; checks b against the spec and the correlation c_i + d_i = a_i * b. */
static void run_pair(fixture *f, const mpc_scalar a[2], const unsigned char sid_mul[32])
{
    mpc_scalar b, c[2], d[2], expect_b, ab, sum;

    assert_int_equal(mpc__rvole_bob_start(f->ctx, &f->st, &b, f->ote_msg, &f->bob, sid_mul),
            MPC_OK);
    spec_b(&expect_b, f->st.beta, sid_mul);
    assert_true(mpc_scalar_eq(&b, &expect_b));
    assert_int_equal(mpc__rvole_alice(f->ctx, c, f->msg, a, &f->alice, f->ote_msg, sid_mul),
            MPC_OK);
    assert_int_equal(mpc__rvole_bob_finish(f->ctx, d, &f->st, f->msg, sid_mul), MPC_OK);
    assert_true(all_zero(&f->st, sizeof(f->st)));
    for (int i = 0; i < 2; i++) {
        mpc_scalar_mul(&ab, &a[i], &b);
        mpc_scalar_add(&sum, &c[i], &d[i]);
        assert_true(mpc_scalar_eq(&sum, &ab));
    }
}

static void test_rvole_honest(void **state)
{
    fixture *f = *state;
    unsigned char sid_mul[32];
    mpc_scalar a[2];

    for (int session = 0; session < 4; session++) {
        test_rng_bytes(&f->rng, sid_mul, sizeof(sid_mul));
        random_scalar(f, &a[0]);
        random_scalar(f, &a[1]);
        if (session == 3) {
            /* edge inputs: 0 and n - 1 */
            mpc_scalar_set_u32(&a[0], 0);
            mpc_scalar_set_u32(&a[1], 1);
            mpc_scalar_neg(&a[1], &a[1]);
        }
        run_pair(f, a, sid_mul);
    }
}

/* Bob's start, Alice's reply; leaves a copy of Bob's state for replays of round 2. */
static void start_session(fixture *f, unsigned char sid_mul[32])
{
    mpc_scalar a[2], b, c[2];

    test_rng_bytes(&f->rng, sid_mul, 32);
    random_scalar(f, &a[0]);
    random_scalar(f, &a[1]);
    assert_int_equal(mpc__rvole_bob_start(f->ctx, &f->st, &b, f->ote_msg, &f->bob, sid_mul),
            MPC_OK);
    assert_int_equal(mpc__rvole_alice(f->ctx, c, f->msg, a, &f->alice, f->ote_msg, sid_mul),
            MPC_OK);
    f->st_copy = f->st;
}

static void expect_finish(fixture *f, const unsigned char *msg, const unsigned char sid_mul[32],
        int expected)
{
    mpc_scalar d[2];

    memset(d, 0xAA, sizeof(d));
    f->st = f->st_copy;
    assert_int_equal(mpc__rvole_bob_finish(f->ctx, d, &f->st, msg, sid_mul), expected);
    assert_true(all_zero(&f->st, sizeof(f->st)));
    if (expected != MPC_OK)
        assert_true(all_zero(d, sizeof(d)));
}

/* Adds 1 mod n to the canonical scalar at off (stays canonical). */
static void bump_scalar(unsigned char *msg, size_t off)
{
    mpc_scalar s, one;

    assert_int_equal(mpc_scalar_parse(&s, msg + off), MPC_OK);
    mpc_scalar_set_u32(&one, 1);
    mpc_scalar_add(&s, &s, &one);
    mpc_scalar_serialize(msg + off, &s);
}

static void test_rvole_cheating_alice(void **state)
{
    fixture *f = *state;
    unsigned char sid_mul[32];
    /* atil entries (j, i) at the first, a middle and the last OT, every payload column */
    static const size_t atil[][2] = {{0, 0}, {0, 2}, {255, 1}, {300, 2}, {511, 0}, {511, 2}};

    start_session(f, sid_mul);
    for (size_t t = 0; t < sizeof(atil) / sizeof(atil[0]); t++) {
        memcpy(f->bad, f->msg, sizeof(f->bad));
        bump_scalar(f->bad, (atil[t][0] * W + atil[t][1]) * 32);
        expect_finish(f, f->bad, sid_mul, MPC_E_BAN);
    }
    memcpy(f->bad, f->msg, sizeof(f->bad));
    bump_scalar(f->bad, ETA_OFF);
    expect_finish(f, f->bad, sid_mul, MPC_E_BAN);
    for (size_t bit = 0; bit < 256; bit += 85) {
        memcpy(f->bad, f->msg, sizeof(f->bad));
        f->bad[MU_OFF + bit / 8] ^= (unsigned char)(1u << (bit & 7));
        expect_finish(f, f->bad, sid_mul, MPC_E_BAN);
    }
    /* Right message, wrong session. */
    sid_mul[31] ^= 0x80;
    expect_finish(f, f->msg, sid_mul, MPC_E_BAN);
    sid_mul[31] ^= 0x80;
    expect_finish(f, f->msg, sid_mul, MPC_OK);
}

static void test_rvole_rejects_noncanonical(void **state)
{
    fixture *f = *state;
    unsigned char sid_mul[32];
    static const size_t offsets[] = {0, 32 * 7, ETA_OFF - 32, ETA_OFF};

    start_session(f, sid_mul);
    for (size_t t = 0; t < sizeof(offsets) / sizeof(offsets[0]); t++) {
        memcpy(f->bad, f->msg, sizeof(f->bad));
        memcpy(f->bad + offsets[t], order_n, 32); /* exactly n */
        expect_finish(f, f->bad, sid_mul, MPC_E_ENCODING);
        memset(f->bad + offsets[t], 0xFF, 32);    /* 2^256 - 1 */
        expect_finish(f, f->bad, sid_mul, MPC_E_ENCODING);
    }
}

static void test_rvole_alice_rejects_cheating_bob(void **state)
{
    fixture *f = *state;
    unsigned char sid_mul[32];
    mpc_scalar a[2], b, c[2];

    test_rng_bytes(&f->rng, sid_mul, sizeof(sid_mul));
    random_scalar(f, &a[0]);
    random_scalar(f, &a[1]);
    assert_int_equal(mpc__rvole_bob_start(f->ctx, &f->st, &b, f->ote_msg, &f->bob, sid_mul),
            MPC_OK);
    f->ote_msg[1000] ^= 0x10;
    memset(c, 0xAA, sizeof(c));
    memset(f->msg, 0xAA, sizeof(f->msg));
    assert_int_equal(mpc__rvole_alice(f->ctx, c, f->msg, a, &f->alice, f->ote_msg, sid_mul),
            MPC_E_BAN);
    assert_true(all_zero(c, sizeof(c)));
    assert_true(all_zero(f->msg, sizeof(f->msg)));
}

/* Randomness source that hands out a fixed list of byte strings, each for a draw of exactly its
 * length (a draw of any other length fails), so a run consumes precisely the model's inputs. */
typedef struct {
    const unsigned char *item[3];
    size_t len[3];
    size_t next, count;
} scripted_rng;

static int scripted_fill(unsigned char *out, size_t len, void *data)
{
    scripted_rng *s = data;

    if (s->next == s->count || s->len[s->next] != len)
        return 0;
    memcpy(out, s->item[s->next++], len);
    return 1;
}

static void serialize_rows(unsigned char digest[32], const mpc_scalar rows[XI][W])
{
    static unsigned char enc[XI * W * 32];

    for (int j = 0; j < XI; j++) {
        for (int i = 0; i < W; i++)
            mpc_scalar_serialize(enc + (W * j + i) * 32, &rows[j][i]);
    }
    SHA256(enc, sizeof(enc), digest);
}

static void assert_scalar_bytes(const mpc_scalar *s, const unsigned char expect[32])
{
    unsigned char enc[32];

    mpc_scalar_serialize(enc, s);
    assert_memory_equal(enc, expect, 32);
}

static void test_rvole_known_answer(void **state)
{
    fixture *f = *state;
    static const unsigned char blinding[32];
    static mpc__ote_sender_key alice;
    static mpc__ote_receiver_key bob;
    static mpc_scalar alpha0[XI][W], alpha1[XI][W];
    scripted_rng script = {
        {blinding, kat_xt, kat_ahat}, {sizeof(blinding), sizeof(kat_xt), sizeof(kat_ahat)}, 0, 3};
    unsigned char digest[32], label_k[sizeof(KAT_SEED_LABEL) - 1 + 5];
    mpc_context *ctx = mpc_context_create();
    mpc_scalar a[2], b, c[2], d[2];

    for (uint32_t k = 0; k < MPC_OT_KAPPA; k++) {
        unsigned int ck = (kat_choice[k >> 3] >> (k & 7)) & 1u;

        memcpy(label_k, KAT_SEED_LABEL, sizeof(KAT_SEED_LABEL) - 1);
        for (int i = 0; i < 4; i++)
            label_k[sizeof(KAT_SEED_LABEL) - 1 + (size_t)i] = (unsigned char)(k >> (24 - 8 * i));
        for (unsigned char x = 0; x < 2; x++) {
            label_k[sizeof(label_k) - 1] = x;
            SHA256(label_k, sizeof(label_k), bob.seed[k][x]);
        }
        memcpy(alice.seed[k], bob.seed[k][ck], 32);
    }
    for (int i = 0; i < 32; i++)
        alice.delta[i] = (unsigned char)~kat_choice[i];
    assert_int_equal(mpc_scalar_parse(&a[0], kat_a1), MPC_OK);
    assert_int_equal(mpc_scalar_parse(&a[1], kat_a2), MPC_OK);
    assert_non_null(ctx);
    assert_int_equal(mpc_context_set_rng(ctx, scripted_fill, &script), MPC_OK);

    assert_int_equal(mpc__rvole_bob_start(ctx, &f->st, &b, f->ote_msg, &bob, kat_sid_mul), MPC_OK);
    SHA256(f->ote_msg, sizeof(f->ote_msg), digest);
    assert_memory_equal(f->ote_msg + MPC_OT_KAPPA * MPC_OTE_ROW_BYTES, kat_xchk, 16);
    assert_memory_equal(digest, kat_ote_msg_sha256, 32);
    assert_memory_equal(f->st.beta, kat_xt, XI / 8);
    serialize_rows(digest, (const mpc_scalar(*)[W])f->st.gamma);
    assert_memory_equal(digest, kat_gamma_sha256, 32);
    assert_scalar_bytes(&b, kat_b);

    assert_int_equal(mpc__ote_sender_extend(ctx, alpha0, alpha1, &alice, f->ote_msg, kat_sid_mul),
            MPC_OK);
    serialize_rows(digest, (const mpc_scalar(*)[W])alpha0);
    assert_memory_equal(digest, kat_alpha0_sha256, 32);
    serialize_rows(digest, (const mpc_scalar(*)[W])alpha1);
    assert_memory_equal(digest, kat_alpha1_sha256, 32);

    assert_int_equal(mpc__rvole_alice(ctx, c, f->msg, a, &alice, f->ote_msg, kat_sid_mul), MPC_OK);
    assert_memory_equal(f->msg + MU_OFF, kat_mu, 32);
    SHA256(f->msg, sizeof(f->msg), digest);
    assert_memory_equal(digest, kat_rvole_msg_sha256, 32);
    assert_scalar_bytes(&c[0], kat_c1);
    assert_scalar_bytes(&c[1], kat_c2);
    assert_int_equal(script.next, script.count); /* every scripted draw used, none more */

    assert_int_equal(mpc__rvole_bob_finish(ctx, d, &f->st, f->msg, kat_sid_mul), MPC_OK);
    assert_scalar_bytes(&d[0], kat_d1);
    assert_scalar_bytes(&d[1], kat_d2);
    mpc_context_destroy(ctx);
}

/* Not a timed assertion: prints the cost of one pair (Bob start + Alice + Bob finish); the
 * correlation of every timed pair is still checked. */
static void test_rvole_pair_time(void **state)
{
    fixture *f = *state;
    enum { PAIRS = 50 };
    static unsigned char sid_mul[PAIRS][32];
    static mpc_scalar b[PAIRS], c[PAIRS][2], d[PAIRS][2];
    mpc_scalar a[2], ab, sum;
    struct timespec t0, t1;
    double us;

    random_scalar(f, &a[0]);
    random_scalar(f, &a[1]);
    test_rng_bytes(&f->rng, &sid_mul[0][0], sizeof(sid_mul));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int p = 0; p < PAIRS; p++) {
        assert_int_equal(mpc__rvole_bob_start(f->ctx, &f->st, &b[p], f->ote_msg, &f->bob,
                                 sid_mul[p]), MPC_OK);
        assert_int_equal(mpc__rvole_alice(f->ctx, c[p], f->msg, a, &f->alice, f->ote_msg,
                                 sid_mul[p]), MPC_OK);
        assert_int_equal(mpc__rvole_bob_finish(f->ctx, d[p], &f->st, f->msg, sid_mul[p]), MPC_OK);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / PAIRS;
    print_message("RVOLE pair (Bob start + Alice + Bob finish): %.0f us\n", us);
    for (int p = 0; p < PAIRS; p++) {
        for (int i = 0; i < 2; i++) {
            mpc_scalar_mul(&ab, &a[i], &b[p]);
            mpc_scalar_add(&sum, &c[p][i], &d[p][i]);
            assert_true(mpc_scalar_eq(&sum, &ab));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rvole_honest),
        cmocka_unit_test(test_rvole_cheating_alice),
        cmocka_unit_test(test_rvole_rejects_noncanonical),
        cmocka_unit_test(test_rvole_alice_rejects_cheating_bob),
        cmocka_unit_test(test_rvole_known_answer),
        cmocka_unit_test(test_rvole_pair_time),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
