/* Transaction parser/serializer, legacy SignatureHash and BIP143 against the official vectors:
 * Bitcoin Core sighash.json (500 rows), BIP143 examples (preimages, digests, signatures) and the
 * BIP174 workflow's previous transactions (txids). Signatures are checked with libsecp256k1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <secp256k1.h>

#include "payload/btc_sighash.h"
#include "payload/btc_tx.h"
#include "vec.h"

static payload_btc_tx g_tx;

static long long vec_int(const vec_file *f, size_t i)
{
    char buf[32];
    const payload_json_tok *t = &f->js.toks[i];

    assert_int_equal(t->type, PAYLOAD_JSON_NUMBER);
    assert_true(t->len < sizeof buf);
    memcpy(buf, f->text + t->start, t->len);
    buf[t->len] = '\0';
    return strtoll(buf, NULL, 10);
}

static void reverse(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

static void test_sighash_json(void **state)
{
    vec_file f;
    size_t n, checked = 0;

    (void)state;
    vec_load(&f, "bitcoin/core/sighash.json");
    n = f.js.toks[0].count;
    for (size_t i = 0; i < n; i++) {
        size_t row = payload_json_at(&f.js, 0, i), tx_len, script_len, want_len, out_len;
        uint8_t *raw, *script, *want, digest[32], *reser;
        long long index, hash_type;
        payload_err err;

        if (f.js.toks[row].count == 1) {
            continue; /* the leading comment row */
        }
        assert_int_equal(f.js.toks[row].count, 5);
        raw = vec_hex(&f, payload_json_at(&f.js, row, 0), &tx_len);
        script = vec_hex(&f, payload_json_at(&f.js, row, 1), &script_len);
        index = vec_int(&f, payload_json_at(&f.js, row, 2));
        hash_type = vec_int(&f, payload_json_at(&f.js, row, 3));
        want = vec_hex(&f, payload_json_at(&f.js, row, 4), &want_len);
        assert_int_equal(want_len, 32);
        if (payload_btc_tx_parse(&err, &g_tx, raw, tx_len, PAYLOAD_BTC_TX_ALLOW_WITNESS) != PAYLOAD_OK) {
            fail_msg("row %zu: %s", i, err.msg);
        }
        reser = malloc(tx_len);
        assert_non_null(reser);
        assert_int_equal(payload_btc_tx_serialize(&err, reser, tx_len, &out_len, &g_tx, PAYLOAD_BTC_TX_ALLOW_WITNESS),
                PAYLOAD_OK);
        assert_int_equal(out_len, tx_len);
        assert_memory_equal(reser, raw, tx_len);
        if (payload_btc_sighash_legacy(&err, digest, &g_tx, (size_t)index, script, script_len,
                    (uint32_t)(int32_t)hash_type) != PAYLOAD_OK) {
            fail_msg("row %zu: %s", i, err.msg);
        }
        reverse(want, 32); /* printed in uint256 display order */
        if (memcmp(digest, want, 32) != 0) {
            fail_msg("row %zu (hashType %lld): sighash mismatch", i, hash_type);
        }
        free(raw);
        free(script);
        free(want);
        free(reser);
        checked++;
    }
    assert_int_equal(checked, 500);
    print_message("sighash.json: %zu/500 legacy sighashes match, all txs re-serialize byte-identical\n", checked);
    vec_free(&f);
}

static void verify_sig(const uint8_t *pub, size_t pub_len, const uint8_t *der, size_t der_len, const uint8_t msg[32])
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature sig;

    assert_int_equal(secp256k1_ec_pubkey_parse(ctx, &pk, pub, pub_len), 1);
    assert_int_equal(secp256k1_ecdsa_signature_parse_der(ctx, &sig, der, der_len), 1);
    assert_int_equal(secp256k1_ecdsa_verify(ctx, &sig, msg, &pk), 1);
    secp256k1_context_destroy(ctx);
}

static void test_bip143(void **state)
{
    vec_file f;
    size_t vecs, sigs = 0;

    (void)state;
    vec_load(&f, "bitcoin/bip143.json");
    vecs = vec_get(&f, 0, "vectors");
    for (size_t v = 0; v < f.js.toks[vecs].count; v++) {
        size_t vo = payload_json_at(&f.js, vecs, v), arr = vec_get(&f, vo, "signatures"), len, slen, out_len;
        uint8_t *raw = vec_hex(&f, vec_get(&f, vo, "unsigned_tx"), &len);
        uint8_t *signed_raw = vec_hex(&f, vec_get(&f, vo, "signed_tx"), &slen);
        uint8_t *buf = malloc(slen);
        payload_err err;

        assert_non_null(buf);
        assert_int_equal(payload_btc_tx_parse(&err, &g_tx, signed_raw, slen, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
        assert_true(g_tx.has_witness);
        assert_int_equal(
                payload_btc_tx_serialize(&err, buf, slen, &out_len, &g_tx, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
        assert_int_equal(out_len, slen);
        assert_memory_equal(buf, signed_raw, slen);
        assert_int_equal(payload_btc_tx_parse(&err, &g_tx, raw, len, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
        for (size_t s = 0; s < f.js.toks[arr].count; s++) {
            size_t so = payload_json_at(&f.js, arr, s), sc_len, pre_len, pub_len, sig_len, want_len, got_len;
            uint8_t *sc = vec_hex(&f, vec_get(&f, so, "scriptCode"), &sc_len);
            uint8_t *pre = vec_hex(&f, vec_get(&f, so, "preimage"), &pre_len);
            uint8_t *pub = vec_hex(&f, vec_get(&f, so, "public_key"), &pub_len);
            uint8_t *sig = vec_hex(&f, vec_get(&f, so, "signature_der_plus_hashtype"), &sig_len);
            uint8_t *want = vec_hex(&f, vec_get(&f, so, "sighash"), &want_len);
            uint8_t got[1024], digest[32];
            size_t index = (size_t)vec_int(&f, vec_get(&f, so, "input_index"));
            uint32_t type = (uint32_t)vec_int(&f, vec_get(&f, so, "sighash_type"));
            uint64_t amount = (uint64_t)vec_int(&f, vec_get(&f, so, "amount_sat"));

            /* The vector's scriptCode carries its one-byte compact-size prefix. */
            assert_true(sc_len >= 1 && sc[0] < 0xfd && (size_t)sc[0] == sc_len - 1);
            assert_int_equal(payload_btc_sighash_segwit_v0_preimage(
                                     &err, got, sizeof got, &got_len, &g_tx, index, sc + 1, sc_len - 1, amount, type),
                    PAYLOAD_OK);
            assert_int_equal(got_len, pre_len);
            assert_memory_equal(got, pre, pre_len);
            assert_int_equal(
                    payload_btc_sighash_segwit_v0(&err, digest, &g_tx, index, sc + 1, sc_len - 1, amount, type),
                    PAYLOAD_OK);
            assert_int_equal(want_len, 32);
            assert_memory_equal(digest, want, 32);
            assert_int_equal(sig[sig_len - 1], type);
            verify_sig(pub, pub_len, sig, sig_len - 1, digest);
            free(sc);
            free(pre);
            free(pub);
            free(sig);
            free(want);
            sigs++;
        }
        free(raw);
        free(signed_raw);
        free(buf);
    }
    assert_int_equal(sigs, 8);
    print_message("bip143.json: %zu preimages and sighashes byte-identical, %zu signatures verify, 3 signed txs "
            "round-trip\n", sigs, sigs);
    vec_free(&f);
}

/* The first BIP143 example also spends a P2PK output with a legacy signature: its digest from
 * payload_btc_sighash_legacy must verify the published signature (the DER push in the signed scriptSig). */
static void test_legacy_p2pk_signature(void **state)
{
    vec_file f;
    size_t vo, in0, len, slen, spk_len, key_len;
    uint8_t *raw, *signed_raw, *spk, *key, digest[32], pub[33];
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_pubkey pk;
    size_t pub_len = sizeof pub;
    payload_btc_tx *signed_tx = malloc(sizeof *signed_tx);
    payload_err err;

    (void)state;
    assert_non_null(signed_tx);
    vec_load(&f, "bitcoin/bip143.json");
    vo = payload_json_at(&f.js, vec_get(&f, 0, "vectors"), 0);
    in0 = payload_json_at(&f.js, vec_get(&f, vo, "inputs"), 0);
    raw = vec_hex(&f, vec_get(&f, vo, "unsigned_tx"), &len);
    signed_raw = vec_hex(&f, vec_get(&f, vo, "signed_tx"), &slen);
    spk = vec_hex(&f, vec_get(&f, in0, "scriptPubKey"), &spk_len);
    key = vec_hex(&f, vec_get(&f, in0, "private_key"), &key_len);
    assert_int_equal(payload_btc_tx_parse(&err, &g_tx, raw, len, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
    assert_int_equal(payload_btc_tx_parse(&err, signed_tx, signed_raw, slen, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
    assert_int_equal(
            payload_btc_sighash_legacy(&err, digest, &g_tx, 0, spk, spk_len, PAYLOAD_BTC_SIGHASH_ALL), PAYLOAD_OK);
    assert_int_equal(secp256k1_ec_pubkey_create(ctx, &pk, key), 1);
    assert_int_equal(secp256k1_ec_pubkey_serialize(ctx, pub, &pub_len, &pk, SECP256K1_EC_COMPRESSED), 1);
    {
        const payload_btc_bytes *ss = &signed_tx->in[0].script_sig;
        size_t push = ss->data[0];
        assert_int_equal(push + 1, ss->len);
        assert_int_equal(ss->data[push], PAYLOAD_BTC_SIGHASH_ALL);
        verify_sig(pub, pub_len, ss->data + 1, push - 1, digest);
    }
    secp256k1_context_destroy(ctx);
    free(raw);
    free(signed_raw);
    free(spk);
    free(key);
    free(signed_tx);
    vec_free(&f);
}

/* BIP174's workflow lists the creator's prevout txids (display order) and the previous
 * transactions: hashing each must give its txid, through both the full parser and the scanner.
 * The first previous transaction (segwit serialization) is spent by input 1, the second by input 0. */
static void test_txid_vectors(void **state)
{
    vec_file f;
    size_t wf, prevs, ins;

    (void)state;
    vec_load(&f, "bitcoin/bip174.json");
    wf = vec_get(&f, 0, "workflow");
    prevs = vec_get(&f, vec_get(&f, wf, "updater"), "previous_transactions");
    ins = vec_get(&f, vec_get(&f, wf, "creator"), "inputs");
    assert_int_equal(f.js.toks[prevs].count, 2);
    for (size_t i = 0; i < 2; i++) {
        size_t len, want_len;
        uint8_t *raw = vec_hex(&f, payload_json_at(&f.js, prevs, i), &len);
        /* The spec lists the previous transactions in the opposite order to the inputs. */
        size_t in = payload_json_at(&f.js, ins, 1 - i);
        uint8_t *want = vec_hex(&f, vec_get(&f, in, "txid"), &want_len);
        uint8_t txid[32], txid2[32];
        payload_btc_txout out;
        payload_err err;

        assert_int_equal(payload_btc_tx_parse(&err, &g_tx, raw, len, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
        assert_int_equal(payload_btc_tx_txid(&err, txid, &g_tx), PAYLOAD_OK);
        assert_int_equal(payload_btc_tx_scan_output(&err, txid2, &out, raw, len, 1), PAYLOAD_OK);
        reverse(want, 32);
        assert_memory_equal(txid, want, 32);
        assert_memory_equal(txid2, want, 32);
        assert_int_equal(out.value, g_tx.out[1].value);
        assert_int_equal(out.script_pubkey.len, g_tx.out[1].script_pubkey.len);
        assert_int_equal(
                payload_btc_tx_scan_output(&err, txid2, &out, raw, len, (uint32_t)g_tx.n_out), PAYLOAD_E_ENCODING);
        free(raw);
        free(want);
    }
    vec_free(&f);
}

/* One input, one output, legacy serialization, built here so each field's position is known. */
static const uint8_t SIMPLE_TX[] = {
    0x01, 0x00, 0x00, 0x00,                                    /* version */
    0x01,                                                      /* 1 input */
    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
    0x00, 0x00, 0x00, 0x00,                                    /* vout */
    0x00,                                                      /* empty scriptSig */
    0xff, 0xff, 0xff, 0xff,                                    /* sequence */
    0x01,                                                      /* 1 output */
    0x10, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,            /* 10000 sat */
    0x01, 0x51,                                                /* OP_1 */
    0x00, 0x00, 0x00, 0x00                                     /* locktime */
};

static void test_tx_rejects(void **state)
{
    uint8_t buf[sizeof SIMPLE_TX + 16];
    payload_err err;

    (void)state;
    assert_int_equal(
            payload_btc_tx_parse(&err, &g_tx, SIMPLE_TX, sizeof SIMPLE_TX, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
    /* Every truncation fails cleanly. */
    for (size_t n = 0; n < sizeof SIMPLE_TX; n++) {
        assert_int_equal(
                payload_btc_tx_parse(&err, &g_tx, SIMPLE_TX, n, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_E_TRUNCATED);
    }
    /* Trailing byte. */
    memcpy(buf, SIMPLE_TX, sizeof SIMPLE_TX);
    buf[sizeof SIMPLE_TX] = 0;
    assert_int_equal(payload_btc_tx_parse(&err, &g_tx, buf, sizeof SIMPLE_TX + 1, PAYLOAD_BTC_TX_ALLOW_WITNESS),
            PAYLOAD_E_TRAILING);
    /* Non-canonical compact size for the output script length: fd 01 00 instead of 01. */
    memcpy(buf, SIMPLE_TX, 55);
    buf[55] = 0xfd;
    buf[56] = 0x01;
    buf[57] = 0x00;
    memcpy(buf + 58, SIMPLE_TX + 56, sizeof SIMPLE_TX - 56);
    assert_int_equal(payload_btc_tx_parse(&err, &g_tx, buf, sizeof SIMPLE_TX + 2, PAYLOAD_BTC_TX_ALLOW_WITNESS),
            PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "non-canonical"));
    /* Segwit marker with flag 2, and a segwit serialization whose witness is empty. */
    memcpy(buf, SIMPLE_TX, 4);
    buf[4] = 0x00;
    buf[5] = 0x02;
    memcpy(buf + 6, SIMPLE_TX + 4, sizeof SIMPLE_TX - 4);
    assert_int_equal(payload_btc_tx_parse(&err, &g_tx, buf, sizeof SIMPLE_TX + 2, PAYLOAD_BTC_TX_ALLOW_WITNESS),
            PAYLOAD_E_ENCODING);
    buf[5] = 0x01;
    memcpy(buf + 6, SIMPLE_TX + 4, sizeof SIMPLE_TX - 8);
    buf[sizeof SIMPLE_TX - 2] = 0x00; /* witness count 0 for the one input */
    memset(buf + sizeof SIMPLE_TX - 1, 0, 4);
    assert_int_equal(payload_btc_tx_parse(&err, &g_tx, buf, sizeof SIMPLE_TX + 3, PAYLOAD_BTC_TX_ALLOW_WITNESS),
            PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "witness is empty"));
    /* An input count over the bound, and one that cannot fit in the bytes present. */
    memcpy(buf, SIMPLE_TX, 4);
    buf[4] = 0xfd;
    buf[5] = (uint8_t)((PAYLOAD_BTC_TX_MAX_INPUTS + 1) & 0xff);
    buf[6] = (uint8_t)((PAYLOAD_BTC_TX_MAX_INPUTS + 1) >> 8);
    assert_int_equal(payload_btc_tx_parse(&err, &g_tx, buf, 7, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_E_LIMIT);
    buf[4] = 0x02;
    memcpy(buf + 5, SIMPLE_TX + 5, sizeof SIMPLE_TX - 5);
    assert_int_equal(payload_btc_tx_parse(&err, &g_tx, buf, sizeof SIMPLE_TX, PAYLOAD_BTC_TX_ALLOW_WITNESS),
            PAYLOAD_E_TRUNCATED);
    /* Legacy SINGLE without a matching output, and a missing input, are refused, not hashed as 1. */
    assert_int_equal(
            payload_btc_tx_parse(&err, &g_tx, SIMPLE_TX, sizeof SIMPLE_TX, PAYLOAD_BTC_TX_NO_WITNESS), PAYLOAD_OK);
    g_tx.n_out = 0;
    assert_int_equal(payload_btc_sighash_legacy(&err, buf, &g_tx, 0, NULL, 0, PAYLOAD_BTC_SIGHASH_SINGLE),
            PAYLOAD_E_UNSUPPORTED);
    assert_int_equal(
            payload_btc_sighash_legacy(&err, buf, &g_tx, 1, NULL, 0, PAYLOAD_BTC_SIGHASH_ALL), PAYLOAD_E_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sighash_json),
        cmocka_unit_test(test_bip143),
        cmocka_unit_test(test_legacy_p2pk_signature),
        cmocka_unit_test(test_txid_vectors),
        cmocka_unit_test(test_tx_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
