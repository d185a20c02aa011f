/* GF(2^128): fixed vectors from the Python model (gen_gf128_vectors.py), field identities, and the
 * portable and PCLMULQDQ multipliers against each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gf128_internal.h"
#include "gf128_vectors.h"
#include "test_rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CLMUL_ITERATIONS 100000
#define IDENTITY_ITERATIONS 1000

typedef void (*gf128_mul_fn)(mpc_gf128 *r, const mpc_gf128 *a, const mpc_gf128 *b);

static void random_element(test_rng *rng, mpc_gf128 *a)
{
    a->lo = test_rng_u64(rng);
    a->hi = test_rng_u64(rng);
}

static int gf_eq(const mpc_gf128 *a, const mpc_gf128 *b)
{
    return a->lo == b->lo && a->hi == b->hi;
}

static void check_vectors(gf128_mul_fn mul)
{
    unsigned char out[16];
    mpc_gf128 a, b, r;

    for (size_t i = 0; i < ARRAY_LEN(gf128_vectors); i++) {
        mpc_gf128_load(&a, gf128_vectors[i].a);
        mpc_gf128_load(&b, gf128_vectors[i].b);
        mul(&r, &a, &b);
        mpc_gf128_store(out, &r);
        assert_memory_equal(out, gf128_vectors[i].ab, 16);
    }
}

static void test_vectors(void **state)
{
    (void)state;
    check_vectors(mpc_gf128_mul);
    check_vectors(mpc__gf128_mul_portable);
#ifdef MPC_GF128_CLMUL
    if (mpc__gf128_have_clmul())
        check_vectors(mpc__gf128_mul_clmul);
#endif
}

/* Bit b of the bytes is the coefficient of x^b: byte 0 bit 0 is x^0, byte 15 bit 7 is x^127. */
static void test_load_store(void **state)
{
    unsigned char in[16], out[16];
    mpc_gf128 a;
    test_rng rng;
    (void)state;

    memset(in, 0, sizeof(in));
    in[0] = 0x02;
    in[15] = 0x80;
    mpc_gf128_load(&a, in);
    assert_true(a.lo == 2 && a.hi == UINT64_C(0x8000000000000000));
    test_rng_init(&rng, 11);
    for (int i = 0; i < 100; i++) {
        test_rng_bytes(&rng, in, sizeof(in));
        mpc_gf128_load(&a, in);
        mpc_gf128_store(out, &a);
        assert_memory_equal(in, out, 16);
    }
}

static void check_identities(gf128_mul_fn mul)
{
    const mpc_gf128 one = { 1, 0 }, x = { 2, 0 }, x127 = { 0, UINT64_C(1) << 63 };
    const mpc_gf128 reduction = { 0x87, 0 };
    mpc_gf128 a, b, c, r, s, t;
    test_rng rng;

    mul(&r, &x, &x127);
    assert_true(gf_eq(&r, &reduction));
    test_rng_init(&rng, 12);
    for (int i = 0; i < IDENTITY_ITERATIONS; i++) {
        random_element(&rng, &a);
        random_element(&rng, &b);
        random_element(&rng, &c);
        /* 1 * a == a */
        mul(&r, &one, &a);
        assert_true(gf_eq(&r, &a));
        /* commutativity */
        mul(&r, &a, &b);
        mul(&s, &b, &a);
        assert_true(gf_eq(&r, &s));
        /* distributivity: a(b + c) == ab + ac */
        s.lo = b.lo ^ c.lo;
        s.hi = b.hi ^ c.hi;
        mul(&t, &a, &s);
        mul(&s, &a, &c);
        r.lo ^= s.lo;
        r.hi ^= s.hi;
        assert_true(gf_eq(&r, &t));
        /* associativity: (ab)c == a(bc) */
        mul(&r, &a, &b);
        mul(&r, &r, &c);
        mul(&s, &b, &c);
        mul(&s, &a, &s);
        assert_true(gf_eq(&r, &s));
    }
    /* Frobenius: a^(2^128) == a, by 128 squarings. */
    for (int i = 0; i < 50; i++) {
        random_element(&rng, &a);
        r = a;
        for (int k = 0; k < 128; k++)
            mul(&r, &r, &r);
        assert_true(gf_eq(&r, &a));
        /* ... and not earlier for a generic element: a^(2^64) != a unless a is in GF(2^64). */
        r = a;
        for (int k = 0; k < 64; k++)
            mul(&r, &r, &r);
        assert_false(gf_eq(&r, &a));
    }
}

static void test_identities(void **state)
{
    (void)state;
    check_identities(mpc_gf128_mul);
    check_identities(mpc__gf128_mul_portable);
#ifdef MPC_GF128_CLMUL
    if (mpc__gf128_have_clmul())
        check_identities(mpc__gf128_mul_clmul);
#endif
}

static void test_portable_vs_clmul(void **state)
{
    (void)state;
#ifdef MPC_GF128_CLMUL
    if (!mpc__gf128_have_clmul()) {
        fprintf(stderr, "this CPU has no PCLMULQDQ: nothing to compare\n");
        skip();
    }
    {
        mpc_gf128 a, b, r, s;
        test_rng rng;

        test_rng_init(&rng, 13);
        for (int i = 0; i < CLMUL_ITERATIONS; i++) {
            random_element(&rng, &a);
            random_element(&rng, &b);
            /* Sparse operands reach the reduction's corner cases more often than random ones. */
            if (i % 4 == 1)
                a.lo = 0;
            if (i % 4 == 2)
                b.hi &= UINT64_C(0xff00000000000000);
            mpc__gf128_mul_portable(&r, &a, &b);
            mpc__gf128_mul_clmul(&s, &a, &b);
            assert_true(gf_eq(&r, &s));
        }
    }
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_load_store),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_portable_vs_clmul),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
