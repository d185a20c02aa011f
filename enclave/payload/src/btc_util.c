#include "btc_util.h"

#include <string.h>

void payload_btc_reader_init(payload_btc_reader *r, const uint8_t *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
}

size_t payload_btc_reader_left(const payload_btc_reader *r)
{
    return r->len - r->pos;
}

static int need(payload_err *err, const payload_btc_reader *r, size_t n, const char *what)
{
    if (n > r->len - r->pos) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "%s: needs %zu bytes at offset %zu, only %zu left",
                what, n, r->pos, r->len - r->pos);
    }
    return PAYLOAD_OK;
}

/* Little-endian integer of n bytes at the reader's position; the caller checked the length. */
static uint64_t take_le(payload_btc_reader *r, size_t n)
{
    uint64_t v = 0;

    for (size_t i = n; i > 0; i--) {
        v = v << 8 | r->buf[r->pos + i - 1];
    }
    r->pos += n;
    return v;
}

int payload_btc_read_bytes(payload_err *err, const uint8_t **out, payload_btc_reader *r, size_t n, const char *what)
{
    int ret = need(err, r, n, what);

    if (ret == PAYLOAD_OK) {
        *out = r->buf + r->pos;
        r->pos += n;
    }
    return ret;
}

int payload_btc_read_u8(payload_err *err, uint8_t *out, payload_btc_reader *r, const char *what)
{
    int ret = need(err, r, 1, what);

    if (ret == PAYLOAD_OK) {
        *out = (uint8_t)take_le(r, 1);
    }
    return ret;
}

int payload_btc_read_u32le(payload_err *err, uint32_t *out, payload_btc_reader *r, const char *what)
{
    int ret = need(err, r, 4, what);

    if (ret == PAYLOAD_OK) {
        *out = (uint32_t)take_le(r, 4);
    }
    return ret;
}

int payload_btc_read_u64le(payload_err *err, uint64_t *out, payload_btc_reader *r, const char *what)
{
    int ret = need(err, r, 8, what);

    if (ret == PAYLOAD_OK) {
        *out = take_le(r, 8);
    }
    return ret;
}

int payload_btc_read_compact(payload_err *err, uint64_t *out, payload_btc_reader *r, const char *what)
{
    uint8_t first = 0;
    size_t n;
    uint64_t v, min;
    int ret = payload_btc_read_u8(err, &first, r, what);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (first < 0xfd) {
        *out = first;
        return PAYLOAD_OK;
    }
    n = first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
    min = first == 0xfd ? 0xfd : first == 0xfe ? 0x10000 : 0x100000000;
    ret = need(err, r, n, what);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    v = take_le(r, n);
    if (v < min) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "%s: non-canonical compact size (%llu in %zu bytes)",
                what, (unsigned long long)v, n + 1);
    }
    *out = v;
    return PAYLOAD_OK;
}

int payload_btc_read_var_bytes(payload_err *err, payload_btc_bytes *out, payload_btc_reader *r, const char *what)
{
    uint64_t n = 0;
    const uint8_t *p = NULL;
    int ret = payload_btc_read_compact(err, &n, r, what);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (n > payload_btc_reader_left(r)) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "%s: length %llu exceeds the %zu bytes left", what,
                (unsigned long long)n, payload_btc_reader_left(r));
    }
    ret = payload_btc_read_bytes(err, &p, r, (size_t)n, what);
    if (ret == PAYLOAD_OK) {
        out->data = p;
        out->len = (size_t)n;
    }
    return ret;
}

int payload_btc_hasher_init(payload_err *err, payload_btc_hasher *h)
{
    h->failed = 0;
    h->md = EVP_MD_CTX_new();
    if (h->md == NULL || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
        payload_btc_hasher_free(h);
        return payload_fail(err, PAYLOAD_E_INTERNAL, "sha256: OpenSSL context setup failed");
    }
    return PAYLOAD_OK;
}

void payload_btc_hasher_update(payload_btc_hasher *h, const void *data, size_t len)
{
    if (h->md == NULL || EVP_DigestUpdate(h->md, data, len) != 1) {
        h->failed = 1;
    }
}

int payload_btc_hasher_final_sha256d(payload_err *err, uint8_t out32[32], payload_btc_hasher *h)
{
    uint8_t first[32];
    unsigned int n = 0;
    int ok = h->md != NULL && !h->failed && EVP_DigestFinal_ex(h->md, first, &n) == 1 && n == 32;

    payload_btc_hasher_free(h);
    if (!ok) {
        return payload_fail(err, PAYLOAD_E_INTERNAL, "sha256: OpenSSL digest failed");
    }
    return payload_btc_sha256(err, out32, first, sizeof first);
}

void payload_btc_hasher_free(payload_btc_hasher *h)
{
    EVP_MD_CTX_free(h->md);
    h->md = NULL;
}

void payload_btc_writer_init_buf(payload_btc_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->hash = NULL;
    w->overflow = 0;
}

void payload_btc_writer_init_hash(payload_btc_writer *w, payload_btc_hasher *h)
{
    w->buf = NULL;
    w->cap = 0;
    w->len = 0;
    w->hash = h;
    w->overflow = 0;
}

void payload_btc_write_bytes(payload_btc_writer *w, const void *data, size_t n)
{
    if (w->hash != NULL) {
        payload_btc_hasher_update(w->hash, data, n);
        w->len += n;
        return;
    }
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    if (n > 0) {
        memcpy(w->buf + w->len, data, n);
    }
    w->len += n;
}

void payload_btc_write_u8(payload_btc_writer *w, uint8_t v)
{
    payload_btc_write_bytes(w, &v, 1);
}

void payload_btc_write_u32le(payload_btc_writer *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

    payload_btc_write_bytes(w, b, sizeof b);
}

void payload_btc_write_u64le(payload_btc_writer *w, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    payload_btc_write_bytes(w, b, sizeof b);
}

void payload_btc_write_compact(payload_btc_writer *w, uint64_t v)
{
    if (v < 0xfd) {
        payload_btc_write_u8(w, (uint8_t)v);
    } else if (v <= 0xffff) {
        uint8_t b[3] = { 0xfd, (uint8_t)v, (uint8_t)(v >> 8) };
        payload_btc_write_bytes(w, b, sizeof b);
    } else if (v <= 0xffffffff) {
        payload_btc_write_u8(w, 0xfe);
        payload_btc_write_u32le(w, (uint32_t)v);
    } else {
        payload_btc_write_u8(w, 0xff);
        payload_btc_write_u64le(w, v);
    }
}

int payload_btc_writer_status(payload_err *err, const payload_btc_writer *w, const char *what)
{
    if (w->overflow) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "%s: output buffer of %zu bytes is too small", what, w->cap);
    }
    return PAYLOAD_OK;
}

static int digest(payload_err *err, uint8_t *out, size_t out_len, const EVP_MD *md, const uint8_t *in,
        size_t len, const char *name)
{
    unsigned int n = 0;

    if (md == NULL || EVP_Digest(in, len, out, &n, md, NULL) != 1 || n != out_len) {
        return payload_fail(err, PAYLOAD_E_INTERNAL, "%s: OpenSSL digest failed", name);
    }
    return PAYLOAD_OK;
}

int payload_btc_sha256(payload_err *err, uint8_t out32[32], const uint8_t *in, size_t len)
{
    return digest(err, out32, 32, EVP_sha256(), in, len, "sha256");
}

int payload_btc_sha256d(payload_err *err, uint8_t out32[32], const uint8_t *in, size_t len)
{
    uint8_t first[32];
    int ret = payload_btc_sha256(err, first, in, len);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    return payload_btc_sha256(err, out32, first, sizeof first);
}

int payload_btc_hash160(payload_err *err, uint8_t out20[20], const uint8_t *in, size_t len)
{
    uint8_t first[32];
    int ret = payload_btc_sha256(err, first, in, len);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    return payload_btc_ripemd160(err, out20, first, sizeof first);
}

int payload_btc_ripemd160(payload_err *err, uint8_t out20[20], const uint8_t *in, size_t len)
{
    return digest(err, out20, 20, EVP_ripemd160(), in, len, "ripemd160");
}
