#include "payload/erc20.h"

#include <stdio.h>
#include <string.h>

#include "payload/addr_eth.h"
#include "payload/u256.h"

static const uint8_t sel_transfer[4] = {0xa9, 0x05, 0x9c, 0xbb};
static const uint8_t sel_approve[4] = {0x09, 0x5e, 0xa7, 0xb3};
static const uint8_t sel_transfer_from[4] = {0x23, 0xb8, 0x72, 0xdd};

static int address_word(payload_err *err, uint8_t out[20], const uint8_t *word, const char *fn, const char *arg) {
    size_t i;

    for (i = 0; i < 12; i++) {
        if (word[i] != 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                                "erc20: %s argument '%s' has non-zero bytes above its 20-byte address", fn, arg);
        }
    }
    memcpy(out, word + 12, 20);
    return PAYLOAD_OK;
}

static const payload_asset *find_asset(const payload_asset_registry *reg, uint64_t chain_id,
                                       const uint8_t contract[20]) {
    size_t i;

    if (reg == NULL) {
        return NULL;
    }
    for (i = 0; i < reg->n_assets; i++) {
        if (reg->assets[i].chain_id == chain_id && memcmp(reg->assets[i].contract, contract, 20) == 0) {
            return &reg->assets[i];
        }
    }
    return NULL;
}

int payload_erc20_decode(payload_err *err, payload_erc20_call *call, const payload_asset_registry *registry,
                         uint64_t chain_id, const uint8_t contract[20], const uint8_t *data, size_t data_len) {
    const char *fn;
    size_t words;
    int r;

    payload_err_clear(err);
    memset(call, 0, sizeof(*call));
    if (data_len == 0) {
        call->kind = PAYLOAD_CALL_NONE;
        return PAYLOAD_OK;
    }
    if (data_len < 4) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "erc20: calldata of %zu bytes is shorter than a selector",
                            data_len);
    }
    memcpy(call->selector, data, 4);
    if (memcmp(data, sel_transfer, 4) == 0) {
        call->kind = PAYLOAD_CALL_ERC20_TRANSFER;
        fn = "transfer";
        words = 2;
    } else if (memcmp(data, sel_approve, 4) == 0) {
        call->kind = PAYLOAD_CALL_ERC20_APPROVE;
        fn = "approve";
        words = 2;
    } else if (memcmp(data, sel_transfer_from, 4) == 0) {
        call->kind = PAYLOAD_CALL_ERC20_TRANSFER_FROM;
        fn = "transferFrom";
        words = 3;
    } else {
        call->kind = PAYLOAD_CALL_CONTRACT;
        return PAYLOAD_OK;
    }
    if (data_len != 4 + 32 * words) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "erc20: %s calldata is %zu bytes, expected %zu", fn, data_len,
                            4 + 32 * words);
    }
    if (call->kind == PAYLOAD_CALL_ERC20_TRANSFER_FROM) {
        if ((r = address_word(err, call->from, data + 4, fn, "from")) != PAYLOAD_OK ||
            (r = address_word(err, call->to, data + 36, fn, "to")) != PAYLOAD_OK) {
            return r;
        }
    } else if ((r = address_word(err, call->to, data + 4, fn,
                                 call->kind == PAYLOAD_CALL_ERC20_APPROVE ? "spender" : "to")) != PAYLOAD_OK) {
        return r;
    }
    memcpy(call->amount, data + 4 + 32 * (words - 1), 32);
    if (call->kind == PAYLOAD_CALL_ERC20_APPROVE && call->amount[0] >= 0x80) {
        static const uint8_t all_ones[32] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        call->flags |= PAYLOAD_ERC20_UNLIMITED;
        if (memcmp(call->amount, all_ones, 32) == 0) {
            call->flags |= PAYLOAD_ERC20_UNLIMITED_MAX;
        }
    }
    call->asset = find_asset(registry, chain_id, contract);
    if (call->asset == NULL) {
        call->flags |= PAYLOAD_ERC20_UNKNOWN_TOKEN;
    }
    return PAYLOAD_OK;
}

int payload_erc20_describe(char *out, size_t out_size, const payload_erc20_call *call, const uint8_t contract[20]) {
    char token[PAYLOAD_ETH_ADDR_STR_SIZE], to[PAYLOAD_ETH_ADDR_STR_SIZE], from[PAYLOAD_ETH_ADDR_STR_SIZE];
    char amount[PAYLOAD_U256_DEC_MAX + PAYLOAD_ASSET_SYMBOL_MAX + 32];
    const char *verb;

    if (out_size < PAYLOAD_ERC20_DESC_MAX) {
        return PAYLOAD_E_OUTPUT;
    }
    payload_eth_addr_checksum(token, contract);
    if (call->kind == PAYLOAD_CALL_NONE) {
        snprintf(out, out_size, "plain value transfer to %s (no calldata)", token);
        return PAYLOAD_OK;
    }
    if (call->kind == PAYLOAD_CALL_CONTRACT) {
        snprintf(out, out_size, "contract call to %s with unknown selector 0x%02x%02x%02x%02x", token,
                 call->selector[0], call->selector[1], call->selector[2], call->selector[3]);
        return PAYLOAD_OK;
    }
    if (call->flags & PAYLOAD_ERC20_UNLIMITED) {
        snprintf(amount, sizeof(amount), "UNLIMITED%s", (call->flags & PAYLOAD_ERC20_UNLIMITED_MAX) ? " (2^256-1)" : " (>= 2^255)");
    } else if (call->asset != NULL) {
        char dec[PAYLOAD_U256_DEC_MAX];
        unsigned decimals = call->asset->decimals > 77 ? 0 : call->asset->decimals;
        if (payload_u256_to_decimal(dec, sizeof(dec), call->amount, decimals) != 0) {
            return PAYLOAD_E_INTERNAL;
        }
        snprintf(amount, sizeof(amount), "%s %s", dec, call->asset->symbol);
    } else {
        char dec[PAYLOAD_U256_DEC_MAX];
        if (payload_u256_to_decimal(dec, sizeof(dec), call->amount, 0) != 0) {
            return PAYLOAD_E_INTERNAL;
        }
        snprintf(amount, sizeof(amount), "%s base units of an UNKNOWN token", dec);
    }
    payload_eth_addr_checksum(to, call->to);
    verb = call->kind == PAYLOAD_CALL_ERC20_TRANSFER ? "transfer" :
           call->kind == PAYLOAD_CALL_ERC20_APPROVE ? "approve" : "transferFrom";
    if (call->kind == PAYLOAD_CALL_ERC20_TRANSFER_FROM) {
        payload_eth_addr_checksum(from, call->from);
        snprintf(out, out_size, "ERC-20 transferFrom of %s from %s to %s; token %s", amount, from, to, token);
    } else {
        snprintf(out, out_size, "ERC-20 %s of %s %s %s; token %s", verb, amount,
                 call->kind == PAYLOAD_CALL_ERC20_APPROVE ? "for spender" : "to", to, token);
    }
    return PAYLOAD_OK;
}
