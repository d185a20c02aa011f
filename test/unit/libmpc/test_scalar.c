/* Scalars mod n: differential tests against OpenSSL BIGNUM on random and edge inputs, Lagrange
 * coefficients checked by interpolating random polynomials with BIGNUM, and every ARG_CHECK of
 * mpc_lagrange_coeff with a counting illegal callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "mpc/scalar.h"
#include "test_rng.h"

#define RANDOM_ITERATIONS 100000

static const char *const N_HEX =
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";

/* Shared OpenSSL state for one test: the modulus, useful constants and scratch numbers. */
typedef struct {
    BN_CTX *bn;
    BIGNUM *n;
    BIGNUM *half_n;   /* (n - 1) / 2 */
    BIGNUM *two_256;
    BIGNUM *two_255;
    BIGNUM *a, *b, *r, *t;
    test_rng rng;
} oracle;

static void oracle_init(oracle *o, uint64_t seed)
{
    o->bn = BN_CTX_new();
    o->n = NULL;
    assert_non_null(o->bn);
    assert_true(BN_hex2bn(&o->n, N_HEX) > 0);
    o->half_n = BN_new();
    o->two_256 = BN_new();
    o->two_255 = BN_new();
    o->a = BN_new();
    o->b = BN_new();
    o->r = BN_new();
    o->t = BN_new();
    assert_non_null(o->t);
    assert_true(BN_rshift1(o->half_n, o->n));
    assert_true(BN_set_word(o->two_256, 1) && BN_lshift(o->two_256, o->two_256, 256));
    assert_true(BN_set_word(o->two_255, 1) && BN_lshift(o->two_255, o->two_255, 255));
    test_rng_init(&o->rng, seed);
}

static void oracle_free(oracle *o)
{
    BIGNUM *all[] = {o->n, o->half_n, o->two_256, o->two_255, o->a, o->b, o->r, o->t};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        BN_free(all[i]);
    BN_CTX_free(o->bn);
}

static void bn_to32(unsigned char out[32], const BIGNUM *x)
{
    assert_int_equal(BN_bn2binpad(x, out, 32), 32);
}

static void bn_from32(BIGNUM *r, const unsigned char in[32])
{
    assert_non_null(BN_bin2bn(in, 32, r));
}

/* The scalar's encoding must equal the 32-byte big-endian form of x. */
static void assert_scalar_is_bn(const mpc_scalar *s, const BIGNUM *x)
{
    unsigned char got[32], want[32];

    mpc_scalar_serialize(got, s);
    bn_to32(want, x);
    assert_memory_equal(got, want, 32);
}

/* x = v mod 2^256 for a BIGNUM v that may be negative or >= 2^256 (edge-value construction). */
static void bn_wrap256(oracle *o, BIGNUM *x)
{
    assert_true(BN_nnmod(x, x, o->two_256, o->bn));
}

/*
 * 32 bytes from a mix of distributions so that carries, borrows and both sides of every reduction
 * are exercised: uniform values almost never land near n or 2^256.
 */
static void gen_bytes(oracle *o, unsigned char out[32])
{
    uint64_t kind = test_rng_u64(&o->rng) % 8;
    uint64_t k = test_rng_u64(&o->rng) >> (test_rng_u64(&o->rng) % 64);
    int minus = (int)(test_rng_u64(&o->rng) & 1);

    switch (kind) {
    case 0:
    case 1:
    case 2:
        test_rng_bytes(&o->rng, out, 32);
        return;
    case 3: /* small */
        assert_true(BN_set_word(o->t, k));
        break;
    case 4: /* n +- k */
    case 5: /* 2^256 - 1 - k */
    case 6: /* 2^255 +- k */
        assert_true(BN_set_word(o->t, k));
        if (kind == 5)
            assert_true(BN_add_word(o->t, 1));
        if (minus || kind == 5)
            BN_set_negative(o->t, 1);
        assert_true(BN_add(o->t, o->t, kind == 4 ? o->n : kind == 5 ? o->two_256 : o->two_255));
        bn_wrap256(o, o->t);
        break;
    default: { /* each limb zero, all-ones or random */
        unsigned char limb[8];
        for (int i = 0; i < 4; i++) {
            uint64_t pick = test_rng_u64(&o->rng) % 3;
            test_rng_bytes(&o->rng, limb, sizeof(limb));
            if (pick < 2)
                memset(limb, pick == 0 ? 0x00 : 0xFF, sizeof(limb));
            memcpy(out + 8 * i, limb, sizeof(limb));
        }
        return;
    }
    }
    bn_to32(out, o->t);
}

/* A canonical scalar s (and its value in x) from gen_bytes reduced mod n by BIGNUM. */
static void gen_scalar(oracle *o, mpc_scalar *s, BIGNUM *x)
{
    unsigned char b[32];

    gen_bytes(o, b);
    bn_from32(x, b);
    assert_true(BN_nnmod(x, x, o->n, o->bn));
    bn_to32(b, x);
    assert_int_equal(mpc_scalar_parse(s, b), MPC_OK);
}

/* Edge values as 32-byte strings: 0, 1, 2, n-2, n-1, n, n+1, 2^256-1, 2^255-1, 2^255, 2^255+1,
 * (n-1)/2, (n+1)/2 and 2^256-n. Those >= n are inputs for parse (rejected) and reduce32. */
#define EDGE_COUNT 14
static void edge_bytes(oracle *o, unsigned char out[EDGE_COUNT][32])
{
    static const long offsets_n[] = {-2, -1, 0, 1};
    static const long offsets_255[] = {-1, 0, 1};
    size_t e = 0;

    for (unsigned long w = 0; w <= 2; w++) {
        assert_true(BN_set_word(o->t, w));
        bn_to32(out[e++], o->t);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_true(BN_set_word(o->t, (unsigned long)labs(offsets_n[i])));
        BN_set_negative(o->t, offsets_n[i] < 0);
        assert_true(BN_add(o->t, o->t, o->n));
        bn_to32(out[e++], o->t);
    }
    assert_true(BN_sub(o->t, o->two_256, BN_value_one()));
    bn_to32(out[e++], o->t);
    for (size_t i = 0; i < 3; i++) {
        assert_true(BN_set_word(o->t, (unsigned long)labs(offsets_255[i])));
        BN_set_negative(o->t, offsets_255[i] < 0);
        assert_true(BN_add(o->t, o->t, o->two_255));
        bn_to32(out[e++], o->t);
    }
    /* (n - 1) / 2 and its successor: the boundary of is_high_var. */
    bn_to32(out[e++], o->half_n);
    assert_true(BN_add(o->t, o->half_n, BN_value_one()));
    bn_to32(out[e++], o->t);
    /* 2^256 - n (= c): the value the reduction adds. */
    assert_true(BN_sub(o->t, o->two_256, o->n));
    bn_to32(out[e++], o->t);
    assert_int_equal(e, EDGE_COUNT);
}

/* parse / reduce32 / serialize on one 32-byte string. */
static void check_parse_reduce(oracle *o, const unsigned char in[32])
{
    static const unsigned char zero[32];
    mpc_scalar s;
    unsigned char out[32];
    int below_n;

    bn_from32(o->a, in);
    below_n = BN_cmp(o->a, o->n) < 0;
    memset(&s, 0xA5, sizeof(s));
    if (below_n) {
        assert_int_equal(mpc_scalar_parse(&s, in), MPC_OK);
        mpc_scalar_serialize(out, &s);
        assert_memory_equal(out, in, 32);
    } else {
        assert_int_equal(mpc_scalar_parse(&s, in), MPC_E_ENCODING);
        mpc_scalar_serialize(out, &s);
        assert_memory_equal(out, zero, 32);
        assert_true(mpc_scalar_is_zero(&s));
    }
    mpc_scalar_reduce32(&s, in);
    assert_true(BN_nnmod(o->r, o->a, o->n, o->bn));
    assert_scalar_is_bn(&s, o->r);
}

/* Every arithmetic operation and predicate on one pair; a and b hold the values of sa and sb. */
static void check_pair(oracle *o, const mpc_scalar *sa, const mpc_scalar *sb)
{
    mpc_scalar r, alias;
    unsigned char ea[32], eb[32];

    mpc_scalar_serialize(ea, sa);
    mpc_scalar_serialize(eb, sb);
    bn_from32(o->a, ea);
    bn_from32(o->b, eb);

    mpc_scalar_add(&r, sa, sb);
    assert_true(BN_mod_add(o->r, o->a, o->b, o->n, o->bn));
    assert_scalar_is_bn(&r, o->r);
    alias = *sa;
    mpc_scalar_add(&alias, &alias, sb);
    assert_true(mpc_scalar_eq(&alias, &r));

    mpc_scalar_sub(&r, sa, sb);
    assert_true(BN_mod_sub(o->r, o->a, o->b, o->n, o->bn));
    assert_scalar_is_bn(&r, o->r);
    alias = *sb;
    mpc_scalar_sub(&alias, sa, &alias);
    assert_true(mpc_scalar_eq(&alias, &r));

    mpc_scalar_neg(&r, sa);
    assert_true(BN_mod_sub(o->r, o->n, o->a, o->n, o->bn));
    assert_true(BN_nnmod(o->r, o->r, o->n, o->bn));
    assert_scalar_is_bn(&r, o->r);

    mpc_scalar_mul(&r, sa, sb);
    assert_true(BN_mod_mul(o->r, o->a, o->b, o->n, o->bn));
    assert_scalar_is_bn(&r, o->r);
    alias = *sa;
    mpc_scalar_mul(&alias, &alias, &alias);
    assert_true(BN_mod_sqr(o->r, o->a, o->n, o->bn));
    assert_scalar_is_bn(&alias, o->r);

    assert_int_equal(mpc_scalar_eq(sa, sb), BN_cmp(o->a, o->b) == 0);
    assert_int_equal(mpc_scalar_is_zero(sa), BN_is_zero(o->a));
    assert_int_equal(mpc_scalar_is_high_var(sa), BN_cmp(o->a, o->half_n) > 0);

    for (int flag = 0; flag <= 1; flag++) {
        r = *sa;
        mpc_scalar_cmov(&r, sb, flag);
        assert_true(mpc_scalar_eq(&r, flag ? sb : sa));
        mpc_scalar_select(&r, sa, sb, flag);
        assert_true(mpc_scalar_eq(&r, flag ? sb : sa));
    }
}

/* a^-1 of a nonzero a: a * a^-1 == 1 by BN_mod_mul (the inverse is unique, so this is as strong as
 * comparing with BN_mod_inverse and much cheaper over 100,000 inputs); with exact set, also equal
 * to BN_mod_inverse(a). The inverse of 0 is 0. */
static void check_inverse(oracle *o, const mpc_scalar *sa, int exact)
{
    mpc_scalar inv;
    unsigned char enc[32];

    mpc_scalar_serialize(enc, sa);
    bn_from32(o->a, enc);
    mpc_scalar_inverse(&inv, sa);
    if (BN_is_zero(o->a)) {
        assert_true(mpc_scalar_is_zero(&inv));
        return;
    }
    mpc_scalar_serialize(enc, &inv);
    bn_from32(o->b, enc);
    assert_true(BN_cmp(o->b, o->n) < 0);
    assert_true(BN_mod_mul(o->r, o->a, o->b, o->n, o->bn));
    assert_true(BN_is_one(o->r));
    if (exact) {
        assert_non_null(BN_mod_inverse(o->r, o->a, o->n, o->bn));
        assert_scalar_is_bn(&inv, o->r);
    }
}

static void test_parse_reduce_serialize(void **state)
{
    oracle o;
    unsigned char edge[EDGE_COUNT][32];
    unsigned char in[32];

    (void)state;
    oracle_init(&o, 1);
    edge_bytes(&o, edge);
    for (size_t e = 0; e < EDGE_COUNT; e++)
        check_parse_reduce(&o, edge[e]);
    for (int it = 0; it < RANDOM_ITERATIONS; it++) {
        gen_bytes(&o, in);
        check_parse_reduce(&o, in);
    }
    oracle_free(&o);
}

static void test_arith_edges(void **state)
{
    oracle o;
    unsigned char edge[EDGE_COUNT][32];
    mpc_scalar s[EDGE_COUNT];

    (void)state;
    oracle_init(&o, 2);
    edge_bytes(&o, edge);
    /* Reduced first: the values >= n become their residues, which are edge cases of their own. */
    for (size_t e = 0; e < EDGE_COUNT; e++)
        mpc_scalar_reduce32(&s[e], edge[e]);
    for (size_t x = 0; x < EDGE_COUNT; x++) {
        check_inverse(&o, &s[x], 1);
        for (size_t y = 0; y < EDGE_COUNT; y++)
            check_pair(&o, &s[x], &s[y]);
    }
    oracle_free(&o);
}

static void test_arith_random(void **state)
{
    oracle o;
    mpc_scalar a, b;
    BIGNUM *x = BN_new(), *y = BN_new();

    (void)state;
    assert_non_null(x);
    assert_non_null(y);
    oracle_init(&o, 3);
    for (int it = 0; it < RANDOM_ITERATIONS; it++) {
        gen_scalar(&o, &a, x);
        /* Every 16th pair is equal so that eq's true branch is covered as well. */
        if (it % 16 == 0)
            b = a;
        else
            gen_scalar(&o, &b, y);
        check_pair(&o, &a, &b);
    }
    BN_free(x);
    BN_free(y);
    oracle_free(&o);
}

static void test_inverse_random(void **state)
{
    oracle o;
    mpc_scalar a;
    BIGNUM *x = BN_new();

    (void)state;
    assert_non_null(x);
    oracle_init(&o, 4);
    for (int it = 0; it < RANDOM_ITERATIONS; it++) {
        gen_scalar(&o, &a, x);
        check_inverse(&o, &a, it % 100 == 0);
    }
    BN_free(x);
    oracle_free(&o);
}

static void test_set_u32(void **state)
{
    oracle o;
    mpc_scalar s;
    static const uint32_t fixed[] = {0, 1, 2, 0x7FFFFFFFu, 0x80000000u, UINT32_MAX};

    (void)state;
    oracle_init(&o, 5);
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        mpc_scalar_set_u32(&s, fixed[i]);
        assert_true(BN_set_word(o.r, fixed[i]));
        assert_scalar_is_bn(&s, o.r);
    }
    for (int it = 0; it < RANDOM_ITERATIONS; it++) {
        uint32_t v = (uint32_t)test_rng_u64(&o.rng);
        memset(&s, 0xA5, sizeof(s));
        mpc_scalar_set_u32(&s, v);
        assert_true(BN_set_word(o.r, v));
        assert_scalar_is_bn(&s, o.r);
    }
    oracle_free(&o);
}

static void test_clear(void **state)
{
    mpc_scalar s;

    (void)state;
    mpc_scalar_set_u32(&s, 12345);
    mpc_scalar_clear(&s);
    assert_true(mpc_scalar_is_zero(&s));
}

/* A randomness source that replays a script of 32-byte blocks, then fails. The context draws one
 * block of its own (secp256k1 blinding) when the source is installed, so the script starts with
 * it. */
typedef struct {
    const unsigned char (*blocks)[32];
    size_t count;
    size_t next;
} scripted_rng;

static int scripted_fill(unsigned char *out, size_t len, void *data)
{
    scripted_rng *s = data;

    if (len != 32 || s->next >= s->count)
        return 0;
    memcpy(out, s->blocks[s->next++], 32);
    return 1;
}

static void test_random(void **state)
{
    oracle o;
    test_rng rng;
    mpc_context *ctx;
    mpc_scalar r, prev;
    unsigned char enc[32];

    (void)state;
    oracle_init(&o, 6);
    test_rng_init(&rng, 7);
    ctx = test_context(&rng);
    mpc_scalar_set_u32(&prev, 0);
    for (int it = 0; it < 1000; it++) {
        assert_int_equal(mpc_scalar_random(ctx, &r), MPC_OK);
        mpc_scalar_serialize(enc, &r);
        bn_from32(o.a, enc);
        assert_false(BN_is_zero(o.a));
        assert_true(BN_cmp(o.a, o.n) < 0);
        assert_false(mpc_scalar_eq(&r, &prev));
        prev = r;
    }

    /* Rejections: n, 0 and 2^256-1 are skipped and the next acceptable draw is returned. */
    {
        unsigned char blocks[5][32];
        scripted_rng s = {(const unsigned char (*)[32])blocks, 5, 0};
        memset(blocks[0], 0x11, 32);            /* the context's blinding seed */
        bn_to32(blocks[1], o.n);
        memset(blocks[2], 0x00, 32);
        memset(blocks[3], 0xFF, 32);
        assert_true(BN_sub(o.r, o.n, BN_value_one()));
        bn_to32(blocks[4], o.r);                /* n - 1: the largest acceptable value */
        assert_int_equal(mpc_context_set_rng(ctx, scripted_fill, &s), MPC_OK);
        assert_int_equal(mpc_scalar_random(ctx, &r), MPC_OK);
        assert_scalar_is_bn(&r, o.r);
        assert_int_equal(s.next, 5);

        /* The script is exhausted: the source fails, and r is zeroed. */
        assert_int_equal(mpc_scalar_random(ctx, &r), MPC_E_RANDOM);
        assert_true(mpc_scalar_is_zero(&r));
    }

    /* A source stuck on a value >= n is reported instead of looping forever. */
    {
        unsigned char blocks[1000][32];
        scripted_rng s = {(const unsigned char (*)[32])blocks, 1000, 0};
        memset(blocks, 0xFF, sizeof(blocks));
        assert_int_equal(mpc_context_set_rng(ctx, scripted_fill, &s), MPC_OK);
        assert_int_equal(mpc_scalar_random(ctx, &r), MPC_E_RANDOM);
        assert_true(mpc_scalar_is_zero(&r));
        assert_true(s.next < 1000);
    }
    mpc_context_destroy(ctx);
    oracle_free(&o);
}

/* f(x) = sum coef[k] x^k mod n by Horner's rule in BIGNUM. */
static void bn_poly_eval(oracle *o, BIGNUM *out, BIGNUM *const *coef, size_t deg1, uint32_t x)
{
    BIGNUM *bx = BN_new();

    assert_non_null(bx);
    assert_true(BN_set_word(bx, x));
    BN_zero(out);
    for (size_t k = deg1; k-- > 0;) {
        assert_true(BN_mod_mul(out, out, bx, o->n, o->bn));
        assert_true(BN_mod_add(out, out, coef[k], o->n, o->bn));
    }
    BN_free(bx);
}

/* For the signer set, sum lambda_i * f(i) == f(0) for a random f of degree |set| - 1. */
static void check_interpolation(oracle *o, mpc_context *ctx, const uint32_t *set, size_t count,
        uint32_t n)
{
    BIGNUM *coef[MPC_MAX_PARTIES] = {NULL};
    BIGNUM *sum = BN_new(), *fi = BN_new(), *lam = BN_new();
    mpc_scalar lambda;
    unsigned char enc[32];

    assert_non_null(sum);
    assert_non_null(fi);
    assert_non_null(lam);
    for (size_t k = 0; k < count; k++) {
        coef[k] = BN_new();
        assert_non_null(coef[k]);
        test_rng_bytes(&o->rng, enc, 32);
        bn_from32(coef[k], enc);
        assert_true(BN_nnmod(coef[k], coef[k], o->n, o->bn));
    }
    BN_zero(sum);
    for (size_t k = 0; k < count; k++) {
        assert_int_equal(mpc_lagrange_coeff(ctx, &lambda, set, count, n, set[k]), MPC_OK);
        mpc_scalar_serialize(enc, &lambda);
        bn_from32(lam, enc);
        bn_poly_eval(o, fi, coef, count, set[k]);
        assert_true(BN_mod_mul(fi, fi, lam, o->n, o->bn));
        assert_true(BN_mod_add(sum, sum, fi, o->n, o->bn));
    }
    assert_int_equal(BN_cmp(sum, coef[0]), 0);
    for (size_t k = 0; k < count; k++)
        BN_free(coef[k]);
    BN_free(sum);
    BN_free(fi);
    BN_free(lam);
}

static void test_lagrange(void **state)
{
    oracle o;
    test_rng rng;
    mpc_context *ctx;
    uint32_t set[MPC_MAX_PARTIES];
    mpc_scalar lambda;

    (void)state;
    oracle_init(&o, 8);
    test_rng_init(&rng, 9);
    ctx = test_context(&rng);

    /* A hand-checked case: set {1, 2}: lambda_1 = 2 / (2 - 1) = 2, lambda_2 = 1 / (1 - 2) = -1. */
    set[0] = 1;
    set[1] = 2;
    assert_int_equal(mpc_lagrange_coeff(ctx, &lambda, set, 2, 3, 1), MPC_OK);
    assert_true(BN_set_word(o.r, 2));
    assert_scalar_is_bn(&lambda, o.r);
    assert_int_equal(mpc_lagrange_coeff(ctx, &lambda, set, 2, 3, 2), MPC_OK);
    assert_true(BN_sub(o.r, o.n, BN_value_one()));
    assert_scalar_is_bn(&lambda, o.r);
    /* A single signer's coefficient is 1. */
    set[0] = 5;
    assert_int_equal(mpc_lagrange_coeff(ctx, &lambda, set, 1, 5, 5), MPC_OK);
    assert_true(BN_set_word(o.r, 1));
    assert_scalar_is_bn(&lambda, o.r);

    /* Every non-empty subset of {1..6}, in shuffled order. */
    for (uint32_t mask = 1; mask < (1u << 6); mask++) {
        size_t count = 0;
        for (uint32_t j = 1; j <= 6; j++) {
            if (mask & (1u << (j - 1)))
                set[count++] = j;
        }
        for (size_t k = count; k > 1; k--) {
            size_t l = (size_t)(test_rng_u64(&o.rng) % k);
            uint32_t tmp = set[k - 1];
            set[k - 1] = set[l];
            set[l] = tmp;
        }
        check_interpolation(&o, ctx, set, count, 6);
    }
    /* Random subsets of random size for n up to MPC_MAX_PARTIES. */
    for (int it = 0; it < 300; it++) {
        uint32_t n = 1 + (uint32_t)(test_rng_u64(&o.rng) % MPC_MAX_PARTIES);
        uint32_t all[MPC_MAX_PARTIES];
        size_t count = 1 + (size_t)(test_rng_u64(&o.rng) % n);
        for (uint32_t j = 0; j < n; j++)
            all[j] = j + 1;
        for (size_t k = 0; k < count; k++) {
            size_t l = k + (size_t)(test_rng_u64(&o.rng) % (n - k));
            uint32_t tmp = all[k];
            all[k] = all[l];
            all[l] = tmp;
            set[k] = all[k];
        }
        check_interpolation(&o, ctx, set, count, n);
    }
    mpc_context_destroy(ctx);
    oracle_free(&o);
}

/* Counting illegal callback (libsecp256k1's CHECK_ILLEGAL): the call must return MPC_E_ILLEGAL,
 * fire the callback exactly once, and leave out zeroed. */
static void count_illegal(const char *message, void *data)
{
    (void)message;
    (*(int *)data)++;
}

#define CHECK_ILLEGAL_LAGRANGE(ctx, counter, set, count, n, i)                           \
    do {                                                                                 \
        mpc_scalar out_;                                                                 \
        mpc_scalar_set_u32(&out_, 77);                                                   \
        (counter) = 0;                                                                   \
        assert_int_equal(mpc_lagrange_coeff((ctx), &out_, (set), (count), (n), (i)),     \
                         MPC_E_ILLEGAL);                                                 \
        assert_int_equal((counter), 1);                                                  \
        assert_true(mpc_scalar_is_zero(&out_));                                          \
    } while (0)

static void test_lagrange_illegal(void **state)
{
    test_rng rng;
    mpc_context *ctx;
    int counter = 0;
    const uint32_t ok[3] = {1, 3, 4};
    const uint32_t dup[3] = {1, 3, 1};
    const uint32_t zero[2] = {0, 2};
    const uint32_t above[2] = {2, 6};
    mpc_scalar lambda;

    (void)state;
    test_rng_init(&rng, 10);
    ctx = test_context(&rng);
    mpc_context_set_illegal_callback(ctx, count_illegal, &counter);

    CHECK_ILLEGAL_LAGRANGE(ctx, counter, ok, 0, 5, 1);                    /* empty set */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, dup, 3, 5, 3);                   /* duplicate */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, ok, 3, 5, 2);                    /* i not in the set */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, ok, 3, 5, 0);                    /* i = 0 */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, ok, 3, 3, 4);                    /* i and an index > n */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, zero, 2, 5, 2);                  /* index 0 */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, above, 2, 5, 2);                 /* index n + 1 */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, ok, 3, 0, 1);                    /* n = 0 */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, ok, 3, MPC_MAX_PARTIES + 1, 1);  /* n too large */
    CHECK_ILLEGAL_LAGRANGE(ctx, counter, ok, 3, 2, 1);                    /* more signers than n */

    /* The same context still accepts a valid call, without firing the callback. */
    counter = 0;
    assert_int_equal(mpc_lagrange_coeff(ctx, &lambda, ok, 3, 5, 3), MPC_OK);
    assert_int_equal(counter, 0);
    mpc_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_reduce_serialize),
        cmocka_unit_test(test_arith_edges),
        cmocka_unit_test(test_arith_random),
        cmocka_unit_test(test_inverse_random),
        cmocka_unit_test(test_set_u32),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_lagrange),
        cmocka_unit_test(test_lagrange_illegal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
