/* PSBT v0 against BIP174's test vectors (invalid, valid, signer checks, workflow), the BIP143
 * P2SH-P2WPKH example (finalizer/extractor byte for byte with the published signature), and an
 * end-to-end flow signed with libsecp256k1 test keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <secp256k1.h>

#include "payload/btc_sighash.h"
#include "payload/psbt.h"
#include "vec.h"

static payload_btc_psbt *g_psbt;
static payload_btc_psbt_summary *g_sum;

static int setup(void **state)
{
    (void)state;
    g_psbt = malloc(sizeof *g_psbt);
    g_sum = malloc(sizeof *g_sum);
    return g_psbt == NULL || g_sum == NULL;
}

static int teardown(void **state)
{
    (void)state;
    free(g_psbt);
    free(g_sum);
    return 0;
}

/* Parse, re-serialize, compare byte for byte. */
static void roundtrip(const uint8_t *raw, size_t len, const char *what)
{
    uint8_t *out = malloc(len + 1);
    size_t out_len;
    payload_err err;

    assert_non_null(out);
    if (payload_btc_psbt_parse(&err, g_psbt, raw, len) != PAYLOAD_OK) {
        fail_msg("%s: %s", what, err.msg);
    }
    assert_int_equal(payload_btc_psbt_serialize(&err, out, len + 1, &out_len, g_psbt), PAYLOAD_OK);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, raw, len);
    free(out);
}

/* The reason each BIP174 invalid vector must be refused for, as a substring of our message. */
static const struct {
    const char *description_prefix;
    int code;
    const char *reason;
} INVALID_REASONS[] = {
    { "Network transaction, not PSBT", PAYLOAD_E_ENCODING, "magic" },
    { "PSBT missing outputs", PAYLOAD_E_TRUNCATED, "output 0" },
    { "PSBT where one input has a filled scriptSig", PAYLOAD_E_ENCODING, "non-empty scriptSig" },
    { "PSBT where inputs and outputs are provided but without", PAYLOAD_E_ENCODING, "no unsigned transaction" },
    { "PSBT with duplicate keys in an input", PAYLOAD_E_ENCODING, "duplicate key" },
    { "PSBT with invalid global transaction typed key", PAYLOAD_E_ENCODING, "key type 0x00 needs 0 bytes" },
    { "PSBT with invalid input witness utxo typed key", PAYLOAD_E_ENCODING, "key type 0x01 needs 0 bytes" },
    { "PSBT with invalid pubkey length for input partial", PAYLOAD_E_ENCODING, "key type 0x02 needs a 33- or 65" },
    { "PSBT with invalid redeemscript typed key", PAYLOAD_E_ENCODING, "key type 0x04 needs 0 bytes" },
    { "PSBT with invalid witnessscript typed key", PAYLOAD_E_ENCODING, "key type 0x05 needs 0 bytes" },
    { "PSBT with invalid pubkey in input BIP 32", PAYLOAD_E_ENCODING, "key type 0x06 needs a 33- or 65" },
    { "PSBT with invalid non-witness utxo typed key", PAYLOAD_E_ENCODING, "key type 0x00 needs 0 bytes" },
    { "PSBT with invalid final scriptsig typed key", PAYLOAD_E_ENCODING, "key type 0x07 needs 0 bytes" },
    { "PSBT with invalid final script witness typed key", PAYLOAD_E_ENCODING, "key type 0x08 needs 0 bytes" },
    { "PSBT with invalid pubkey in output BIP 32", PAYLOAD_E_ENCODING, "key type 0x02 needs a 33- or 65" },
    { "PSBT with invalid input sighash type typed key", PAYLOAD_E_ENCODING, "key type 0x03 needs 0 bytes" },
    { "PSBT with invalid output redeemScript typed key", PAYLOAD_E_ENCODING, "key type 0x00 needs 0 bytes" },
    { "PSBT with invalid output witnessScript typed key", PAYLOAD_E_ENCODING, "key type 0x01 needs 0 bytes" },
    { "PSBT with unsigned tx serialized with witness", 0, "psbt unsigned tx" },
    { "PSBT with an invalid value data due to its size", 0, NULL },
};

static void test_bip174_invalid(void **state)
{
    vec_file f;
    size_t arr, n;

    (void)state;
    vec_load(&f, "bitcoin/bip174.json");
    arr = vec_get(&f, 0, "invalid");
    n = f.js.toks[arr].count;
    for (size_t i = 0; i < n; i++) {
        size_t e = payload_json_at(&f.js, arr, i), len, k;
        char *desc = vec_str(&f, vec_get(&f, e, "description"), NULL);
        uint8_t *raw = vec_hex(&f, vec_get(&f, e, "hex"), &len);
        payload_err err;
        int ret = payload_btc_psbt_parse(&err, g_psbt, raw, len);

        if (ret == PAYLOAD_OK) {
            fail_msg("invalid PSBT accepted: %s", desc);
        }
        for (k = 0; k < sizeof INVALID_REASONS / sizeof INVALID_REASONS[0]; k++) {
            if (strncmp(desc, INVALID_REASONS[k].description_prefix, strlen(INVALID_REASONS[k].description_prefix)) ==
                    0) {
                break;
            }
        }
        if (k == sizeof INVALID_REASONS / sizeof INVALID_REASONS[0]) {
            fail_msg("no expected reason for '%s'", desc);
        }
        if (INVALID_REASONS[k].code != 0) {
            assert_int_equal(ret, INVALID_REASONS[k].code);
        }
        if (INVALID_REASONS[k].reason != NULL && strstr(err.msg, INVALID_REASONS[k].reason) == NULL) {
            fail_msg("'%s' refused for the wrong reason: %s", desc, err.msg);
        }
        print_message("  refused: %-60.60s -> %s\n", desc, err.msg);
        free(desc);
        free(raw);
    }
    assert_int_equal(n, 20);
    print_message("bip174.json invalid: %zu/20 refused\n", n);
    vec_free(&f);
}

static void test_bip174_valid(void **state)
{
    vec_file f;
    size_t arr, n;

    (void)state;
    vec_load(&f, "bitcoin/bip174.json");
    arr = vec_get(&f, 0, "valid");
    n = f.js.toks[arr].count;
    for (size_t i = 0; i < n; i++) {
        size_t e = payload_json_at(&f.js, arr, i), len;
        char *desc = vec_str(&f, vec_get(&f, e, "description"), NULL);
        uint8_t *raw = vec_hex(&f, vec_get(&f, e, "hex"), &len);

        roundtrip(raw, len, desc);
        free(desc);
        free(raw);
    }
    assert_int_equal(n, 10);
    print_message("bip174.json valid: %zu/10 parsed and re-serialized byte-identical\n", n);
    vec_free(&f);
}

static void test_bip174_signer_checks(void **state)
{
    static const struct {
        size_t input;
        const char *reason;
    } want[4] = {
        { 0, "witness UTXO given for a non-witness" },
        { 0, "redeem script does not match" },
        { 1, "redeem script does not match" },
        { 1, "witness script does not match" },
    };
    vec_file f;
    size_t arr, n;

    (void)state;
    vec_load(&f, "bitcoin/bip174.json");
    arr = vec_get(&f, 0, "fails_signer_checks");
    n = f.js.toks[arr].count;
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        size_t e = payload_json_at(&f.js, arr, i), len;
        uint8_t *raw = vec_hex(&f, vec_get(&f, e, "hex"), &len);
        payload_err err;

        roundtrip(raw, len, "fails_signer_checks");
        assert_int_equal(payload_btc_psbt_signer_checks(&err, g_psbt, want[i].input), PAYLOAD_E_POLICY);
        if (strstr(err.msg, want[i].reason) == NULL) {
            fail_msg("signer check %zu refused for the wrong reason: %s", i, err.msg);
        }
        assert_int_not_equal(
                payload_btc_psbt_analyze(&err, g_sum, g_psbt, PAYLOAD_BTC_NET_TESTNET, NULL, NULL), PAYLOAD_OK);
        free(raw);
    }
    print_message("bip174.json fails_signer_checks: 4/4 parse, round-trip and fail the named signer check\n");
    vec_free(&f);
}

static void test_bip174_workflow(void **state)
{
    static const char *const stages[] = { "creator", "updater", "updater_add_sighash_all", "signer_1", "signer_2",
                                          "combiner", "finalizer" };
    vec_file f;
    size_t wf, cu, cu_in, count = 0, len, tx_len, out_len;
    uint8_t *raw, *tx, *out;
    payload_err err;

    (void)state;
    vec_load(&f, "bitcoin/bip174.json");
    wf = vec_get(&f, 0, "workflow");
    for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
        raw = vec_hex(&f, vec_get(&f, vec_get(&f, vec_get(&f, wf, stages[s]), "expected_psbt"), "hex"), &len);
        roundtrip(raw, len, stages[s]);
        /* The workflow spends 2-of-2 P2SH and P2SH-P2WSH multisig: outside what this signer signs. */
        if (s >= 2 && s <= 5) {
            assert_int_equal(payload_btc_psbt_analyze(&err, g_sum, g_psbt, PAYLOAD_BTC_NET_TESTNET, NULL, NULL),
                    PAYLOAD_E_UNSUPPORTED);
            assert_int_equal(payload_btc_psbt_finalize(&err, g_psbt), PAYLOAD_E_UNSUPPORTED);
            assert_non_null(strstr(err.msg, "input 0"));
        }
        free(raw);
        count++;
    }
    /* The finalized PSBT extracts to exactly the extractor's transaction. */
    raw = vec_hex(&f, vec_get(&f, vec_get(&f, vec_get(&f, wf, "finalizer"), "expected_psbt"), "hex"), &len);
    tx = vec_hex(&f, vec_get(&f, vec_get(&f, wf, "extractor"), "expected_tx_hex"), &tx_len);
    out = malloc(tx_len + 16);
    assert_non_null(out);
    assert_int_equal(payload_btc_psbt_parse(&err, g_psbt, raw, len), PAYLOAD_OK);
    assert_int_equal(payload_btc_psbt_extract(&err, out, tx_len + 16, &out_len, g_psbt), PAYLOAD_OK);
    assert_int_equal(out_len, tx_len);
    assert_memory_equal(out, tx, tx_len);
    free(raw);
    free(tx);
    free(out);
    /* Unknown global/input/output keys survive a round trip. */
    cu = vec_get(&f, wf, "combiner_unknown_keys");
    cu_in = vec_get(&f, cu, "inputs");
    for (size_t i = 0; i < f.js.toks[cu_in].count; i++) {
        raw = vec_hex(&f, vec_get(&f, payload_json_at(&f.js, cu_in, i), "hex"), &len);
        roundtrip(raw, len, "combiner_unknown_keys input");
        free(raw);
        count++;
    }
    raw = vec_hex(&f, vec_get(&f, vec_get(&f, cu, "expected_psbt"), "hex"), &len);
    roundtrip(raw, len, "combiner_unknown_keys expected");
    free(raw);
    count++;
    print_message("bip174.json workflow: %zu stages round-trip; finalizer -> extractor byte-identical; "
            "multisig stages refused for signing\n", count);
    vec_free(&f);
}

/* ---- building PSBTs for the tests ----------------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t len;
    size_t cap;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (n > 0) {
        memcpy(b->p + b->len, data, n);
    }
    b->len += n;
}

static void put_u8(buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put_le(buf *b, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put_u8(b, (uint8_t)(v >> (8 * i)));
    }
}

/* Lengths in these tests stay under 0xfd except previous transactions, hence the 0xfd form. */
static void put_compact(buf *b, size_t n)
{
    if (n < 0xfd) {
        put_u8(b, (uint8_t)n);
    } else {
        put_u8(b, 0xfd);
        put_le(b, n, 2);
    }
}

static void put_kv(buf *b, uint8_t type, const uint8_t *keydata, size_t kd_len, const uint8_t *value, size_t v_len)
{
    put_compact(b, 1 + kd_len);
    put_u8(b, type);
    put(b, keydata, kd_len);
    put_compact(b, v_len);
    put(b, value, v_len);
}

static void test_bip143_p2sh_p2wpkh_finalize(void **state)
{
    vec_file f;
    size_t vo, in0, sg, utx_len, spk_len, rs_len, pub_len, sig_len, hash_len, signed_len, out_len;
    uint8_t *utx, *spk, *rs, *pub, *sig, *hash, *signed_tx, *out, wutxo[64], origin[8] = { 1, 2, 3, 4, 0, 0, 0, 0 };
    buf b = { NULL, 0, 0 };
    payload_err err;

    (void)state;
    vec_load(&f, "bitcoin/bip143.json");
    vo = payload_json_at(&f.js, vec_get(&f, 0, "vectors"), 1);
    assert_true(payload_json_streq(&f.js, vec_get(&f, vo, "name"), "p2sh_p2wpkh"));
    in0 = payload_json_at(&f.js, vec_get(&f, vo, "inputs"), 0);
    sg = payload_json_at(&f.js, vec_get(&f, vo, "signatures"), 0);
    utx = vec_hex(&f, vec_get(&f, vo, "unsigned_tx"), &utx_len);
    spk = vec_hex(&f, vec_get(&f, in0, "scriptPubKey"), &spk_len);
    rs = vec_hex(&f, vec_get(&f, in0, "redeemScript"), &rs_len);
    pub = vec_hex(&f, vec_get(&f, sg, "public_key"), &pub_len);
    sig = vec_hex(&f, vec_get(&f, sg, "signature_der_plus_hashtype"), &sig_len);
    hash = vec_hex(&f, vec_get(&f, sg, "sighash"), &hash_len);
    signed_tx = vec_hex(&f, vec_get(&f, vo, "signed_tx"), &signed_len);
    {
        size_t amount_len;
        uint8_t *amount = vec_hex(&f, vec_get(&f, sg, "amount_le_hex"), &amount_len);
        assert_int_equal(amount_len, 8);
        memcpy(wutxo, amount, 8);
        wutxo[8] = (uint8_t)spk_len;
        memcpy(wutxo + 9, spk, spk_len);
        free(amount);
    }
    /* Creator + updater, as a wallet would: unsigned tx; input: witness UTXO, redeem script, key
     * origin; two empty output maps. */
    put(&b, "psbt\xff", 5);
    put_kv(&b, 0x00, NULL, 0, utx, utx_len);
    put_u8(&b, 0);
    put_kv(&b, 0x01, NULL, 0, wutxo, 9 + spk_len);
    put_kv(&b, 0x04, NULL, 0, rs, rs_len);
    put_kv(&b, 0x06, pub, pub_len, origin, sizeof origin);
    put_u8(&b, 0);
    put_u8(&b, 0);
    put_u8(&b, 0);
    roundtrip(b.p, b.len, "bip143 p2sh-p2wpkh psbt");
    assert_int_equal(payload_btc_psbt_signer_checks(&err, g_psbt, 0), PAYLOAD_OK);
    /* Signing analysis refuses it: there is no full previous transaction. */
    assert_int_equal(
            payload_btc_psbt_analyze(&err, g_sum, g_psbt, PAYLOAD_BTC_NET_MAIN, NULL, NULL), PAYLOAD_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "full previous transaction"));
    assert_int_equal(payload_btc_psbt_extract(&err, signed_tx, 0, &out_len, g_psbt), PAYLOAD_E_UNSUPPORTED);
    /* Signer: the published signature over the published digest. */
    assert_int_equal(payload_btc_psbt_add_partial_sig(&err, g_psbt, 0, pub, sig, sig_len - 1, hash), PAYLOAD_OK);
    assert_int_equal(
            payload_btc_psbt_add_partial_sig(&err, g_psbt, 0, pub, sig, sig_len - 1, hash), PAYLOAD_E_ENCODING);
    assert_int_equal(payload_btc_psbt_finalize(&err, g_psbt), PAYLOAD_OK);
    out = malloc(signed_len + 64);
    assert_non_null(out);
    assert_int_equal(payload_btc_psbt_extract(&err, out, signed_len + 64, &out_len, g_psbt), PAYLOAD_OK);
    assert_int_equal(out_len, signed_len);
    assert_memory_equal(out, signed_tx, signed_len);
    /* The finalized PSBT keeps only the UTXO and the final records (BIP174 Input Finalizer). */
    assert_int_equal(g_psbt->in[0].count, 3);
    assert_int_equal(g_psbt->rec[g_psbt->in[0].first].type, PAYLOAD_BTC_PSBT_IN_WITNESS_UTXO);
    assert_int_equal(g_psbt->rec[g_psbt->in[0].first + 1].type, PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG);
    assert_int_equal(g_psbt->rec[g_psbt->in[0].first + 2].type, PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS);
    free(out);
    out = malloc(b.len + 256);
    assert_non_null(out);
    assert_int_equal(payload_btc_psbt_serialize(&err, out, b.len + 256, &out_len, g_psbt), PAYLOAD_OK);
    roundtrip(out, out_len, "finalized psbt");
    print_message("bip143 P2SH-P2WPKH: PSBT + published signature -> finalize -> extract byte-identical to the "
            "signed tx\n");
    free(b.p);
    free(utx);
    free(spk);
    free(rs);
    free(pub);
    free(sig);
    free(hash);
    free(signed_tx);
    free(out);
    vec_free(&f);
}

static const payload_btc_psbt_record *find_rec(
        const payload_btc_psbt *psbt, const payload_btc_psbt_map *map, uint64_t type)
{
    for (size_t i = 0; i < map->count; i++) {
        if (psbt->rec[map->first + i].type == type) {
            return &psbt->rec[map->first + i];
        }
    }
    return NULL;
}

/* find_rec that fails the test (and tells the compiler so) when the record is missing. */
static const payload_btc_psbt_record *get_rec(
        const payload_btc_psbt *psbt, const payload_btc_psbt_map *map, uint64_t type)
{
    const payload_btc_psbt_record *rec = find_rec(psbt, map, type);

    if (rec == NULL) {
        fail_msg("record type 0x%02llx missing", (unsigned long long)type);
        abort();
    }
    return rec;
}

/* BIP143's native P2WPKH example: input 0 (P2PK) is given already finalized with its published
 * scriptSig, input 1 (P2WPKH) gets the published signature; the finalizer must verify it against
 * its own digest and the extractor must reproduce the signed transaction byte for byte. */
static void test_bip143_p2wpkh_finalize(void **state)
{
    vec_file f;
    size_t vo, in1, sg, utx_len, spk_len, pub_len, sig_len, hash_len, signed_len, out_len;
    uint8_t *utx, *spk, *pub, *sig, *hash, *signed_raw, *out, wutxo[64], origin[4] = { 9, 9, 9, 9 };
    payload_btc_tx *signed_tx = malloc(sizeof *signed_tx);
    buf b = { NULL, 0, 0 };
    payload_err err;

    (void)state;
    assert_non_null(signed_tx);
    vec_load(&f, "bitcoin/bip143.json");
    vo = payload_json_at(&f.js, vec_get(&f, 0, "vectors"), 0);
    assert_true(payload_json_streq(&f.js, vec_get(&f, vo, "name"), "native_p2wpkh"));
    in1 = payload_json_at(&f.js, vec_get(&f, vo, "inputs"), 1);
    sg = payload_json_at(&f.js, vec_get(&f, vo, "signatures"), 0);
    utx = vec_hex(&f, vec_get(&f, vo, "unsigned_tx"), &utx_len);
    spk = vec_hex(&f, vec_get(&f, in1, "scriptPubKey"), &spk_len);
    pub = vec_hex(&f, vec_get(&f, sg, "public_key"), &pub_len);
    sig = vec_hex(&f, vec_get(&f, sg, "signature_der_plus_hashtype"), &sig_len);
    hash = vec_hex(&f, vec_get(&f, sg, "sighash"), &hash_len);
    signed_raw = vec_hex(&f, vec_get(&f, vo, "signed_tx"), &signed_len);
    assert_int_equal(
            payload_btc_tx_parse(&err, signed_tx, signed_raw, signed_len, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
    {
        size_t amount_len;
        uint8_t *amount = vec_hex(&f, vec_get(&f, sg, "amount_le_hex"), &amount_len);
        memcpy(wutxo, amount, 8);
        wutxo[8] = (uint8_t)spk_len;
        memcpy(wutxo + 9, spk, spk_len);
        free(amount);
    }
    put(&b, "psbt\xff", 5);
    put_kv(&b, 0x00, NULL, 0, utx, utx_len);
    put_u8(&b, 0);
    put_kv(&b, 0x07, NULL, 0, signed_tx->in[0].script_sig.data, signed_tx->in[0].script_sig.len);
    put_u8(&b, 0);
    put_kv(&b, 0x01, NULL, 0, wutxo, 9 + spk_len);
    put_kv(&b, 0x06, pub, pub_len, origin, sizeof origin);
    put_u8(&b, 0);
    put_u8(&b, 0);
    put_u8(&b, 0);
    roundtrip(b.p, b.len, "bip143 native p2wpkh psbt");
    /* A signature over another digest is refused before it reaches the PSBT. */
    hash[0] ^= 1;
    assert_int_equal(payload_btc_psbt_add_partial_sig(&err, g_psbt, 1, pub, sig, sig_len - 1, hash), PAYLOAD_E_POLICY);
    hash[0] ^= 1;
    assert_int_equal(payload_btc_psbt_add_partial_sig(&err, g_psbt, 1, pub, sig, sig_len - 1, hash), PAYLOAD_OK);
    assert_int_equal(payload_btc_psbt_finalize(&err, g_psbt), PAYLOAD_OK);
    out = malloc(signed_len + 64);
    assert_non_null(out);
    assert_int_equal(payload_btc_psbt_extract(&err, out, signed_len + 64, &out_len, g_psbt), PAYLOAD_OK);
    assert_int_equal(out_len, signed_len);
    assert_memory_equal(out, signed_raw, signed_len);
    print_message("bip143 native P2WPKH: finalize -> extract byte-identical to the signed tx\n");
    free(b.p);
    free(utx);
    free(spk);
    free(pub);
    free(sig);
    free(hash);
    free(signed_raw);
    free(out);
    free(signed_tx);
    vec_free(&f);
}

/* BIP174's valid vector 1 ("First input is signed and finalized") has a P2PKH input with final
 * scriptSig <sig> <pubkey>; vector 3 has the same unsigned tx with that input's full previous
 * transaction. Rebuilt with the signature as a partial signature, the finalizer must verify it
 * against its own legacy digest and produce the same scriptSig. */
static void test_bip174_p2pkh_finalize(void **state)
{
    vec_file f;
    size_t len1, len3, sig_len;
    const uint8_t *nwu;
    uint8_t *raw1, *raw3, origin[4] = { 7, 7, 7, 7 }, pub[33], sig[80], final_ss[128], utx[512];
    size_t nwu_len, utx_len, ss_len;
    const payload_btc_psbt_record *rec;
    buf b = { NULL, 0, 0 };
    payload_err err;

    (void)state;
    vec_load(&f, "bitcoin/bip174.json");
    raw1 = vec_hex(&f, vec_get(&f, payload_json_at(&f.js, vec_get(&f, 0, "valid"), 1), "hex"), &len1);
    raw3 = vec_hex(&f, vec_get(&f, payload_json_at(&f.js, vec_get(&f, 0, "valid"), 3), "hex"), &len3);
    assert_int_equal(payload_btc_psbt_parse(&err, g_psbt, raw3, len3), PAYLOAD_OK);
    rec = get_rec(g_psbt, &g_psbt->in[0], PAYLOAD_BTC_PSBT_IN_NON_WITNESS_UTXO);
    nwu = rec->value.data;
    nwu_len = rec->value.len;
    rec = get_rec(g_psbt, &g_psbt->global, PAYLOAD_BTC_PSBT_GLOBAL_UNSIGNED_TX);
    assert_true(rec->value.len <= sizeof utx);
    memcpy(utx, rec->value.data, rec->value.len);
    utx_len = rec->value.len;
    assert_int_equal(payload_btc_psbt_parse(&err, g_psbt, raw1, len1), PAYLOAD_OK);
    rec = get_rec(g_psbt, &g_psbt->global, PAYLOAD_BTC_PSBT_GLOBAL_UNSIGNED_TX);
    assert_int_equal(rec->value.len, utx_len);
    assert_memory_equal(rec->value.data, utx, utx_len);
    /* scriptSig = push(sig || 0x01) push(33-byte key) */
    rec = get_rec(g_psbt, &g_psbt->in[0], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG);
    ss_len = rec->value.len;
    assert_true(ss_len <= sizeof final_ss);
    memcpy(final_ss, rec->value.data, ss_len);
    sig_len = final_ss[0];
    assert_true(sig_len <= sizeof sig);
    assert_int_equal(ss_len, 1 + sig_len + 1 + 33);
    assert_int_equal(final_ss[1 + sig_len], 33);
    memcpy(sig, final_ss + 1, sig_len);
    memcpy(pub, final_ss + 2 + sig_len, 33);

    put(&b, "psbt\xff", 5);
    put_kv(&b, 0x00, NULL, 0, utx, utx_len);
    put_u8(&b, 0);
    put_kv(&b, 0x00, NULL, 0, nwu, nwu_len);
    put_kv(&b, 0x02, pub, 33, sig, sig_len);
    put_kv(&b, 0x06, pub, 33, origin, sizeof origin);
    put_u8(&b, 0);
    put_kv(&b, 0x07, NULL, 0, (const uint8_t *)"\x00", 1); /* input 1 counts as finalized */
    put_u8(&b, 0);
    for (size_t o = 0; o < g_psbt->tx.n_out; o++) {
        put_u8(&b, 0);
    }
    roundtrip(b.p, b.len, "rebuilt p2pkh psbt");
    assert_int_equal(payload_btc_psbt_signer_checks(&err, g_psbt, 0), PAYLOAD_OK);
    assert_int_equal(payload_btc_psbt_finalize(&err, g_psbt), PAYLOAD_OK);
    rec = get_rec(g_psbt, &g_psbt->in[0], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG);
    assert_int_equal(rec->value.len, ss_len);
    assert_memory_equal(rec->value.data, final_ss, ss_len);
    assert_null(find_rec(g_psbt, &g_psbt->in[0], PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG));
    assert_null(find_rec(g_psbt, &g_psbt->in[0], PAYLOAD_BTC_PSBT_IN_BIP32_DERIVATION));
    assert_non_null(find_rec(g_psbt, &g_psbt->in[0], PAYLOAD_BTC_PSBT_IN_NON_WITNESS_UTXO));
    print_message("bip174 P2PKH: published signature verifies against the legacy digest; final scriptSig "
            "byte-identical\n");
    free(b.p);
    free(raw1);
    free(raw3);
    vec_free(&f);
}

/* BIP174's valid vector 7 (PSBT_GLOBAL_XPUB) has two P2WPKH inputs with witness UTXOs and partial
 * signatures: the finalizer verifies both against its own BIP143 digests. */
static void test_bip174_p2wpkh_signatures(void **state)
{
    vec_file f;
    size_t len, out_len;
    uint8_t *raw, out[1024];
    payload_btc_tx *tx = malloc(sizeof *tx);
    payload_err err;

    (void)state;
    assert_non_null(tx);
    vec_load(&f, "bitcoin/bip174.json");
    raw = vec_hex(&f, vec_get(&f, payload_json_at(&f.js, vec_get(&f, 0, "valid"), 7), "hex"), &len);
    assert_int_equal(payload_btc_psbt_parse(&err, g_psbt, raw, len), PAYLOAD_OK);
    if (payload_btc_psbt_finalize(&err, g_psbt) != PAYLOAD_OK) {
        fail_msg("finalize: %s", err.msg);
    }
    assert_int_equal(payload_btc_psbt_extract(&err, out, sizeof out, &out_len, g_psbt), PAYLOAD_OK);
    assert_int_equal(payload_btc_tx_parse(&err, tx, out, out_len, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
    assert_int_equal(tx->in[0].witness_count, 2);
    assert_int_equal(tx->in[1].witness_count, 2);
    print_message("bip174 valid[7]: both published P2WPKH signatures verify against our BIP143 digests\n");
    free(raw);
    free(tx);
    vec_free(&f);
}

/* ---- end to end with test keys -------------------------------------------------------------- */

typedef struct {
    uint8_t seckey[32];
    uint8_t pub[33];
    uint8_t origin[12]; /* fingerprint, then path m/84'/n */
} test_key;

static secp256k1_context *g_secp;
static test_key g_keys[5]; /* 0: P2WPKH, 1: P2SH-P2WPKH, 2: P2PKH, 3: change, 4: not ours */

/* HASH160 and SHA256d with OpenSSL directly, independent of the enclave's helpers. */
static void ossl_digest(uint8_t *out, const EVP_MD *md, const uint8_t *in, size_t len)
{
    unsigned int n;

    assert_int_equal(EVP_Digest(in, len, out, &n, md, NULL), 1);
}

static void hash160(uint8_t out[20], const uint8_t *in, size_t len)
{
    uint8_t h[32];

    ossl_digest(h, EVP_sha256(), in, len);
    ossl_digest(out, EVP_ripemd160(), h, 32);
}

static void sha256d(uint8_t out[32], const uint8_t *in, size_t len)
{
    uint8_t h[32];

    ossl_digest(h, EVP_sha256(), in, len);
    ossl_digest(out, EVP_sha256(), h, 32);
}

static void make_keys(void)
{
    g_secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    for (size_t i = 0; i < 5; i++) {
        test_key *k = &g_keys[i];
        secp256k1_pubkey pk;
        size_t len = 33;
        memset(k->seckey, (int)(0x11 * (i + 1)), 32);
        assert_int_equal(secp256k1_ec_pubkey_create(g_secp, &pk, k->seckey), 1);
        assert_int_equal(secp256k1_ec_pubkey_serialize(g_secp, k->pub, &len, &pk, SECP256K1_EC_COMPRESSED), 1);
        memcpy(k->origin, "\xde\xad\xbe\xef\x54\x00\x00\x80", 8);
        k->origin[8] = (uint8_t)i;
        k->origin[9] = k->origin[10] = k->origin[11] = 0;
    }
}

/* Our keys are 0..3; the callback compares the full (pubkey, origin) pair with its table, which
 * stands in for deriving the path from our master key. */
static int is_own(void *ctx, const uint8_t pubkey[33], const payload_btc_key_origin *origin)
{
    (void)ctx;
    for (size_t i = 0; i < 4; i++) {
        if (memcmp(pubkey, g_keys[i].pub, 33) == 0 && origin->depth == 2 &&
                memcmp(origin->fingerprint, g_keys[i].origin, 4) == 0 && origin->path[0] == 0x80000054u &&
                origin->path[1] == i) {
            return 1;
        }
    }
    return 0;
}

static void p2wpkh(uint8_t out[22], const uint8_t pub[33])
{
    out[0] = 0x00;
    out[1] = 20;
    hash160(out + 2, pub, 33);
}

enum {
    V_NONE = 0,
    V_SIGHASH_ANYONE = 1 << 0,   /* input 0 asks for SIGHASH_ALL|ANYONECANPAY */
    V_WUTXO_AMOUNT = 1 << 1,     /* input 0's witness UTXO claims one more satoshi */
    V_NO_FULL_UTXO = 1 << 2,     /* input 0 has only a witness UTXO */
    V_LYING_CHANGE = 1 << 3,     /* output 0 (external) claims one of our derivations */
    V_OVERSPEND = 1 << 4,        /* outputs exceed inputs */
    V_WRONG_PREV_TX = 1 << 5,    /* input 0's previous tx is another transaction */
    V_OP_RETURN = 1 << 6,        /* output 0 is OP_RETURN */
    V_MONEY = 1 << 7,            /* output 0 amount over 21e6 BTC */
    V_DUP_INPUT = 1 << 8         /* input 2 spends the same outpoint as input 1 */
};

static const char *const P2TR_ADDR = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";

/* A previous tx paying 50000 to P2WPKH(k0), 60000 to P2SH-P2WPKH(k1), 70000 to P2PKH(k2); a PSBT
 * spending all three to 100000 at P2TR_ADDR and 70000 of change to P2WPKH(k3). */
static void build_e2e(buf *b, buf *prev, unsigned variant)
{
    uint8_t spk0[22], redeem1[22], spk1[23] = { 0xa9, 20 }, spk2[25] = { 0x76, 0xa9, 20 }, spk3[22], txid[32];
    uint8_t p2tr[PAYLOAD_BTC_ADDR_MAX_SCRIPT], wutxo[40];
    size_t p2tr_len;
    payload_btc_addr_type type;
    buf tx = { NULL, 0, 0 };
    payload_err err;

    p2wpkh(spk0, g_keys[0].pub);
    p2wpkh(redeem1, g_keys[1].pub);
    hash160(spk1 + 2, redeem1, sizeof redeem1);
    spk1[22] = 0x87;
    hash160(spk2 + 3, g_keys[2].pub, 33);
    spk2[23] = 0x88;
    spk2[24] = 0xac;
    p2wpkh(spk3, g_keys[3].pub);
    assert_int_equal(payload_btc_address_decode(
                             &err, p2tr, &p2tr_len, &type, PAYLOAD_BTC_NET_MAIN, P2TR_ADDR, strlen(P2TR_ADDR)),
            PAYLOAD_OK);

    prev->len = 0;
    put_le(prev, 2, 4);
    put_u8(prev, 1);
    for (int i = 0; i < 32; i++) {
        put_u8(prev, 0x5a);
    }
    put_le(prev, 7, 4);
    put_u8(prev, 0);
    put_le(prev, 0xffffffff, 4);
    put_u8(prev, 3);
    put_le(prev, 50000, 8);
    put_compact(prev, sizeof spk0);
    put(prev, spk0, sizeof spk0);
    put_le(prev, 60000, 8);
    put_compact(prev, sizeof spk1);
    put(prev, spk1, sizeof spk1);
    put_le(prev, 70000, 8);
    put_compact(prev, sizeof spk2);
    put(prev, spk2, sizeof spk2);
    put_le(prev, 0, 4);
    sha256d(txid, prev->p, prev->len);

    put_le(&tx, 2, 4);
    put_u8(&tx, 3);
    for (uint32_t i = 0; i < 3; i++) {
        put(&tx, txid, 32);
        put_le(&tx, (variant & V_DUP_INPUT) && i == 2 ? 1 : i, 4);
        put_u8(&tx, 0);
        put_le(&tx, 0xfffffffd, 4);
    }
    put_u8(&tx, 2);
    put_le(&tx, (variant & V_MONEY) ? 2100000000000001ull : 100000, 8);
    if (variant & V_OP_RETURN) {
        put_u8(&tx, 3);
        put(&tx, "\x6a\x01\x00", 3);
    } else {
        put_compact(&tx, p2tr_len);
        put(&tx, p2tr, p2tr_len);
    }
    put_le(&tx, (variant & V_OVERSPEND) ? 90001 : 70000, 8);
    put_compact(&tx, sizeof spk3);
    put(&tx, spk3, sizeof spk3);
    put_le(&tx, 0, 4);

    b->len = 0;
    put(b, "psbt\xff", 5);
    put_kv(b, 0x00, NULL, 0, tx.p, tx.len);
    put_u8(b, 0);
    /* input 0: P2WPKH */
    if (!(variant & V_NO_FULL_UTXO)) {
        if (variant & V_WRONG_PREV_TX) {
            prev->p[prev->len - 1] ^= 1; /* locktime changes the txid */
        }
        put_kv(b, 0x00, NULL, 0, prev->p, prev->len);
        if (variant & V_WRONG_PREV_TX) {
            prev->p[prev->len - 1] ^= 1;
        }
    }
    memcpy(wutxo, "\x50\xc3\x00\x00\x00\x00\x00\x00", 8);
    wutxo[0] = (uint8_t)(wutxo[0] + ((variant & V_WUTXO_AMOUNT) ? 1 : 0));
    wutxo[8] = 22;
    memcpy(wutxo + 9, spk0, 22);
    put_kv(b, 0x01, NULL, 0, wutxo, 31);
    if (variant & V_SIGHASH_ANYONE) {
        put_kv(b, 0x03, NULL, 0, (const uint8_t *)"\x81\x00\x00\x00", 4);
    }
    put_kv(b, 0x06, g_keys[0].pub, 33, g_keys[0].origin, 12);
    put_u8(b, 0);
    /* input 1: P2SH-P2WPKH */
    put_kv(b, 0x00, NULL, 0, prev->p, prev->len);
    put_kv(b, 0x04, NULL, 0, redeem1, sizeof redeem1);
    put_kv(b, 0x06, g_keys[1].pub, 33, g_keys[1].origin, 12);
    put_u8(b, 0);
    /* input 2: P2PKH */
    put_kv(b, 0x00, NULL, 0, prev->p, prev->len);
    put_kv(b, 0x06, g_keys[2].pub, 33, g_keys[2].origin, 12);
    put_u8(b, 0);
    /* output 0: external; output 1: change */
    if (variant & V_LYING_CHANGE) {
        put_kv(b, 0x02, g_keys[3].pub, 33, g_keys[3].origin, 12);
    } else {
        put_kv(b, 0x02, g_keys[4].pub, 33, g_keys[4].origin, 12);
    }
    put_u8(b, 0);
    put_kv(b, 0x02, g_keys[3].pub, 33, g_keys[3].origin, 12);
    put_u8(b, 0);
    free(tx.p);
}

static void sign_der(uint8_t *der, size_t *der_len, const uint8_t digest[32], const test_key *k)
{
    secp256k1_ecdsa_signature sig;

    assert_int_equal(secp256k1_ecdsa_sign(g_secp, &sig, digest, k->seckey, NULL, NULL), 1);
    *der_len = 72;
    assert_int_equal(secp256k1_ecdsa_signature_serialize_der(g_secp, der, der_len, &sig), 1);
}

static void test_end_to_end(void **state)
{
    static const payload_btc_input_kind kinds[3] = { PAYLOAD_BTC_INPUT_P2WPKH, PAYLOAD_BTC_INPUT_P2SH_P2WPKH,
        PAYLOAD_BTC_INPUT_P2PKH };
    static const uint64_t amounts[3] = { 50000, 60000, 70000 };
    buf b = { NULL, 0, 0 }, prev = { NULL, 0, 0 };
    uint8_t der[72], out[2048];
    size_t der_len, out_len;
    payload_btc_tx *tx = malloc(sizeof *tx);
    payload_err err;

    (void)state;
    assert_non_null(tx);
    make_keys();
    build_e2e(&b, &prev, V_NONE);
    roundtrip(b.p, b.len, "e2e psbt");
    assert_int_equal(payload_btc_psbt_analyze(&err, g_sum, g_psbt, PAYLOAD_BTC_NET_MAIN, is_own, NULL), PAYLOAD_OK);
    assert_int_equal(g_sum->n_in, 3);
    assert_int_equal(g_sum->n_out, 2);
    assert_int_equal(g_sum->total_in, 180000);
    assert_int_equal(g_sum->total_out, 170000);
    assert_int_equal(g_sum->fee, 10000);
    assert_string_equal(g_sum->out[0].address, P2TR_ADDR);
    assert_int_equal(g_sum->out[0].type, PAYLOAD_BTC_ADDR_P2TR);
    assert_int_equal(g_sum->out[0].amount, 100000);
    assert_false(g_sum->out[0].is_change);
    assert_int_equal(g_sum->out[1].type, PAYLOAD_BTC_ADDR_P2WPKH);
    assert_true(g_sum->out[1].is_change);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(g_sum->in[i].kind, kinds[i]);
        assert_int_equal(g_sum->in[i].amount, amounts[i]);
        assert_memory_equal(g_sum->in[i].pubkey, g_keys[i].pub, 33);
        assert_int_equal(g_sum->in[i].origin.depth, 2);
        assert_int_equal(g_sum->in[i].origin.path[1], i);
    }
    /* Wrong-key, high-S and non-DER signatures are refused. */
    sign_der(der, &der_len, g_sum->in[0].digest, &g_keys[1]);
    assert_int_equal(
            payload_btc_psbt_add_partial_sig(&err, g_psbt, 0, g_keys[0].pub, der, der_len, g_sum->in[0].digest),
            PAYLOAD_E_POLICY);
    {
        secp256k1_ecdsa_signature sig, neg;
        uint8_t compact[64];
        assert_int_equal(secp256k1_ecdsa_sign(g_secp, &sig, g_sum->in[0].digest, g_keys[0].seckey, NULL, NULL), 1);
        assert_int_equal(secp256k1_ecdsa_signature_serialize_compact(g_secp, compact, &sig), 1);
        /* s' = n - s: negate s as a scalar through the secret-key API. */
        assert_int_equal(secp256k1_ec_seckey_negate(g_secp, compact + 32), 1);
        assert_int_equal(secp256k1_ecdsa_signature_parse_compact(g_secp, &neg, compact), 1);
        der_len = 72;
        assert_int_equal(secp256k1_ecdsa_signature_serialize_der(g_secp, der, &der_len, &neg), 1);
        assert_int_equal(payload_btc_psbt_add_partial_sig(&err, g_psbt, 0, g_keys[0].pub, der, der_len,
                g_sum->in[0].digest), PAYLOAD_E_ENCODING);
        assert_non_null(strstr(err.msg, "high S"));
        der[0] = 0x31;
        assert_int_equal(payload_btc_psbt_add_partial_sig(&err, g_psbt, 0, g_keys[0].pub, der, der_len,
                g_sum->in[0].digest), PAYLOAD_E_ENCODING);
    }
    /* Not every input signed yet: finalizing changes nothing. */
    sign_der(der, &der_len, g_sum->in[0].digest, &g_keys[0]);
    assert_int_equal(
            payload_btc_psbt_add_partial_sig(&err, g_psbt, 0, g_keys[0].pub, der, der_len, g_sum->in[0].digest),
            PAYLOAD_OK);
    assert_int_equal(payload_btc_psbt_finalize(&err, g_psbt), PAYLOAD_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "input 1: no partial signature"));
    assert_non_null(find_rec(g_psbt, &g_psbt->in[0], PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG));
    for (size_t i = 1; i < 3; i++) {
        sign_der(der, &der_len, g_sum->in[i].digest, &g_keys[i]);
        assert_int_equal(payload_btc_psbt_add_partial_sig(&err, g_psbt, i, g_keys[i].pub, der, der_len,
                g_sum->in[i].digest), PAYLOAD_OK);
    }
    /* The signed PSBT survives a round trip, then finalizes and extracts. */
    assert_int_equal(payload_btc_psbt_serialize(&err, out, sizeof out, &out_len, g_psbt), PAYLOAD_OK);
    free(b.p);
    b.p = malloc(out_len);
    assert_non_null(b.p);
    memcpy(b.p, out, out_len);
    roundtrip(b.p, out_len, "signed e2e psbt");
    assert_int_equal(payload_btc_psbt_finalize(&err, g_psbt), PAYLOAD_OK);
    assert_int_equal(payload_btc_psbt_extract(&err, out, sizeof out, &out_len, g_psbt), PAYLOAD_OK);
    assert_int_equal(payload_btc_tx_parse(&err, tx, out, out_len, PAYLOAD_BTC_TX_ALLOW_WITNESS), PAYLOAD_OK);
    assert_int_equal(tx->in[0].script_sig.len, 0);
    assert_int_equal(tx->in[0].witness_count, 2);
    assert_memory_equal(tx->in[0].witness[1].data, g_keys[0].pub, 33);
    assert_int_equal(tx->in[1].script_sig.len, 23);
    assert_int_equal(tx->in[1].witness_count, 2);
    assert_int_equal(tx->in[2].witness_count, 0);
    assert_int_equal(tx->in[2].script_sig.len, 1 + tx->in[2].script_sig.data[0] + 1 + 33);
    for (size_t i = 0; i < 3; i++) {
        const uint8_t *sig = i < 2 ? tx->in[i].witness[0].data : tx->in[2].script_sig.data + 1;
        size_t sig_len = i < 2 ? tx->in[i].witness[0].len : tx->in[2].script_sig.data[0];
        secp256k1_ecdsa_signature s;
        secp256k1_pubkey pk;
        assert_int_equal(sig[sig_len - 1], PAYLOAD_BTC_SIGHASH_ALL);
        assert_int_equal(secp256k1_ecdsa_signature_parse_der(g_secp, &s, sig, sig_len - 1), 1);
        assert_int_equal(secp256k1_ec_pubkey_parse(g_secp, &pk, g_keys[i].pub, 33), 1);
        assert_int_equal(secp256k1_ecdsa_verify(g_secp, &s, g_sum->in[i].digest, &pk), 1);
    }
    print_message("end to end: P2WPKH + P2SH-P2WPKH + P2PKH, fee %llu, change recognised, signed, finalized, "
            "extracted (%zu bytes)\n", (unsigned long long)g_sum->fee, out_len);
    free(b.p);
    free(prev.p);
    free(tx);
    secp256k1_context_destroy(g_secp);
}

static void test_policy_refusals(void **state)
{
    static const struct {
        unsigned variant;
        int parse_code;
        int analyze_code;
        const char *reason;
    } cases[] = {
        { V_SIGHASH_ANYONE, PAYLOAD_OK, PAYLOAD_E_POLICY, "other than SIGHASH_ALL" },
        { V_WUTXO_AMOUNT, PAYLOAD_OK, PAYLOAD_E_POLICY, "witness UTXO disagrees" },
        { V_NO_FULL_UTXO, PAYLOAD_OK, PAYLOAD_E_UNSUPPORTED, "full previous transaction" },
        { V_OVERSPEND, PAYLOAD_OK, PAYLOAD_E_POLICY, "exceed inputs" },
        { V_WRONG_PREV_TX, PAYLOAD_E_ENCODING, 0, "does not match the prevout" },
        { V_OP_RETURN, PAYLOAD_OK, PAYLOAD_E_UNSUPPORTED, "not an address form" },
        { V_MONEY, PAYLOAD_OK, PAYLOAD_E_ENCODING, "21 million" },
        { V_DUP_INPUT, PAYLOAD_OK, PAYLOAD_E_ENCODING, "same outpoint" },
    };
    buf b = { NULL, 0, 0 }, prev = { NULL, 0, 0 };
    payload_err err;

    (void)state;
    make_keys();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int ret;
        build_e2e(&b, &prev, cases[i].variant);
        ret = payload_btc_psbt_parse(&err, g_psbt, b.p, b.len);
        assert_int_equal(ret, cases[i].parse_code);
        if (ret == PAYLOAD_OK) {
            ret = payload_btc_psbt_analyze(&err, g_sum, g_psbt, PAYLOAD_BTC_NET_MAIN, is_own, NULL);
            assert_int_equal(ret, cases[i].analyze_code);
        }
        if (strstr(err.msg, cases[i].reason) == NULL) {
            fail_msg("case %zu refused for the wrong reason: %s", i, err.msg);
        }
    }
    /* An external output carrying one of our derivations is still not change: its script does not
     * pay to that key. */
    build_e2e(&b, &prev, V_LYING_CHANGE);
    assert_int_equal(payload_btc_psbt_parse(&err, g_psbt, b.p, b.len), PAYLOAD_OK);
    assert_int_equal(payload_btc_psbt_analyze(&err, g_sum, g_psbt, PAYLOAD_BTC_NET_MAIN, is_own, NULL), PAYLOAD_OK);
    assert_false(g_sum->out[0].is_change);
    assert_true(g_sum->out[1].is_change);
    /* Wrong network: the P2TR destination is a mainnet address. */
    build_e2e(&b, &prev, V_NONE);
    assert_int_equal(payload_btc_psbt_parse(&err, g_psbt, b.p, b.len), PAYLOAD_OK);
    assert_int_equal(payload_btc_psbt_analyze(&err, g_sum, g_psbt, PAYLOAD_BTC_NET_TESTNET, is_own, NULL), PAYLOAD_OK);
    assert_true(strncmp(g_sum->out[0].address, "tb1p", 4) == 0);
    /* Every truncation of a valid PSBT is refused. */
    for (size_t n = 0; n < b.len; n++) {
        assert_int_not_equal(payload_btc_psbt_parse(&err, g_psbt, b.p, n), PAYLOAD_OK);
    }
    free(b.p);
    free(prev.p);
    secp256k1_context_destroy(g_secp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bip174_invalid),
        cmocka_unit_test(test_bip174_valid),
        cmocka_unit_test(test_bip174_signer_checks),
        cmocka_unit_test(test_bip174_workflow),
        cmocka_unit_test(test_bip143_p2sh_p2wpkh_finalize),
        cmocka_unit_test(test_bip143_p2wpkh_finalize),
        cmocka_unit_test(test_bip174_p2pkh_finalize),
        cmocka_unit_test(test_bip174_p2wpkh_signatures),
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_policy_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
