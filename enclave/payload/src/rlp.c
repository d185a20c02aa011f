#include "payload/rlp.h"

#include <string.h>

/* Reads a long-form length of lenlen bytes; refuses leading zeros, values <= 55 and values that
 * cannot fit in the remaining input (so later arithmetic cannot overflow). */
static int read_long_length(payload_err *err, size_t *out, const uint8_t *p, size_t lenlen, size_t avail,
                            const char *what) {
    size_t v = 0, i;

    if (lenlen > avail) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "rlp: %s length field truncated", what);
    }
    if (p[0] == 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "rlp: %s length has a leading zero byte", what);
    }
    if (lenlen > sizeof(size_t)) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "rlp: %s length of %zu bytes exceeds the input", what,
                            lenlen);
    }
    for (i = 0; i < lenlen; i++) {
        v = (v << 8) | p[i];
    }
    if (v <= 55) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "rlp: %s of %zu bytes uses the long form (only for > 55)",
                            what, v);
    }
    if (v > avail - lenlen) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "rlp: %s of %zu bytes exceeds the %zu bytes available",
                            what, v, avail - lenlen);
    }
    *out = v;
    return PAYLOAD_OK;
}

int payload_rlp_item_decode(payload_err *err, payload_rlp_item *item, size_t *consumed, const uint8_t *in,
                            size_t in_len) {
    uint8_t b;
    size_t hdr, len;
    int r;

    if (in_len == 0) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "rlp: item expected at end of input");
    }
    b = in[0];
    if (b < 0x80) {
        item->data = in;
        item->len = 1;
        item->is_list = 0;
        *consumed = 1;
        return PAYLOAD_OK;
    }
    if (b <= 0xb7) {
        hdr = 1;
        len = (size_t)(b - 0x80);
        if (len > in_len - 1) {
            return payload_fail(err, PAYLOAD_E_TRUNCATED, "rlp: string of %zu bytes exceeds the %zu bytes available",
                                len, in_len - 1);
        }
        if (len == 1 && in[1] < 0x80) {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                                "rlp: single byte 0x%02x below 0x80 wrapped in a string header", in[1]);
        }
        item->is_list = 0;
    } else if (b <= 0xbf) {
        hdr = 1 + (size_t)(b - 0xb7);
        r = read_long_length(err, &len, in + 1, hdr - 1, in_len - 1, "string");
        if (r != PAYLOAD_OK) {
            return r;
        }
        item->is_list = 0;
    } else if (b <= 0xf7) {
        hdr = 1;
        len = (size_t)(b - 0xc0);
        if (len > in_len - 1) {
            return payload_fail(err, PAYLOAD_E_TRUNCATED, "rlp: list of %zu bytes exceeds the %zu bytes available",
                                len, in_len - 1);
        }
        item->is_list = 1;
    } else {
        hdr = 1 + (size_t)(b - 0xf7);
        r = read_long_length(err, &len, in + 1, hdr - 1, in_len - 1, "list");
        if (r != PAYLOAD_OK) {
            return r;
        }
        item->is_list = 1;
    }
    item->data = in + hdr;
    item->len = len;
    *consumed = hdr + len;
    return PAYLOAD_OK;
}

static int validate_seq(payload_err *err, const uint8_t *p, size_t len, unsigned depth, unsigned max_depth) {
    while (len > 0) {
        payload_rlp_item it;
        size_t used;
        int r = payload_rlp_item_decode(err, &it, &used, p, len);
        if (r != PAYLOAD_OK) {
            return r;
        }
        if (it.is_list) {
            if (depth >= max_depth) {
                return payload_fail(err, PAYLOAD_E_LIMIT, "rlp: lists nested deeper than %u", max_depth);
            }
            r = validate_seq(err, it.data, it.len, depth + 1, max_depth);
            if (r != PAYLOAD_OK) {
                return r;
            }
        }
        p += used;
        len -= used;
    }
    return PAYLOAD_OK;
}

int payload_rlp_decode(payload_err *err, payload_rlp_item *item, const uint8_t *in, size_t in_len,
                       unsigned max_depth) {
    size_t used;
    int r;

    payload_err_clear(err);
    if ((in == NULL && in_len != 0) || max_depth > PAYLOAD_RLP_MAX_DEPTH) {
        return payload_fail(err, PAYLOAD_E_ARG, "rlp: invalid arguments");
    }
    r = payload_rlp_item_decode(err, item, &used, in, in_len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (used != in_len) {
        return payload_fail(err, PAYLOAD_E_TRAILING, "rlp: %zu trailing bytes after the item", in_len - used);
    }
    if (item->is_list) {
        if (max_depth == 0) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "rlp: lists not allowed here");
        }
        return validate_seq(err, item->data, item->len, 1, max_depth);
    }
    return PAYLOAD_OK;
}

int payload_rlp_list_items(payload_err *err, payload_rlp_item *items, size_t max_items, size_t *count,
                           const payload_rlp_item *list) {
    const uint8_t *p;
    size_t left, n = 0;

    if (!list->is_list) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "rlp: expected a list, found a string");
    }
    p = list->data;
    left = list->len;
    while (left > 0) {
        size_t used;
        int r;
        if (n == max_items) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "rlp: list has more than %zu elements", max_items);
        }
        r = payload_rlp_item_decode(err, &items[n], &used, p, left);
        if (r != PAYLOAD_OK) {
            return r;
        }
        p += used;
        left -= used;
        n++;
    }
    *count = n;
    return PAYLOAD_OK;
}

int payload_rlp_uint256(payload_err *err, uint8_t out32[32], const payload_rlp_item *item, const char *field) {
    if (item->is_list) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "rlp: field '%s' is a list, expected an integer", field);
    }
    if (item->len > 0 && item->data[0] == 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING,
                            "rlp: non-canonical integer in field '%s' (leading zero byte)", field);
    }
    if (item->len > 32) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "rlp: integer in field '%s' is %zu bytes (maximum 32)", field,
                            item->len);
    }
    memset(out32, 0, 32);
    if (item->len > 0) {
        memcpy(out32 + 32 - item->len, item->data, item->len);
    }
    return PAYLOAD_OK;
}

int payload_rlp_u64(payload_err *err, uint64_t *out, const payload_rlp_item *item, const char *field) {
    uint8_t b[32];
    uint64_t v = 0;
    size_t i;
    int r = payload_rlp_uint256(err, b, item, field);

    if (r != PAYLOAD_OK) {
        return r;
    }
    if (item->len > 8) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "rlp: integer in field '%s' exceeds 64 bits", field);
    }
    for (i = 24; i < 32; i++) {
        v = (v << 8) | b[i];
    }
    *out = v;
    return PAYLOAD_OK;
}

void payload_rlp_writer_init(payload_rlp_writer *w, uint8_t *buf, size_t cap) {
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->overflow = 0;
}

static void put(payload_rlp_writer *w, const uint8_t *data, size_t len) {
    if (w->overflow || len > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    if (len > 0) {
        memcpy(w->buf + w->len, data, len);
    }
    w->len += len;
}

/* Header for a payload of len bytes with short-form base 0x80 (string) or 0xc0 (list). */
static size_t make_header(uint8_t hdr[PAYLOAD_RLP_LIST_HEADER_MAX], size_t len, uint8_t base) {
    size_t n = 0, i;
    uint8_t tmp[8];

    if (len <= 55) {
        hdr[0] = (uint8_t)(base + len);
        return 1;
    }
    while (len > 0) {
        tmp[n++] = (uint8_t)(len & 0xff);
        len >>= 8;
    }
    hdr[0] = (uint8_t)(base + 55 + n);
    for (i = 0; i < n; i++) {
        hdr[1 + i] = tmp[n - 1 - i];
    }
    return 1 + n;
}

void payload_rlp_put_bytes(payload_rlp_writer *w, const uint8_t *data, size_t len) {
    uint8_t hdr[PAYLOAD_RLP_LIST_HEADER_MAX];

    if (len == 1 && data[0] < 0x80) {
        put(w, data, 1);
        return;
    }
    put(w, hdr, make_header(hdr, len, 0x80));
    put(w, data, len);
}

void payload_rlp_put_uint(payload_rlp_writer *w, const uint8_t *be, size_t len) {
    while (len > 0 && be[0] == 0) {
        be++;
        len--;
    }
    payload_rlp_put_bytes(w, be, len);
}

void payload_rlp_put_u64(payload_rlp_writer *w, uint64_t v) {
    uint8_t be[8];
    size_t i;

    for (i = 0; i < 8; i++) {
        be[i] = (uint8_t)(v >> (56 - 8 * i));
    }
    payload_rlp_put_uint(w, be, sizeof(be));
}

void payload_rlp_put_raw(payload_rlp_writer *w, const uint8_t *enc, size_t len) {
    put(w, enc, len);
}

size_t payload_rlp_list_begin(payload_rlp_writer *w) {
    static const uint8_t reserve[PAYLOAD_RLP_LIST_HEADER_MAX] = {0};
    size_t mark = w->len;

    put(w, reserve, sizeof(reserve));
    return mark;
}

void payload_rlp_list_end(payload_rlp_writer *w, size_t mark) {
    uint8_t hdr[PAYLOAD_RLP_LIST_HEADER_MAX];
    size_t body, hlen;

    if (w->overflow) {
        return;
    }
    body = w->len - mark - PAYLOAD_RLP_LIST_HEADER_MAX;
    hlen = make_header(hdr, body, 0xc0);
    memmove(w->buf + mark + hlen, w->buf + mark + PAYLOAD_RLP_LIST_HEADER_MAX, body);
    memcpy(w->buf + mark, hdr, hlen);
    w->len = mark + hlen + body;
}

int payload_rlp_writer_finish(payload_err *err, size_t *len, const payload_rlp_writer *w) {
    if (w->overflow) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "rlp: encoding exceeds the %zu-byte output buffer", w->cap);
    }
    *len = w->len;
    return PAYLOAD_OK;
}
