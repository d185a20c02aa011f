/* Base58 / Base58Check decoding of arbitrary strings: never crashes; whatever decodes encodes back
 * to exactly the same characters (the encoding is canonical), and encoding arbitrary bytes decodes
 * back to them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/base58.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t dec[PAYLOAD_BTC_BASE58_MAX_BYTES];
    char enc[PAYLOAD_BTC_BASE58_MAX_CHARS + 1];
    size_t dec_len, enc_len;
    payload_err err;

    if (payload_btc_base58_decode(&err, dec, sizeof dec, &dec_len, (const char *)data, size) == PAYLOAD_OK) {
        if (payload_btc_base58_encode(&err, enc, sizeof enc, &enc_len, dec, dec_len) != PAYLOAD_OK || enc_len != size ||
                memcmp(enc, data, size) != 0) {
            abort();
        }
    }
    if (payload_btc_base58check_decode(&err, dec, sizeof dec, &dec_len, (const char *)data, size) == PAYLOAD_OK) {
        if (payload_btc_base58check_encode(&err, enc, sizeof enc, &enc_len, dec, dec_len) != PAYLOAD_OK ||
                enc_len != size || memcmp(enc, data, size) != 0) {
            abort();
        }
    }
    if (size <= PAYLOAD_BTC_BASE58_MAX_BYTES) {
        if (payload_btc_base58_encode(&err, enc, sizeof enc, &enc_len, data, size) != PAYLOAD_OK ||
                payload_btc_base58_decode(&err, dec, sizeof dec, &dec_len, enc, enc_len) != PAYLOAD_OK ||
                dec_len != size || (size > 0 && memcmp(dec, data, size) != 0)) {
            abort();
        }
    }
    return 0;
}
