#include "payload/eip191.h"

#include <stdio.h>
#include <string.h>

#include "payload/keccak.h"
#include "utf8.h"

int payload_eip191_personal_digest(payload_err *err, uint8_t hash[32], const uint8_t *msg, size_t len) {
    static const char prefix[] = "\x19" "Ethereum Signed Message:\n";
    char dec[24];
    payload_keccak256_ctx ctx;
    int n;

    payload_err_clear(err);
    if (len > PAYLOAD_EIP191_MAX_MSG) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "eip191: message of %zu bytes exceeds %u", len,
                            PAYLOAD_EIP191_MAX_MSG);
    }
    n = snprintf(dec, sizeof(dec), "%zu", len);
    payload_keccak256_init(&ctx, PAYLOAD_KECCAK_PAD_KECCAK);
    payload_keccak256_update(&ctx, (const uint8_t *)prefix, sizeof(prefix) - 1);
    payload_keccak256_update(&ctx, (const uint8_t *)dec, (size_t)n);
    payload_keccak256_update(&ctx, msg, len);
    payload_keccak256_final(&ctx, hash);
    return PAYLOAD_OK;
}

/* Code points that would let a message look different from its bytes. */
static int deceptive(uint32_t cp) {
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f ||
           (cp >= 0x80 && cp <= 0x9f) ||              /* C1 controls */
           (cp >= 0x200b && cp <= 0x200f) ||          /* zero-width, LRM/RLM */
           (cp >= 0x202a && cp <= 0x202e) ||          /* bidi embeddings and overrides */
           (cp >= 0x2066 && cp <= 0x2069) ||          /* bidi isolates */
           cp == 0xfeff;                              /* zero-width no-break space / BOM */
}

int payload_eip191_display(payload_err *err, char *out, size_t out_size, int *is_hex, const uint8_t *msg,
                           size_t len) {
    size_t i = 0;
    int plain = 1;

    payload_err_clear(err);
    if (len > PAYLOAD_EIP191_MAX_MSG) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "eip191: message of %zu bytes exceeds %u", len,
                            PAYLOAD_EIP191_MAX_MSG);
    }
    if (out_size < PAYLOAD_EIP191_DISPLAY_MAX) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "eip191: display buffer smaller than %u",
                            PAYLOAD_EIP191_DISPLAY_MAX);
    }
    while (i < len) {
        uint32_t cp;
        size_t n = payload__utf8_seq(&cp, msg + i, len - i);
        if (n == 0 || deceptive(cp)) {
            plain = 0;
            break;
        }
        i += n;
    }
    if (plain) {
        if (len > 0) {
            memcpy(out, msg, len);
        }
        out[len] = '\0';
        *is_hex = 0;
        return PAYLOAD_OK;
    }
    out[0] = '0';
    out[1] = 'x';
    *is_hex = 1;
    return payload_hex_encode(out + 2, out_size - 2, msg, len);
}
