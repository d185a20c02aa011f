#include "payload/bech32.h"

#include <string.h>

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t checksum_const(payload_btc_bech32_variant v)
{
    return v == PAYLOAD_BTC_BECH32M ? 0x2bc830a3u : 1u;
}

static uint32_t polymod_step(uint32_t chk, uint8_t value)
{
    static const uint32_t GEN[5] = { 0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu, 0x2a1462b3u };
    uint32_t top = chk >> 25;

    chk = (chk & 0x1ffffffu) << 5 ^ value;
    for (int i = 0; i < 5; i++) {
        if ((top >> i) & 1u) {
            chk ^= GEN[i];
        }
    }
    return chk;
}

/* Polymod over the expanded HRP followed by the data values. hrp must be lower case. */
static uint32_t polymod(const char *hrp, size_t hrp_len, const uint8_t *data, size_t data_len)
{
    uint32_t chk = 1;

    for (size_t i = 0; i < hrp_len; i++) {
        chk = polymod_step(chk, (uint8_t)((unsigned char)hrp[i] >> 5));
    }
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < hrp_len; i++) {
        chk = polymod_step(chk, (uint8_t)((unsigned char)hrp[i] & 31));
    }
    for (size_t i = 0; i < data_len; i++) {
        chk = polymod_step(chk, data[i]);
    }
    return chk;
}

static int charset_value(char c)
{
    const char *p = (c == '\0') ? NULL : strchr(CHARSET, c);

    return p == NULL ? -1 : (int)(p - CHARSET);
}

int payload_btc_bech32_decode(payload_err *err, char hrp[PAYLOAD_BTC_BECH32_MAX_HRP + 1],
        uint8_t data[PAYLOAD_BTC_BECH32_MAX_DATA], size_t *data_len, payload_btc_bech32_variant *variant,
        const char *str, size_t str_len)
{
    /* Holds data values plus the 6 checksum values for the polymod. */
    uint8_t values[PAYLOAD_BTC_BECH32_MAX_LEN];
    int has_lower = 0, has_upper = 0;
    size_t sep = str_len, nvalues;
    uint32_t chk;

    if (str_len > PAYLOAD_BTC_BECH32_MAX_LEN) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "bech32: string of %zu characters exceeds %u",
                str_len, PAYLOAD_BTC_BECH32_MAX_LEN);
    }
    for (size_t i = 0; i < str_len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (c < 33 || c > 126) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "bech32: character 0x%02x at position %zu is out of range",
                    (unsigned)c, i);
        }
        has_lower |= c >= 'a' && c <= 'z';
        has_upper |= c >= 'A' && c <= 'Z';
        if (c == '1') {
            sep = i;
        }
    }
    if (has_lower && has_upper) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "bech32: mixed upper and lower case");
    }
    if (sep == str_len) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "bech32: no separator '1'");
    }
    if (sep == 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "bech32: empty human-readable part");
    }
    if (sep > PAYLOAD_BTC_BECH32_MAX_HRP) {
        return payload_fail(
                err, PAYLOAD_E_LIMIT, "bech32: human-readable part longer than %u", PAYLOAD_BTC_BECH32_MAX_HRP);
    }
    nvalues = str_len - sep - 1;
    if (nvalues < 6) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "bech32: data part of %zu characters is shorter than the checksum",
                nvalues);
    }
    for (size_t i = 0; i < sep; i++) {
        char c = str[i];
        hrp[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    hrp[sep] = '\0';
    for (size_t i = 0; i < nvalues; i++) {
        char c = str[sep + 1 + i];
        int v = charset_value((c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c);
        if (v < 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "bech32: invalid data character '%c' at position %zu",
                    c, sep + 1 + i);
        }
        values[i] = (uint8_t)v;
    }
    chk = polymod(hrp, sep, values, nvalues);
    if (chk == checksum_const(PAYLOAD_BTC_BECH32)) {
        *variant = PAYLOAD_BTC_BECH32;
    } else if (chk == checksum_const(PAYLOAD_BTC_BECH32M)) {
        *variant = PAYLOAD_BTC_BECH32M;
    } else {
        return payload_fail(err, PAYLOAD_E_CHECKSUM, "bech32: invalid checksum");
    }
    memcpy(data, values, nvalues - 6);
    *data_len = nvalues - 6;
    return PAYLOAD_OK;
}

int payload_btc_bech32_encode(payload_err *err, char *out, size_t out_size, const char *hrp,
        const uint8_t *data, size_t data_len, payload_btc_bech32_variant variant)
{
    uint8_t values[PAYLOAD_BTC_BECH32_MAX_LEN];
    size_t hrp_len = strlen(hrp), total;
    uint32_t chk;

    if (hrp_len == 0 || hrp_len > PAYLOAD_BTC_BECH32_MAX_HRP) {
        return payload_fail(err, PAYLOAD_E_ARG, "bech32: human-readable part length %zu not in 1..%u",
                hrp_len, PAYLOAD_BTC_BECH32_MAX_HRP);
    }
    for (size_t i = 0; i < hrp_len; i++) {
        unsigned char c = (unsigned char)hrp[i];
        if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) {
            return payload_fail(err, PAYLOAD_E_ARG, "bech32: human-readable part must be lower-case printable ASCII");
        }
    }
    total = hrp_len + 1 + data_len + 6;
    if (total > PAYLOAD_BTC_BECH32_MAX_LEN) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "bech32: encoding would be %zu characters, over %u",
                total, PAYLOAD_BTC_BECH32_MAX_LEN);
    }
    if (out_size < total + 1) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "bech32: output needs %zu bytes, buffer has %zu",
                total + 1, out_size);
    }
    for (size_t i = 0; i < data_len; i++) {
        if (data[i] > 31) {
            return payload_fail(err, PAYLOAD_E_ARG, "bech32: data value %u at index %zu is not 5-bit",
                    (unsigned)data[i], i);
        }
        values[i] = data[i];
    }
    memset(values + data_len, 0, 6);
    chk = polymod(hrp, hrp_len, values, data_len + 6) ^ checksum_const(variant);
    for (size_t i = 0; i < 6; i++) {
        values[data_len + i] = (uint8_t)((chk >> (5 * (5 - i))) & 31);
    }
    memcpy(out, hrp, hrp_len);
    out[hrp_len] = '1';
    for (size_t i = 0; i < data_len + 6; i++) {
        out[hrp_len + 1 + i] = CHARSET[values[i]];
    }
    out[total] = '\0';
    return PAYLOAD_OK;
}

/* Regroup bits; when unpacking 5 -> 8, the leftover padding must be < 5 bits and all zero. */
static int convert_bits(payload_err *err, uint8_t *out, size_t out_cap, size_t *out_len, unsigned to_bits,
        const uint8_t *in, size_t in_len, unsigned from_bits, int pad)
{
    uint32_t acc = 0, maxv = (1u << to_bits) - 1;
    unsigned bits = 0;
    size_t n = 0;

    for (size_t i = 0; i < in_len; i++) {
        acc = (acc << from_bits | in[i]) & 0xfffu;
        bits += from_bits;
        while (bits >= to_bits) {
            bits -= to_bits;
            if (n == out_cap) {
                return payload_fail(err, PAYLOAD_E_LIMIT, "segwit: witness program longer than %zu", out_cap);
            }
            out[n++] = (uint8_t)((acc >> bits) & maxv);
        }
    }
    if (pad) {
        if (bits > 0) {
            if (n == out_cap) {
                return payload_fail(err, PAYLOAD_E_LIMIT, "segwit: witness program longer than %zu", out_cap);
            }
            out[n++] = (uint8_t)((acc << (to_bits - bits)) & maxv);
        }
    } else if (bits >= from_bits) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: %u bits of padding (must be under %u)", bits, from_bits);
    } else if (((acc << (to_bits - bits)) & maxv) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: non-zero padding bits");
    }
    *out_len = n;
    return PAYLOAD_OK;
}

static int check_program(payload_err *err, unsigned version, size_t program_len, payload_btc_bech32_variant variant)
{
    if (version > 16) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: witness version %u is over 16", version);
    }
    if (program_len < 2 || program_len > PAYLOAD_BTC_SEGWIT_MAX_PROGRAM) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: witness program of %zu bytes not in 2..40", program_len);
    }
    if (version == 0 && program_len != 20 && program_len != 32) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: v0 witness program of %zu bytes (must be 20 or 32)",
                program_len);
    }
    if (version == 0 && variant != PAYLOAD_BTC_BECH32) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: v0 address must use Bech32, not Bech32m");
    }
    if (version != 0 && variant != PAYLOAD_BTC_BECH32M) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: v%u address must use Bech32m (BIP350), not Bech32",
                version);
    }
    return PAYLOAD_OK;
}

int payload_btc_segwit_decode(payload_err *err, unsigned *version, uint8_t program[PAYLOAD_BTC_SEGWIT_MAX_PROGRAM],
        size_t *program_len, const char *hrp, const char *addr, size_t addr_len)
{
    char got_hrp[PAYLOAD_BTC_BECH32_MAX_HRP + 1];
    uint8_t data[PAYLOAD_BTC_BECH32_MAX_DATA];
    size_t data_len, n = 0;
    payload_btc_bech32_variant variant;
    int ret = payload_btc_bech32_decode(err, got_hrp, data, &data_len, &variant, addr, addr_len);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (strcmp(got_hrp, hrp) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: human-readable part '%s' is not the expected '%s'",
                got_hrp, hrp);
    }
    if (data_len < 1) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "segwit: empty data section (no witness version)");
    }
    ret = convert_bits(err, program, PAYLOAD_BTC_SEGWIT_MAX_PROGRAM, &n, 8, data + 1, data_len - 1, 5, 0);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    ret = check_program(err, data[0], n, variant);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    *version = data[0];
    *program_len = n;
    return PAYLOAD_OK;
}

int payload_btc_segwit_encode(payload_err *err, char *out, size_t out_size, const char *hrp, unsigned version,
        const uint8_t *program, size_t program_len)
{
    uint8_t data[PAYLOAD_BTC_BECH32_MAX_DATA];
    payload_btc_bech32_variant variant = version == 0 ? PAYLOAD_BTC_BECH32 : PAYLOAD_BTC_BECH32M;
    size_t n = 0;
    int ret = check_program(err, version, program_len, variant);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    data[0] = (uint8_t)version;
    ret = convert_bits(err, data + 1, sizeof data - 1, &n, 5, program, program_len, 8, 1);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    return payload_btc_bech32_encode(err, out, out_size, hrp, data, n + 1, variant);
}
