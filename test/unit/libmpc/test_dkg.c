/* DKG: honest runs for several (t, n), key share serialization and strict parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto_fixture.h"
#include "test_rng.h"

/* Every t-subset of {1..n} reconstructs a secret x with x*G == pk (OpenSSL BIGNUM Lagrange). */
static void check_all_subsets(const mpc_context *ctx, mpc_keyshare **ks, uint32_t n, uint32_t t)
{
    uint32_t set[MPC_MAX_PARTIES], mask, k, c;

    for (mask = 0; mask < (1u << n); mask++) {
        for (k = 0, c = 0; k < n; k++)
            if (mask & (1u << k))
                set[c++] = k + 1;
        if (c == t)
            fx_check_reconstruct(ctx, ks, set, c);
    }
}

static void check_dkg(uint32_t t, uint32_t n, uint64_t seed)
{
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[MPC_MAX_PARTIES];
    mpc_keyshare_info info0, info;
    unsigned char h0[32], h[32], S[33], S0[33];
    uint32_t k, m;

    test_rng_init(&rng, seed);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, n, t, (uint8_t)seed);
    mpc_keyshare_get_info(ctx, &info0, ks[0]);
    mpc_keyshare_public_hash(ctx, h0, ks[0]);
    for (k = 0; k < n; k++) {
        mpc_keyshare_get_info(ctx, &info, ks[k]);
        assert_int_equal(info.n, n);
        assert_int_equal(info.t, t);
        assert_int_equal(info.self, k + 1);
        assert_int_equal(info.epoch, 0);
        assert_memory_equal(info.sid, info0.sid, 32);
        assert_memory_equal(info.pubkey, info0.pubkey, 33);
        assert_memory_equal(info.chaincode, info0.chaincode, 32);
        mpc_keyshare_public_hash(ctx, h, ks[k]);
        assert_memory_equal(h, h0, 32);
        for (m = 1; m <= n; m++) {
            assert_int_equal(mpc_keyshare_public_share(ctx, S, ks[k], m), MPC_OK);
            assert_int_equal(mpc_keyshare_public_share(ctx, S0, ks[0], m), MPC_OK);
            assert_memory_equal(S, S0, 33);
        }
    }
    check_all_subsets(ctx, ks, n, t);
    fx_free_shares(ks, n);
    mpc_context_destroy(ctx);
}

static void test_dkg_2_2(void **state) { (void)state; check_dkg(2, 2, 1); }
static void test_dkg_2_3(void **state) { (void)state; check_dkg(2, 3, 2); }
static void test_dkg_3_5(void **state) { (void)state; check_dkg(3, 5, 3); }
static void test_dkg_5_5(void **state) { (void)state; check_dkg(5, 5, 4); }

/* Serialize, parse, serialize again: identical bytes; every corruption is rejected. */
static void test_keyshare_roundtrip_and_rejects(void **state)
{
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[3], *p = NULL;
    unsigned char *a, *b;
    size_t len;

    (void)state;
    test_rng_init(&rng, 10);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, 3, 2, 10);
    len = mpc_keyshare_serialized_len(ks[1]);
    assert_int_equal(len, MPC_KEYSHARE_BYTES(3));
    a = malloc(len + 1);
    b = malloc(len);
    assert_int_equal(mpc_keyshare_serialize(ctx, a, len, ks[1]), MPC_OK);
    assert_int_equal(mpc_keyshare_parse(ctx, &p, a, len), MPC_OK);
    assert_int_equal(mpc_keyshare_serialize(ctx, b, len, p), MPC_OK);
    assert_memory_equal(a, b, len);
    mpc_keyshare_destroy(p);

    /* wrong lengths, trailing byte */
    assert_int_equal(mpc_keyshare_parse(ctx, &p, a, len - 1), MPC_E_ENCODING);
    a[len] = 0;
    assert_int_equal(mpc_keyshare_parse(ctx, &p, a, len + 1), MPC_E_ENCODING);
    assert_null(p);
    /* magic, version, n, t, i out of range */
    {
        static const size_t offs[] = { 0, 7, 11, 15, 19 };
        size_t k;
        for (k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
            memcpy(b, a, len);
            b[offs[k]] ^= 0x40;
            assert_int_equal(mpc_keyshare_parse(ctx, &p, b, len), MPC_E_ENCODING);
        }
    }
    /* share >= n */
    memcpy(b, a, len);
    memset(b + MPC_KEYSHARE_OFF_SHARE, 0xff, 32);
    assert_int_equal(mpc_keyshare_parse(ctx, &p, b, len), MPC_E_ENCODING);
    /* a different (valid) share: share*G != S_i */
    memcpy(b, a, len);
    b[MPC_KEYSHARE_OFF_SHARE + 31] ^= 1;
    assert_int_equal(mpc_keyshare_parse(ctx, &p, b, len), MPC_E_ENCODING);
    /* pk replaced by S_1: not consistent with the public shares */
    memcpy(b, a, len);
    memcpy(b + 56, a + 153, 33);
    assert_int_equal(mpc_keyshare_parse(ctx, &p, b, len), MPC_E_ENCODING);
    /* S_3 replaced by S_1: not on the degree-1 polynomial */
    memcpy(b, a, len);
    memcpy(b + 153 + 66, a + 153, 33);
    assert_int_equal(mpc_keyshare_parse(ctx, &p, b, len), MPC_E_ENCODING);
    /* non-canonical point encoding (0x04 prefix) */
    memcpy(b, a, len);
    b[56] = 0x04;
    assert_int_equal(mpc_keyshare_parse(ctx, &p, b, len), MPC_E_ENCODING);
    assert_null(p);

    memset(a, 0, len);
    free(a);
    free(b);
    fx_free_shares(ks, 3);
    mpc_context_destroy(ctx);
}

/* The state machine refuses misuse: extra input to round 1, calls after the end. */
static void test_dkg_state_rules(void **state)
{
    test_rng rng;
    mpc_context *ctx;
    mpc_dkg *st;
    mpc_keyshare *ks;
    const mpc_msg_out *out;
    size_t oc;
    mpc_blame blame;
    mpc_msg_in in = { 2, (const unsigned char *)"x", 1 };
    unsigned char inst[32] = { 0 };

    (void)state;
    test_rng_init(&rng, 11);
    ctx = test_context(&rng);
    assert_int_equal(mpc_dkg_create(ctx, &st, 3, 2, 1, inst), MPC_OK);
    assert_int_equal(mpc_dkg_finish(ctx, &ks, st), MPC_E_STATE);
    assert_int_equal(mpc_dkg_next(ctx, &out, &oc, &blame, st, &in, 1), MPC_E_SESSION);
    assert_int_equal(blame.count, 0);
    /* dead now */
    assert_int_equal(mpc_dkg_next(ctx, &out, &oc, &blame, st, NULL, 0), MPC_E_STATE);
    assert_int_equal(oc, 0);
    mpc_dkg_destroy(st);
    mpc_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dkg_2_2),
        cmocka_unit_test(test_dkg_2_3),
        cmocka_unit_test(test_dkg_3_5),
        cmocka_unit_test(test_dkg_5_5),
        cmocka_unit_test(test_keyshare_roundtrip_and_rejects),
        cmocka_unit_test(test_dkg_state_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
