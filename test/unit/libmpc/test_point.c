/* Points: identity handling on every operation, strict parsing, and multiplication checked against
 * OpenSSL's EC_POINT_mul on secp256k1 (an independent implementation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "mpc/hash.h"
#include "mpc/point.h"
#include "point_internal.h"
#include "test_rng.h"

#define ORACLE_ITERATIONS 200

/* SEC1 encodings of G. */
static const unsigned char g_compressed[33] = {
    0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b,
    0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17,
    0x98
};
static const unsigned char g_uncompressed[65] = {
    0x04, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b,
    0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17,
    0x98, 0x48, 0x3a, 0xda, 0x77, 0x26, 0xa3, 0xc4, 0x65, 0x5d, 0xa4, 0xfb, 0xfc, 0x0e, 0x11, 0x08,
    0xa8, 0xfd, 0x17, 0xb4, 0x48, 0xa6, 0x85, 0x54, 0x19, 0x9c, 0x47, 0xd0, 0x8f, 0xfb, 0x10, 0xd4,
    0xb8
};
static const unsigned char field_p[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f
};

typedef struct {
    test_rng rng;
    mpc_context *ctx;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    test_rng_init(&f->rng, 0x706f696e74);
    f->ctx = test_context(&f->rng);
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

static void random_scalar(fixture *f, mpc_scalar *k)
{
    unsigned char b[32];

    test_rng_bytes(&f->rng, b, sizeof(b));
    mpc_scalar_reduce32(k, b);
}

static void random_point(fixture *f, mpc_point *p)
{
    mpc_scalar k;

    random_scalar(f, &k);
    mpc_point_base_mul(f->ctx, p, &k);
    assert_false(mpc_point_is_infinity(p));
}

static void assert_identity(const mpc_point *p)
{
    static const unsigned char zero[sizeof(p->data)];

    assert_true(mpc_point_is_infinity(p));
    assert_memory_equal(p->data, zero, sizeof(zero));
}

static void assert_point_eq(const mpc_context *ctx, const mpc_point *a, const mpc_point *b)
{
    unsigned char ea[33], eb[33];

    assert_true(mpc_point_eq(ctx, a, b));
    assert_int_equal(mpc_point_serialize(ctx, ea, a), MPC_OK);
    assert_int_equal(mpc_point_serialize(ctx, eb, b), MPC_OK);
    assert_memory_equal(ea, eb, 33);
}

static void test_identity(void **state)
{
    fixture *f = *state;
    mpc_point inf, p, q, r;
    mpc_scalar zero, k;
    unsigned char enc[33];

    mpc_point_set_infinity(&inf);
    assert_identity(&inf);
    memset(enc, 0xaa, sizeof(enc));
    assert_int_equal(mpc_point_serialize(f->ctx, enc, &inf), MPC_E_ENCODING);
    for (size_t i = 0; i < sizeof(enc); i++)
        assert_int_equal(enc[i], 0);

    random_point(f, &p);
    random_scalar(f, &k);
    mpc_scalar_set_u32(&zero, 0);

    mpc_point_base_mul(f->ctx, &r, &zero);
    assert_identity(&r);
    mpc_point_mul(f->ctx, &r, &p, &zero);
    assert_identity(&r);
    mpc_point_mul(f->ctx, &r, &inf, &k);
    assert_identity(&r);
    mpc_point_mul_var(f->ctx, &r, &p, &zero);
    assert_identity(&r);
    mpc_point_mul_var(f->ctx, &r, &inf, &k);
    assert_identity(&r);
    /* The constant-time encoding of an identity product is 33 zero bytes. */
    memset(enc, 0xaa, sizeof(enc));
    mpc__point_mul_encode(f->ctx, enc, &p, &zero);
    for (size_t i = 0; i < sizeof(enc); i++)
        assert_int_equal(enc[i], 0);
    memset(enc, 0xaa, sizeof(enc));
    mpc__point_mul_encode(f->ctx, enc, &inf, &k);
    for (size_t i = 0; i < sizeof(enc); i++)
        assert_int_equal(enc[i], 0);

    mpc_point_add_var(f->ctx, &r, &inf, &p);
    assert_point_eq(f->ctx, &r, &p);
    mpc_point_add_var(f->ctx, &r, &p, &inf);
    assert_point_eq(f->ctx, &r, &p);
    mpc_point_add_var(f->ctx, &r, &inf, &inf);
    assert_identity(&r);
    mpc_point_neg_var(f->ctx, &q, &p);
    assert_false(mpc_point_is_infinity(&q));
    assert_false(mpc_point_eq(f->ctx, &q, &p));
    mpc_point_add_var(f->ctx, &r, &p, &q);
    assert_identity(&r);
    mpc_point_neg_var(f->ctx, &r, &inf);
    assert_identity(&r);

    mpc_point_sum_var(f->ctx, &r, NULL, 0);
    assert_identity(&r);
    mpc_point_lincomb_var(f->ctx, &r, NULL, NULL, 0);
    assert_identity(&r);
    {
        mpc_point pts[3] = { p, inf, q };
        mpc_scalar ks[2];

        mpc_point_sum_var(f->ctx, &r, pts, 3);
        assert_identity(&r);
        mpc_point_sum_var(f->ctx, &r, pts, 2);
        assert_point_eq(f->ctx, &r, &p);
        mpc_point_sum_var(f->ctx, &r, &pts[1], 1);
        assert_identity(&r);
        ks[0] = k;
        ks[1] = k;
        mpc_point_lincomb_var(f->ctx, &r, ks, pts, 2);
        mpc_point_mul_var(f->ctx, &q, &p, &k);
        assert_point_eq(f->ctx, &r, &q);
    }

    assert_true(mpc_point_eq(f->ctx, &inf, &inf));
    assert_false(mpc_point_eq(f->ctx, &inf, &p));
    assert_false(mpc_point_eq(f->ctx, &p, &inf));
}

static void expect_reject(const mpc_context *ctx, const unsigned char in[33])
{
    mpc_point r;

    /* Start from a valid point: a failed parse must leave the identity, not stale data. */
    assert_int_equal(mpc_point_parse(ctx, &r, g_compressed), MPC_OK);
    assert_int_equal(mpc_point_parse(ctx, &r, in), MPC_E_ENCODING);
    assert_identity(&r);
}

/* 0x02 || be256(value + add) where value is 32 big-endian bytes. */
static void x_plus(unsigned char out[33], const unsigned char value[32], unsigned add)
{
    unsigned carry = add;

    out[0] = 0x02;
    for (int i = 31; i >= 0; i--) {
        carry += value[i];
        out[1 + i] = (unsigned char)carry;
        carry >>= 8;
    }
}

static void test_parse_rejections(void **state)
{
    fixture *f = *state;
    static const unsigned char zero32[32];
    unsigned char buf[33];
    mpc_point r;

    assert_int_equal(mpc_point_parse(f->ctx, &r, g_compressed), MPC_OK);
    assert_false(mpc_point_is_infinity(&r));

    /* Every prefix but 0x02/0x03, with a valid x: 0x00, 0x01, 0x04 (the first 33 bytes of an
     * uncompressed point), 0x05, hybrid 0x06/0x07, ... */
    for (unsigned pre = 0; pre < 256; pre++) {
        if (pre == 0x02 || pre == 0x03)
            continue;
        memcpy(buf, g_compressed, 33);
        buf[0] = (unsigned char)pre;
        expect_reject(f->ctx, buf);
    }
    expect_reject(f->ctx, g_uncompressed);
    memcpy(buf, g_uncompressed, 33);
    buf[0] = 0x06;
    expect_reject(f->ctx, buf);
    buf[0] = 0x07;
    expect_reject(f->ctx, buf);

    /* x = 1 is on the curve; x = p + 1 is the same point non-canonically encoded. */
    x_plus(buf, zero32, 1);
    assert_int_equal(mpc_point_parse(f->ctx, &r, buf), MPC_OK);
    x_plus(buf, field_p, 1);
    expect_reject(f->ctx, buf);
    buf[0] = 0x03;
    expect_reject(f->ctx, buf);
    x_plus(buf, field_p, 0);
    expect_reject(f->ctx, buf);
    memset(buf, 0xff, sizeof(buf));
    buf[0] = 0x02;
    expect_reject(f->ctx, buf);

    /* x = 5: 5^3 + 7 is not a square mod p. */
    x_plus(buf, zero32, 5);
    expect_reject(f->ctx, buf);
    buf[0] = 0x03;
    expect_reject(f->ctx, buf);

    /* 33 zero bytes: the identity's hash encoding, never a valid wire point. */
    memset(buf, 0, sizeof(buf));
    expect_reject(f->ctx, buf);
}

static void test_roundtrip(void **state)
{
    fixture *f = *state;
    unsigned char enc[33], again[33];
    mpc_point p, q;
    int parity[2] = { 0, 0 };

    for (int i = 0; i < 64; i++) {
        random_point(f, &p);
        assert_int_equal(mpc_point_serialize(f->ctx, enc, &p), MPC_OK);
        assert_true(enc[0] == 0x02 || enc[0] == 0x03);
        parity[enc[0] - 2] = 1;
        assert_int_equal(mpc_point_parse(f->ctx, &q, enc), MPC_OK);
        assert_true(mpc_point_eq(f->ctx, &p, &q));
        assert_int_equal(mpc_point_serialize(f->ctx, again, &q), MPC_OK);
        assert_memory_equal(enc, again, 33);
    }
    assert_true(parity[0] && parity[1]);
}

typedef struct {
    EC_GROUP *group;
    BN_CTX *bn;
    BIGNUM *k;
    EC_POINT *p, *r;
} ossl;

static void ossl_init(ossl *o)
{
    o->group = EC_GROUP_new_by_curve_name(NID_secp256k1);
    o->bn = BN_CTX_new();
    o->k = BN_new();
    assert_non_null(o->group);
    assert_non_null(o->bn);
    assert_non_null(o->k);
    o->p = EC_POINT_new(o->group);
    o->r = EC_POINT_new(o->group);
    assert_non_null(o->p);
    assert_non_null(o->r);
}

static void ossl_free(ossl *o)
{
    EC_POINT_free(o->p);
    EC_POINT_free(o->r);
    BN_free(o->k);
    BN_CTX_free(o->bn);
    EC_GROUP_free(o->group);
}

/* out = OpenSSL's k*P (P NULL: k*G), compressed. */
static void ossl_mul(ossl *o, unsigned char out[33], const unsigned char *p33, const mpc_scalar *k)
{
    unsigned char k32[32];

    mpc_scalar_serialize(k32, k);
    assert_non_null(BN_bin2bn(k32, 32, o->k));
    if (p33 != NULL) {
        assert_true(EC_POINT_oct2point(o->group, o->p, p33, 33, o->bn));
        assert_true(EC_POINT_mul(o->group, o->r, NULL, o->p, o->k, o->bn));
    } else {
        assert_true(EC_POINT_mul(o->group, o->r, o->k, NULL, NULL, o->bn));
    }
    assert_int_equal(EC_POINT_point2oct(o->group, o->r, POINT_CONVERSION_COMPRESSED, out, 33, o->bn),
            33);
}

static void check_against_oracle(fixture *f, ossl *o, const mpc_point *p, const mpc_scalar *k)
{
    unsigned char penc[33], expect[33], got[33];
    mpc_point r;

    assert_int_equal(mpc_point_serialize(f->ctx, penc, p), MPC_OK);
    ossl_mul(o, expect, penc, k);
    mpc_point_mul(f->ctx, &r, p, k);
    assert_int_equal(mpc_point_serialize(f->ctx, got, &r), MPC_OK);
    assert_memory_equal(got, expect, 33);
    mpc_point_mul_var(f->ctx, &r, p, k);
    assert_int_equal(mpc_point_serialize(f->ctx, got, &r), MPC_OK);
    assert_memory_equal(got, expect, 33);
    /* The encoding produced without any parse or serialize of the product: the same bytes as
     * OpenSSL's and as mpc_point_serialize(mpc_point_mul(...)). */
    mpc__point_mul_encode(f->ctx, got, p, k);
    assert_memory_equal(got, expect, 33);

    ossl_mul(o, expect, NULL, k);
    mpc_point_base_mul(f->ctx, &r, k);
    assert_int_equal(mpc_point_serialize(f->ctx, got, &r), MPC_OK);
    assert_memory_equal(got, expect, 33);
}

static void test_mul_oracle(void **state)
{
    fixture *f = *state;
    ossl o;
    mpc_point p, np, r;
    mpc_scalar k, one, minus_one;

    ossl_init(&o);
    for (int i = 0; i < ORACLE_ITERATIONS; i++) {
        random_point(f, &p);
        random_scalar(f, &k);
        check_against_oracle(f, &o, &p, &k);
    }
    /* Edges: k = 1 and k = n - 1 (which negates). */
    random_point(f, &p);
    mpc_scalar_set_u32(&one, 1);
    mpc_scalar_neg(&minus_one, &one);
    check_against_oracle(f, &o, &p, &one);
    check_against_oracle(f, &o, &p, &minus_one);
    mpc_point_mul(f->ctx, &r, &p, &minus_one);
    mpc_point_neg_var(f->ctx, &np, &p);
    assert_point_eq(f->ctx, &r, &np);
    ossl_free(&o);
}

static void test_add_neg_alias(void **state)
{
    fixture *f = *state;
    mpc_point p, q, r, s;
    mpc_scalar a, b, c;

    /* (a + b)G == aG + bG, with the output aliasing an input. */
    random_scalar(f, &a);
    random_scalar(f, &b);
    mpc_scalar_add(&c, &a, &b);
    mpc_point_base_mul(f->ctx, &p, &a);
    mpc_point_base_mul(f->ctx, &q, &b);
    mpc_point_base_mul(f->ctx, &s, &c);
    r = p;
    mpc_point_add_var(f->ctx, &r, &r, &q);
    assert_point_eq(f->ctx, &r, &s);
    r = q;
    mpc_point_add_var(f->ctx, &r, &p, &r);
    assert_point_eq(f->ctx, &r, &s);
    /* P + P (doubling) == 2P. */
    mpc_scalar_set_u32(&c, 2);
    mpc_point_mul_var(f->ctx, &s, &p, &c);
    mpc_point_add_var(f->ctx, &r, &p, &p);
    assert_point_eq(f->ctx, &r, &s);
    /* -(aG) == (-a)G. */
    mpc_scalar_neg(&c, &a);
    mpc_point_base_mul(f->ctx, &s, &c);
    mpc_point_neg_var(f->ctx, &r, &p);
    assert_point_eq(f->ctx, &r, &s);
}

#define LINCOMB_COUNT 70 /* more than one combine batch */

static void test_lincomb_sum(void **state)
{
    fixture *f = *state;
    mpc_point pts[LINCOMB_COUNT], acc, term, r;
    mpc_scalar ks[LINCOMB_COUNT];

    for (int i = 0; i < LINCOMB_COUNT; i++) {
        random_point(f, &pts[i]);
        random_scalar(f, &ks[i]);
    }
    /* Identities and a cancelling pair in the middle of a batch. */
    mpc_point_set_infinity(&pts[5]);
    mpc_point_neg_var(f->ctx, &pts[9], &pts[8]);
    mpc_scalar_set_u32(&ks[40], 0);

    mpc_point_set_infinity(&acc);
    for (int i = 0; i < LINCOMB_COUNT; i++) {
        mpc_point_mul(f->ctx, &term, &pts[i], &ks[i]);
        mpc_point_add_var(f->ctx, &acc, &acc, &term);
    }
    mpc_point_lincomb_var(f->ctx, &r, ks, pts, LINCOMB_COUNT);
    assert_point_eq(f->ctx, &r, &acc);

    mpc_point_set_infinity(&acc);
    for (int i = 0; i < LINCOMB_COUNT; i++)
        mpc_point_add_var(f->ctx, &acc, &acc, &pts[i]);
    mpc_point_sum_var(f->ctx, &r, pts, LINCOMB_COUNT);
    assert_point_eq(f->ctx, &r, &acc);

    /* A batch that sums to the identity on its own, followed by more points. */
    {
        mpc_point two[40];

        for (int i = 0; i < 16; i++) {
            two[2 * i] = pts[i];
            mpc_point_neg_var(f->ctx, &two[2 * i + 1], &pts[i]);
        }
        for (int i = 32; i < 40; i++)
            two[i] = pts[i];
        mpc_point_sum_var(f->ctx, &r, two, 32);
        assert_identity(&r);
        mpc_point_sum_var(f->ctx, &r, two, 40);
        mpc_point_sum_var(f->ctx, &acc, &two[32], 8);
        assert_point_eq(f->ctx, &r, &acc);
    }
}

static void test_hash_to_curve(void **state)
{
    fixture *f = *state;
    mpc_point out[16], q;
    unsigned char enc[33];
    mpc_hash h;

    for (uint32_t i = 0; i < 16; i++) {
        mpc_hash_init(&h, MPC_TAG_EOT_H);
        mpc_hash_field_u32(&h, i);
        mpc_hash_to_curve_var(f->ctx, &out[i], &h);
        assert_false(mpc_point_is_infinity(&out[i]));
        assert_int_equal(mpc_point_serialize(f->ctx, enc, &out[i]), MPC_OK);
        assert_int_equal(enc[0], 0x02);
        assert_int_equal(mpc_point_parse(f->ctx, &q, enc), MPC_OK);
        for (uint32_t j = 0; j < i; j++)
            assert_false(mpc_point_eq(f->ctx, &out[i], &out[j]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_rejections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mul_oracle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_neg_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lincomb_sum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_to_curve, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
