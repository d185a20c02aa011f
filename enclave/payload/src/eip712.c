#include "payload/eip712.h"

#include <string.h>

#include "payload/addr_eth.h"
#include "payload/keccak.h"

#define DOMAIN_TYPE "EIP712Domain"
#define MAX_DIMS 4u
/* JavaScript clients hold JSON numbers as doubles: larger integers would be rounded. */
#define MAX_SAFE_JSON_INT 9007199254740991ULL

typedef enum { K_STRUCT, K_STRING, K_BYTES, K_BOOL, K_ADDRESS, K_BYTESN, K_UINT, K_INT } kind;

typedef struct {
    payload_err *err;
    const payload_eip712_types *types;
    const payload_json *js;
} enc_ctx;

static int is_ident(const char *s, size_t n) {
    size_t i;

    if (n == 0) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) {
            return 0;
        }
    }
    return 1;
}

/* Parses a decimal without leading zeros in [min, max]; returns -1 when it is not one. */
static long small_decimal(const char *s, size_t n, long min, long max) {
    long v = 0;
    size_t i;

    if (n == 0 || n > 4 || (s[0] == '0' && n > 1)) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return (v < min || v > max) ? -1 : v;
}

/* Elementary type name -> kind and size (bits for ints, bytes for bytesN). 1 if elementary. */
static int elementary(const char *s, size_t n, kind *k, unsigned *size) {
    long v;

    *size = 0;
    if (n == 6 && memcmp(s, "string", 6) == 0) { *k = K_STRING; return 1; }
    if (n == 5 && memcmp(s, "bytes", 5) == 0) { *k = K_BYTES; return 1; }
    if (n == 4 && memcmp(s, "bool", 4) == 0) { *k = K_BOOL; return 1; }
    if (n == 7 && memcmp(s, "address", 7) == 0) { *k = K_ADDRESS; return 1; }
    if (n > 5 && memcmp(s, "bytes", 5) == 0 && (v = small_decimal(s + 5, n - 5, 1, 32)) > 0) {
        *k = K_BYTESN;
        *size = (unsigned)v;
        return 1;
    }
    if (n > 4 && memcmp(s, "uint", 4) == 0 && (v = small_decimal(s + 4, n - 4, 8, 256)) > 0 && v % 8 == 0) {
        *k = K_UINT;
        *size = (unsigned)v;
        return 1;
    }
    if (n > 3 && memcmp(s, "int", 3) == 0 && (v = small_decimal(s + 3, n - 3, 8, 256)) > 0 && v % 8 == 0) {
        *k = K_INT;
        *size = (unsigned)v;
        return 1;
    }
    return 0;
}

int payload_eip712_find_type(const payload_eip712_types *types, const char *name) {
    uint32_t i;

    for (i = 0; i < types->n_types; i++) {
        if (strcmp(types->types[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int find_type_n(const payload_eip712_types *types, const char *name, size_t n) {
    uint32_t i;

    for (i = 0; i < types->n_types; i++) {
        if (strlen(types->types[i].name) == n && memcmp(types->types[i].name, name, n) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Splits off the outermost array dimension of type[0..n): *inner is the element type's length,
 * *fixed the declared length (0 for T[]). Returns 1 if type is an array, 0 if not, -1 if malformed. */
static int split_array(const char *type, size_t n, size_t *inner, uint32_t *fixed) {
    size_t open;
    long v;

    if (n == 0 || type[n - 1] != ']') {
        return 0;
    }
    open = n - 1;
    while (open > 0 && type[open] != '[') {
        open--;
    }
    if (type[open] != '[' || open == 0) {
        return -1;
    }
    *inner = open;
    if (open + 1 == n - 1) {
        *fixed = 0;
        return 1;
    }
    v = small_decimal(type + open + 1, n - 2 - open, 1, PAYLOAD_EIP712_MAX_ARRAY);
    if (v < 0) {
        return -1;
    }
    *fixed = (uint32_t)v;
    return 1;
}

/* Length of the base (non-array) part of a field type, validating every dimension. */
static int base_type_len(payload_err *err, size_t *base, const char *type, const char *where) {
    size_t n = strlen(type), inner;
    uint32_t fixed, dims = 0;
    int a;

    while ((a = split_array(type, n, &inner, &fixed)) == 1) {
        if (++dims > MAX_DIMS) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "eip712: type '%s' of %s has more than %u array dimensions",
                                type, where, MAX_DIMS);
        }
        n = inner;
    }
    if (a < 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: malformed array type '%s' in %s", type, where);
    }
    *base = n;
    return PAYLOAD_OK;
}

/* ---- encodeType ---- */

static int collect_deps(const payload_eip712_types *types, uint32_t *mask, int idx) {
    uint32_t f;

    if (*mask & (1u << idx)) {
        return PAYLOAD_OK;
    }
    *mask |= 1u << idx;
    for (f = 0; f < types->types[idx].n_fields; f++) {
        const char *t = types->types[idx].fields[f].type;
        size_t base;
        kind k;
        unsigned sz;
        int d;
        if (base_type_len(NULL, &base, t, "") != PAYLOAD_OK) {
            return PAYLOAD_E_ENCODING;
        }
        if (elementary(t, base, &k, &sz)) {
            continue;
        }
        d = find_type_n(types, t, base);
        if (d < 0) {
            return PAYLOAD_E_ENCODING;
        }
        if (collect_deps(types, mask, d) != PAYLOAD_OK) {
            return PAYLOAD_E_ENCODING;
        }
    }
    return PAYLOAD_OK;
}

static int append(char *out, size_t out_size, size_t *len, const char *s) {
    size_t n = strlen(s);

    if (n >= out_size - *len) {
        return -1;
    }
    memcpy(out + *len, s, n + 1);
    *len += n;
    return 0;
}

int payload_eip712_encode_type(payload_err *err, char *out, size_t out_size, size_t *out_len,
                               const payload_eip712_types *types, const char *type_name) {
    int order[PAYLOAD_EIP712_MAX_TYPES];
    uint32_t mask = 0, i, n = 0;
    int primary = payload_eip712_find_type(types, type_name);
    size_t len = 0;

    if (primary < 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: unknown type '%s'", type_name);
    }
    if (out_size == 0) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "eip712: no room for encodeType");
    }
    out[0] = '\0';
    if (collect_deps(types, &mask, primary) != PAYLOAD_OK) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: type '%s' references an undefined type", type_name);
    }
    order[n++] = primary;
    for (i = 0; i < types->n_types; i++) {
        if ((mask & (1u << i)) && (int)i != primary) {
            /* insertion sort by name: referenced types follow the primary type in name order */
            uint32_t j = n++;
            while (j > 1 && strcmp(types->types[order[j - 1]].name, types->types[i].name) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = (int)i;
        }
    }
    for (i = 0; i < n; i++) {
        const payload_eip712_struct *st = &types->types[order[i]];
        uint32_t f;
        if (append(out, out_size, &len, st->name) || append(out, out_size, &len, "(")) {
            goto overflow;
        }
        for (f = 0; f < st->n_fields; f++) {
            if ((f > 0 && append(out, out_size, &len, ",")) || append(out, out_size, &len, st->fields[f].type) ||
                append(out, out_size, &len, " ") || append(out, out_size, &len, st->fields[f].name)) {
                goto overflow;
            }
        }
        if (append(out, out_size, &len, ")")) {
            goto overflow;
        }
    }
    *out_len = len;
    return PAYLOAD_OK;
overflow:
    return payload_fail(err, PAYLOAD_E_OUTPUT, "eip712: encodeType of '%s' exceeds %zu bytes", type_name,
                        out_size - 1);
}

/* ---- values ---- */

static int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* mag = mag * base + digit over 256 bits; -1 on overflow. */
static int mul_add(uint8_t mag[32], unsigned base, unsigned digit) {
    unsigned carry = digit;
    int i;

    for (i = 31; i >= 0; i--) {
        unsigned v = mag[i] * base + carry;
        mag[i] = (uint8_t)v;
        carry = v >> 8;
    }
    return carry ? -1 : 0;
}

static int encode_int(enc_ctx *c, uint8_t out[32], const payload_json_tok *t, int is_signed, unsigned bits,
                      const char *field) {
    const char *s = c->js->doc + t->start;
    size_t n = t->len, i = 0, top;
    uint8_t mag[32];
    int neg = 0, hex = 0;

    memset(mag, 0, sizeof(mag));
    if (t->type == PAYLOAD_JSON_STRING && t->has_escape) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s': escaped characters in an integer", field);
    }
    if (t->type != PAYLOAD_JSON_NUMBER && t->type != PAYLOAD_JSON_STRING) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' must be an integer (number or string)",
                            field);
    }
    if (n > 0 && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (t->type == PAYLOAD_JSON_STRING && n - i >= 2 && s[i] == '0' && s[i + 1] == 'x') {
        hex = 1;
        i += 2;
        if (neg) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s': negative hex integer", field);
        }
    }
    if (i == n) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s': empty integer", field);
    }
    if (!hex && s[i] == '0' && n - i > 1) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s': decimal integer with a leading zero",
                            field);
    }
    for (; i < n; i++) {
        int d = hex ? hex_val(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
        if (d < 0) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' is not an integer", field);
        }
        if (mul_add(mag, hex ? 16u : 10u, (unsigned)d) != 0) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' exceeds 256 bits", field);
        }
    }
    if (t->type == PAYLOAD_JSON_NUMBER) {
        uint64_t high = 0, v = 0;
        for (i = 0; i < 24; i++) {
            high |= mag[i];
        }
        for (i = 24; i < 32; i++) {
            v = (v << 8) | mag[i];
        }
        if (high != 0 || v > MAX_SAFE_JSON_INT) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING,
                                "eip712: field '%s' is a JSON number above 2^53-1; give it as a string", field);
        }
    }
    if (neg && !is_signed) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' of type uint%u is negative", field, bits);
    }
    {
        int zero = 1;
        for (i = 0; i < 32; i++) {
            zero &= mag[i] == 0;
        }
        if (neg && zero) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' is '-0'", field);
        }
    }
    /* Range: unsigned < 2^bits; signed positive < 2^(bits-1); signed negative <= 2^(bits-1). */
    top = 32 - bits / 8; /* index of the most significant byte the type may use */
    for (i = 0; i < top; i++) {
        if (mag[i] != 0) {
            goto range;
        }
    }
    if (is_signed && (mag[top] & 0x80)) {
        int exact = mag[top] == 0x80;
        for (i = top + 1; i < 32 && exact; i++) {
            exact = mag[i] == 0;
        }
        if (!(neg && exact)) {
            goto range;
        }
    }
    if (neg) {
        int carry = 1;
        for (i = 32; i-- > 0;) {
            unsigned v = (unsigned)(uint8_t)~mag[i] + (unsigned)carry;
            out[i] = (uint8_t)v;
            carry = (int)(v >> 8);
        }
    } else {
        memcpy(out, mag, 32);
    }
    return PAYLOAD_OK;
range:
    return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' is out of range for %sint%u", field,
                        is_signed ? "" : "u", bits);
}

/* "0x" + hex digits of a string token; *nbytes is the decoded length. Streams into h if not NULL,
 * else copies into out (exactly want bytes). */
static int hex_string(enc_ctx *c, payload_keccak256_ctx *h, uint8_t *out, size_t want, const payload_json_tok *t,
                      const char *field) {
    const char *s = c->js->doc + t->start;
    size_t i, nbytes;

    if (t->type != PAYLOAD_JSON_STRING || t->has_escape || t->len < 2 || s[0] != '0' || s[1] != 'x' ||
        (t->len - 2) % 2 != 0) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' must be a '0x' hex string of whole bytes",
                            field);
    }
    nbytes = (t->len - 2) / 2;
    if (h == NULL && nbytes != want) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' is %zu bytes, expected %zu", field,
                            nbytes, want);
    }
    for (i = 0; i < nbytes; i++) {
        int hi = hex_val(s[2 + 2 * i]), lo = hex_val(s[3 + 2 * i]);
        uint8_t b;
        if (hi < 0 || lo < 0) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' has a non-hex character", field);
        }
        b = (uint8_t)(hi << 4 | lo);
        if (h != NULL) {
            payload_keccak256_update(h, &b, 1);
        } else {
            out[i] = b;
        }
    }
    return PAYLOAD_OK;
}

static int hash_struct_at(enc_ctx *c, uint8_t out[32], int idx, size_t tok, unsigned depth);

static int encode_value(enc_ctx *c, uint8_t out[32], const char *type, size_t type_len, size_t tok, unsigned depth,
                        const char *field) {
    const payload_json_tok *t = &c->js->toks[tok];
    size_t inner;
    uint32_t fixed;
    kind k;
    unsigned size;
    int a, r;

    if (depth > PAYLOAD_EIP712_MAX_DEPTH) {
        return payload_fail(c->err, PAYLOAD_E_LIMIT, "eip712: field '%s' nested deeper than %u", field,
                            PAYLOAD_EIP712_MAX_DEPTH);
    }
    a = split_array(type, type_len, &inner, &fixed);
    if (a < 0) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: malformed array type in field '%s'", field);
    }
    if (a == 1) {
        payload_keccak256_ctx h;
        size_t i, el;
        if (t->type != PAYLOAD_JSON_ARRAY) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' must be an array", field);
        }
        if (fixed != 0 && t->count != fixed) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' has %u elements, its type needs %u",
                                field, (unsigned)t->count, (unsigned)fixed);
        }
        if (t->count > PAYLOAD_EIP712_MAX_ARRAY) {
            return payload_fail(c->err, PAYLOAD_E_LIMIT, "eip712: field '%s' has more than %u elements", field,
                                PAYLOAD_EIP712_MAX_ARRAY);
        }
        payload_keccak256_init(&h, PAYLOAD_KECCAK_PAD_KECCAK);
        el = tok + 1;
        for (i = 0; i < t->count; i++) {
            uint8_t w[32];
            r = encode_value(c, w, type, inner, el, depth + 1, field);
            if (r != PAYLOAD_OK) {
                return r;
            }
            payload_keccak256_update(&h, w, 32);
            el = c->js->toks[el].next;
        }
        payload_keccak256_final(&h, out);
        return PAYLOAD_OK;
    }
    if (!elementary(type, type_len, &k, &size)) {
        int idx = find_type_n(c->types, type, type_len);
        if (idx < 0) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' has an undefined type", field);
        }
        return hash_struct_at(c, out, idx, tok, depth + 1);
    }
    memset(out, 0, 32);
    switch (k) {
    case K_STRING: {
        char buf[PAYLOAD_EIP712_MAX_STRING];
        size_t len;
        if (t->type != PAYLOAD_JSON_STRING) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' must be a string", field);
        }
        if (payload_json_string(NULL, buf, sizeof(buf), &len, c->js, tok) != PAYLOAD_OK) {
            return payload_fail(c->err, PAYLOAD_E_LIMIT, "eip712: string field '%s' exceeds %u bytes", field,
                                PAYLOAD_EIP712_MAX_STRING - 1);
        }
        payload_keccak256(out, (const uint8_t *)buf, len);
        return PAYLOAD_OK;
    }
    case K_BYTES: {
        payload_keccak256_ctx h;
        payload_keccak256_init(&h, PAYLOAD_KECCAK_PAD_KECCAK);
        r = hex_string(c, &h, NULL, 0, t, field);
        if (r != PAYLOAD_OK) {
            return r;
        }
        payload_keccak256_final(&h, out);
        return PAYLOAD_OK;
    }
    case K_BYTESN:
        return hex_string(c, NULL, out, size, t, field);
    case K_BOOL:
        if (t->type != PAYLOAD_JSON_TRUE && t->type != PAYLOAD_JSON_FALSE) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' must be true or false", field);
        }
        out[31] = t->type == PAYLOAD_JSON_TRUE;
        return PAYLOAD_OK;
    case K_ADDRESS:
        if (t->type != PAYLOAD_JSON_STRING || t->has_escape) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: field '%s' must be an address string", field);
        }
        r = payload_eth_addr_parse(NULL, out + 12, NULL, c->js->doc + t->start, t->len);
        if (r != PAYLOAD_OK) {
            return payload_fail(c->err, r, "eip712: field '%s' is not a valid address (%s)", field,
                                r == PAYLOAD_E_CHECKSUM ? "bad EIP-55 checksum" : "malformed");
        }
        return PAYLOAD_OK;
    case K_UINT:
    case K_INT:
        return encode_int(c, out, t, k == K_INT, size, field);
    case K_STRUCT:
        break;
    }
    return payload_fail(c->err, PAYLOAD_E_INTERNAL, "eip712: unhandled type in field '%s'", field);
}

/* Writes typeHash and each field word to h (a running hash) and, if out is not NULL, to out. */
static int encode_struct(enc_ctx *c, payload_keccak256_ctx *h, uint8_t *out, int idx, size_t tok, unsigned depth) {
    const payload_eip712_struct *st = &c->types->types[idx];
    const payload_json_tok *t = &c->js->toks[tok];
    uint32_t f;

    if (t->type != PAYLOAD_JSON_OBJECT) {
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: value of type '%s' must be an object", st->name);
    }
    if (t->count != st->n_fields) {
        /* Members are unique (the tokenizer refuses duplicates), so equal counts plus every field
         * found below means no member is missing and none is extra. */
        return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: value of type '%s' has %u members, expected %u",
                            st->name, (unsigned)t->count, (unsigned)st->n_fields);
    }
    payload_keccak256_update(h, st->type_hash, 32);
    if (out != NULL) {
        memcpy(out, st->type_hash, 32);
    }
    for (f = 0; f < st->n_fields; f++) {
        size_t v = payload_json_get(c->js, tok, st->fields[f].name);
        uint8_t w[32];
        int r;
        if (v == 0) {
            return payload_fail(c->err, PAYLOAD_E_ENCODING, "eip712: value of type '%s' lacks field '%s'", st->name,
                                st->fields[f].name);
        }
        r = encode_value(c, w, st->fields[f].type, strlen(st->fields[f].type), v, depth, st->fields[f].name);
        if (r != PAYLOAD_OK) {
            return r;
        }
        payload_keccak256_update(h, w, 32);
        if (out != NULL) {
            memcpy(out + 32 * (f + 1), w, 32);
        }
    }
    return PAYLOAD_OK;
}

static int hash_struct_at(enc_ctx *c, uint8_t out[32], int idx, size_t tok, unsigned depth) {
    payload_keccak256_ctx h;
    int r;

    payload_keccak256_init(&h, PAYLOAD_KECCAK_PAD_KECCAK);
    r = encode_struct(c, &h, NULL, idx, tok, depth);
    if (r != PAYLOAD_OK) {
        return r;
    }
    payload_keccak256_final(&h, out);
    return PAYLOAD_OK;
}

int payload_eip712_encode_data(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
                               const payload_eip712_types *types, const char *type_name, const payload_json *js,
                               size_t value_tok) {
    enc_ctx c = {err, types, js};
    payload_keccak256_ctx h;
    int idx = payload_eip712_find_type(types, type_name), r;

    payload_err_clear(err);
    if (idx < 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: unknown type '%s'", type_name);
    }
    if (out_size < 32 * (types->types[idx].n_fields + 1)) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "eip712: encodeData of '%s' needs %u bytes", type_name,
                            32 * (types->types[idx].n_fields + 1));
    }
    payload_keccak256_init(&h, PAYLOAD_KECCAK_PAD_KECCAK);
    r = encode_struct(&c, &h, out, idx, value_tok, 0);
    if (r == PAYLOAD_OK) {
        *out_len = 32 * (types->types[idx].n_fields + 1);
    }
    return r;
}

int payload_eip712_hash_struct(payload_err *err, uint8_t out[32], const payload_eip712_types *types,
                               const char *type_name, const payload_json *js, size_t value_tok) {
    enc_ctx c = {err, types, js};
    int idx = payload_eip712_find_type(types, type_name);

    payload_err_clear(err);
    if (idx < 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: unknown type '%s'", type_name);
    }
    return hash_struct_at(&c, out, idx, value_tok, 0);
}

/* ---- document ---- */

static int copy_key(payload_err *err, char *out, const payload_json *js, size_t tok, const char *what) {
    const payload_json_tok *t = &js->toks[tok];

    if (t->type != PAYLOAD_JSON_STRING || t->has_escape || t->len >= PAYLOAD_EIP712_NAME_MAX ||
        !is_ident(js->doc + t->start, t->len)) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: %s '%.*s' is not an identifier of at most %u bytes",
                            what, (int)(t->len > 40 ? 40 : t->len), js->doc + t->start, PAYLOAD_EIP712_NAME_MAX - 1);
    }
    memcpy(out, js->doc + t->start, t->len);
    out[t->len] = '\0';
    return PAYLOAD_OK;
}

static int load_types(payload_err *err, payload_eip712_types *types, const payload_json *js, size_t obj) {
    uint32_t i, f;
    int r;

    if (js->toks[obj].type != PAYLOAD_JSON_OBJECT) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: 'types' must be an object");
    }
    if (js->toks[obj].count > PAYLOAD_EIP712_MAX_TYPES) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "eip712: more than %u types", PAYLOAD_EIP712_MAX_TYPES);
    }
    types->n_types = js->toks[obj].count;
    for (i = 0; i < types->n_types; i++) {
        payload_eip712_struct *st = &types->types[i];
        size_t key = payload_json_member_key(js, obj, i), arr = key + 1, el;
        kind k;
        unsigned sz;
        if ((r = copy_key(err, st->name, js, key, "type name")) != PAYLOAD_OK) {
            return r;
        }
        if (elementary(st->name, strlen(st->name), &k, &sz)) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: struct type '%s' shadows an elementary type",
                                st->name);
        }
        if (js->toks[arr].type != PAYLOAD_JSON_ARRAY) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: type '%s' must be an array of fields", st->name);
        }
        if (js->toks[arr].count > PAYLOAD_EIP712_MAX_FIELDS) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "eip712: type '%s' has more than %u fields", st->name,
                                PAYLOAD_EIP712_MAX_FIELDS);
        }
        st->n_fields = js->toks[arr].count;
        el = arr + 1;
        for (f = 0; f < st->n_fields; f++) {
            size_t nm = payload_json_get(js, el, "name"), ty = payload_json_get(js, el, "type"), g;
            const payload_json_tok *tt;
            if (js->toks[el].type != PAYLOAD_JSON_OBJECT || js->toks[el].count != 2 || nm == 0 || ty == 0) {
                return payload_fail(err, PAYLOAD_E_ENCODING,
                                    "eip712: field %u of type '%s' must be {\"name\", \"type\"}", f, st->name);
            }
            if ((r = copy_key(err, st->fields[f].name, js, nm, "field name")) != PAYLOAD_OK) {
                return r;
            }
            tt = &js->toks[ty];
            if (tt->type != PAYLOAD_JSON_STRING || tt->has_escape || tt->len >= PAYLOAD_EIP712_TYPE_MAX) {
                return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: type of field '%s' in '%s' is malformed",
                                    st->fields[f].name, st->name);
            }
            memcpy(st->fields[f].type, js->doc + tt->start, tt->len);
            st->fields[f].type[tt->len] = '\0';
            for (g = 0; g < f; g++) {
                if (strcmp(st->fields[g].name, st->fields[f].name) == 0) {
                    return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: type '%s' declares field '%s' twice",
                                        st->name, st->fields[f].name);
                }
            }
            el = js->toks[el].next;
        }
    }
    /* Every base type is elementary or a declared struct. */
    for (i = 0; i < types->n_types; i++) {
        const payload_eip712_struct *st = &types->types[i];
        for (f = 0; f < st->n_fields; f++) {
            size_t base;
            kind k;
            unsigned sz;
            if ((r = base_type_len(err, &base, st->fields[f].type, st->name)) != PAYLOAD_OK) {
                return r;
            }
            if (!is_ident(st->fields[f].type, base) ||
                (!elementary(st->fields[f].type, base, &k, &sz) && find_type_n(types, st->fields[f].type, base) < 0)) {
                return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: field '%s' of '%s' has unknown type '%s'",
                                    st->fields[f].name, st->name, st->fields[f].type);
            }
        }
    }
    return PAYLOAD_OK;
}

static int check_domain_type(payload_err *err, const payload_eip712_types *types) {
    static const char *const names[] = {"name", "version", "chainId", "verifyingContract", "salt"};
    static const char *const kinds[] = {"string", "string", "uint256", "address", "bytes32"};
    int idx = payload_eip712_find_type(types, DOMAIN_TYPE);
    uint32_t f, next = 0;

    if (idx < 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: 'types' lacks EIP712Domain");
    }
    for (f = 0; f < types->types[idx].n_fields; f++) {
        const payload_eip712_field *fl = &types->types[idx].fields[f];
        while (next < 5 && strcmp(names[next], fl->name) != 0) {
            next++;
        }
        if (next == 5 || strcmp(kinds[next], fl->type) != 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                                "eip712: EIP712Domain field '%s %s' is not in the standard set and order "
                                "(name, version, chainId, verifyingContract, salt)", fl->type, fl->name);
        }
        next++;
    }
    return PAYLOAD_OK;
}

/* The domain's optional string field `field` into out (PAYLOAD_EIP712_NAME_MAX bytes), setting bit
 * in domain_fields when it is present. */
static int read_domain_string(payload_err *err, payload_eip712_doc *doc, char out[PAYLOAD_EIP712_NAME_MAX],
                              uint32_t bit, const char *field) {
    size_t t = payload_json_get(&doc->js, doc->domain_tok, field), len;

    if (t == 0) {
        return PAYLOAD_OK;
    }
    if (payload_json_string(NULL, out, PAYLOAD_EIP712_NAME_MAX, &len, &doc->js, t) != PAYLOAD_OK ||
        strlen(out) != len) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "eip712: domain %s longer than %u bytes or has NUL", field,
                            PAYLOAD_EIP712_NAME_MAX - 1);
    }
    doc->domain_fields |= bit;
    return PAYLOAD_OK;
}

static int read_domain(payload_err *err, payload_eip712_doc *doc) {
    const payload_json *js = &doc->js;
    size_t t;
    int r;

    if ((r = read_domain_string(err, doc, doc->domain_name, PAYLOAD_EIP712_DOMAIN_NAME, "name")) != PAYLOAD_OK ||
        (r = read_domain_string(err, doc, doc->domain_version, PAYLOAD_EIP712_DOMAIN_VERSION, "version")) !=
            PAYLOAD_OK) {
        return r;
    }
    {
        /* The domain object was hashed already, so its values are valid; re-encode them to keep
         * the words the policy engine needs. */
        enc_ctx c = {err, &doc->types, js};
        uint8_t w[32];
        if ((t = payload_json_get(js, doc->domain_tok, "chainId")) != 0) {
            if ((r = encode_value(&c, doc->chain_id, "uint256", 7, t, 0, "chainId")) != PAYLOAD_OK) {
                return r;
            }
            doc->domain_fields |= PAYLOAD_EIP712_DOMAIN_CHAIN_ID;
        }
        if ((t = payload_json_get(js, doc->domain_tok, "verifyingContract")) != 0) {
            if ((r = encode_value(&c, w, "address", 7, t, 0, "verifyingContract")) != PAYLOAD_OK) {
                return r;
            }
            memcpy(doc->verifying_contract, w + 12, 20);
            doc->domain_fields |= PAYLOAD_EIP712_DOMAIN_VERIFYING_CONTRACT;
        }
        if ((t = payload_json_get(js, doc->domain_tok, "salt")) != 0) {
            if ((r = encode_value(&c, doc->salt, "bytes32", 7, t, 0, "salt")) != PAYLOAD_OK) {
                return r;
            }
            doc->domain_fields |= PAYLOAD_EIP712_DOMAIN_SALT;
        }
    }
    return PAYLOAD_OK;
}

int payload_eip712_parse_json(payload_err *err, payload_eip712_doc *doc, payload_json_tok *toks, size_t max_toks,
                              const char *json, size_t json_len) {
    static const char *const members[] = {"types", "primaryType", "domain", "message"};
    char enc[PAYLOAD_EIP712_ENCODE_TYPE_MAX];
    uint32_t used = 0, i;
    int primary, domain, r;
    size_t tt, pt, enc_len;

    payload_err_clear(err);
    memset(doc, 0, sizeof(*doc));
    if (json_len > PAYLOAD_EIP712_MAX_DOC) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "eip712: document of %zu bytes exceeds %u", json_len,
                            PAYLOAD_EIP712_MAX_DOC);
    }
    if (max_toks > PAYLOAD_EIP712_MAX_TOKENS) {
        max_toks = PAYLOAD_EIP712_MAX_TOKENS;
    }
    /* Values nest at most MAX_DEPTH deep inside message, which sits one level under the root. */
    r = payload_json_parse(err, &doc->js, toks, max_toks, json, json_len, PAYLOAD_EIP712_MAX_DEPTH + 2);
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (toks[0].type != PAYLOAD_JSON_OBJECT || toks[0].count != 4) {
        return payload_fail(err, PAYLOAD_E_ENCODING,
                            "eip712: document must be an object with exactly types, primaryType, domain, message");
    }
    for (i = 0; i < 4; i++) {
        if (payload_json_get(&doc->js, 0, members[i]) == 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: document lacks '%s'", members[i]);
        }
    }
    tt = payload_json_get(&doc->js, 0, "types");
    pt = payload_json_get(&doc->js, 0, "primaryType");
    doc->domain_tok = payload_json_get(&doc->js, 0, "domain");
    doc->message_tok = payload_json_get(&doc->js, 0, "message");
    if ((r = load_types(err, &doc->types, &doc->js, tt)) != PAYLOAD_OK ||
        (r = check_domain_type(err, &doc->types)) != PAYLOAD_OK ||
        (r = copy_key(err, doc->primary_type, &doc->js, pt, "primaryType")) != PAYLOAD_OK) {
        return r;
    }
    primary = payload_eip712_find_type(&doc->types, doc->primary_type);
    domain = payload_eip712_find_type(&doc->types, DOMAIN_TYPE);
    if (primary < 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: primaryType '%s' is not defined", doc->primary_type);
    }
    if (primary == domain) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "eip712: primaryType EIP712Domain (no message) is refused");
    }
    if (collect_deps(&doc->types, &used, primary) != PAYLOAD_OK ||
        collect_deps(&doc->types, &used, domain) != PAYLOAD_OK) {
        return payload_fail(err, PAYLOAD_E_INTERNAL, "eip712: dependency walk failed");
    }
    for (i = 0; i < doc->types.n_types; i++) {
        if (!(used & (1u << i))) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "eip712: type '%s' is not used by '%s' or EIP712Domain",
                                doc->types.types[i].name, doc->primary_type);
        }
        if ((r = payload_eip712_encode_type(err, enc, sizeof(enc), &enc_len, &doc->types,
                                            doc->types.types[i].name)) != PAYLOAD_OK) {
            return r;
        }
        payload_keccak256(doc->types.types[i].type_hash, (const uint8_t *)enc, enc_len);
    }
    if ((r = payload_eip712_hash_struct(err, doc->domain_separator, &doc->types, DOMAIN_TYPE, &doc->js,
                                        doc->domain_tok)) != PAYLOAD_OK ||
        (r = payload_eip712_hash_struct(err, doc->message_hash, &doc->types, doc->primary_type, &doc->js,
                                        doc->message_tok)) != PAYLOAD_OK ||
        (r = read_domain(err, doc)) != PAYLOAD_OK) {
        return r;
    }
    payload_eip712_digest(doc->digest, doc->domain_separator, doc->message_hash);
    return PAYLOAD_OK;
}

void payload_eip712_digest(uint8_t out[32], const uint8_t domain_separator[32], const uint8_t message_hash[32]) {
    static const uint8_t prefix[2] = {0x19, 0x01};
    payload_keccak256_ctx h;

    payload_keccak256_init(&h, PAYLOAD_KECCAK_PAD_KECCAK);
    payload_keccak256_update(&h, prefix, 2);
    payload_keccak256_update(&h, domain_separator, 32);
    payload_keccak256_update(&h, message_hash, 32);
    payload_keccak256_final(&h, out);
}
