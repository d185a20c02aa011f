/* Payload type names and payload file forms (payload_file.h). */
#include "payload_file.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "wire.pb-c.h"

static const struct {
    const char *name;
    uint32_t type;
} type_names[] = {
    {"eip191", MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP191},
    {"eth-tx", MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ETH_TX},
    {"erc20", MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ERC20},
    {"eip712", MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP712},
    {"safe-tx", MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_SAFE_TX},
    {"psbt", MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_PSBT},
};

#define TYPE_COUNT (sizeof(type_names) / sizeof(type_names[0]))

int requester_payload_type_parse(uint32_t *out, const char *name) {
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        if (strcmp(name, type_names[i].name) == 0) {
            *out = type_names[i].type;
            return 0;
        }
    }
    return -1;
}

const char *requester_payload_type_name(uint32_t type) {
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        if (type_names[i].type == type) {
            return type_names[i].name;
        }
    }
    return NULL;
}

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Hex digits with whitespace anywhere and an optional 0x before the first digit. */
static int decode_hex(unsigned char *out, size_t *out_len, char *err, size_t err_cap, const unsigned char *in,
        size_t in_len) {
    size_t i = 0, n = 0;
    int high = -1;
    while (i < in_len && is_space(in[i])) {
        i++;
    }
    if (in_len - i >= 2 && in[i] == '0' && (in[i + 1] == 'x' || in[i + 1] == 'X')) {
        i += 2;
    }
    for (; i < in_len; i++) {
        int v = hex_value(in[i]);
        if (is_space(in[i])) {
            continue;
        }
        if (v < 0) {
            snprintf(err, err_cap, "hex payload: byte 0x%02x at offset %zu is neither a hex digit nor whitespace",
                    in[i], i);
            return -1;
        }
        if (high < 0) {
            high = v;
        } else {
            out[n++] = (unsigned char)(high << 4 | v);
            high = -1;
        }
    }
    if (high >= 0) {
        snprintf(err, err_cap, "hex payload: odd number of hex digits");
        return -1;
    }
    *out_len = n;
    return 0;
}

static int decode_base64(unsigned char *out, size_t out_cap, size_t *out_len, char *err, size_t err_cap,
        const unsigned char *in, size_t in_len) {
    const char *end = NULL;
    if (sodium_base642bin(out, out_cap, (const char *)in, in_len, " \t\r\n", out_len, &end,
                sodium_base64_VARIANT_ORIGINAL) != 0 ||
            end != (const char *)in + in_len) {
        snprintf(err, err_cap, "base64 payload: not canonical base64 (at offset %zu)",
                end != NULL ? (size_t)(end - (const char *)in) : (size_t)0);
        return -1;
    }
    return 0;
}

int requester_payload_decode(unsigned char *out, size_t out_cap, size_t *out_len, char *err, size_t err_cap,
        uint32_t type, const unsigned char *in, size_t in_len) {
    static const unsigned char psbt_magic[5] = {'p', 's', 'b', 't', 0xff};
    size_t first = 0;
    int r = 0;

    *out_len = 0;
    if (in_len == 0 || in_len > REQ_PAYLOAD_FILE_MAX || out_cap < in_len) {
        snprintf(err, err_cap, "the payload file must hold 1 to %u bytes", REQ_PAYLOAD_FILE_MAX);
        return -1;
    }
    while (first < in_len && is_space(in[first])) {
        first++;
    }
    switch (type) {
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP191:
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP712:
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_SAFE_TX:
        memcpy(out, in, in_len);
        *out_len = in_len;
        break;
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ETH_TX:
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ERC20:
        if (first == in_len || hex_value(in[first]) >= 0) {
            r = decode_hex(out, out_len, err, err_cap, in, in_len);
        } else {
            memcpy(out, in, in_len);
            *out_len = in_len;
        }
        break;
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_PSBT:
        if (in_len >= sizeof(psbt_magic) && memcmp(in, psbt_magic, sizeof(psbt_magic)) == 0) {
            memcpy(out, in, in_len);
            *out_len = in_len;
        } else if (in_len - first >= 6 && memcmp(in + first, "cHNidP", 6) == 0) {
            r = decode_base64(out, out_cap, out_len, err, err_cap, in, in_len);
        } else if (first < in_len && hex_value(in[first]) >= 0) {
            r = decode_hex(out, out_len, err, err_cap, in, in_len);
        } else {
            snprintf(err, err_cap, "not a PSBT: neither binary (\"psbt\\xff\"), hex nor base64 (\"cHNidP\")");
            r = -1;
        }
        break;
    default:
        snprintf(err, err_cap, "unknown payload type %u", type);
        return -1;
    }
    if (r == 0 && (*out_len == 0 || *out_len > REQ_PAYLOAD_MAX)) {
        snprintf(err, err_cap, "the decoded payload must hold 1 to %u bytes, not %zu", REQ_PAYLOAD_MAX, *out_len);
        r = -1;
    }
    if (r != 0) {
        *out_len = 0;
    }
    return r;
}
