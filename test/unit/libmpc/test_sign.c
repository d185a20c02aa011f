/* Signing: every t-subset and a larger set for several (t, n), derived keys; every signature is
 * checked with libsecp256k1, OpenSSL and public-key recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto_fixture.h"
#include "test_rng.h"

static void sign_and_check(const mpc_context *ctx, test_rng *rng, mpc_keyshare **ks,
        const uint32_t *set, size_t count, const uint32_t *path, size_t path_len)
{
    net *nw = calloc(1, sizeof(*nw));
    unsigned char digest[32], sig[64], expect_pk[33];
    mpc_keyshare_info info;
    mpc_sign_public pub;
    int recid, crc = MPC_OK;

    assert_non_null(nw);
    test_rng_bytes(rng, digest, 32);
    assert_int_equal(fx_sign(ctx, nw, sig, &recid, &pub, &crc, ks, set, count, digest, path,
                             path_len, (uint8_t)test_rng_u64(rng), NULL, NULL), 0);
    assert_int_equal(crc, MPC_OK);
    mpc_keyshare_get_info(ctx, &info, ks[set[0] - 1]);
    fx_ckd_pub(expect_pk, info.pubkey, info.chaincode, path, path_len);
    assert_memory_equal(pub.pubkey, expect_pk, 33);
    fx_check_signature(expect_pk, digest, sig, recid);
    net_free(nw);
    free(nw);
}

static void check_sign(uint32_t t, uint32_t n, uint64_t seed)
{
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[MPC_MAX_PARTIES];
    uint32_t set[MPC_MAX_PARTIES], mask, k, c;

    test_rng_init(&rng, seed);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, n, t, (uint8_t)seed);
    /* every t-subset, in a scrambled order (the request's order must not matter) */
    for (mask = 0; mask < (1u << n); mask++) {
        for (k = n, c = 0; k-- > 0;)
            if (mask & (1u << k))
                set[c++] = k + 1;
        if (c == t)
            sign_and_check(ctx, &rng, ks, set, c, NULL, 0);
    }
    /* all n parties (|P| > t when t < n) */
    for (k = 0; k < n; k++)
        set[k] = k + 1;
    if (n > t)
        sign_and_check(ctx, &rng, ks, set, n, NULL, 0);
    fx_free_shares(ks, n);
    mpc_context_destroy(ctx);
}

static void test_sign_2_2(void **state) { (void)state; check_sign(2, 2, 21); }
static void test_sign_2_3(void **state) { (void)state; check_sign(2, 3, 22); }
static void test_sign_3_5(void **state) { (void)state; check_sign(3, 5, 23); }
static void test_sign_5_5(void **state) { (void)state; check_sign(5, 5, 24); }

/* Derived keys: the signature verifies under the CKDpub child computed independently. */
static void test_sign_derived(void **state)
{
    static const uint32_t path1[] = { 0 };
    static const uint32_t path3[] = { 44, 0, 1000000000 };
    static const uint32_t set[] = { 3, 1 };
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[3];

    (void)state;
    test_rng_init(&rng, 25);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, 3, 2, 25);
    sign_and_check(ctx, &rng, ks, set, 2, path1, 1);
    sign_and_check(ctx, &rng, ks, set, 2, path3, 3);
    fx_free_shares(ks, 3);
    mpc_context_destroy(ctx);
}

/* sigid is fixed before round 1, equal at every signer, and bound to every request field. */
static void test_sigid_binding(void **state)
{
    static const uint32_t set[] = { 1, 2 }, set_rev[] = { 2, 1 }, set3[] = { 1, 2, 3 };
    static const uint32_t path[] = { 7 };
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[3];
    mpc_keyshare_info info;
    mpc_sign_request req;
    mpc_sign_public pub;
    mpc_sign *st;
    unsigned char digest[32] = { 1 }, nonce[32] = { 2 }, s0[32], s[32];

    (void)state;
    test_rng_init(&rng, 26);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, 3, 2, 26);
    mpc_keyshare_get_info(ctx, &info, ks[0]);
    memset(&req, 0, sizeof(req));
    req.signers = set;
    req.signer_count = 2;
    req.msg_digest32 = digest;
    req.coord_nonce32 = nonce;
    assert_int_equal(mpc_sign_create(ctx, &st, s0, ks[0], &req), MPC_OK);
    mpc_sign_destroy(st);
    assert_int_equal(mpc_sign_public_init(ctx, &pub, &info, &req), MPC_OK);
    assert_memory_equal(pub.sigid, s0, 32);
    req.signers = set_rev;
    assert_int_equal(mpc_sign_create(ctx, &st, s, ks[1], &req), MPC_OK);
    mpc_sign_destroy(st);
    assert_memory_equal(s, s0, 32);
    /* each field changes sigid */
    req.signers = set3;
    req.signer_count = 3;
    assert_int_equal(mpc_sign_public_init(ctx, &pub, &info, &req), MPC_OK);
    assert_memory_not_equal(pub.sigid, s0, 32);
    req.signers = set;
    req.signer_count = 2;
    digest[0] ^= 1;
    assert_int_equal(mpc_sign_public_init(ctx, &pub, &info, &req), MPC_OK);
    assert_memory_not_equal(pub.sigid, s0, 32);
    digest[0] ^= 1;
    nonce[0] ^= 1;
    assert_int_equal(mpc_sign_public_init(ctx, &pub, &info, &req), MPC_OK);
    assert_memory_not_equal(pub.sigid, s0, 32);
    nonce[0] ^= 1;
    req.path = path;
    req.path_len = 1;
    assert_int_equal(mpc_sign_public_init(ctx, &pub, &info, &req), MPC_OK);
    assert_memory_not_equal(pub.sigid, s0, 32);
    fx_free_shares(ks, 3);
    mpc_context_destroy(ctx);
}

/* Requests that cannot be signed are refused before any state exists. */
static void test_sign_request_rejects(void **state)
{
    static const uint32_t dup[] = { 1, 1 }, one[] = { 1 }, out_of_range[] = { 1, 4 },
                          without_self[] = { 2, 3 }, four[] = { 1, 2, 3, 3 };
    static const uint32_t hardened[] = { 0x80000000u };
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[3];
    mpc_sign_request req;
    mpc_sign *st;
    unsigned char digest[32] = { 0 }, nonce[32] = { 0 }, sigid[32];

    (void)state;
    test_rng_init(&rng, 27);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, 3, 2, 27);
    memset(&req, 0, sizeof(req));
    req.msg_digest32 = digest;
    req.coord_nonce32 = nonce;
    req.signer_count = 2;
    req.signers = dup;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, ks[0], &req), MPC_E_SESSION);
    assert_null(st);
    req.signers = out_of_range;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, ks[0], &req), MPC_E_SESSION);
    req.signers = without_self;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, ks[0], &req), MPC_E_SESSION);
    req.signers = one;
    req.signer_count = 1;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, ks[0], &req), MPC_E_SESSION);
    req.signers = four;
    req.signer_count = 4;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, ks[0], &req), MPC_E_SESSION);
    req.signers = (const uint32_t[]){ 1, 2 };
    req.signer_count = 2;
    req.path = hardened;
    req.path_len = 1;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, ks[0], &req), MPC_E_SESSION);
    assert_null(st);
    fx_free_shares(ks, 3);
    mpc_context_destroy(ctx);
}

/* A session is single use: after round 3 it refuses to run again. */
static void test_sign_single_use(void **state)
{
    static const uint32_t set[] = { 1, 2 };
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[2];
    mpc_sign_request req;
    mpc_sign *st;
    const mpc_msg_out *out;
    size_t oc;
    mpc_blame blame;
    unsigned char digest[32] = { 0 }, nonce[32] = { 0 }, sigid[32];

    (void)state;
    test_rng_init(&rng, 28);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, 2, 2, 28);
    memset(&req, 0, sizeof(req));
    req.signers = set;
    req.signer_count = 2;
    req.msg_digest32 = digest;
    req.coord_nonce32 = nonce;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, ks[0], &req), MPC_OK);
    assert_int_equal(mpc_sign_next(ctx, &out, &oc, &blame, st, NULL, 0), MPC_OK);
    assert_int_equal(oc, 1);
    /* round 2 without the peer's message: missing message, session over */
    assert_int_equal(mpc_sign_next(ctx, &out, &oc, &blame, st, NULL, 0), MPC_E_SESSION);
    assert_int_equal(blame.count, 0);
    assert_int_equal(mpc_sign_next(ctx, &out, &oc, &blame, st, NULL, 0), MPC_E_STATE);
    mpc_sign_destroy(st);
    fx_free_shares(ks, 2);
    mpc_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_2_2),
        cmocka_unit_test(test_sign_2_3),
        cmocka_unit_test(test_sign_3_5),
        cmocka_unit_test(test_sign_5_5),
        cmocka_unit_test(test_sign_derived),
        cmocka_unit_test(test_sigid_binding),
        cmocka_unit_test(test_sign_request_rejects),
        cmocka_unit_test(test_sign_single_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
