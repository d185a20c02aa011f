#include "payload/json.h"

#include <string.h>

#include "utf8.h"

typedef struct {
    payload_err *err;
    const char *s;
    size_t len;
    size_t pos;
    payload_json_tok *toks;
    size_t max_toks;
    size_t n;
    unsigned max_depth;
} parser;

static void skip_ws(parser *p) {
    while (p->pos < p->len &&
           (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) {
        p->pos++;
    }
}

static int new_token(parser *p, size_t *idx, payload_json_type type) {
    if (p->n >= p->max_toks) {
        return payload_fail(p->err, PAYLOAD_E_LIMIT, "json: more than %zu values at offset %zu",
                            p->max_toks, p->pos);
    }
    *idx = p->n++;
    memset(&p->toks[*idx], 0, sizeof(p->toks[*idx]));
    p->toks[*idx].type = (uint32_t)type;
    p->toks[*idx].start = (uint32_t)p->pos;
    return PAYLOAD_OK;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits of a \u escape whose 'u' is at s[pos]; returns the code unit or -1. */
static long read_u16(const char *s, size_t len, size_t pos) {
    long v = 0;
    size_t i;

    if (len - pos < 5) {
        return -1;
    }
    for (i = 1; i <= 4; i++) {
        int d = hex_digit(s[pos + i]);
        if (d < 0) {
            return -1;
        }
        v = (v << 4) | d;
    }
    return v;
}

static int parse_string(parser *p, size_t *idx) {
    size_t start;
    int r;

    p->pos++; /* opening quote */
    r = new_token(p, idx, PAYLOAD_JSON_STRING);
    if (r != PAYLOAD_OK) {
        return r;
    }
    start = p->pos;
    while (p->pos < p->len) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->toks[*idx].len = (uint32_t)(p->pos - start);
            p->pos++;
            return PAYLOAD_OK;
        }
        if (c < 0x20) {
            return payload_fail(p->err, PAYLOAD_E_ENCODING,
                                "json: unescaped control character 0x%02x in string at offset %zu", c, p->pos);
        }
        if (c == '\\') {
            char e;
            p->toks[*idx].has_escape = 1;
            if (p->pos + 1 >= p->len) {
                break;
            }
            e = p->s[p->pos + 1];
            if (e == 'u') {
                long u = read_u16(p->s, p->len, p->pos + 1);
                if (u < 0) {
                    return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: bad \\u escape at offset %zu", p->pos);
                }
                if (u >= 0xdc00 && u <= 0xdfff) {
                    return payload_fail(p->err, PAYLOAD_E_ENCODING,
                                        "json: unpaired low surrogate escape at offset %zu", p->pos);
                }
                if (u >= 0xd800 && u <= 0xdbff) {
                    long lo;
                    if (p->len - p->pos < 12 || p->s[p->pos + 6] != '\\' || p->s[p->pos + 7] != 'u' ||
                        (lo = read_u16(p->s, p->len, p->pos + 7)) < 0xdc00 || lo > 0xdfff) {
                        return payload_fail(p->err, PAYLOAD_E_ENCODING,
                                            "json: unpaired high surrogate escape at offset %zu", p->pos);
                    }
                    p->pos += 12;
                } else {
                    p->pos += 6;
                }
                continue;
            }
            if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: invalid escape '\\%c' at offset %zu",
                                    (e >= 0x20 && e < 0x7f) ? e : '?', p->pos);
            }
            p->pos += 2;
            continue;
        }
        {
            size_t n = payload__utf8_seq(NULL, (const uint8_t *)p->s + p->pos, p->len - p->pos);
            if (n == 0) {
                return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: invalid UTF-8 in string at offset %zu",
                                    p->pos);
            }
            p->pos += n;
        }
    }
    return payload_fail(p->err, PAYLOAD_E_TRUNCATED, "json: unterminated string starting at offset %zu",
                        start - 1);
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

static int parse_number(parser *p, size_t *idx) {
    size_t start = p->pos;
    int r = new_token(p, idx, PAYLOAD_JSON_NUMBER);

    if (r != PAYLOAD_OK) {
        return r;
    }
    if (p->s[p->pos] == '-') {
        p->pos++;
    }
    if (p->pos >= p->len || !is_digit(p->s[p->pos])) {
        return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: malformed number at offset %zu", start);
    }
    if (p->s[p->pos] == '0') {
        p->pos++;
        if (p->pos < p->len && is_digit(p->s[p->pos])) {
            return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: number with leading zero at offset %zu", start);
        }
    } else {
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) {
            return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: malformed fraction at offset %zu", start);
        }
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) {
            return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: malformed exponent at offset %zu", start);
        }
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    }
    p->toks[*idx].len = (uint32_t)(p->pos - start);
    return PAYLOAD_OK;
}

static int parse_literal(parser *p, size_t *idx, const char *word, payload_json_type type) {
    size_t n = strlen(word);
    int r;

    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
        return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: unexpected character at offset %zu", p->pos);
    }
    r = new_token(p, idx, type);
    if (r != PAYLOAD_OK) {
        return r;
    }
    p->toks[*idx].len = (uint32_t)n;
    p->pos += n;
    return PAYLOAD_OK;
}

static int parse_value(parser *p, size_t *idx, unsigned depth);

static int check_duplicate_key(parser *p, size_t obj, size_t key) {
    size_t k = obj + 1;
    const payload_json_tok *t = &p->toks[key];

    while (k < key) {
        const payload_json_tok *o = &p->toks[k];
        if (o->len == t->len && memcmp(p->s + o->start, p->s + t->start, t->len) == 0) {
            return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: duplicate object key '%.*s' at offset %u",
                                (int)(t->len > 40 ? 40 : t->len), p->s + t->start, (unsigned)t->start);
        }
        k = p->toks[k + 1].next; /* skip the key and its value */
    }
    return PAYLOAD_OK;
}

static int parse_container(parser *p, size_t *idx, unsigned depth, int is_object) {
    char close = is_object ? '}' : ']';
    uint32_t count = 0;
    int r;

    if (depth >= p->max_depth) {
        return payload_fail(p->err, PAYLOAD_E_LIMIT, "json: nesting deeper than %u at offset %zu", p->max_depth,
                            p->pos);
    }
    r = new_token(p, idx, is_object ? PAYLOAD_JSON_OBJECT : PAYLOAD_JSON_ARRAY);
    if (r != PAYLOAD_OK) {
        return r;
    }
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        goto done;
    }
    for (;;) {
        size_t child;
        skip_ws(p);
        if (p->pos >= p->len) {
            break;
        }
        if (is_object) {
            if (p->s[p->pos] != '"') {
                return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: expected object key at offset %zu", p->pos);
            }
            r = parse_string(p, &child);
            if (r != PAYLOAD_OK) {
                return r;
            }
            p->toks[child].next = (uint32_t)p->n;
            if (p->toks[child].has_escape) {
                return payload_fail(p->err, PAYLOAD_E_ENCODING,
                                    "json: escape sequence in object key at offset %u", (unsigned)p->toks[child].start);
            }
            r = check_duplicate_key(p, *idx, child);
            if (r != PAYLOAD_OK) {
                return r;
            }
            skip_ws(p);
            if (p->pos >= p->len) {
                break;
            }
            if (p->s[p->pos] != ':') {
                return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: expected ':' at offset %zu", p->pos);
            }
            p->pos++;
            skip_ws(p);
        }
        r = parse_value(p, &child, depth + 1);
        if (r != PAYLOAD_OK) {
            return r;
        }
        count++;
        skip_ws(p);
        if (p->pos >= p->len) {
            break;
        }
        if (p->s[p->pos] == ',') {
            p->pos++;
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == close) {
                return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: trailing comma at offset %zu", p->pos);
            }
            continue;
        }
        if (p->s[p->pos] == close) {
            p->pos++;
            goto done;
        }
        return payload_fail(p->err, PAYLOAD_E_ENCODING, "json: expected ',' or '%c' at offset %zu", close, p->pos);
    }
    return payload_fail(p->err, PAYLOAD_E_TRUNCATED, "json: unterminated %s", is_object ? "object" : "array");
done:
    p->toks[*idx].count = count;
    p->toks[*idx].len = (uint32_t)(p->pos - p->toks[*idx].start);
    return PAYLOAD_OK;
}

static int parse_value(parser *p, size_t *idx, unsigned depth) {
    int r;
    char c;

    skip_ws(p);
    if (p->pos >= p->len) {
        return payload_fail(p->err, PAYLOAD_E_TRUNCATED, "json: value expected at end of input");
    }
    c = p->s[p->pos];
    if (c == '{' || c == '[') {
        r = parse_container(p, idx, depth, c == '{');
    } else if (c == '"') {
        r = parse_string(p, idx);
    } else if (c == '-' || is_digit(c)) {
        r = parse_number(p, idx);
    } else if (c == 't') {
        r = parse_literal(p, idx, "true", PAYLOAD_JSON_TRUE);
    } else if (c == 'f') {
        r = parse_literal(p, idx, "false", PAYLOAD_JSON_FALSE);
    } else if (c == 'n') {
        r = parse_literal(p, idx, "null", PAYLOAD_JSON_NULL);
    } else {
        r = payload_fail(p->err, PAYLOAD_E_ENCODING, "json: unexpected character at offset %zu", p->pos);
    }
    if (r == PAYLOAD_OK) {
        p->toks[*idx].next = (uint32_t)p->n;
    }
    return r;
}

int payload_json_parse(payload_err *err, payload_json *out, payload_json_tok *toks, size_t max_toks,
                       const char *doc, size_t doc_len, unsigned max_depth) {
    parser p;
    size_t root;
    int r;

    payload_err_clear(err);
    memset(out, 0, sizeof(*out));
    if (max_toks == 0 || max_depth == 0 || max_depth > PAYLOAD_JSON_MAX_DEPTH || (doc == NULL && doc_len != 0)) {
        return payload_fail(err, PAYLOAD_E_ARG, "json: invalid arguments");
    }
    if (doc_len > PAYLOAD_JSON_MAX_INPUT) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "json: document of %zu bytes exceeds %u", doc_len,
                            PAYLOAD_JSON_MAX_INPUT);
    }
    memset(&p, 0, sizeof(p));
    p.err = err;
    p.s = doc;
    p.len = doc_len;
    p.toks = toks;
    p.max_toks = max_toks;
    p.max_depth = max_depth;
    r = parse_value(&p, &root, 0);
    if (r != PAYLOAD_OK) {
        return r;
    }
    skip_ws(&p);
    if (p.pos != p.len) {
        return payload_fail(err, PAYLOAD_E_TRAILING, "json: trailing data at offset %zu", p.pos);
    }
    out->doc = doc;
    out->doc_len = doc_len;
    out->toks = toks;
    out->n_toks = p.n;
    return PAYLOAD_OK;
}

size_t payload_json_skip(const payload_json *js, size_t i) {
    return js->toks[i].next;
}

size_t payload_json_member_key(const payload_json *js, size_t obj, size_t i) {
    size_t k, m;

    if (obj >= js->n_toks || js->toks[obj].type != PAYLOAD_JSON_OBJECT || i >= js->toks[obj].count) {
        return 0;
    }
    k = obj + 1;
    for (m = 0; m < i; m++) {
        k = js->toks[k + 1].next;
    }
    return k;
}

size_t payload_json_get(const payload_json *js, size_t obj, const char *key) {
    size_t k, m, n = strlen(key);

    if (obj >= js->n_toks || js->toks[obj].type != PAYLOAD_JSON_OBJECT) {
        return 0;
    }
    k = obj + 1;
    for (m = 0; m < js->toks[obj].count; m++) {
        /* Keys never contain escapes (the parser refuses them), so a byte compare is exact. */
        if (js->toks[k].len == n && memcmp(js->doc + js->toks[k].start, key, n) == 0) {
            return k + 1;
        }
        k = js->toks[k + 1].next;
    }
    return 0;
}

size_t payload_json_at(const payload_json *js, size_t arr, size_t i) {
    size_t k, m;

    if (arr >= js->n_toks || js->toks[arr].type != PAYLOAD_JSON_ARRAY || i >= js->toks[arr].count) {
        return 0;
    }
    k = arr + 1;
    for (m = 0; m < i; m++) {
        k = js->toks[k].next;
    }
    return k;
}

static size_t put_utf8(char *out, unsigned long cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decodes the character at s[*pos] of a validated string body into tmp; returns its byte count. */
static size_t unescape_next(char tmp[4], const char *s, size_t len, size_t *pos) {
    size_t p = *pos;
    char e;

    if (s[p] != '\\') {
        tmp[0] = s[p];
        *pos = p + 1;
        return 1;
    }
    e = s[p + 1];
    if (e == 'u') {
        /* The tokenizer validated the escape and any surrogate pair. */
        unsigned long cp = (unsigned long)read_u16(s, len, p + 1);
        p += 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            unsigned long lo = (unsigned long)read_u16(s, len, p + 1);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
        }
        *pos = p;
        return put_utf8(tmp, cp);
    }
    tmp[0] = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
    *pos = p + 2;
    return 1;
}

int payload_json_string(payload_err *err, char *out, size_t out_size, size_t *out_len, const payload_json *js,
                        size_t i) {
    const payload_json_tok *t;
    const char *s;
    size_t pos = 0, o = 0;

    if (i >= js->n_toks || js->toks[i].type != PAYLOAD_JSON_STRING) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "json: expected a string");
    }
    if (out_size == 0) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "json: no room for string");
    }
    t = &js->toks[i];
    s = js->doc + t->start;
    while (pos < t->len) {
        char tmp[4];
        size_t n = unescape_next(tmp, s, t->len, &pos);
        if (out_size - o < n + 1) {
            return payload_fail(err, PAYLOAD_E_OUTPUT, "json: string longer than %zu bytes", out_size - 1);
        }
        memcpy(out + o, tmp, n);
        o += n;
    }
    out[o] = '\0';
    *out_len = o;
    return PAYLOAD_OK;
}

int payload_json_streq(const payload_json *js, size_t i, const char *str) {
    const payload_json_tok *t;
    const char *s;
    size_t pos = 0, o = 0, n = strlen(str);

    if (i >= js->n_toks || js->toks[i].type != PAYLOAD_JSON_STRING) {
        return 0;
    }
    t = &js->toks[i];
    s = js->doc + t->start;
    while (pos < t->len) {
        char tmp[4];
        size_t k = unescape_next(tmp, s, t->len, &pos);
        if (n - o < k || memcmp(str + o, tmp, k) != 0) {
            return 0;
        }
        o += k;
    }
    return o == n;
}
