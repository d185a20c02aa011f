/* Ethereum transactions against EIP-155's example, the EIP-155 "Vitalik" set, ethereumjs'
 * eip1559.json / eip2930txs.json / eip1559txs.json and ethereum/tests ttEIP1559 / ttEIP2930.
 * Senders are recovered with libsecp256k1 (independent of the code under test) and compared with
 * the listed address or the address of the listed private key. */
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

#include "payload/eth_tx.h"
#include "payload/keccak.h"
#include "payload/rlp.h"
#include "vec.h"

static secp256k1_context *secp;

static int setup(void **state) {
    (void)state;
    secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return secp == NULL;
}

static int teardown(void **state) {
    (void)state;
    secp256k1_context_destroy(secp);
    return 0;
}

static void pubkey_address(uint8_t addr[20], const secp256k1_pubkey *pk) {
    uint8_t ser[65], h[32];
    size_t len = sizeof(ser);
    assert_int_equal(secp256k1_ec_pubkey_serialize(secp, ser, &len, pk, SECP256K1_EC_UNCOMPRESSED), 1);
    payload_keccak256(h, ser + 1, 64);
    memcpy(addr, h + 12, 20);
}

static void recover_address(uint8_t addr[20], const uint8_t hash[32], const uint8_t r[32], const uint8_t s[32],
                            int recid) {
    uint8_t rs[64];
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey pk;
    memcpy(rs, r, 32);
    memcpy(rs + 32, s, 32);
    assert_int_equal(secp256k1_ecdsa_recoverable_signature_parse_compact(secp, &sig, rs, recid), 1);
    assert_int_equal(secp256k1_ecdsa_recover(secp, &pk, &sig, hash), 1);
    pubkey_address(addr, &pk);
}

static void key_address(uint8_t addr[20], const uint8_t key[32]) {
    secp256k1_pubkey pk;
    assert_int_equal(secp256k1_ec_pubkey_create(secp, &pk, key), 1);
    pubkey_address(addr, &pk);
}

/* Decode a signed tx, check its recovered sender, and re-assemble it byte for byte from (r,s,recid)
 * through the unsigned form. Returns the signing hash. */
static void check_signed(const uint8_t *raw, size_t len, const uint8_t sender[20], uint8_t sighash[32],
                         uint8_t txhash[32]) {
    payload_eth_tx *tx = malloc(sizeof(*tx)), *utx = malloc(sizeof(*utx));
    static uint8_t buf[PAYLOAD_ETH_TX_ENCODE_MAX], out[PAYLOAD_ETH_TX_ENCODE_MAX];
    uint8_t addr[20];
    size_t n;
    payload_err err;

    assert_non_null(tx);
    assert_non_null(utx);
    if (payload_eth_tx_decode(&err, tx, PAYLOAD_ETH_TX_SIGNED, raw, len) != PAYLOAD_OK) {
        fail_msg("signed decode: %s", err.msg);
    }
    assert_int_equal(payload_eth_tx_signing_hash(&err, sighash, tx), PAYLOAD_OK);
    if (sender != NULL) {
        recover_address(addr, sighash, tx->r, tx->s, tx->y_parity);
        assert_memory_equal(addr, sender, 20);
    }
    /* The unsigned encoding must decode in the enclave's mode to the same digest. */
    assert_int_equal(payload_eth_tx_encode_unsigned(&err, buf, sizeof(buf), &n, tx), PAYLOAD_OK);
    if (payload_eth_tx_decode(&err, utx, PAYLOAD_ETH_TX_UNSIGNED, buf, n) != PAYLOAD_OK) {
        fail_msg("unsigned decode: %s", err.msg);
    }
    {
        uint8_t h2[32];
        assert_int_equal(payload_eth_tx_signing_hash(&err, h2, utx), PAYLOAD_OK);
        assert_memory_equal(h2, sighash, 32);
    }
    /* utx->data points into buf, so the output goes elsewhere. */
    assert_int_equal(payload_eth_tx_assemble_signed(&err, out, sizeof(out), &n, txhash, utx, tx->r, tx->s,
                                                    tx->y_parity), PAYLOAD_OK);
    assert_int_equal(n, len);
    assert_memory_equal(out, raw, len);
    free(tx);
    free(utx);
}

static void test_eip155_example(void **state) {
    vec_file f;
    size_t len, n;
    uint8_t *unsigned_tx, *signed_tx, want[32], hash[32], r[32], s[32], key[32], addr[20], txhash[32], v256[32];
    static uint8_t buf[PAYLOAD_ETH_TX_ENCODE_MAX];
    payload_eth_tx *tx = malloc(sizeof(*tx));
    payload_err err;
    size_t txo;
    (void)state;

    assert_non_null(tx);
    vec_load(&f, "ethereum/eips/eip155_example.json");
    unsigned_tx = vec_hex(&f, vec_get(&f, 0, "signing_data"), &len);
    if (payload_eth_tx_decode(&err, tx, PAYLOAD_ETH_TX_UNSIGNED, unsigned_tx, len) != PAYLOAD_OK) {
        fail_msg("%s", err.msg);
    }
    txo = vec_get(&f, 0, "tx");
    assert_int_equal(tx->type, PAYLOAD_ETH_TX_LEGACY);
    vec_uint256(&f, vec_get(&f, txo, "nonce"), v256);
    assert_int_equal(tx->nonce, v256[31]);
    vec_uint256(&f, vec_get(&f, txo, "gasPrice"), v256);
    assert_memory_equal(tx->gas_price, v256, 32);
    vec_uint256(&f, vec_get(&f, txo, "value"), v256);
    assert_memory_equal(tx->value, v256, 32);
    vec_uint256(&f, vec_get(&f, txo, "chainId"), v256);
    assert_int_equal(tx->chain_id, v256[31]);
    vec_hex_n(&f, vec_get(&f, txo, "to"), addr, 20);
    assert_memory_equal(tx->to, addr, 20);
    assert_int_equal(tx->data_len, 0);

    assert_int_equal(payload_eth_tx_signing_hash(&err, hash, tx), PAYLOAD_OK);
    vec_hex_n(&f, vec_get(&f, 0, "signing_hash"), want, 32);
    assert_memory_equal(hash, want, 32);

    vec_hex_n(&f, vec_get(&f, 0, "r_hex"), r, 32);
    vec_hex_n(&f, vec_get(&f, 0, "s_hex"), s, 32);
    signed_tx = vec_hex(&f, vec_get(&f, 0, "signed_tx"), &len);
    /* v = 37 = 35 + 2*1 + recid */
    assert_int_equal(payload_eth_tx_assemble_signed(&err, buf, sizeof(buf), &n, txhash, tx, r, s, 0), PAYLOAD_OK);
    assert_int_equal(n, len);
    assert_memory_equal(buf, signed_tx, len);
    vec_hex_n(&f, vec_get(&f, 0, "private_key"), key, 32);
    key_address(addr, key);
    check_signed(signed_tx, len, addr, hash, txhash);
    assert_memory_equal(hash, want, 32);
    free(unsigned_tx);
    free(signed_tx);
    free(tx);
    vec_free(&f);
}

static void test_vitalik_eip155(void **state) {
    vec_file f;
    size_t i;
    (void)state;

    vec_load(&f, "ethereum/ethereumjs/ttTransactionTestEip155VitaliksTests.json");
    for (i = 0; i < f.toks[0].count; i++) {
        size_t tc = payload_json_at(&f.js, 0, i), len;
        uint8_t *raw = vec_hex(&f, vec_get(&f, tc, "rlp"), &len);
        uint8_t sender[20], want[32], hash[32], txhash[32];
        vec_hex_n(&f, vec_get(&f, tc, "sender"), sender, 20);
        vec_hex_n(&f, vec_get(&f, tc, "hash"), want, 32);
        check_signed(raw, len, sender, hash, txhash);
        assert_memory_equal(hash, want, 32); /* this file's `hash` is the signing hash */
        free(raw);
    }
    assert_int_equal(i, 11);
    print_message("ttTransactionTestEip155VitaliksTests.json: %zu/11\n", i);
    vec_free(&f);
}

static void test_ethereumjs_eip1559(void **state) {
    vec_file f;
    size_t i;
    (void)state;

    vec_load(&f, "ethereum/ethereumjs/eip1559.json");
    for (i = 0; i < f.toks[0].count; i++) {
        size_t tc = payload_json_at(&f.js, 0, i), len;
        uint8_t *wrapped = vec_hex(&f, vec_get(&f, tc, "signedTransactionRLP"), &len);
        uint8_t key[32], sender[20], hash[32], txhash[32], v256[32], to[20];
        payload_rlp_item env;
        payload_eth_tx *tx = malloc(sizeof(*tx));
        payload_err err;

        assert_non_null(tx);
        /* The file wraps the EIP-2718 envelope in an RLP byte string, as blocks do. */
        assert_int_equal(payload_rlp_decode(&err, &env, wrapped, len, 0), PAYLOAD_OK);
        assert_false(env.is_list);
        vec_hex_n(&f, vec_get(&f, tc, "privateKey"), key, 32);
        key_address(sender, key);
        check_signed(env.data, env.len, sender, hash, txhash);
        assert_int_equal(payload_eth_tx_decode(&err, tx, PAYLOAD_ETH_TX_SIGNED, env.data, env.len), PAYLOAD_OK);
        assert_int_equal(tx->type, PAYLOAD_ETH_TX_EIP1559);
        vec_uint256(&f, vec_get(&f, tc, "nonce"), v256);
        assert_int_equal(tx->nonce, (uint64_t)v256[30] << 8 | v256[31]);
        vec_uint256(&f, vec_get(&f, tc, "value"), v256);
        assert_memory_equal(tx->value, v256, 32);
        vec_uint256(&f, vec_get(&f, tc, "maxFeePerGas"), v256);
        assert_memory_equal(tx->max_fee_per_gas, v256, 32);
        vec_uint256(&f, vec_get(&f, tc, "maxPriorityFeePerGas"), v256);
        assert_memory_equal(tx->max_priority_fee_per_gas, v256, 32);
        vec_uint256(&f, vec_get(&f, tc, "gasLimit"), v256);
        assert_int_equal(tx->gas_limit, (uint64_t)v256[29] << 16 | (uint64_t)v256[30] << 8 | v256[31]);
        vec_hex_n(&f, vec_get(&f, tc, "to"), to, 20);
        assert_memory_equal(tx->to, to, 20);
        free(tx);
        free(wrapped);
    }
    assert_int_equal(i, 10);
    print_message("eip1559.json: %zu/10\n", i);
    vec_free(&f);
}

static void encode_raw(payload_rlp_writer *w, const vec_file *f, size_t i) {
    if (f->toks[i].type == PAYLOAD_JSON_ARRAY) {
        size_t mark = payload_rlp_list_begin(w), k;
        for (k = 0; k < f->toks[i].count; k++) {
            encode_raw(w, f, payload_json_at(&f->js, i, k));
        }
        payload_rlp_list_end(w, mark);
    } else {
        size_t len;
        uint8_t *b = vec_hex(f, i, &len);
        payload_rlp_put_bytes(w, b, len);
        free(b);
    }
}

static void check_raw_fields(const vec_file *f, size_t d, const uint8_t *raw, size_t len) {
    payload_eth_tx *tx = malloc(sizeof(*tx));
    uint8_t v256[32], to[20], *data;
    size_t dlen, al, k;
    payload_err err;

    assert_non_null(tx);
    assert_int_equal(payload_eth_tx_decode(&err, tx, PAYLOAD_ETH_TX_SIGNED, raw, len), PAYLOAD_OK);
    vec_uint256(f, vec_get(f, d, "chainId"), v256);
    assert_int_equal(tx->chain_id, v256[31]);
    vec_uint256(f, vec_get(f, d, "gasLimit"), v256);
    assert_int_equal(tx->gas_limit, (uint64_t)v256[28] << 24 | (uint64_t)v256[29] << 16 | (uint64_t)v256[30] << 8 | v256[31]);
    vec_uint256(f, vec_get(f, d, "value"), v256);
    assert_memory_equal(tx->value, v256, 32);
    vec_hex_n(f, vec_get(f, d, "to"), to, 20);
    assert_memory_equal(tx->to, to, 20);
    data = vec_hex(f, vec_get(f, d, "data"), &dlen);
    assert_int_equal(tx->data_len, dlen);
    assert_memory_equal(tx->data, data, dlen);
    free(data);
    al = vec_get(f, d, "accessList");
    assert_int_equal(tx->n_access, f->toks[al].count);
    for (k = 0; k < tx->n_access; k++) {
        size_t e = payload_json_at(&f->js, al, k), keys = vec_get(f, e, "storageKeys"), j;
        vec_hex_n(f, vec_get(f, e, "address"), to, 20);
        assert_memory_equal(tx->access[k].address, to, 20);
        assert_int_equal(tx->access[k].n_keys, f->toks[keys].count);
        for (j = 0; j < tx->access[k].n_keys; j++) {
            vec_hex_n(f, payload_json_at(&f->js, keys, j), v256, 32);
            assert_memory_equal(tx->storage_keys[tx->access[k].first_key + j], v256, 32);
        }
    }
    free(tx);
}

static void check_raw_file(const char *rel, uint8_t type) {
    vec_file f;
    size_t i;

    vec_load(&f, rel);
    for (i = 0; i < f.toks[0].count; i++) {
        size_t tc = payload_json_at(&f.js, 0, i), len;
        static uint8_t buf[4096];
        uint8_t hash[32], txhash[32];
        payload_rlp_writer w;
        payload_err err;
        buf[0] = type;
        payload_rlp_writer_init(&w, buf + 1, sizeof(buf) - 1);
        encode_raw(&w, &f, vec_get(&f, tc, "raw"));
        assert_int_equal(payload_rlp_writer_finish(&err, &len, &w), PAYLOAD_OK);
        /* Quirk of these two files: their r, s, v are identical and do not recover to
         * sendersAddress (nor to privateKey's address) under the EIP-2930/1559 signing hash, which
         * independent RLP (Python) and libsecp256k1 recovery confirm; ethereumjs only uses them as
         * serialization fixtures. So: decode, field values, and byte-exact re-assembly only. */
        check_signed(buf, len + 1, NULL, hash, txhash);
        check_raw_fields(&f, vec_get(&f, tc, "data"), buf, len + 1);
    }
    print_message("%s: %zu\n", rel, i);
    assert_int_equal(i, 1);
    vec_free(&f);
}

static void test_ethereumjs_raw_lists(void **state) {
    (void)state;
    check_raw_file("ethereum/ethereumjs/eip2930txs.json", 1);
    check_raw_file("ethereum/ethereumjs/eip1559txs.json", 2);
}

/* ethereum/tests: the fork-independent verdict is taken from the London result. */
static void check_ethereum_test(const char *rel, int expect_ok) {
    vec_file f;
    size_t tc, len, res;
    uint8_t *raw;
    payload_eth_tx *tx = malloc(sizeof(*tx));
    payload_err err;
    int r;

    assert_non_null(tx);
    vec_load(&f, rel);
    tc = payload_json_member_key(&f.js, 0, 0) + 1;
    raw = vec_hex(&f, vec_get(&f, tc, "txbytes"), &len);
    res = vec_get(&f, vec_get(&f, tc, "result"), "London");
    r = payload_eth_tx_decode(&err, tx, PAYLOAD_ETH_TX_SIGNED, raw, len);
    if (expect_ok) {
        uint8_t sender[20], want[32], hash[32], txhash[32];
        if (r != PAYLOAD_OK) {
            fail_msg("%s: %s", rel, err.msg);
        }
        vec_hex_n(&f, vec_get(&f, res, "sender"), sender, 20);
        vec_hex_n(&f, vec_get(&f, res, "hash"), want, 32);
        check_signed(raw, len, sender, hash, txhash);
        assert_memory_equal(txhash, want, 32);
    } else {
        assert_int_not_equal(payload_json_get(&f.js, res, "exception"), 0);
        if (r == PAYLOAD_OK) {
            fail_msg("%s accepted", rel);
        }
        print_message("%s rejected: %s\n", rel, err.msg);
    }
    free(raw);
    free(tx);
    vec_free(&f);
}

static void test_ethereum_tests(void **state) {
    (void)state;
    check_ethereum_test("ethereum/ethereum-tests/TransactionTests/ttEIP1559/GasLimitPriceProductOverflowtMinusOne.json", 1);
    check_ethereum_test("ethereum/ethereum-tests/TransactionTests/ttEIP1559/maxFeePerGas32BytesValue.json", 0);
    check_ethereum_test("ethereum/ethereum-tests/TransactionTests/ttEIP1559/maxPriorityFeePerGas00prefix.json", 0);
    check_ethereum_test("ethereum/ethereum-tests/TransactionTests/ttEIP2930/accessListStorage32Bytes.json", 1);
    check_ethereum_test("ethereum/ethereum-tests/TransactionTests/ttEIP2930/accessListAddressPrefix00.json", 0);
}

static int decode_hex(const char *hex, payload_eth_tx_mode mode, payload_err *err) {
    size_t len;
    uint8_t *in = hex_dup(hex, &len);
    payload_eth_tx *tx = malloc(sizeof(*tx));
    int r;
    assert_non_null(tx);
    r = payload_eth_tx_decode(err, tx, mode, in, len);
    free(in);
    free(tx);
    return r;
}

/* Hand-built payloads derived from the EIP-155 example's signing data
 * (ec 09 8504a817c800 825208 94 35..35 880de0b6b3a7640000 80 01 80 80). */
#define EX_HEAD "098504a817c80082520894" "3535353535353535353535353535353535353535" "880de0b6b3a764000080"
static void test_rejections(void **state) {
    payload_err err;
    (void)state;
    /* The example itself is accepted unsigned, refused as signed. */
    assert_int_equal(decode_hex("ec" EX_HEAD "018080", PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_OK);
    assert_int_not_equal(decode_hex("ec" EX_HEAD "018080", PAYLOAD_ETH_TX_SIGNED, &err), PAYLOAD_OK);
    /* Pre-EIP-155 6-field form. */
    assert_int_equal(decode_hex("e9" EX_HEAD, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_UNSUPPORTED);
    /* chainId 0. */
    assert_int_equal(decode_hex("ec" EX_HEAD "808080", PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_UNSUPPORTED);
    /* Non-canonical nonce 0x0009 (list length +2). */
    assert_int_equal(decode_hex("ee820009" "8504a817c80082520894" "3535353535353535353535353535353535353535"
                                "880de0b6b3a764000080018080", PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "'nonce'"));
    assert_non_null(strstr(err.msg, "leading zero"));
    /* Contract creation (empty to). */
    assert_int_equal(decode_hex("d8098504a817c80082520880880de0b6b3a764000080018080", PAYLOAD_ETH_TX_UNSIGNED, &err),
                     PAYLOAD_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "contract creation"));
    /* 19-byte to. */
    assert_int_equal(decode_hex("eb098504a817c80082520893" "35353535353535353535353535353535353535"
                                "880de0b6b3a764000080018080", PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_ENCODING);
    /* Unknown type 3 and trailing byte. */
    assert_int_equal(decode_hex("03c0", PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_UNSUPPORTED);
    assert_int_equal(decode_hex("ec" EX_HEAD "01808000", PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_TRAILING);
    /* Pre-155 signed legacy (v = 27). */
    assert_int_equal(decode_hex("f86c" EX_HEAD "1b" "a0" "0101010101010101010101010101010101010101010101010101010101010101"
                                "a0" "0101010101010101010101010101010101010101010101010101010101010101",
                                PAYLOAD_ETH_TX_SIGNED, &err), PAYLOAD_E_UNSUPPORTED);
}

/* Type-2 transactions built field by field with one defect each. */
typedef struct {
    uint8_t prio, max;        /* fee bytes */
    size_t to_len, addr_len, key_len;
    int sig;                  /* append yParity, r, s */
    uint8_t y_parity, s_first;
} typed_spec;

static int decode_typed(const typed_spec *sp, payload_eth_tx_mode mode, payload_err *err) {
    static uint8_t buf[1024];
    static const uint8_t ones[40] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    payload_rlp_writer w;
    size_t list, al, entry, keys, len;
    payload_eth_tx *tx = malloc(sizeof(*tx));
    int r;

    assert_non_null(tx);
    buf[0] = 2;
    payload_rlp_writer_init(&w, buf + 1, sizeof(buf) - 1);
    list = payload_rlp_list_begin(&w);
    payload_rlp_put_u64(&w, 1);            /* chainId */
    payload_rlp_put_u64(&w, 7);            /* nonce */
    payload_rlp_put_u64(&w, sp->prio);
    payload_rlp_put_u64(&w, sp->max);
    payload_rlp_put_u64(&w, 21000);
    payload_rlp_put_bytes(&w, ones, sp->to_len);
    payload_rlp_put_u64(&w, 1);            /* value */
    payload_rlp_put_bytes(&w, NULL, 0);    /* data */
    al = payload_rlp_list_begin(&w);
    entry = payload_rlp_list_begin(&w);
    payload_rlp_put_bytes(&w, ones, sp->addr_len);
    keys = payload_rlp_list_begin(&w);
    payload_rlp_put_bytes(&w, ones, sp->key_len);
    payload_rlp_list_end(&w, keys);
    payload_rlp_list_end(&w, entry);
    payload_rlp_list_end(&w, al);
    if (sp->sig) {
        uint8_t s[32];
        memset(s, 1, 32);
        s[0] = sp->s_first;
        payload_rlp_put_u64(&w, sp->y_parity);
        payload_rlp_put_bytes(&w, ones, 32);
        payload_rlp_put_bytes(&w, s, 32);
    }
    payload_rlp_list_end(&w, list);
    assert_int_equal(payload_rlp_writer_finish(err, &len, &w), PAYLOAD_OK);
    r = payload_eth_tx_decode(err, tx, mode, buf, len + 1);
    free(tx);
    return r;
}

static void test_typed_rejections(void **state) {
    const typed_spec ok = {2, 3, 20, 20, 32, 0, 0, 0x01};
    typed_spec sp;
    payload_err err;
    (void)state;

    assert_int_equal(decode_typed(&ok, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_OK);
    assert_int_equal(decode_typed(&ok, PAYLOAD_ETH_TX_SIGNED, &err), PAYLOAD_E_ENCODING); /* field count */
    sp = ok; sp.prio = 4;
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "maxPriorityFeePerGas exceeds maxFeePerGas"));
    sp = ok; sp.to_len = 0;
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_UNSUPPORTED);
    sp = ok; sp.to_len = 21;
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_ENCODING);
    sp = ok; sp.addr_len = 19;
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "address is 19 bytes"));
    sp = ok; sp.key_len = 31;
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "storage key 0 is 31 bytes"));
    sp = ok; sp.sig = 1;
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_SIGNED, &err), PAYLOAD_OK);
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_UNSIGNED, &err), PAYLOAD_E_ENCODING); /* signed refused */
    sp.y_parity = 2;
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_SIGNED, &err), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "yParity"));
    sp.y_parity = 1;
    sp.s_first = 0x80; /* s > n/2 */
    assert_int_equal(decode_typed(&sp, PAYLOAD_ETH_TX_SIGNED, &err), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "low-s"));
}

/* A high-S signature must come out as the equivalent low-S one (EIP-2). */
static void test_high_s_normalised(void **state) {
    static const uint8_t n[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    vec_file f;
    size_t len, n_out, ulen;
    uint8_t *signed_tx, *utx_bytes, r[32], s[32], hs[32], txhash[32];
    static uint8_t buf[PAYLOAD_ETH_TX_ENCODE_MAX];
    payload_eth_tx *tx = malloc(sizeof(*tx));
    payload_err err;
    int i, borrow = 0;
    (void)state;

    assert_non_null(tx);
    vec_load(&f, "ethereum/eips/eip155_example.json");
    utx_bytes = vec_hex(&f, vec_get(&f, 0, "signing_data"), &ulen);
    signed_tx = vec_hex(&f, vec_get(&f, 0, "signed_tx"), &len);
    vec_hex_n(&f, vec_get(&f, 0, "r_hex"), r, 32);
    vec_hex_n(&f, vec_get(&f, 0, "s_hex"), s, 32);
    for (i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        hs[i] = (uint8_t)(d & 0xff);
        borrow = d < 0;
    }
    assert_int_equal(payload_eth_tx_decode(&err, tx, PAYLOAD_ETH_TX_UNSIGNED, utx_bytes, ulen), PAYLOAD_OK);
    assert_int_equal(payload_eth_tx_assemble_signed(&err, buf, sizeof(buf), &n_out, txhash, tx, r, hs, 1),
                     PAYLOAD_OK);
    assert_int_equal(n_out, len);
    assert_memory_equal(buf, signed_tx, len);
    assert_int_equal(payload_eth_tx_assemble_signed(&err, buf, sizeof(buf), &n_out, txhash, tx, r, s, 2),
                     PAYLOAD_E_ARG);
    free(utx_bytes);
    free(signed_tx);
    free(tx);
    vec_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eip155_example),
        cmocka_unit_test(test_vitalik_eip155),
        cmocka_unit_test(test_ethereumjs_eip1559),
        cmocka_unit_test(test_ethereumjs_raw_lists),
        cmocka_unit_test(test_ethereum_tests),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_typed_rejections),
        cmocka_unit_test(test_high_s_normalised),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
