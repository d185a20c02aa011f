/* Proactive refresh (PROTOCOL.md 6.1): same pk and chain code, new shares, sid and epoch; old and
 * new material never meet in one session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto_fixture.h"
#include "test_rng.h"

static void sign_ok(const mpc_context *ctx, net *nw, mpc_keyshare **ks, const uint32_t *set,
        size_t count, const uint32_t *path, size_t path_len, uint8_t nonce)
{
    unsigned char digest[32], sig[64], expect_pk[33];
    mpc_keyshare_info info;
    mpc_sign_public pub;
    int recid, crc;

    memset(digest, nonce, 32);
    net_free(nw);
    assert_int_equal(fx_sign(ctx, nw, sig, &recid, &pub, &crc, ks, set, count, digest, path,
                             path_len, nonce, NULL, NULL), 0);
    mpc_keyshare_get_info(ctx, &info, ks[set[0] - 1]);
    fx_ckd_pub(expect_pk, info.pubkey, info.chaincode, path, path_len);
    assert_memory_equal(pub.pubkey, expect_pk, 33);
    fx_check_signature(expect_pk, digest, sig, recid);
}

static void shares_bytes(const mpc_context *ctx, unsigned char out[32], mpc_keyshare *ks)
{
    size_t len = mpc_keyshare_serialized_len(ks);
    unsigned char *b = malloc(len);

    assert_int_equal(mpc_keyshare_serialize(ctx, b, len, ks), MPC_OK);
    memcpy(out, b + MPC_KEYSHARE_OFF_SHARE, 32);
    memset(b, 0, len);
    free(b);
}

static void check_refresh(uint32_t t, uint32_t n, uint64_t seed)
{
    static const uint32_t path[] = { 1, 2 };
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[MPC_MAX_PARTIES], *ks2[MPC_MAX_PARTIES], *ks3[MPC_MAX_PARTIES];
    mpc_keyshare_info a, b;
    unsigned char h0[32], h[32], s_old[32], s_new[32];
    uint32_t set[MPC_MAX_PARTIES], k;
    net *nw = calloc(1, sizeof(*nw));

    test_rng_init(&rng, seed);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, n, t, (uint8_t)seed);
    for (k = 0; k < n; k++)
        set[k] = k + 1;
    sign_ok(ctx, nw, ks, set, t, NULL, 0, 1);

    net_free(nw);
    assert_int_equal(fx_refresh(ctx, nw, ks2, ks, n, (uint8_t)(seed + 1), NULL, NULL), 0);
    mpc_keyshare_get_info(ctx, &a, ks[0]);
    mpc_keyshare_public_hash(ctx, h0, ks2[0]);
    for (k = 0; k < n; k++) {
        mpc_keyshare_get_info(ctx, &b, ks2[k]);
        assert_memory_equal(b.pubkey, a.pubkey, 33);
        assert_memory_equal(b.chaincode, a.chaincode, 32);
        assert_memory_not_equal(b.sid, a.sid, 32);
        assert_int_equal(b.epoch, 1);
        mpc_keyshare_public_hash(ctx, h, ks2[k]);
        assert_memory_equal(h, h0, 32);
        shares_bytes(ctx, s_old, ks[k]);
        shares_bytes(ctx, s_new, ks2[k]);
        assert_memory_not_equal(s_old, s_new, 32);
    }
    /* the new shares reconstruct the same key (first and last t parties) */
    fx_check_reconstruct(ctx, ks2, set, t);
    fx_check_reconstruct(ctx, ks2, set + (n - t), t);
    sign_ok(ctx, nw, ks2, set + (n - t), t, NULL, 0, 2);
    sign_ok(ctx, nw, ks2, set, n, path, 2, 3);

    /* a second refresh: epoch 2 */
    net_free(nw);
    assert_int_equal(fx_refresh(ctx, nw, ks3, ks2, n, (uint8_t)(seed + 2), NULL, NULL), 0);
    mpc_keyshare_get_info(ctx, &b, ks3[n - 1]);
    assert_int_equal(b.epoch, 2);
    fx_check_reconstruct(ctx, ks3, set, t);
    sign_ok(ctx, nw, ks3, set, t, NULL, 0, 4);

    fx_free_shares(ks, n);
    fx_free_shares(ks2, n);
    fx_free_shares(ks3, n);
    net_free(nw);
    free(nw);
    mpc_context_destroy(ctx);
}

static void test_refresh_2_3(void **state) { (void)state; check_refresh(2, 3, 31); }
static void test_refresh_3_5(void **state) { (void)state; check_refresh(3, 5, 32); }

/* Old and new shares in one signing session: different sid and epoch, so the very first
 * messages are refused as another session; nobody is blamed. */
static void test_refresh_no_mixing(void **state)
{
    static const uint32_t set[] = { 1, 2 };
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[2], *ks2[2], *mixed[2];
    unsigned char digest[32] = { 9 };
    mpc_sign *st;
    mpc_sign_request req;
    unsigned char nonce[32] = { 0 }, sid_a[32], sid_b[32];
    net *nw = calloc(1, sizeof(*nw));
    mpc_sign *sts[2];
    const uint32_t idx[2] = { 1, 2 };

    (void)state;
    test_rng_init(&rng, 33);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, 2, 2, 33);
    assert_int_equal(fx_refresh(ctx, nw, ks2, ks, 2, 34, NULL, NULL), 0);
    mixed[0] = ks[0];
    mixed[1] = ks2[1];
    /* sigid differs (sid and epoch are hashed into it) */
    memset(&req, 0, sizeof(req));
    req.signers = set;
    req.signer_count = 2;
    req.msg_digest32 = digest;
    req.coord_nonce32 = nonce;
    assert_int_equal(mpc_sign_create(ctx, &st, sid_a, mixed[0], &req), MPC_OK);
    mpc_sign_destroy(st);
    assert_int_equal(mpc_sign_create(ctx, &st, sid_b, mixed[1], &req), MPC_OK);
    mpc_sign_destroy(st);
    assert_memory_not_equal(sid_a, sid_b, 32);
    /* run it anyway: refused at the header check of round 2 */
    assert_int_equal(mpc_sign_create(ctx, &sts[0], sid_a, mixed[0], &req), MPC_OK);
    assert_int_equal(mpc_sign_create(ctx, &sts[1], sid_b, mixed[1], &req), MPC_OK);
    net_free(nw);
    net_init(nw, ctx, net_sign_step, 2, idx, (void *const *)sts);
    assert_int_equal(net_run(nw, 3), 2);
    assert_int_equal(nw->rc[0], MPC_E_SESSION);
    assert_int_equal(nw->rc[1], MPC_E_SESSION);
    assert_int_equal(nw->blame[0].count, 0);
    mpc_sign_destroy(sts[0]);
    mpc_sign_destroy(sts[1]);

    /* a refresh where one party starts from the refreshed share: other epoch and aux in its
     * round-1 header, refused by everyone */
    {
        mpc_keyshare *out[2];
        mpc_dkg *d[2];
        unsigned char inst[32];
        memset(inst, 35, 32);
        assert_int_equal(mpc_refresh_create(ctx, &d[0], ks[0], inst), MPC_OK);
        assert_int_equal(mpc_refresh_create(ctx, &d[1], ks2[1], inst), MPC_OK);
        net_free(nw);
        net_init(nw, ctx, net_dkg_step, 2, idx, (void *const *)d);
        assert_int_equal(net_run(nw, MPC_DKG_ROUNDS + 1), 2);
        assert_int_equal(nw->rc[0], MPC_E_SESSION);
        assert_int_equal(nw->rc[1], MPC_E_SESSION);
        assert_int_equal(mpc_dkg_finish(ctx, &out[0], d[0]), MPC_E_STATE);
        assert_int_equal(mpc_dkg_finish(ctx, &out[1], d[1]), MPC_E_STATE);
        mpc_dkg_destroy(d[0]);
        mpc_dkg_destroy(d[1]);
    }
    fx_free_shares(ks, 2);
    fx_free_shares(ks2, 2);
    net_free(nw);
    free(nw);
    mpc_context_destroy(ctx);
}

/* A Feldman-inconsistent refresh share is caught like in the DKG (named party, no output). */
typedef struct {
    int hits;
} flip;

static int flip_share_hook(net_msg *m, void *user)
{
    flip *fl = user;

    if (m->round == 3 && m->from == 3 && m->to == 2) {
        m->data[MPC_MSG_HEADER_BYTES + 31] ^= 1;
        fl->hits++;
    }
    return NET_DELIVER;
}

static void test_refresh_bad_share(void **state)
{
    test_rng rng;
    mpc_context *ctx;
    mpc_keyshare *ks[3], *ks2[3];
    net *nw = calloc(1, sizeof(*nw));
    flip fl = { 0 };

    (void)state;
    test_rng_init(&rng, 36);
    ctx = test_context(&rng);
    fx_dkg(ctx, ks, 3, 2, 36);
    assert_int_equal(fx_refresh(ctx, nw, ks2, ks, 3, 37, flip_share_hook, &fl), 4);
    assert_int_equal(fl.hits, 1);
    assert_int_equal(nw->rc[1], MPC_E_PROOF);
    assert_int_equal(nw->blame[1].count, 1);
    assert_int_equal(nw->blame[1].party[0], 3);
    fx_free_shares(ks, 3);
    net_free(nw);
    free(nw);
    mpc_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refresh_2_3),
        cmocka_unit_test(test_refresh_3_5),
        cmocka_unit_test(test_refresh_no_mixing),
        cmocka_unit_test(test_refresh_bad_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
