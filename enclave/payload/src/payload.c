#include "payload/payload.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void payload_err_clear(payload_err *err) {
    if (err == NULL) {
        return;
    }
    err->code = PAYLOAD_OK;
    err->msg[0] = '\0';
}

int payload_fail(payload_err *err, int code, const char *fmt, ...) {
    va_list ap;

    if (err == NULL) {
        return code;
    }
    err->code = code;
    va_start(ap, fmt);
    /* Truncation is acceptable: the message is for humans and the code carries the meaning. */
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

const char *payload_strerror(int code) {
    switch (code) {
    case PAYLOAD_OK: return "ok";
    case PAYLOAD_E_ARG: return "invalid argument";
    case PAYLOAD_E_TRUNCATED: return "truncated input";
    case PAYLOAD_E_ENCODING: return "malformed or non-canonical encoding";
    case PAYLOAD_E_TRAILING: return "trailing bytes";
    case PAYLOAD_E_LIMIT: return "input exceeds a limit";
    case PAYLOAD_E_UNSUPPORTED: return "unsupported payload form";
    case PAYLOAD_E_POLICY: return "refused by a payload safety rule";
    case PAYLOAD_E_CHECKSUM: return "checksum mismatch";
    case PAYLOAD_E_OUTPUT: return "output buffer too small";
    case PAYLOAD_E_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}

int payload_hex_encode(char *out, size_t out_size, const uint8_t *in, size_t in_len) {
    static const char digits[] = "0123456789abcdef";
    size_t i;

    if (in_len > (SIZE_MAX - 1) / 2 || out_size < 2 * in_len + 1) {
        return PAYLOAD_E_OUTPUT;
    }
    for (i = 0; i < in_len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * in_len] = '\0';
    return PAYLOAD_OK;
}
