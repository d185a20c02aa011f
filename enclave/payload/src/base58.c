/* Base58 by schoolbook base conversion: inputs are bounded (PAYLOAD_BTC_BASE58_MAX_*), so O(n^2) is fine. */
#include "payload/base58.h"

#include <string.h>

#include "btc_util.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Value of an alphabet character, or -1. */
static int digit_value(char c)
{
    const char *p = (c == '\0') ? NULL : strchr(ALPHABET, c);

    return p == NULL ? -1 : (int)(p - ALPHABET);
}

int payload_btc_base58_encode(payload_err *err, char *out, size_t out_size, size_t *out_len,
        const uint8_t *in, size_t in_len)
{
    uint8_t digits[PAYLOAD_BTC_BASE58_MAX_CHARS];
    size_t zeros = 0, ndigits = 0, total;

    if (in_len > PAYLOAD_BTC_BASE58_MAX_BYTES) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "base58: input of %zu bytes exceeds the maximum of %u",
                in_len, PAYLOAD_BTC_BASE58_MAX_BYTES);
    }
    while (zeros < in_len && in[zeros] == 0) {
        zeros++;
    }
    /* digits[] holds the number in base 58, least significant digit first. */
    for (size_t i = zeros; i < in_len; i++) {
        unsigned carry = in[i];
        for (size_t j = 0; j < ndigits; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits[ndigits++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    total = zeros + ndigits;
    if (total + 1 > out_size) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "base58: output needs %zu bytes, buffer has %zu",
                total + 1, out_size);
    }
    memset(out, '1', zeros);
    for (size_t j = 0; j < ndigits; j++) {
        out[zeros + j] = ALPHABET[digits[ndigits - 1 - j]];
    }
    out[total] = '\0';
    *out_len = total;
    return PAYLOAD_OK;
}

int payload_btc_base58_decode(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
        const char *str, size_t str_len)
{
    uint8_t bytes[PAYLOAD_BTC_BASE58_MAX_BYTES];
    size_t zeros = 0, nbytes = 0, total;

    if (str_len > PAYLOAD_BTC_BASE58_MAX_CHARS) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "base58: string of %zu characters exceeds the maximum of %u",
                str_len, PAYLOAD_BTC_BASE58_MAX_CHARS);
    }
    while (zeros < str_len && str[zeros] == '1') {
        zeros++;
    }
    /* bytes[] holds the number in base 256, least significant byte first. */
    for (size_t i = zeros; i < str_len; i++) {
        int v = digit_value(str[i]);
        unsigned carry;
        if (v < 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "base58: invalid character 0x%02x at position %zu",
                    (unsigned)(unsigned char)str[i], i);
        }
        carry = (unsigned)v;
        for (size_t j = 0; j < nbytes; j++) {
            carry += (unsigned)bytes[j] * 58;
            bytes[j] = (uint8_t)carry;
            carry >>= 8;
        }
        while (carry > 0) {
            if (nbytes == sizeof bytes) {
                return payload_fail(err, PAYLOAD_E_LIMIT, "base58: decoded value exceeds %u bytes",
                        PAYLOAD_BTC_BASE58_MAX_BYTES);
            }
            bytes[nbytes++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    total = zeros + nbytes;
    if (total > PAYLOAD_BTC_BASE58_MAX_BYTES) {
        return payload_fail(
                err, PAYLOAD_E_LIMIT, "base58: decoded value exceeds %u bytes", PAYLOAD_BTC_BASE58_MAX_BYTES);
    }
    if (total > out_size) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "base58: output needs %zu bytes, buffer has %zu",
                total, out_size);
    }
    memset(out, 0, zeros);
    for (size_t j = 0; j < nbytes; j++) {
        out[zeros + j] = bytes[nbytes - 1 - j];
    }
    *out_len = total;
    return PAYLOAD_OK;
}

int payload_btc_base58check_encode(payload_err *err, char *out, size_t out_size, size_t *out_len,
        const uint8_t *in, size_t in_len)
{
    uint8_t buf[PAYLOAD_BTC_BASE58_MAX_BYTES];
    uint8_t check[32];
    int ret;

    if (in_len > PAYLOAD_BTC_BASE58_MAX_BYTES - 4) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "base58check: payload of %zu bytes exceeds the maximum of %u",
                in_len, PAYLOAD_BTC_BASE58_MAX_BYTES - 4);
    }
    ret = payload_btc_sha256d(err, check, in, in_len);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (in_len > 0) {
        memcpy(buf, in, in_len);
    }
    memcpy(buf + in_len, check, 4);
    return payload_btc_base58_encode(err, out, out_size, out_len, buf, in_len + 4);
}

int payload_btc_base58check_decode(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
        const char *str, size_t str_len)
{
    uint8_t buf[PAYLOAD_BTC_BASE58_MAX_BYTES];
    uint8_t check[32];
    size_t n;
    int ret = payload_btc_base58_decode(err, buf, sizeof buf, &n, str, str_len);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (n < 4) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "base58check: %zu bytes is too short for a checksum", n);
    }
    ret = payload_btc_sha256d(err, check, buf, n - 4);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (memcmp(check, buf + n - 4, 4) != 0) {
        return payload_fail(err, PAYLOAD_E_CHECKSUM, "base58check: checksum mismatch");
    }
    if (n - 4 > out_size) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "base58check: output needs %zu bytes, buffer has %zu",
                n - 4, out_size);
    }
    if (n > 4) {
        memcpy(out, buf, n - 4);
    }
    *out_len = n - 4;
    return PAYLOAD_OK;
}
