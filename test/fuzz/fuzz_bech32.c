/* Bech32/Bech32m strings, segwit addresses and network addresses from arbitrary bytes: never
 * crashes; whatever decodes re-encodes to the input in lower case (Bech32) or exactly (Base58). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/bech32.h"
#include "payload/btc_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int equal_lower(const char *enc, const uint8_t *data, size_t size)
{
    if (strlen(enc) != size) {
        return 0;
    }
    for (size_t i = 0; i < size; i++) {
        uint8_t c = data[i] >= 'A' && data[i] <= 'Z' ? (uint8_t)(data[i] - 'A' + 'a') : data[i];
        if ((uint8_t)enc[i] != c) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hrps[] = { "bc", "tb", "bcrt" };
    static const payload_btc_network nets[] = { PAYLOAD_BTC_NET_MAIN, PAYLOAD_BTC_NET_TESTNET, PAYLOAD_BTC_NET_SIGNET,
        PAYLOAD_BTC_NET_REGTEST };
    const char *str = (const char *)data;
    char hrp[PAYLOAD_BTC_BECH32_MAX_HRP + 1], enc[PAYLOAD_BTC_BECH32_MAX_LEN + 1];
    uint8_t values[PAYLOAD_BTC_BECH32_MAX_DATA], prog[PAYLOAD_BTC_SEGWIT_MAX_PROGRAM],
            script[PAYLOAD_BTC_ADDR_MAX_SCRIPT];
    size_t n, prog_len, script_len;
    payload_btc_bech32_variant variant;
    payload_btc_addr_type type, type2;
    unsigned version;
    payload_err err;

    if (payload_btc_bech32_decode(&err, hrp, values, &n, &variant, str, size) == PAYLOAD_OK) {
        if (payload_btc_bech32_encode(&err, enc, sizeof enc, hrp, values, n, variant) != PAYLOAD_OK ||
                !equal_lower(enc, data, size)) {
            abort();
        }
    }
    for (size_t k = 0; k < sizeof hrps / sizeof hrps[0]; k++) {
        if (payload_btc_segwit_decode(&err, &version, prog, &prog_len, hrps[k], str, size) == PAYLOAD_OK) {
            if (payload_btc_segwit_encode(&err, enc, sizeof enc, hrps[k], version, prog, prog_len) != PAYLOAD_OK ||
                    !equal_lower(enc, data, size)) {
                abort();
            }
        }
    }
    for (size_t k = 0; k < sizeof nets / sizeof nets[0]; k++) {
        if (payload_btc_address_decode(&err, script, &script_len, &type, nets[k], str, size) != PAYLOAD_OK) {
            continue;
        }
        if (payload_btc_address_encode(&err, enc, sizeof enc, &type2, nets[k], script, script_len) != PAYLOAD_OK ||
                type2 != type || !(type <= PAYLOAD_BTC_ADDR_P2SH ? strlen(enc) == size && memcmp(enc, data, size) == 0
                                                         : equal_lower(enc, data, size))) {
            abort();
        }
    }
    return 0;
}
