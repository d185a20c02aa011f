#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "proto_fixture.h"

static const char *order_hex =
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";

unsigned fx_dkg_hooked(const mpc_context *ctx, net *nw, mpc_keyshare **ks, uint32_t n,
        uint32_t t, uint8_t seed, net_hook hook, void *user)
{
    mpc_dkg *st[MPC_MAX_PARTIES] = { NULL };
    uint32_t idx[MPC_MAX_PARTIES] = { 0 }, k;
    unsigned char inst[32];
    unsigned fail;

    memset(inst, seed, sizeof(inst));
    for (k = 0; k < n; k++) {
        idx[k] = k + 1;
        assert_int_equal(mpc_dkg_create(ctx, &st[k], n, t, k + 1, inst), MPC_OK);
    }
    net_init(nw, ctx, net_dkg_step, n, idx, (void *const *)st);
    nw->hook = hook;
    nw->user = user;
    fail = net_run(nw, MPC_DKG_ROUNDS + 1);
    for (k = 0; k < n; k++) {
        ks[k] = NULL;
        if (fail == 0) {
            assert_int_equal(mpc_dkg_finish(ctx, &ks[k], st[k]), MPC_OK);
        } else if (nw->rc[k] != MPC_OK || fail < MPC_DKG_ROUNDS + 1) {
            /* a party that detected the abort, or any party before the last call, outputs
             * nothing; a party that saw nothing wrong in the last call finishes, and the
             * reconcile step (public-state hash) is what stops it from using the share */
            assert_int_equal(mpc_dkg_finish(ctx, &ks[k], st[k]), MPC_E_STATE);
        } else {
            assert_int_equal(mpc_dkg_finish(ctx, &ks[k], st[k]), MPC_OK);
            mpc_keyshare_destroy(ks[k]);
            ks[k] = NULL;
        }
        mpc_dkg_destroy(st[k]);
    }
    return fail;
}

void fx_dkg(const mpc_context *ctx, mpc_keyshare **ks, uint32_t n, uint32_t t, uint8_t seed)
{
    net *nw = calloc(1, sizeof(*nw));

    assert_non_null(nw);
    assert_int_equal(fx_dkg_hooked(ctx, nw, ks, n, t, seed, NULL, NULL), 0);
    net_free(nw);
    free(nw);
}

unsigned fx_refresh(const mpc_context *ctx, net *nw, mpc_keyshare **out, mpc_keyshare *const *ks,
        uint32_t n, uint8_t seed, net_hook hook, void *user)
{
    mpc_dkg *st[MPC_MAX_PARTIES] = { NULL };
    uint32_t idx[MPC_MAX_PARTIES] = { 0 }, k;
    unsigned char inst[32];
    unsigned fail;

    memset(inst, seed, sizeof(inst));
    for (k = 0; k < n; k++) {
        idx[k] = k + 1;
        assert_int_equal(mpc_refresh_create(ctx, &st[k], ks[k], inst), MPC_OK);
    }
    net_init(nw, ctx, net_dkg_step, n, idx, (void *const *)st);
    nw->hook = hook;
    nw->user = user;
    fail = net_run(nw, MPC_DKG_ROUNDS + 1);
    for (k = 0; k < n; k++) {
        out[k] = NULL;
        if (fail == 0 || (nw->rc[k] == MPC_OK && fail == MPC_DKG_ROUNDS + 1)) {
            assert_int_equal(mpc_dkg_finish(ctx, &out[k], st[k]), MPC_OK);
            if (fail != 0) {
                mpc_keyshare_destroy(out[k]);
                out[k] = NULL;
            }
        } else {
            assert_int_equal(mpc_dkg_finish(ctx, &out[k], st[k]), MPC_E_STATE);
        }
        mpc_dkg_destroy(st[k]);
    }
    return fail;
}

unsigned fx_sign(const mpc_context *ctx, net *nw, unsigned char sig64[64], int *recid,
        mpc_sign_public *pub, int *combine_rc, mpc_keyshare *const *ks, const uint32_t *set,
        size_t count, const unsigned char digest[32], const uint32_t *path, size_t path_len,
        uint8_t nonce_seed, net_hook hook, void *user)
{
    mpc_sign *st[MPC_MAX_PARTIES] = { NULL };
    mpc_sign_request req;
    mpc_msg_in in[MPC_MAX_PARTIES];
    unsigned char nonce[32], sigid[32], sigid0[32];
    mpc_blame blame;
    unsigned fail;
    size_t k;

    memset(nonce, nonce_seed, sizeof(nonce));
    memset(&req, 0, sizeof(req));
    req.signers = set;
    req.signer_count = count;
    req.msg_digest32 = digest;
    req.path = path;
    req.path_len = path_len;
    req.coord_nonce32 = nonce;
    for (k = 0; k < count; k++) {
        assert_int_equal(mpc_sign_create(ctx, &st[k], sigid, ks[set[k] - 1], &req), MPC_OK);
        if (k == 0)
            memcpy(sigid0, sigid, 32);
        assert_memory_equal(sigid, sigid0, 32);
    }
    mpc_sign_get_public(pub, st[0]);
    net_init(nw, ctx, net_sign_step, count, set, (void *const *)st);
    nw->hook = hook;
    nw->user = user;
    fail = net_run(nw, MPC_SIGN_ROUNDS);
    if (fail == 0) {
        for (k = 0; k < count; k++) {
            assert_int_equal(nw->last_n[k], 1);
            in[k].from = set[k];
            in[k].data = nw->last[k][0].data;
            in[k].len = nw->last[k][0].len;
        }
        *combine_rc = mpc_sign_combine(ctx, sig64, recid, &blame, pub, in, count);
        if (*combine_rc != MPC_OK)
            fail = 4;
    } else {
        /* an aborted session is dead for everyone who noticed; no signer produced round 3 */
        for (k = 0; k < count; k++)
            if (nw->rc[k] != MPC_OK) {
                const mpc_msg_out *o;
                size_t oc;
                assert_int_equal(mpc_sign_next(ctx, &o, &oc, &blame, st[k], NULL, 0), MPC_E_STATE);
                assert_int_equal(oc, 0);
            }
    }
    for (k = 0; k < count; k++)
        mpc_sign_destroy(st[k]);
    return fail;
}

static EVP_PKEY *openssl_pubkey(const unsigned char pk33[33])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *pctx;
    EVP_PKEY *pkey = NULL;

    assert_non_null(bld);
    assert_true(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp256k1", 0));
    assert_true(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pk33, 33));
    params = OSSL_PARAM_BLD_to_param(bld);
    pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    assert_non_null(pctx);
    assert_int_equal(EVP_PKEY_fromdata_init(pctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

void fx_check_signature(const unsigned char pk33[33], const unsigned char digest[32],
        const unsigned char sig64[64], int recid)
{
    secp256k1_context *sctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_ecdsa_signature sig;
    secp256k1_pubkey pk, rec;
    unsigned char recb[33], *der = NULL;
    size_t len = 33;
    ECDSA_SIG *esig;
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *vctx;
    BIGNUM *r, *s, *half, *n;
    int derlen;

    /* libsecp256k1 (accepts low-s only) */
    assert_true(secp256k1_ec_pubkey_parse(sctx, &pk, pk33, 33));
    assert_true(secp256k1_ecdsa_signature_parse_compact(sctx, &sig, sig64));
    assert_true(secp256k1_ecdsa_verify(sctx, &sig, digest, &pk));
    assert_true(recid >= 0 && recid <= 3);
    assert_true(secp256k1_ecdsa_recoverable_signature_parse_compact(sctx, &rsig, sig64, recid));
    assert_true(secp256k1_ecdsa_recover(sctx, &rec, &rsig, digest));
    assert_true(secp256k1_ec_pubkey_serialize(sctx, recb, &len, &rec, SECP256K1_EC_COMPRESSED));
    assert_memory_equal(recb, pk33, 33);

    /* OpenSSL: DER signature, raw-digest ECDSA verification; low-s checked with BIGNUM */
    r = BN_bin2bn(sig64, 32, NULL);
    s = BN_bin2bn(sig64 + 32, 32, NULL);
    n = NULL;
    assert_true(BN_hex2bn(&n, order_hex) > 0);
    half = BN_new();
    assert_true(BN_rshift1(half, n));
    assert_true(BN_cmp(s, half) <= 0);
    esig = ECDSA_SIG_new();
    assert_true(ECDSA_SIG_set0(esig, r, s));
    derlen = i2d_ECDSA_SIG(esig, &der);
    assert_true(derlen > 0);
    pkey = openssl_pubkey(pk33);
    vctx = EVP_PKEY_CTX_new(pkey, NULL);
    assert_int_equal(EVP_PKEY_verify_init(vctx), 1);
    assert_int_equal(EVP_PKEY_verify(vctx, der, (size_t)derlen, digest, 32), 1);
    EVP_PKEY_CTX_free(vctx);
    EVP_PKEY_free(pkey);
    OPENSSL_free(der);
    ECDSA_SIG_free(esig);
    BN_free(half);
    BN_free(n);
    secp256k1_context_destroy(sctx);
}

void fx_check_reconstruct(const mpc_context *ctx, mpc_keyshare *const *ks, const uint32_t *set,
        size_t count)
{
    secp256k1_context *sctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *n = NULL, *x = BN_new(), *num = BN_new(), *den = BN_new(), *t = BN_new(),
           *share = BN_new();
    secp256k1_pubkey P;
    mpc_keyshare_info info;
    unsigned char buf32[32], pk33[33];
    size_t a, b, len = 33;

    assert_true(BN_hex2bn(&n, order_hex) > 0);
    BN_zero(x);
    for (a = 0; a < count; a++) {
        mpc_keyshare *k = ks[set[a] - 1];
        size_t sl = mpc_keyshare_serialized_len(k);
        unsigned char *ser = malloc(sl);
        assert_int_equal(mpc_keyshare_serialize(ctx, ser, sl, k), MPC_OK);
        assert_non_null(BN_bin2bn(ser + MPC_KEYSHARE_OFF_SHARE, 32, share));
        memset(ser, 0, sl);
        free(ser);
        BN_one(num);
        BN_one(den);
        for (b = 0; b < count; b++) {
            if (b == a)
                continue;
            assert_true(BN_set_word(t, set[b]));
            assert_true(BN_mod_mul(num, num, t, n, bc));
            assert_true(BN_set_word(t, set[b]));
            assert_true(BN_sub_word(t, set[a]));
            assert_true(BN_nnmod(t, t, n, bc));
            assert_true(BN_mod_mul(den, den, t, n, bc));
        }
        assert_non_null(BN_mod_inverse(den, den, n, bc));
        assert_true(BN_mod_mul(t, num, den, n, bc));
        assert_true(BN_mod_mul(t, t, share, n, bc));
        assert_true(BN_mod_add(x, x, t, n, bc));
    }
    assert_int_equal(BN_bn2binpad(x, buf32, 32), 32);
    assert_true(secp256k1_ec_pubkey_create(sctx, &P, buf32));
    assert_true(secp256k1_ec_pubkey_serialize(sctx, pk33, &len, &P, SECP256K1_EC_COMPRESSED));
    mpc_keyshare_get_info(ctx, &info, ks[set[0] - 1]);
    assert_memory_equal(pk33, info.pubkey, 33);
    memset(buf32, 0, 32);
    BN_clear_free(x);
    BN_clear_free(share);
    BN_clear_free(t);
    BN_free(num);
    BN_free(den);
    BN_free(n);
    BN_CTX_free(bc);
    secp256k1_context_destroy(sctx);
}

void fx_ckd_pub(unsigned char out33[33], const unsigned char pk33[33],
        const unsigned char chain[32], const uint32_t *path, size_t len)
{
    secp256k1_context *sctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    unsigned char pk[33], cc[32], data[37], I[64];
    unsigned int ilen = 64;
    secp256k1_pubkey P;
    size_t k, sl = 33;

    memcpy(pk, pk33, 33);
    memcpy(cc, chain, 32);
    for (k = 0; k < len; k++) {
        memcpy(data, pk, 33);
        data[33] = (unsigned char)(path[k] >> 24);
        data[34] = (unsigned char)(path[k] >> 16);
        data[35] = (unsigned char)(path[k] >> 8);
        data[36] = (unsigned char)path[k];
        assert_non_null(HMAC(EVP_sha512(), cc, 32, data, 37, I, &ilen));
        assert_true(secp256k1_ec_pubkey_parse(sctx, &P, pk, 33));
        assert_true(secp256k1_ec_pubkey_tweak_add(sctx, &P, I));
        sl = 33;
        assert_true(secp256k1_ec_pubkey_serialize(sctx, pk, &sl, &P, SECP256K1_EC_COMPRESSED));
        memcpy(cc, I + 32, 32);
    }
    memcpy(out33, pk, 33);
    secp256k1_context_destroy(sctx);
}

void fx_free_shares(mpc_keyshare **ks, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        mpc_keyshare_destroy(ks[k]);
        ks[k] = NULL;
    }
}
