/* The coordinator's output assembly (daemon/coordinator/assemble.h).
 *
 * Signatures are made here with plain libsecp256k1 keys over digests that come from independent
 * sources: the official vectors (MPC_VECTORS_DIR), test/vectors/payloads/expected.json and
 * assemble_vectors.json (both written by Python generators committed next to them). The outputs
 * are then checked independently: byte for byte against published signed transactions and
 * signatures where they exist, otherwise by recovering or verifying with libsecp256k1 and by
 * re-parsing them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "assemble.h"
#include "payload/btc_tx.h"
#include "payload/eth_tx.h"
#include "payload/psbt.h"
#include "payload/summary.h"
#include "test_rng.h"
#include "vec.h"

static secp256k1_context *g_secp;
static vec_file g_exp; /* test/vectors/payloads/expected.json */
static vec_file g_vec; /* assemble_vectors.json */
static payload_btc_psbt *g_psbt;
static payload_btc_tx *g_btx;
static payload_eth_tx *g_utx, *g_stx;

/* The secp256k1 group order n. */
static const uint8_t ORDER[32] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                   0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41 };

static int setup(void **state)
{
    (void)state;
    g_secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    g_psbt = malloc(sizeof(*g_psbt));
    g_btx = malloc(sizeof(*g_btx));
    g_utx = malloc(sizeof(*g_utx));
    g_stx = malloc(sizeof(*g_stx));
    assert_non_null(g_secp);
    assert_non_null(g_psbt);
    assert_non_null(g_btx);
    assert_non_null(g_utx);
    assert_non_null(g_stx);
    vec_load_path(&g_exp, ASSEMBLE_PAYLOADS_DIR "/expected.json");
    vec_load_path(&g_vec, ASSEMBLE_VECTORS_JSON);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vec_free(&g_vec);
    vec_free(&g_exp);
    free(g_stx);
    free(g_utx);
    free(g_btx);
    free(g_psbt);
    secp256k1_context_destroy(g_secp);
    return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;

    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* The payload file of expected.json entry `name` (*.hex files hold one line of hex) and, if
 * digest is not NULL, the entry's digest. */
static uint8_t *payload_of(const char *name, size_t *len, uint8_t digest[32])
{
    size_t e = vec_get(&g_exp, 0, name);
    char *file = vec_str(&g_exp, vec_get(&g_exp, e, "file"), NULL);
    char path[1024];
    uint8_t *raw;

    snprintf(path, sizeof(path), "%s/%s", ASSEMBLE_PAYLOADS_DIR, file);
    raw = slurp(path, len);
    if (strstr(file, ".hex") != NULL) {
        uint8_t *bin;

        while (*len > 0 && raw[*len - 1] == '\n') {
            (*len)--;
        }
        raw[*len] = '\0';
        bin = hex_dup((const char *)raw, len);
        free(raw);
        raw = bin;
    }
    free(file);
    if (digest != NULL) {
        vec_hex_n(&g_exp, vec_get(&g_exp, e, "digest"), digest, 32);
    }
    return raw;
}

static void pubkey_of(uint8_t pub[33], const uint8_t seckey[32])
{
    secp256k1_pubkey pk;
    size_t len = 33;

    assert_true(secp256k1_ec_pubkey_create(g_secp, &pk, seckey));
    assert_true(secp256k1_ec_pubkey_serialize(g_secp, pub, &len, &pk, SECP256K1_EC_COMPRESSED));
}

/* RFC 6979 signature (low-s, as libsecp256k1 always produces) with its recovery id. */
static void sign(uint8_t sig64[64], int *recid, uint8_t pub[33], const uint8_t seckey[32], const uint8_t digest[32])
{
    secp256k1_ecdsa_recoverable_signature rs;

    assert_true(secp256k1_ecdsa_sign_recoverable(g_secp, &rs, digest, seckey, NULL, NULL));
    assert_true(secp256k1_ecdsa_recoverable_signature_serialize_compact(g_secp, sig64, recid, &rs));
    pubkey_of(pub, seckey);
}

static void random_key(test_rng *rng, uint8_t seckey[32])
{
    do {
        test_rng_bytes(rng, seckey, 32);
    } while (!secp256k1_ec_seckey_verify(g_secp, seckey));
}

/* The compressed key recovered from (digest, r || s, recid). */
static void recover(uint8_t pub[33], const uint8_t digest[32], const uint8_t sig64[64], int recid)
{
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_pubkey pk;
    size_t len = 33;

    assert_true(secp256k1_ecdsa_recoverable_signature_parse_compact(g_secp, &rs, sig64, recid));
    assert_true(secp256k1_ecdsa_recover(g_secp, &pk, &rs, digest));
    assert_true(secp256k1_ec_pubkey_serialize(g_secp, pub, &len, &pk, SECP256K1_EC_COMPRESSED));
}

static void assert_out_empty(const assemble_out *out)
{
    assert_null(out->output);
    assert_int_equal(out->output_len, 0);
    assert_null(out->final_tx);
    assert_int_equal(out->final_tx_len, 0);
}

static void assemble_ok(assemble_out *out, uint32_t type, const uint8_t *payload, size_t len, const uint8_t sig[64],
                        int recid, const uint8_t pub[33], const uint8_t digest[32])
{
    char err[ASSEMBLE_ERR_MAX];
    int r = assemble_output(err, sizeof(err), out, type, payload, len, sig, recid, pub, digest);

    if (r != ASSEMBLE_OK) {
        fail_msg("assemble_output(type %u) = %d: %s", (unsigned)type, r, err);
    }
    assert_string_equal(err, "");
    assert_non_null(out->output);
}

static void expect_reject(int code, const char *why, uint32_t type, const uint8_t *payload, size_t len,
                          const uint8_t sig[64], int recid, const uint8_t pub[33], const uint8_t digest[32])
{
    char err[ASSEMBLE_ERR_MAX];
    assemble_out out;
    int r;

    memset(&out, 0xa5, sizeof(out));
    r = assemble_output(err, sizeof(err), &out, type, payload, len, sig, recid, pub, digest);
    if (r != code || strstr(err, why) == NULL) {
        fail_msg("type %u: got %d \"%s\", want %d with \"%s\"", (unsigned)type, r, err, code, why);
    }
    assert_out_empty(&out);
}

/* ---- Ethereum transactions ---- */

/* The signed transaction re-parses (signed mode) to the fields of the unsigned one, and its
 * (r, s, yParity) recover pub from the independently computed digest. */
static void check_eth_signed(const uint8_t *signed_tx, size_t signed_len, const uint8_t *unsigned_tx,
                             size_t unsigned_len, const uint8_t digest[32], const uint8_t pub[33])
{
    payload_err perr;
    uint8_t rs[64], got[33];

    assert_int_equal(payload_eth_tx_decode(&perr, g_utx, PAYLOAD_ETH_TX_UNSIGNED, unsigned_tx, unsigned_len),
                     PAYLOAD_OK);
    if (payload_eth_tx_decode(&perr, g_stx, PAYLOAD_ETH_TX_SIGNED, signed_tx, signed_len) != PAYLOAD_OK) {
        fail_msg("signed transaction does not parse: %s", perr.msg);
    }
    assert_true(g_stx->is_signed);
    assert_int_equal(g_stx->type, g_utx->type);
    assert_int_equal(g_stx->chain_id, g_utx->chain_id);
    assert_int_equal(g_stx->nonce, g_utx->nonce);
    assert_int_equal(g_stx->gas_limit, g_utx->gas_limit);
    assert_memory_equal(g_stx->gas_price, g_utx->gas_price, 32);
    assert_memory_equal(g_stx->max_fee_per_gas, g_utx->max_fee_per_gas, 32);
    assert_memory_equal(g_stx->max_priority_fee_per_gas, g_utx->max_priority_fee_per_gas, 32);
    assert_memory_equal(g_stx->to, g_utx->to, 20);
    assert_memory_equal(g_stx->value, g_utx->value, 32);
    assert_int_equal(g_stx->data_len, g_utx->data_len);
    if (g_utx->data_len > 0) {
        assert_memory_equal(g_stx->data, g_utx->data, g_utx->data_len);
    }
    assert_int_equal(g_stx->n_access, g_utx->n_access);
    memcpy(rs, g_stx->r, 32);
    memcpy(rs + 32, g_stx->s, 32);
    recover(got, digest, rs, g_stx->y_parity);
    assert_memory_equal(got, pub, 33);
}

/* EIP-155 example: the published key gives the published signed transaction, byte for byte. */
static void test_eth_eip155_official(void **state)
{
    vec_file v;
    uint8_t digest[32], seckey[32], sig[64], pub[33];
    uint8_t *payload, *want;
    size_t payload_len, want_len;
    assemble_out out = { 0 };
    int recid;

    (void)state;
    vec_load(&v, "ethereum/eips/eip155_example.json");
    payload = vec_hex(&v, vec_get(&v, 0, "signing_data"), &payload_len);
    want = vec_hex(&v, vec_get(&v, 0, "signed_tx"), &want_len);
    vec_hex_n(&v, vec_get(&v, 0, "signing_hash"), digest, 32);
    vec_hex_n(&v, vec_get(&v, 0, "private_key"), seckey, 32);
    sign(sig, &recid, pub, seckey, digest);
    assemble_ok(&out, PAYLOAD_TYPE_ETH_TX, payload, payload_len, sig, recid, pub, digest);
    assert_null(out.final_tx);
    assert_int_equal(out.output_len, want_len);
    assert_memory_equal(out.output, want, want_len);
    check_eth_signed(out.output, out.output_len, payload, payload_len, digest, pub);
    assemble_out_clear(&out);
    assert_out_empty(&out);
    assemble_out_clear(&out);
    free(want);
    free(payload);
    vec_free(&v);
}

/* ethereumjs eip1559.json vector 0: the signed envelope inside the extra RLP string wrapper. */
static void test_eth_eip1559_official(void **state)
{
    vec_file v;
    uint8_t digest[32], seckey[32], sig[64], pub[33];
    uint8_t *payload, *wrapped;
    const uint8_t *want;
    size_t payload_len, wrapped_len, want_len, hdr;
    assemble_out out = { 0 };
    int recid;

    (void)state;
    vec_load(&v, "ethereum/ethereumjs/eip1559.json");
    payload = payload_of("eip1559_ethereumjs0", &payload_len, digest);
    wrapped = vec_hex(&v, vec_get(&v, 1, "signedTransactionRLP"), &wrapped_len);
    vec_hex_n(&v, vec_get(&v, 1, "privateKey"), seckey, 32);
    assert_true(wrapped_len > 2 && wrapped[0] >= 0xb8 && wrapped[0] <= 0xbf);
    hdr = 1 + (size_t)(wrapped[0] - 0xb7);
    want = wrapped + hdr;
    want_len = wrapped_len - hdr;
    sign(sig, &recid, pub, seckey, digest);
    assemble_ok(&out, PAYLOAD_TYPE_ETH_TX, payload, payload_len, sig, recid, pub, digest);
    assert_int_equal(out.output_len, want_len);
    assert_memory_equal(out.output, want, want_len);
    check_eth_signed(out.output, out.output_len, payload, payload_len, digest, pub);
    assemble_out_clear(&out);
    free(wrapped);
    free(payload);
    vec_free(&v);
}

/* Legacy, EIP-1559 and ERC-20 payloads under many keys, so that both recovery ids occur. */
static void test_eth_random_keys(void **state)
{
    static const struct {
        const char *name;
        uint32_t type;
    } cases[] = {
        { "eip155_example", PAYLOAD_TYPE_ETH_TX },
        { "eip1559_ethereumjs0", PAYLOAD_TYPE_ETH_TX },
        { "erc20_transfer", PAYLOAD_TYPE_ERC20 },
        { "erc20_approve_unlimited", PAYLOAD_TYPE_ERC20 },
    };
    test_rng rng;
    int seen[2] = { 0, 0 };

    (void)state;
    test_rng_init(&rng, 0xa55e);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint8_t digest[32], seckey[32], sig[64], pub[33];
        size_t len;
        uint8_t *payload = payload_of(cases[c].name, &len, digest);

        for (int i = 0; i < 8; i++) {
            assemble_out out = { 0 };
            int recid;

            random_key(&rng, seckey);
            sign(sig, &recid, pub, seckey, digest);
            seen[recid]++;
            assemble_ok(&out, cases[c].type, payload, len, sig, recid, pub, digest);
            assert_null(out.final_tx);
            check_eth_signed(out.output, out.output_len, payload, len, digest, pub);
            assemble_out_clear(&out);
        }
        free(payload);
    }
    assert_true(seen[0] > 0 && seen[1] > 0);
}

/* ---- r || s || v outputs ---- */

/* The published eth_signTypedData result of the EIP-712 Mail example, byte for byte. */
static void test_rsv_eip712_official(void **state)
{
    vec_file v;
    uint8_t digest[32], seckey[32], sig[64], pub[33], want[65];
    uint8_t *payload;
    size_t len;
    assemble_out out = { 0 };
    int recid;

    (void)state;
    vec_load(&v, "ethereum/eips/eip712_mail.json");
    vec_hex_n(&v, vec_get(&v, vec_get(&v, 0, "signer"), "private_key"), seckey, 32);
    vec_hex_n(&v, vec_get(&v, 0, "eth_signTypedData_result"), want, 65);
    payload = payload_of("eip712_mail", &len, digest);
    sign(sig, &recid, pub, seckey, digest);
    assemble_ok(&out, PAYLOAD_TYPE_EIP712, payload, len, sig, recid, pub, digest);
    assert_int_equal(out.output_len, 65);
    assert_memory_equal(out.output, want, 65);
    assert_null(out.final_tx);
    assemble_out_clear(&out);
    free(payload);
    vec_free(&v);
}

static void test_rsv_recovers(void **state)
{
    static const struct {
        const char *name;
        uint32_t type;
    } cases[] = {
        { "eip191_hello", PAYLOAD_TYPE_EIP191 },
        { "eip712_mail", PAYLOAD_TYPE_EIP712 },
        { "safe_derived_example", PAYLOAD_TYPE_SAFE_TX },
        { "safe_bybit", PAYLOAD_TYPE_SAFE_TX }, /* Safe <= 1.2.0 domain, without chainId */
        { "safe_multisend_ok", PAYLOAD_TYPE_SAFE_TX },
        { "safe_gas_refund", PAYLOAD_TYPE_SAFE_TX },
    };
    test_rng rng;
    int seen[2] = { 0, 0 };

    (void)state;
    test_rng_init(&rng, 0x65);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint8_t digest[32], seckey[32], sig[64], pub[33], got[33];
        size_t len;
        uint8_t *payload = payload_of(cases[c].name, &len, digest);

        for (int i = 0; i < 6; i++) {
            assemble_out out = { 0 };
            int recid;

            random_key(&rng, seckey);
            sign(sig, &recid, pub, seckey, digest);
            seen[recid]++;
            assemble_ok(&out, cases[c].type, payload, len, sig, recid, pub, digest);
            assert_int_equal(out.output_len, 65);
            assert_null(out.final_tx);
            assert_true(out.output[64] == 27 || out.output[64] == 28);
            recover(got, digest, out.output, out.output[64] - 27);
            assert_memory_equal(got, pub, 33);
            assemble_out_clear(&out);
        }
        free(payload);
    }
    assert_true(seen[0] > 0 && seen[1] > 0);
}

/* An empty personal message is valid (digest of "\x19Ethereum Signed Message:\n0"). */
static void test_rsv_eip191_empty(void **state)
{
    uint8_t digest[32], seckey[32], sig[64], pub[33], got[33];
    assemble_out out = { 0 };
    test_rng rng;
    int recid;

    (void)state;
    vec_hex_n(&g_vec, vec_get(&g_vec, 0, "eip191_empty_digest"), digest, 32);
    test_rng_init(&rng, 191);
    random_key(&rng, seckey);
    sign(sig, &recid, pub, seckey, digest);
    assemble_ok(&out, PAYLOAD_TYPE_EIP191, NULL, 0, sig, recid, pub, digest);
    assert_int_equal(out.output_len, 65);
    recover(got, digest, out.output, out.output[64] - 27);
    assert_memory_equal(got, pub, 33);
    assemble_out_clear(&out);
}

/* ---- PSBT ---- */

/* The partial signature record for pub in input in of a serialized PSBT: DER || SIGHASH_ALL that
 * verifies on digest. Returns the record's value. */
static payload_btc_bytes check_partial_sig(const uint8_t *psbt, size_t len, size_t in, const uint8_t pub[33],
                                           const uint8_t digest[32])
{
    payload_err perr;
    secp256k1_ecdsa_signature sig;
    secp256k1_pubkey pk;
    const payload_btc_psbt_map *map;

    if (payload_btc_psbt_parse(&perr, g_psbt, psbt, len) != PAYLOAD_OK) {
        fail_msg("output PSBT does not parse: %s", perr.msg);
    }
    assert_true(in < g_psbt->tx.n_in);
    map = &g_psbt->in[in];
    for (size_t k = 0; k < map->count; k++) {
        const payload_btc_psbt_record *rec = &g_psbt->rec[map->first + k];

        if (rec->type != PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG || rec->keydata.len != 33 ||
            memcmp(rec->keydata.data, pub, 33) != 0) {
            continue;
        }
        assert_true(rec->value.len >= 9);
        assert_int_equal(rec->value.data[rec->value.len - 1], 0x01);
        assert_true(secp256k1_ecdsa_signature_parse_der(g_secp, &sig, rec->value.data, rec->value.len - 1));
        assert_true(secp256k1_ec_pubkey_parse(g_secp, &pk, pub, 33));
        assert_true(secp256k1_ecdsa_verify(g_secp, &sig, digest, &pk));
        return rec->value;
    }
    fail_msg("input %zu has no partial signature for the key", in);
    return (payload_btc_bytes){ NULL, 0 };
}

static void vec_hex_str(const vec_file *f, size_t obj, const char *key, uint8_t *out, size_t n)
{
    vec_hex_n(f, vec_get(f, obj, key), out, n);
}

/* One P2WPKH input of ours: the signed PSBT and the network transaction, whose witness is
 * [sig || 01, pubkey] and whose txid is that of the unsigned transaction (segwit). */
static void test_psbt_single_input_final(void **state)
{
    size_t e = vec_get(&g_vec, 0, "psbt_p2wpkh"), len;
    uint8_t digest[32], seckey[32], sig[64], pub[33], want_pub[33], want_txid[32], txid[32];
    uint8_t *payload = payload_of("psbt_p2wpkh", &len, digest);
    assemble_out out = { 0 };
    payload_btc_bytes value;
    payload_err perr;
    int recid;

    (void)state;
    vec_hex_str(&g_vec, e, "private_key", seckey, 32);
    vec_hex_str(&g_vec, e, "pubkey", want_pub, 33);
    vec_hex_str(&g_vec, e, "unsigned_txid", want_txid, 32);
    sign(sig, &recid, pub, seckey, digest);
    assert_memory_equal(pub, want_pub, 33);
    assemble_ok(&out, PAYLOAD_TYPE_PSBT, payload, len, sig, recid, pub, digest);
    value = check_partial_sig(out.output, out.output_len, 0, pub, digest);
    /* The input PSBT plus exactly one record: 1 + 34 key bytes, 1 + value bytes. */
    assert_int_equal(out.output_len, len + 1 + 34 + 1 + value.len);

    assert_non_null(out.final_tx);
    if (payload_btc_tx_parse(&perr, g_btx, out.final_tx, out.final_tx_len, PAYLOAD_BTC_TX_ALLOW_WITNESS) !=
        PAYLOAD_OK) {
        fail_msg("final transaction does not parse: %s", perr.msg);
    }
    assert_true(g_btx->has_witness);
    assert_int_equal(g_btx->n_in, 1);
    assert_int_equal(g_btx->in[0].script_sig.len, 0);
    assert_int_equal(g_btx->in[0].witness_count, 2);
    assert_int_equal(g_btx->in[0].witness[0].len, value.len);
    assert_memory_equal(g_btx->in[0].witness[0].data, value.data, value.len);
    assert_int_equal(g_btx->in[0].witness[1].len, 33);
    assert_memory_equal(g_btx->in[0].witness[1].data, pub, 33);
    assert_int_equal(payload_btc_tx_txid(&perr, txid, g_btx), PAYLOAD_OK);
    assert_memory_equal(txid, want_txid, 32);
    assemble_out_clear(&out);
    free(payload);
}

/* Two inputs of ours signed by two requests: after the first, the PSBT carries one signature and
 * there is no final transaction; after the second (on the first one's output), the final
 * transaction spends both: P2WPKH by witness, P2PKH by scriptSig. */
static void test_psbt_two_inputs(void **state)
{
    size_t v = vec_get(&g_vec, 0, "psbt_two_inputs"), ins = vec_get(&g_vec, v, "inputs"), len;
    uint8_t digest[2][32], seckey[2][32], pub[2][33], want_pub[33], sig[64];
    uint8_t *payload = vec_hex(&g_vec, vec_get(&g_vec, v, "psbt"), &len);
    assemble_out first = { 0 }, second = { 0 };
    payload_btc_bytes value0, value1;
    payload_err perr;
    const uint8_t *ss;
    int recid;

    (void)state;
    assert_int_equal(g_vec.toks[ins].count, 2);
    for (size_t i = 0; i < 2; i++) {
        size_t tok = ins + 1;

        for (size_t k = 0; k < i; k++) {
            tok = g_vec.toks[tok].next;
        }
        vec_hex_str(&g_vec, tok, "private_key", seckey[i], 32);
        vec_hex_str(&g_vec, tok, "pubkey", want_pub, 33);
        vec_hex_str(&g_vec, tok, "digest", digest[i], 32);
        pubkey_of(pub[i], seckey[i]);
        assert_memory_equal(pub[i], want_pub, 33);
    }

    sign(sig, &recid, pub[0], seckey[0], digest[0]);
    assemble_ok(&first, PAYLOAD_TYPE_PSBT, payload, len, sig, recid, pub[0], digest[0]);
    assert_null(first.final_tx);
    assert_int_equal(first.final_tx_len, 0);
    check_partial_sig(first.output, first.output_len, 0, pub[0], digest[0]);

    /* The same signature again on its own output: already there, refused. */
    expect_reject(ASSEMBLE_E_PAYLOAD, "already has a signature", PAYLOAD_TYPE_PSBT, first.output, first.output_len,
                  sig, recid, pub[0], digest[0]);

    sign(sig, &recid, pub[1], seckey[1], digest[1]);
    assemble_ok(&second, PAYLOAD_TYPE_PSBT, first.output, first.output_len, sig, recid, pub[1], digest[1]);
    value0 = check_partial_sig(second.output, second.output_len, 0, pub[0], digest[0]);
    value1 = check_partial_sig(second.output, second.output_len, 1, pub[1], digest[1]);
    assert_non_null(second.final_tx);
    if (payload_btc_tx_parse(&perr, g_btx, second.final_tx, second.final_tx_len, PAYLOAD_BTC_TX_ALLOW_WITNESS) !=
        PAYLOAD_OK) {
        fail_msg("final transaction does not parse: %s", perr.msg);
    }
    assert_int_equal(g_btx->n_in, 2);
    assert_int_equal(g_btx->n_out, 2);
    assert_int_equal(g_btx->in[0].script_sig.len, 0);
    assert_int_equal(g_btx->in[0].witness_count, 2);
    assert_int_equal(g_btx->in[0].witness[0].len, value0.len);
    assert_memory_equal(g_btx->in[0].witness[0].data, value0.data, value0.len);
    assert_int_equal(g_btx->in[0].witness[1].len, 33);
    assert_memory_equal(g_btx->in[0].witness[1].data, pub[0], 33);
    /* P2PKH: scriptSig = push(sig || 01) push(pubkey), no witness. */
    assert_int_equal(g_btx->in[1].witness_count, 0);
    ss = g_btx->in[1].script_sig.data;
    assert_int_equal(g_btx->in[1].script_sig.len, 1 + value1.len + 1 + 33);
    assert_int_equal(ss[0], value1.len);
    assert_memory_equal(ss + 1, value1.data, value1.len);
    assert_int_equal(ss[1 + value1.len], 33);
    assert_memory_equal(ss + 2 + value1.len, pub[1], 33);

    /* After a restart, from the stored output: the same output and final transaction; a PSBT
     * without the key's signature or of another transaction is refused. */
    {
        assemble_out back = { 0 };
        uint8_t digest_other[32], *other;
        size_t other_len;
        char err[ASSEMBLE_ERR_MAX];

        assert_int_equal(assemble_psbt_restore(err, sizeof(err), &back, payload, len, second.output,
                                               second.output_len, pub[0]), ASSEMBLE_OK);
        assert_int_equal(back.output_len, second.output_len);
        assert_memory_equal(back.output, second.output, second.output_len);
        assert_int_equal(back.final_tx_len, second.final_tx_len);
        assert_memory_equal(back.final_tx, second.final_tx, second.final_tx_len);
        assemble_out_clear(&back);
        assert_int_equal(assemble_psbt_restore(err, sizeof(err), &back, payload, len, first.output,
                                               first.output_len, pub[0]), ASSEMBLE_OK);
        assert_null(back.final_tx);
        assemble_out_clear(&back);
        assert_int_equal(assemble_psbt_restore(err, sizeof(err), &back, payload, len, payload, len, pub[0]),
                         ASSEMBLE_E_MISMATCH);
        assert_non_null(strstr(err, "has no signature of the key"));
        assert_null(back.output);
        other = payload_of("psbt_p2wpkh", &other_len, digest_other);
        assert_int_equal(assemble_psbt_restore(err, sizeof(err), &back, other, other_len, second.output,
                                               second.output_len, pub[0]), ASSEMBLE_E_MISMATCH);
        assert_non_null(strstr(err, "not the payload's transaction"));
        free(other);
    }

    assemble_out_clear(&second);
    assemble_out_clear(&first);
    free(payload);
}

/* ---- Rejections ---- */

static void test_reject_arguments(void **state)
{
    uint8_t digest[32], seckey[32], sig[64], pub[33];
    size_t len;
    uint8_t *payload = payload_of("eip191_hello", &len, digest);
    char err[ASSEMBLE_ERR_MAX];
    test_rng rng;
    int recid;

    (void)state;
    test_rng_init(&rng, 1);
    random_key(&rng, seckey);
    sign(sig, &recid, pub, seckey, digest);
    expect_reject(ASSEMBLE_E_ARG, "unknown payload type 0", 0, payload, len, sig, recid, pub, digest);
    expect_reject(ASSEMBLE_E_ARG, "unknown payload type 7", 7, payload, len, sig, recid, pub, digest);
    expect_reject(ASSEMBLE_E_ARG, "recovery id 2", PAYLOAD_TYPE_EIP191, payload, len, sig, 2, pub, digest);
    expect_reject(ASSEMBLE_E_ARG, "recovery id -1", PAYLOAD_TYPE_EIP191, payload, len, sig, -1, pub, digest);
    expect_reject(ASSEMBLE_E_MISMATCH, "another key", PAYLOAD_TYPE_EIP191, payload, len, sig, 1 - recid, pub,
                  digest);
    expect_reject(ASSEMBLE_E_ARG, "missing", PAYLOAD_TYPE_EIP191, NULL, 5, sig, recid, pub, digest);
    assert_int_equal(assemble_output(err, sizeof(err), NULL, PAYLOAD_TYPE_EIP191, payload, len, sig, recid, pub,
                                     digest),
                     ASSEMBLE_E_ARG);
    free(payload);
}

/* r || s with s replaced by n - s (and the recovery id flipped) is the same signature in high-s
 * form: refused, as is r or s not below n. */
static void test_reject_signature_form(void **state)
{
    uint8_t digest[32], seckey[32], sig[64], high[64], pub[33];
    size_t len;
    uint8_t *payload = payload_of("eip155_example", &len, digest);
    test_rng rng;
    int recid, borrow = 0;

    (void)state;
    test_rng_init(&rng, 2);
    random_key(&rng, seckey);
    sign(sig, &recid, pub, seckey, digest);
    memcpy(high, sig, 32);
    for (int i = 31; i >= 0; i--) {
        int d = ORDER[i] - sig[32 + i] - borrow;

        borrow = d < 0;
        high[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
    expect_reject(ASSEMBLE_E_MISMATCH, "not low", PAYLOAD_TYPE_ETH_TX, payload, len, high, 1 - recid, pub, digest);
    memcpy(high, ORDER, 32);
    memcpy(high + 32, sig + 32, 32);
    expect_reject(ASSEMBLE_E_MISMATCH, "group order", PAYLOAD_TYPE_ETH_TX, payload, len, high, recid, pub, digest);
    free(payload);
}

/* A signature made by another key, or over another digest, for every payload type. */
static void test_reject_wrong_key_or_digest(void **state)
{
    static const struct {
        const char *name;
        uint32_t type;
    } cases[] = {
        { "eip191_hello", PAYLOAD_TYPE_EIP191 },         { "eip155_example", PAYLOAD_TYPE_ETH_TX },
        { "erc20_transfer", PAYLOAD_TYPE_ERC20 },        { "eip712_mail", PAYLOAD_TYPE_EIP712 },
        { "safe_derived_example", PAYLOAD_TYPE_SAFE_TX }, { "psbt_p2wpkh", PAYLOAD_TYPE_PSBT },
    };
    test_rng rng;

    (void)state;
    test_rng_init(&rng, 3);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint8_t digest[32], other[32], seckey[32], seckey2[32], sig[64], pub[33], pub2[33];
        size_t len;
        uint8_t *payload = payload_of(cases[c].name, &len, digest);
        int recid;

        random_key(&rng, seckey);
        random_key(&rng, seckey2);
        pubkey_of(pub2, seckey2);
        memcpy(other, digest, 32);
        other[31] ^= 0x01;

        /* A valid signature over another digest: the payload's digest differs. */
        sign(sig, &recid, pub, seckey, other);
        expect_reject(ASSEMBLE_E_MISMATCH, cases[c].type == PAYLOAD_TYPE_PSBT ? "no PSBT input" : "differs",
                      cases[c].type, payload, len, sig, recid, pub, other);
        /* The signature over the payload's digest, claimed for another digest or another key. */
        sign(sig, &recid, pub, seckey, digest);
        expect_reject(ASSEMBLE_E_MISMATCH, "another key", cases[c].type, payload, len, sig, recid, pub, other);
        expect_reject(ASSEMBLE_E_MISMATCH, "another key", cases[c].type, payload, len, sig, recid, pub2, digest);
        free(payload);
    }
}

/* The PSBT's digest signed by a key that is not the input's key. */
static void test_reject_psbt_wrong_pubkey(void **state)
{
    uint8_t digest[32], seckey[32], sig[64], pub[33];
    size_t len;
    uint8_t *payload = payload_of("psbt_p2wpkh", &len, digest);
    test_rng rng;
    int recid;

    (void)state;
    test_rng_init(&rng, 4);
    random_key(&rng, seckey);
    sign(sig, &recid, pub, seckey, digest);
    expect_reject(ASSEMBLE_E_MISMATCH, "no PSBT input", PAYLOAD_TYPE_PSBT, payload, len, sig, recid, pub, digest);
    free(payload);
}

/* Every payload cut short by one byte (and, for the binary ones, a payload of another type). */
static void test_reject_truncated_and_mistyped(void **state)
{
    static const struct {
        const char *name;
        uint32_t type;
    } cases[] = {
        { "eip155_example", PAYLOAD_TYPE_ETH_TX },  { "eip1559_ethereumjs0", PAYLOAD_TYPE_ETH_TX },
        { "erc20_transfer", PAYLOAD_TYPE_ERC20 },   { "eip712_mail", PAYLOAD_TYPE_EIP712 },
        { "safe_bybit", PAYLOAD_TYPE_SAFE_TX },     { "psbt_p2wpkh", PAYLOAD_TYPE_PSBT },
    };
    test_rng rng;

    (void)state;
    test_rng_init(&rng, 5);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint8_t digest[32], seckey[32], sig[64], pub[33];
        size_t len, cut;
        uint8_t *payload = payload_of(cases[c].name, &len, digest);
        int recid;

        random_key(&rng, seckey);
        sign(sig, &recid, pub, seckey, digest);
        /* JSON documents end with "}\n": cut inside the object. */
        cut = len - (cases[c].type == PAYLOAD_TYPE_EIP712 || cases[c].type == PAYLOAD_TYPE_SAFE_TX ? 2 : 1);
        expect_reject(ASSEMBLE_E_PAYLOAD, "payload", cases[c].type, payload, cut, sig, recid, pub, digest);
        expect_reject(ASSEMBLE_E_PAYLOAD, "payload", cases[c].type, payload, 0, sig, recid, pub, digest);
        free(payload);
    }
    {
        uint8_t digest[32], seckey[32], sig[64], pub[33];
        size_t len;
        uint8_t *payload = payload_of("eip712_mail", &len, digest);
        int recid;

        random_key(&rng, seckey);
        sign(sig, &recid, pub, seckey, digest);
        expect_reject(ASSEMBLE_E_PAYLOAD, "not a SafeTx", PAYLOAD_TYPE_SAFE_TX, payload, len, sig, recid, pub,
                      digest);
        expect_reject(ASSEMBLE_E_MISMATCH, "differs", PAYLOAD_TYPE_EIP191, payload, len, sig, recid, pub, digest);
        expect_reject(ASSEMBLE_E_PAYLOAD, "payload", PAYLOAD_TYPE_PSBT, payload, len, sig, recid, pub, digest);
        expect_reject(ASSEMBLE_E_PAYLOAD, "payload", PAYLOAD_TYPE_ETH_TX, payload, len, sig, recid, pub, digest);
        free(payload);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_eip155_official),
        cmocka_unit_test(test_eth_eip1559_official),
        cmocka_unit_test(test_eth_random_keys),
        cmocka_unit_test(test_rsv_eip712_official),
        cmocka_unit_test(test_rsv_recovers),
        cmocka_unit_test(test_rsv_eip191_empty),
        cmocka_unit_test(test_psbt_single_input_final),
        cmocka_unit_test(test_psbt_two_inputs),
        cmocka_unit_test(test_reject_arguments),
        cmocka_unit_test(test_reject_signature_form),
        cmocka_unit_test(test_reject_wrong_key_or_digest),
        cmocka_unit_test(test_reject_psbt_wrong_pubkey),
        cmocka_unit_test(test_reject_truncated_and_mistyped),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
