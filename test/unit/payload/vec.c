#include "vec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void vec_load(vec_file *f, const char *rel) {
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", MPC_VECTORS_DIR, rel);
    vec_load_path(f, path);
}

void vec_load_path(vec_file *f, const char *path) {
    FILE *fp;
    long size;
    size_t max_toks;
    payload_err err;

    fp = fopen(path, "rb");
    if (fp == NULL) {
        fail_msg("cannot open vector file %s", path);
    }
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    size = ftell(fp);
    assert_true(size > 0);
    assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
    f->text = malloc((size_t)size + 1);
    assert_non_null(f->text);
    assert_int_equal(fread(f->text, 1, (size_t)size, fp), (size_t)size);
    f->text[size] = '\0';
    fclose(fp);
    max_toks = (size_t)size; /* every value needs at least one byte */
    f->toks = calloc(max_toks, sizeof(*f->toks));
    assert_non_null(f->toks);
    if (payload_json_parse(&err, &f->js, f->toks, max_toks, f->text, (size_t)size, PAYLOAD_JSON_MAX_DEPTH) !=
        PAYLOAD_OK) {
        fail_msg("%s: %s", path, err.msg);
    }
}

void vec_free(vec_file *f) {
    free(f->text);
    free(f->toks);
    memset(f, 0, sizeof(*f));
}

size_t vec_get(const vec_file *f, size_t obj, const char *key) {
    size_t i = payload_json_get(&f->js, obj, key);
    if (i == 0) {
        fail_msg("vector member '%s' missing", key);
    }
    return i;
}

char *vec_str(const vec_file *f, size_t i, size_t *len) {
    size_t cap = f->toks[i].len + 1, n;
    char *s = malloc(cap);
    payload_err err;

    assert_non_null(s);
    if (payload_json_string(&err, s, cap, &n, &f->js, i) != PAYLOAD_OK) {
        fail_msg("vector string: %s", err.msg);
    }
    if (len != NULL) {
        *len = n;
    }
    return s;
}

static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

uint8_t *hex_dup(const char *hex, size_t *len) {
    size_t n, i;
    uint8_t *out;

    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
        hex += 2;
    }
    n = strlen(hex);
    if (n % 2 != 0) {
        fail_msg("odd-length hex in vector: %s", hex);
    }
    out = malloc(n / 2 + 1);
    assert_non_null(out);
    for (i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fail_msg("bad hex in vector: %s", hex);
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

uint8_t *vec_hex(const vec_file *f, size_t i, size_t *len) {
    char *s = vec_str(f, i, NULL);
    uint8_t *out = hex_dup(s, len);
    free(s);
    return out;
}

void vec_hex_n(const vec_file *f, size_t i, uint8_t *out, size_t n) {
    size_t len;
    uint8_t *b = vec_hex(f, i, &len);
    assert_int_equal(len, n);
    memcpy(out, b, n);
    free(b);
}

void dec_to_be(const char *dec, size_t len, uint8_t *out, size_t out_len) {
    size_t i, j;

    memset(out, 0, out_len);
    for (i = 0; i < len; i++) {
        unsigned carry;
        if (dec[i] < '0' || dec[i] > '9') {
            fail_msg("bad decimal digit in vector: %.*s", (int)len, dec);
        }
        carry = (unsigned)(dec[i] - '0');
        for (j = out_len; j-- > 0;) {
            unsigned v = out[j] * 10u + carry;
            out[j] = (uint8_t)(v & 0xff);
            carry = v >> 8;
        }
        if (carry != 0) {
            fail_msg("decimal in vector exceeds %zu bytes: %.*s", out_len, (int)len, dec);
        }
    }
}

void dec_to_uint256(const char *dec, size_t len, uint8_t out[32]) {
    dec_to_be(dec, len, out, 32);
}

void vec_uint256(const vec_file *f, size_t i, uint8_t out[32]) {
    const payload_json_tok *t = &f->toks[i];

    if (t->type == PAYLOAD_JSON_NUMBER) {
        dec_to_uint256(f->text + t->start, t->len, out);
        return;
    }
    {
        char *s = vec_str(f, i, NULL);
        if (s[0] == '0' && s[1] == 'x') {
            size_t n;
            uint8_t *b = hex_dup(s, &n);
            assert_true(n <= 32);
            memset(out, 0, 32);
            memcpy(out + 32 - n, b, n);
            free(b);
        } else {
            dec_to_uint256(s, strlen(s), out);
        }
        free(s);
    }
}
