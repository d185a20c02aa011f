#include "payload/eth_tx.h"

#include <string.h>

#include "payload/keccak.h"
#include "payload/rlp.h"
#include "payload/u256.h"

/* secp256k1 group order n and floor(n/2) (SEC 2, section 2.4.1). */
static const uint8_t secp_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t secp_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

/* Nesting of a typed transaction: tx list > access list > entry > storage-key list. */
#define TYPED_TX_DEPTH 4u
#define MAX_FIELDS 12u

static int get_address(payload_err *err, uint8_t out[20], const payload_rlp_item *it, const char *field) {
    if (it->is_list) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: field '%s' is a list, expected an address", field);
    }
    if (it->len == 0) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED,
                            "eth_tx: field '%s' is empty (contract creation is not signed)", field);
    }
    if (it->len != 20) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: field '%s' is %zu bytes, expected a 20-byte address",
                            field, it->len);
    }
    memcpy(out, it->data, 20);
    return PAYLOAD_OK;
}

static int get_chain_id(payload_err *err, payload_eth_tx *tx, const payload_rlp_item *it) {
    int r = payload_rlp_u64(err, &tx->chain_id, it, "chainId");
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (tx->chain_id == 0 || tx->chain_id > PAYLOAD_ETH_MAX_CHAIN_ID) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "eth_tx: chainId %llu outside 1..2^62",
                            (unsigned long long)tx->chain_id);
    }
    return PAYLOAD_OK;
}

static int get_access_list(payload_err *err, payload_eth_tx *tx, const payload_rlp_item *list) {
    payload_rlp_item entries[PAYLOAD_ETH_MAX_ACCESS_ENTRIES];
    size_t n, i;
    int r;

    if (!list->is_list) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: field 'accessList' is a string, expected a list");
    }
    r = payload_rlp_list_items(err, entries, PAYLOAD_ETH_MAX_ACCESS_ENTRIES, &n, list);
    if (r != PAYLOAD_OK) {
        return payload_fail(err, r, "eth_tx: field 'accessList' has more than %u entries",
                            PAYLOAD_ETH_MAX_ACCESS_ENTRIES);
    }
    for (i = 0; i < n; i++) {
        payload_rlp_item pair[2], keys[PAYLOAD_ETH_MAX_STORAGE_KEYS];
        size_t np, nk, k;
        if (!entries[i].is_list || payload_rlp_list_items(NULL, pair, 2, &np, &entries[i]) != PAYLOAD_OK || np != 2) {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                                "eth_tx: accessList entry %zu is not a list [address, storageKeys]", i);
        }
        if (pair[0].is_list || pair[0].len != 20) {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                                "eth_tx: accessList entry %zu address is %zu bytes, expected 20", i, pair[0].len);
        }
        if (!pair[1].is_list) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: accessList entry %zu storageKeys is not a list", i);
        }
        if (payload_rlp_list_items(NULL, keys, PAYLOAD_ETH_MAX_STORAGE_KEYS - tx->n_storage_keys, &nk, &pair[1]) !=
            PAYLOAD_OK) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "eth_tx: accessList holds more than %u storage keys",
                                PAYLOAD_ETH_MAX_STORAGE_KEYS);
        }
        memcpy(tx->access[i].address, pair[0].data, 20);
        tx->access[i].first_key = (uint32_t)tx->n_storage_keys;
        tx->access[i].n_keys = (uint32_t)nk;
        for (k = 0; k < nk; k++) {
            if (keys[k].is_list || keys[k].len != 32) {
                return payload_fail(err, PAYLOAD_E_ENCODING,
                                    "eth_tx: accessList entry %zu storage key %zu is %zu bytes, expected 32", i, k,
                                    keys[k].len);
            }
            memcpy(tx->storage_keys[tx->n_storage_keys++], keys[k].data, 32);
        }
    }
    tx->n_access = n;
    return PAYLOAD_OK;
}

static int get_signature(payload_err *err, payload_eth_tx *tx, const payload_rlp_item *r_it,
                         const payload_rlp_item *s_it) {
    int r = payload_rlp_uint256(err, tx->r, r_it, "r");
    if (r == PAYLOAD_OK) {
        r = payload_rlp_uint256(err, tx->s, s_it, "s");
    }
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (payload_u256_is_zero(tx->r) || payload_u256_cmp(tx->r, secp_n) >= 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: signature 'r' outside 1..n-1");
    }
    if (payload_u256_is_zero(tx->s) || payload_u256_cmp(tx->s, secp_half_n) > 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: signature 's' outside 1..n/2 (EIP-2 low-s)");
    }
    tx->is_signed = 1;
    return PAYLOAD_OK;
}

static int set_max_fee_total(payload_err *err, payload_eth_tx *tx) {
    const uint8_t *fee = tx->type == PAYLOAD_ETH_TX_EIP1559 ? tx->max_fee_per_gas : tx->gas_price;

    if (payload_u256_mul_u64(tx->max_fee_total, fee, tx->gas_limit) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: gasLimit * %s exceeds 256 bits",
                            tx->type == PAYLOAD_ETH_TX_EIP1559 ? "maxFeePerGas" : "gasPrice");
    }
    return PAYLOAD_OK;
}

static int decode_legacy(payload_err *err, payload_eth_tx *tx, payload_eth_tx_mode mode, const payload_rlp_item *f,
                         size_t n) {
    int r;

    if (n == 6) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED,
                            "eth_tx: legacy transaction without EIP-155 chain id (replayable) refused");
    }
    if (n != 9) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: legacy transaction has %zu fields, expected 9", n);
    }
    if ((r = payload_rlp_u64(err, &tx->nonce, &f[0], "nonce")) != PAYLOAD_OK ||
        (r = payload_rlp_uint256(err, tx->gas_price, &f[1], "gasPrice")) != PAYLOAD_OK ||
        (r = payload_rlp_u64(err, &tx->gas_limit, &f[2], "gasLimit")) != PAYLOAD_OK ||
        (r = get_address(err, tx->to, &f[3], "to")) != PAYLOAD_OK ||
        (r = payload_rlp_uint256(err, tx->value, &f[4], "value")) != PAYLOAD_OK) {
        return r;
    }
    if (f[5].is_list) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: field 'data' is a list, expected bytes");
    }
    tx->data = f[5].data;
    tx->data_len = f[5].len;
    if (mode == PAYLOAD_ETH_TX_UNSIGNED) {
        if ((r = get_chain_id(err, tx, &f[6])) != PAYLOAD_OK) {
            return r;
        }
        if (f[7].is_list || f[7].len != 0 || f[8].is_list || f[8].len != 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                                "eth_tx: unsigned EIP-155 transaction must end with chainId, 0, 0 "
                                "(a signed transaction was given?)");
        }
    } else {
        uint64_t v;
        if ((r = payload_rlp_u64(err, &v, &f[6], "v")) != PAYLOAD_OK) {
            return r;
        }
        if (v == 27 || v == 28) {
            return payload_fail(err, PAYLOAD_E_UNSUPPORTED,
                                "eth_tx: legacy signature with v=%llu has no EIP-155 chain id (replayable)",
                                (unsigned long long)v);
        }
        if (v < 37) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: field 'v' = %llu is not an EIP-155 value",
                                (unsigned long long)v);
        }
        tx->chain_id = (v - 35) / 2;
        tx->y_parity = (uint8_t)((v - 35) % 2);
        if (tx->chain_id > PAYLOAD_ETH_MAX_CHAIN_ID) {
            return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "eth_tx: chainId from 'v' exceeds 2^62");
        }
        if ((r = get_signature(err, tx, &f[7], &f[8])) != PAYLOAD_OK) {
            return r;
        }
    }
    return set_max_fee_total(err, tx);
}

static int decode_typed(payload_err *err, payload_eth_tx *tx, payload_eth_tx_mode mode, const payload_rlp_item *f,
                        size_t n) {
    size_t base = tx->type == PAYLOAD_ETH_TX_EIP1559 ? 9 : 8, i = 0;
    size_t want = mode == PAYLOAD_ETH_TX_UNSIGNED ? base : base + 3;
    int r;

    if (n != want) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: type %u transaction has %zu fields, expected %zu (%s)",
                            tx->type, n, want, mode == PAYLOAD_ETH_TX_UNSIGNED ? "unsigned" : "signed");
    }
    if ((r = get_chain_id(err, tx, &f[i++])) != PAYLOAD_OK ||
        (r = payload_rlp_u64(err, &tx->nonce, &f[i++], "nonce")) != PAYLOAD_OK) {
        return r;
    }
    if (tx->type == PAYLOAD_ETH_TX_EIP1559) {
        if ((r = payload_rlp_uint256(err, tx->max_priority_fee_per_gas, &f[i++], "maxPriorityFeePerGas")) !=
                PAYLOAD_OK ||
            (r = payload_rlp_uint256(err, tx->max_fee_per_gas, &f[i++], "maxFeePerGas")) != PAYLOAD_OK) {
            return r;
        }
        if (payload_u256_cmp(tx->max_priority_fee_per_gas, tx->max_fee_per_gas) > 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: maxPriorityFeePerGas exceeds maxFeePerGas");
        }
    } else if ((r = payload_rlp_uint256(err, tx->gas_price, &f[i++], "gasPrice")) != PAYLOAD_OK) {
        return r;
    }
    if ((r = payload_rlp_u64(err, &tx->gas_limit, &f[i++], "gasLimit")) != PAYLOAD_OK ||
        (r = get_address(err, tx->to, &f[i++], "to")) != PAYLOAD_OK ||
        (r = payload_rlp_uint256(err, tx->value, &f[i++], "value")) != PAYLOAD_OK) {
        return r;
    }
    if (f[i].is_list) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: field 'data' is a list, expected bytes");
    }
    tx->data = f[i].data;
    tx->data_len = f[i].len;
    i++;
    if ((r = get_access_list(err, tx, &f[i++])) != PAYLOAD_OK) {
        return r;
    }
    if (mode == PAYLOAD_ETH_TX_SIGNED) {
        uint64_t y;
        if ((r = payload_rlp_u64(err, &y, &f[i++], "yParity")) != PAYLOAD_OK) {
            return r;
        }
        if (y > 1) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: field 'yParity' = %llu, expected 0 or 1",
                                (unsigned long long)y);
        }
        tx->y_parity = (uint8_t)y;
        if ((r = get_signature(err, tx, &f[i], &f[i + 1])) != PAYLOAD_OK) {
            return r;
        }
    }
    return set_max_fee_total(err, tx);
}

int payload_eth_tx_decode(payload_err *err, payload_eth_tx *tx, payload_eth_tx_mode mode, const uint8_t *in,
                          size_t in_len) {
    payload_rlp_item top, fields[MAX_FIELDS];
    size_t n;
    int r;

    payload_err_clear(err);
    memset(tx, 0, sizeof(*tx));
    if ((mode != PAYLOAD_ETH_TX_UNSIGNED && mode != PAYLOAD_ETH_TX_SIGNED) || (in == NULL && in_len != 0)) {
        return payload_fail(err, PAYLOAD_E_ARG, "eth_tx: invalid arguments");
    }
    if (in_len == 0) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "eth_tx: empty payload");
    }
    if (in_len > PAYLOAD_ETH_TX_MAX_LEN) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "eth_tx: transaction of %zu bytes exceeds %u", in_len,
                            PAYLOAD_ETH_TX_MAX_LEN);
    }
    if (in[0] >= 0xc0) {
        tx->type = PAYLOAD_ETH_TX_LEGACY;
        r = payload_rlp_decode(err, &top, in, in_len, 1);
    } else if (in[0] == PAYLOAD_ETH_TX_EIP2930 || in[0] == PAYLOAD_ETH_TX_EIP1559) {
        tx->type = in[0];
        r = payload_rlp_decode(err, &top, in + 1, in_len - 1, TYPED_TX_DEPTH);
    } else if (in[0] <= 0x7f) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "eth_tx: transaction type 0x%02x is not supported", in[0]);
    } else {
        return payload_fail(err, PAYLOAD_E_ENCODING,
                            "eth_tx: first byte 0x%02x is neither a transaction type nor an RLP list", in[0]);
    }
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (!top.is_list) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eth_tx: transaction body is not an RLP list");
    }
    r = payload_rlp_list_items(err, fields, MAX_FIELDS, &n, &top);
    if (r != PAYLOAD_OK) {
        return payload_fail(err, r, "eth_tx: transaction has more than %u fields", MAX_FIELDS);
    }
    if (tx->type == PAYLOAD_ETH_TX_LEGACY) {
        return decode_legacy(err, tx, mode, fields, n);
    }
    return decode_typed(err, tx, mode, fields, n);
}

/* Writes the transaction fields; sig selects the signed form with (v or yParity, r, s). */
static void encode_body(payload_rlp_writer *w, const payload_eth_tx *tx, int sig, uint64_t v, const uint8_t *r,
                        const uint8_t *s) {
    size_t list, i;

    if (tx->type != PAYLOAD_ETH_TX_LEGACY) {
        uint8_t type = (uint8_t)tx->type;
        payload_rlp_put_raw(w, &type, 1);
    }
    list = payload_rlp_list_begin(w);
    if (tx->type != PAYLOAD_ETH_TX_LEGACY) {
        payload_rlp_put_u64(w, tx->chain_id);
    }
    payload_rlp_put_u64(w, tx->nonce);
    if (tx->type == PAYLOAD_ETH_TX_EIP1559) {
        payload_rlp_put_uint(w, tx->max_priority_fee_per_gas, 32);
        payload_rlp_put_uint(w, tx->max_fee_per_gas, 32);
    } else {
        payload_rlp_put_uint(w, tx->gas_price, 32);
    }
    payload_rlp_put_u64(w, tx->gas_limit);
    payload_rlp_put_bytes(w, tx->to, 20);
    payload_rlp_put_uint(w, tx->value, 32);
    payload_rlp_put_bytes(w, tx->data, tx->data_len);
    if (tx->type != PAYLOAD_ETH_TX_LEGACY) {
        size_t al = payload_rlp_list_begin(w);
        for (i = 0; i < tx->n_access; i++) {
            size_t entry = payload_rlp_list_begin(w), keys, k;
            payload_rlp_put_bytes(w, tx->access[i].address, 20);
            keys = payload_rlp_list_begin(w);
            for (k = 0; k < tx->access[i].n_keys; k++) {
                payload_rlp_put_bytes(w, tx->storage_keys[tx->access[i].first_key + k], 32);
            }
            payload_rlp_list_end(w, keys);
            payload_rlp_list_end(w, entry);
        }
        payload_rlp_list_end(w, al);
    }
    if (sig) {
        payload_rlp_put_u64(w, v);
        payload_rlp_put_uint(w, r, 32);
        payload_rlp_put_uint(w, s, 32);
    } else if (tx->type == PAYLOAD_ETH_TX_LEGACY) {
        payload_rlp_put_u64(w, tx->chain_id);
        payload_rlp_put_u64(w, 0);
        payload_rlp_put_u64(w, 0);
    }
    payload_rlp_list_end(w, list);
}

int payload_eth_tx_encode_unsigned(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
                                   const payload_eth_tx *tx) {
    payload_rlp_writer w;

    payload_err_clear(err);
    payload_rlp_writer_init(&w, out, out_size);
    encode_body(&w, tx, 0, 0, NULL, NULL);
    return payload_rlp_writer_finish(err, out_len, &w);
}

int payload_eth_tx_signing_hash(payload_err *err, uint8_t hash[32], const payload_eth_tx *tx) {
    /* Bounded by PAYLOAD_ETH_TX_MAX_LEN, so the re-encoding fits on the stack. */
    uint8_t buf[PAYLOAD_ETH_TX_ENCODE_MAX];
    size_t len;
    int r;

    r = payload_eth_tx_encode_unsigned(err, buf, sizeof(buf), &len, tx);
    if (r != PAYLOAD_OK) {
        return r;
    }
    payload_keccak256(hash, buf, len);
    return PAYLOAD_OK;
}

int payload_eth_tx_assemble_signed(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
                                   uint8_t tx_hash[32], const payload_eth_tx *tx, const uint8_t r[32],
                                   const uint8_t s[32], int recid) {
    payload_rlp_writer w;
    uint8_t s_low[32];
    uint64_t v;
    int rc;

    payload_err_clear(err);
    if (recid != 0 && recid != 1) {
        return payload_fail(err, PAYLOAD_E_ARG, "eth_tx: recovery id %d is not 0 or 1", recid);
    }
    if (payload_u256_is_zero(r) || payload_u256_cmp(r, secp_n) >= 0 || payload_u256_is_zero(s) ||
        payload_u256_cmp(s, secp_n) >= 0) {
        return payload_fail(err, PAYLOAD_E_ARG, "eth_tx: signature r or s outside 1..n-1");
    }
    if (tx->chain_id == 0 || tx->chain_id > PAYLOAD_ETH_MAX_CHAIN_ID) {
        return payload_fail(err, PAYLOAD_E_ARG, "eth_tx: chainId outside 1..2^62");
    }
    memcpy(s_low, s, 32);
    if (payload_u256_cmp(s, secp_half_n) > 0) {
        /* EIP-2: s' = n - s signs the same digest with the other recovery id. */
        unsigned borrow = 0;
        int i;
        for (i = 31; i >= 0; i--) {
            unsigned d = (unsigned)secp_n[i] - s[i] - borrow;
            s_low[i] = (uint8_t)d;
            borrow = (d >> 8) & 1;
        }
        recid ^= 1;
    }
    v = tx->type == PAYLOAD_ETH_TX_LEGACY ? (uint64_t)recid + 35 + 2 * tx->chain_id : (uint64_t)recid;
    payload_rlp_writer_init(&w, out, out_size);
    encode_body(&w, tx, 1, v, r, s_low);
    rc = payload_rlp_writer_finish(err, out_len, &w);
    if (rc != PAYLOAD_OK) {
        return rc;
    }
    payload_keccak256(tx_hash, out, *out_len);
    return PAYLOAD_OK;
}
