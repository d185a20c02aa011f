#include "payload/safe_tx.h"

#include <string.h>

#include "payload/eip712.h"
#include "payload/keccak.h"
#include "payload/u256.h"

/* Safe contracts 1.4.1, Safe.sol (and the pre-1.3.0 domain of Safe <= 1.2.0). */
static const char safe_tx_type[] =
    "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,"
    "uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)";
static const char domain_chain_type[] = "EIP712Domain(uint256 chainId,address verifyingContract)";
static const char domain_legacy_type[] = "EIP712Domain(address verifyingContract)";
static const uint8_t multisend_selector[4] = {0x8d, 0x80, 0xff, 0x0a};

static void addr_word(uint8_t w[32], const uint8_t a[20]) {
    memset(w, 0, 12);
    memcpy(w + 12, a, 20);
}

static void u64_word(uint8_t w[32], uint64_t v) {
    int i;

    memset(w, 0, 32);
    for (i = 0; i < 8; i++) {
        w[31 - i] = (uint8_t)(v >> (8 * i));
    }
}

int payload_safe_tx_hashes(payload_err *err, payload_safe_hashes *out, const payload_safe_tx *tx) {
    payload_keccak256_ctx h;
    uint8_t w[32];

    payload_err_clear(err);
    if (tx->domain_kind != PAYLOAD_SAFE_DOMAIN_CHAIN_ID && tx->domain_kind != PAYLOAD_SAFE_DOMAIN_NO_CHAIN_ID) {
        return payload_fail(err, PAYLOAD_E_ARG, "safe: unknown domain kind %u", tx->domain_kind);
    }
    payload_keccak256_init(&h, PAYLOAD_KECCAK_PAD_KECCAK);
    if (tx->domain_kind == PAYLOAD_SAFE_DOMAIN_CHAIN_ID) {
        payload_keccak256(w, (const uint8_t *)domain_chain_type, sizeof(domain_chain_type) - 1);
        payload_keccak256_update(&h, w, 32);
        u64_word(w, tx->chain_id);
        payload_keccak256_update(&h, w, 32);
    } else {
        payload_keccak256(w, (const uint8_t *)domain_legacy_type, sizeof(domain_legacy_type) - 1);
        payload_keccak256_update(&h, w, 32);
    }
    addr_word(w, tx->safe);
    payload_keccak256_update(&h, w, 32);
    payload_keccak256_final(&h, out->domain_separator);

    payload_keccak256_init(&h, PAYLOAD_KECCAK_PAD_KECCAK);
    payload_keccak256(w, (const uint8_t *)safe_tx_type, sizeof(safe_tx_type) - 1);
    payload_keccak256_update(&h, w, 32);
    addr_word(w, tx->to);
    payload_keccak256_update(&h, w, 32);
    payload_keccak256_update(&h, tx->value, 32);
    payload_keccak256(w, tx->data, tx->data_len);
    payload_keccak256_update(&h, w, 32);
    u64_word(w, tx->operation);
    payload_keccak256_update(&h, w, 32);
    payload_keccak256_update(&h, tx->safe_tx_gas, 32);
    payload_keccak256_update(&h, tx->base_gas, 32);
    payload_keccak256_update(&h, tx->gas_price, 32);
    addr_word(w, tx->gas_token);
    payload_keccak256_update(&h, w, 32);
    addr_word(w, tx->refund_receiver);
    payload_keccak256_update(&h, w, 32);
    payload_keccak256_update(&h, tx->nonce, 32);
    payload_keccak256_final(&h, out->message_hash);

    payload_eip712_digest(out->safe_tx_hash, out->domain_separator, out->message_hash);
    return PAYLOAD_OK;
}

/* The fixed-size SafeTx fields from ABI words in SafeTx order, w at the `to` word: SafeTx's
 * encodeData after its type hash and execTransaction's arguments share this layout up to
 * refundReceiver. The word of `data` (its hash or its offset) is left to the caller. */
static void copy_safe_words(payload_safe_tx *tx, const uint8_t *w) {
    memcpy(tx->to, w + 12, 20);
    memcpy(tx->value, w + 32, 32);
    tx->operation = w[32 * 3 + 31];
    memcpy(tx->safe_tx_gas, w + 32 * 4, 32);
    memcpy(tx->base_gas, w + 32 * 5, 32);
    memcpy(tx->gas_price, w + 32 * 6, 32);
    memcpy(tx->gas_token, w + 32 * 7 + 12, 20);
    memcpy(tx->refund_receiver, w + 32 * 8 + 12, 20);
}

static int hex_nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int payload_safe_tx_from_eip712(payload_err *err, payload_safe_tx *tx, uint8_t *data_buf, size_t data_buf_size,
                                const payload_eip712_doc *doc, uint64_t network_chain_id) {
    char enc[PAYLOAD_EIP712_ENCODE_TYPE_MAX];
    uint8_t words[32 * 11], check[32];
    size_t enc_len, words_len, dt, i, n;
    const payload_json_tok *t;
    int r;

    payload_err_clear(err);
    memset(tx, 0, sizeof(*tx));
    if (strcmp(doc->primary_type, "SafeTx") != 0 || doc->types.n_types != 2) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "safe: typed data is not a SafeTx document");
    }
    if ((r = payload_eip712_encode_type(err, enc, sizeof(enc), &enc_len, &doc->types, "SafeTx")) != PAYLOAD_OK) {
        return r;
    }
    if (strcmp(enc, safe_tx_type) != 0) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "safe: SafeTx type differs from Safe >= 1.0 (%.60s...)", enc);
    }
    if ((r = payload_eip712_encode_type(err, enc, sizeof(enc), &enc_len, &doc->types, "EIP712Domain")) !=
        PAYLOAD_OK) {
        return r;
    }
    if (strcmp(enc, domain_chain_type) == 0) {
        uint8_t want[32];
        tx->domain_kind = PAYLOAD_SAFE_DOMAIN_CHAIN_ID;
        u64_word(want, network_chain_id);
        if (memcmp(want, doc->chain_id, 32) != 0) {
            return payload_fail(err, PAYLOAD_E_POLICY, "safe: domain chainId differs from the configured chain %llu",
                                (unsigned long long)network_chain_id);
        }
    } else if (strcmp(enc, domain_legacy_type) == 0) {
        tx->domain_kind = PAYLOAD_SAFE_DOMAIN_NO_CHAIN_ID;
    } else {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "safe: EIP712Domain is not a Safe domain");
    }
    tx->chain_id = network_chain_id;
    memcpy(tx->safe, doc->verifying_contract, 20);
    r = payload_eip712_encode_data(err, words, sizeof(words), &words_len, &doc->types, "SafeTx", &doc->js,
                                   doc->message_tok);
    if (r != PAYLOAD_OK) {
        return r;
    }
    copy_safe_words(tx, words + 32);
    memcpy(tx->nonce, words + 32 * 10, 32);
    /* encodeData validated the hex of `data`; decode it for the rule checks. */
    dt = payload_json_get(&doc->js, doc->message_tok, "data");
    t = &doc->js.toks[dt];
    n = (t->len - 2) / 2;
    if (n > PAYLOAD_SAFE_MAX_DATA || n > data_buf_size) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "safe: calldata of %zu bytes exceeds %zu", n,
                            data_buf_size < PAYLOAD_SAFE_MAX_DATA ? data_buf_size : (size_t)PAYLOAD_SAFE_MAX_DATA);
    }
    for (i = 0; i < n; i++) {
        const char *p = doc->js.doc + t->start + 2 + 2 * i;
        data_buf[i] = (uint8_t)(hex_nibble(p[0]) << 4 | hex_nibble(p[1]));
    }
    tx->data = data_buf;
    tx->data_len = n;
    payload_keccak256(check, data_buf, n);
    if (memcmp(check, words + 96, 32) != 0) {
        return payload_fail(err, PAYLOAD_E_INTERNAL, "safe: calldata decode mismatch");
    }
    return PAYLOAD_OK;
}

static int zero_bytes(const uint8_t *p, size_t n) {
    uint8_t acc = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        acc |= p[i];
    }
    return acc == 0;
}

/* Reads the dynamic `bytes` argument whose offset word is at head + 32*slot and must equal
 * want_offset; *end is the offset just past its zero-padded contents. */
static int abi_bytes(payload_err *err, const uint8_t **out, size_t *out_len, size_t *end, const uint8_t *args,
                     size_t args_len, size_t slot, size_t want_offset, const char *name) {
    const uint8_t *w = args + 32 * slot;
    size_t n, padded;

    if (!zero_bytes(w, 28) || ((size_t)w[28] << 24 | (size_t)w[29] << 16 | (size_t)w[30] << 8 | w[31]) != want_offset) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: execTransaction '%s' offset is not the canonical 0x%zx",
                            name, want_offset);
    }
    if (args_len - want_offset < 32) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "safe: execTransaction '%s' length word missing", name);
    }
    w = args + want_offset;
    if (!zero_bytes(w, 28)) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "safe: execTransaction '%s' length exceeds the calldata", name);
    }
    n = (size_t)w[28] << 24 | (size_t)w[29] << 16 | (size_t)w[30] << 8 | w[31];
    if (n > args_len - want_offset - 32) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "safe: execTransaction '%s' of %zu bytes exceeds the calldata",
                            name, n);
    }
    padded = (n + 31) / 32 * 32;
    if (padded > args_len - want_offset - 32) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "safe: execTransaction '%s' padding is missing", name);
    }
    if (!zero_bytes(w + 32 + n, padded - n)) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: execTransaction '%s' padding is not zero", name);
    }
    *out = w + 32;
    *out_len = n;
    *end = want_offset + 32 + padded;
    return PAYLOAD_OK;
}

int payload_safe_exec_decode(payload_err *err, payload_safe_tx *tx, const uint8_t **signatures,
                             size_t *signatures_len, const uint8_t *calldata, size_t len) {
    static const uint8_t selector[4] = {0x6a, 0x76, 0x12, 0x02};
    static const struct { size_t slot; const char *name; } addrs[] = {{0, "to"}, {7, "gasToken"},
                                                                     {8, "refundReceiver"}};
    const uint8_t *args;
    size_t args_len, end, i;
    int r;

    payload_err_clear(err);
    memset(tx, 0, sizeof(*tx));
    if (len < 4 || memcmp(calldata, selector, 4) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: calldata is not execTransaction (selector 0x6a761202)");
    }
    if (len > 4 + 10 * 32 + 64 + PAYLOAD_SAFE_MAX_DATA + 32 * 65) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "safe: execTransaction calldata of %zu bytes is too large", len);
    }
    args = calldata + 4;
    args_len = len - 4;
    if (args_len < 10 * 32) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "safe: execTransaction arguments truncated");
    }
    for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        if (!zero_bytes(args + 32 * addrs[i].slot, 12)) {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                                "safe: execTransaction '%s' has non-zero bytes above its 20-byte address",
                                addrs[i].name);
        }
    }
    if (!zero_bytes(args + 32 * 3, 31)) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: execTransaction 'operation' exceeds uint8");
    }
    copy_safe_words(tx, args);
    if ((r = abi_bytes(err, &tx->data, &tx->data_len, &end, args, args_len, 2, 10 * 32, "data")) != PAYLOAD_OK ||
        (r = abi_bytes(err, signatures, signatures_len, &end, args, args_len, 9, end, "signatures")) != PAYLOAD_OK) {
        return r;
    }
    if (tx->data_len > PAYLOAD_SAFE_MAX_DATA) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "safe: calldata of %zu bytes exceeds %u", tx->data_len,
                            PAYLOAD_SAFE_MAX_DATA);
    }
    if (end != args_len) {
        return payload_fail(err, PAYLOAD_E_TRAILING, "safe: %zu trailing bytes after execTransaction arguments",
                            args_len - end);
    }
    return PAYLOAD_OK;
}

static uint32_t describe_call(payload_safe_call *call, const payload_safe_tx *tx, const payload_safe_policy *policy) {
    uint32_t flags = 0;

    if (memcmp(call->to, tx->safe, 20) == 0) {
        flags |= PAYLOAD_SAFE_FLAG_SELF_CALL;
    }
    if (payload_erc20_decode(NULL, &call->call, policy->registry, tx->chain_id, call->to, call->data,
                             call->data_len) != PAYLOAD_OK) {
        /* Malformed ERC-20 arguments or a 1-3 byte calldata: still an opaque contract call. */
        memset(&call->call, 0, sizeof(call->call));
        call->call.kind = PAYLOAD_CALL_CONTRACT;
        if (call->data_len >= 4) {
            memcpy(call->call.selector, call->data, 4);
        }
    }
    if (call->call.kind == PAYLOAD_CALL_CONTRACT) {
        flags |= PAYLOAD_SAFE_FLAG_CONTRACT_CALL;
    }
    if (call->call.flags & PAYLOAD_ERC20_UNLIMITED) {
        flags |= PAYLOAD_SAFE_FLAG_UNLIMITED_APPROVAL;
    }
    return flags;
}

static int word_to_size(size_t *out, const uint8_t w[32], size_t max) {
    size_t i, v = 0;

    for (i = 0; i < 28; i++) {
        if (w[i] != 0) {
            return -1;
        }
    }
    for (i = 28; i < 32; i++) {
        v = (v << 8) | w[i];
    }
    if (v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

/* multiSend(bytes transactions): selector, offset 0x20, length, packed calls, zero padding. */
static int decode_multisend(payload_err *err, payload_safe_report *rep, const payload_safe_tx *tx,
                            const payload_safe_policy *policy) {
    const uint8_t *d = tx->data, *p;
    size_t len, padded, left, i;

    if (tx->data_len < 68 || memcmp(d, multisend_selector, 4) != 0) {
        return payload_fail(err, PAYLOAD_E_POLICY,
                            "safe: DELEGATECALL to MultiSendCallOnly with calldata other than multiSend(bytes)");
    }
    if (word_to_size(&len, d + 4, 32) != 0 || len != 32) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: multiSend bytes offset is not 0x20");
    }
    if (word_to_size(&len, d + 36, tx->data_len) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: multiSend bytes length exceeds the calldata");
    }
    padded = (len + 31) / 32 * 32;
    if (tx->data_len != 68 + padded) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: multiSend calldata is %zu bytes, expected %zu",
                            tx->data_len, 68 + padded);
    }
    for (i = 68 + len; i < tx->data_len; i++) {
        if (d[i] != 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "safe: multiSend padding is not zero");
        }
    }
    p = d + 68;
    left = len;
    if (left == 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: multiSend batch is empty");
    }
    while (left > 0) {
        payload_safe_call *c;
        size_t dlen;
        if (rep->n_inner == PAYLOAD_SAFE_MAX_INNER) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "safe: multiSend batch has more than %u calls",
                                PAYLOAD_SAFE_MAX_INNER);
        }
        if (left < 85) {
            return payload_fail(err, PAYLOAD_E_TRUNCATED, "safe: multiSend call %zu is truncated", rep->n_inner);
        }
        c = &rep->inner[rep->n_inner];
        c->operation = p[0];
        if (c->operation == PAYLOAD_SAFE_OP_DELEGATECALL) {
            return payload_fail(err, PAYLOAD_E_POLICY, "safe: multiSend call %zu uses DELEGATECALL (refused)",
                                rep->n_inner);
        }
        if (c->operation != PAYLOAD_SAFE_OP_CALL) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "safe: multiSend call %zu has operation %u", rep->n_inner,
                                c->operation);
        }
        memcpy(c->to, p + 1, 20);
        memcpy(c->value, p + 21, 32);
        if (word_to_size(&dlen, p + 53, left - 85) != 0) {
            return payload_fail(err, PAYLOAD_E_TRUNCATED, "safe: multiSend call %zu data length exceeds the batch",
                                rep->n_inner);
        }
        c->data = p + 85;
        c->data_len = dlen;
        rep->flags |= describe_call(c, tx, policy);
        rep->n_inner++;
        p += 85 + dlen;
        left -= 85 + dlen;
    }
    return PAYLOAD_OK;
}

int payload_safe_tx_check(payload_err *err, payload_safe_report *report, const payload_safe_tx *tx,
                          const payload_safe_policy *policy) {
    int r;

    payload_err_clear(err);
    memset(report, 0, sizeof(*report));
    if ((r = payload_safe_tx_hashes(err, &report->hashes, tx)) != PAYLOAD_OK) {
        return r;
    }
    if (tx->data_len > PAYLOAD_SAFE_MAX_DATA) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "safe: calldata of %zu bytes exceeds %u", tx->data_len,
                            PAYLOAD_SAFE_MAX_DATA);
    }
    report->top.operation = tx->operation;
    memcpy(report->top.to, tx->to, 20);
    memcpy(report->top.value, tx->value, 32);
    report->top.data = tx->data;
    report->top.data_len = tx->data_len;
    if (!payload_u256_is_zero(tx->gas_price) &&
        (!zero_bytes(tx->gas_token, 20) || !zero_bytes(tx->refund_receiver, 20))) {
        report->flags |= PAYLOAD_SAFE_FLAG_GAS_REFUND;
    }
    if (tx->operation == PAYLOAD_SAFE_OP_CALL) {
        report->flags |= describe_call(&report->top, tx, policy);
        return PAYLOAD_OK;
    }
    if (tx->operation != PAYLOAD_SAFE_OP_DELEGATECALL) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "safe: operation %u is neither CALL (0) nor DELEGATECALL (1)",
                            tx->operation);
    }
    {
        size_t i;
        int allowed = 0;
        for (i = 0; i < policy->n_multisend_call_only; i++) {
            allowed |= policy->multisend_call_only[i].chain_id == tx->chain_id &&
                       memcmp(policy->multisend_call_only[i].address, tx->to, 20) == 0;
        }
        if (!allowed) {
            return payload_fail(err, PAYLOAD_E_POLICY,
                                "safe: DELEGATECALL (operation 1) to a target that is not an allowlisted "
                                "MultiSendCallOnly: arbitrary code in the Safe's storage context (refused)");
        }
    }
    if (!payload_u256_is_zero(tx->value)) {
        return payload_fail(err, PAYLOAD_E_POLICY, "safe: DELEGATECALL with a non-zero value (refused)");
    }
    report->flags |= PAYLOAD_SAFE_FLAG_DELEGATECALL;
    report->top.call.kind = PAYLOAD_CALL_CONTRACT;
    memcpy(report->top.call.selector, multisend_selector, 4);
    return decode_multisend(err, report, tx, policy);
}
