/* Parser of the signer's operator socket answers for mpc-approve (approve_reply.h). */
#include "approve_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "payload/summary.h"

static int fail(approve_reply_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(approve_reply_err *err, int code, const char *fmt, ...) {
    va_list ap;

    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

static int malformed(approve_reply_err *err, const char *what) {
    return fail(err, APPROVE_REPLY_E_MALFORMED, "%s", what);
}

/* 1 when s[0..len) is well-formed UTF-8 without control characters (C0 except TAB when allow_tab,
 * DEL, C1): nothing in a valid answer needs them, and they must not reach the terminal. */
static int text_ok(const char *s, size_t len, int allow_tab) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    uint32_t cp, min;
    size_t i, n;

    while (p < end) {
        if (*p < 0x80) {
            if ((*p < 0x20 && !(allow_tab && *p == '\t')) || *p == 0x7f)
                return 0;
            p++;
            continue;
        }
        if (*p >= 0xc2 && *p <= 0xdf) {
            n = 1, cp = *p & 0x1fu, min = 0x80;
        } else if (*p >= 0xe0 && *p <= 0xef) {
            n = 2, cp = *p & 0x0fu, min = 0x800;
        } else if (*p >= 0xf0 && *p <= 0xf4) {
            n = 3, cp = *p & 0x07u, min = 0x10000;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= n)
            return 0;
        for (i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f)
            return 0;
        p += n + 1;
    }
    return 1;
}

/* Next line, without its '\n'. */
static int next_line(approve_reply_err *err, const char **line, size_t *len, approve_reply_cursor *c, int allow_tab) {
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));

    if (nl == NULL)
        return malformed(err, c->p == c->end ? "the answer ends early" : "the last line does not end with a newline");
    if (!text_ok(c->p, (size_t)(nl - c->p), allow_tab))
        return malformed(err, "a line holds control characters or invalid UTF-8");
    *line = c->p;
    *len = (size_t)(nl - c->p);
    c->p = nl + 1;
    return APPROVE_REPLY_OK;
}

/* Lower-case hex of exactly n bytes. */
static int lower_hex(unsigned char *out, size_t n, const char *s, size_t len) {
    size_t i, k;
    unsigned v[2];

    if (len != 2 * n)
        return -1;
    for (i = 0; i < n; i++) {
        for (k = 0; k < 2; k++) {
            const char ch = s[2 * i + k];

            if (ch >= '0' && ch <= '9')
                v[k] = (unsigned)(ch - '0');
            else if (ch >= 'a' && ch <= 'f')
                v[k] = (unsigned)(ch - 'a' + 10);
            else
                return -1;
        }
        out[i] = (unsigned char)(v[0] << 4 | v[1]);
    }
    return 0;
}

/* Decimal uint32 without leading zeros. */
static int dec_u32(uint32_t *out, const char *s, size_t len) {
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* "allow" -> 1, "deny" -> 2. */
static int decision_word(uint32_t *out, const char *s, size_t len) {
    if (len == 5 && memcmp(s, "allow", 5) == 0)
        *out = 1;
    else if (len == 4 && memcmp(s, "deny", 4) == 0)
        *out = 2;
    else
        return -1;
    return 0;
}

void approve_reply_begin(approve_reply_cursor *c, const char *answer, size_t len) {
    c->p = answer;
    c->end = answer + len;
}

int approve_reply_status(approve_reply_err *err, const char **text, size_t *text_len, approve_reply_cursor *c) {
    const char *line;
    size_t len;
    int r;

    if ((r = next_line(err, &line, &len, c, 0)) != APPROVE_REPLY_OK)
        return r;
    if (len == 2 && memcmp(line, "ok", 2) == 0) {
        *text = line + 2;
        *text_len = 0;
        return APPROVE_REPLY_OK;
    }
    if (len > 3 && memcmp(line, "ok ", 3) == 0) {
        *text = line + 3;
        *text_len = len - 3;
        return APPROVE_REPLY_OK;
    }
    if (len > 6 && memcmp(line, "error ", 6) == 0) {
        if (c->p != c->end)
            return malformed(err, "bytes after the error line");
        return fail(err, APPROVE_REPLY_E_REFUSED, "%.*s", (int)(len - 6), line + 6);
    }
    return malformed(err, "the first line is neither \"ok\" nor \"error MESSAGE\"");
}

int approve_reply_end(approve_reply_err *err, const approve_reply_cursor *c) {
    return c->p == c->end ? APPROVE_REPLY_OK : malformed(err, "bytes after the last expected line");
}

/* One "name: value" line (an empty value may also be written "name:"). */
static int field(approve_reply_err *err, const char **value, size_t *value_len, approve_reply_cursor *c,
                 const char *name) {
    size_t n = strlen(name), len;
    const char *line;
    int r;

    if ((r = next_line(err, &line, &len, c, 0)) != APPROVE_REPLY_OK)
        return r;
    if (len < n + 1 || memcmp(line, name, n) != 0 || line[n] != ':' || (len > n + 1 && line[n + 1] != ' '))
        return fail(err, APPROVE_REPLY_E_MALFORMED, "expected the line \"%s: ...\"", name);
    *value = len > n + 1 ? line + n + 2 : line + len;
    *value_len = len > n + 1 ? len - n - 2 : 0;
    return APPROVE_REPLY_OK;
}

static int hex_field(approve_reply_err *err, unsigned char *out, size_t n, approve_reply_cursor *c, const char *name) {
    const char *v;
    size_t len;
    int r;

    if ((r = field(err, &v, &len, c, name)) != APPROVE_REPLY_OK)
        return r;
    if (lower_hex(out, n, v, len) != 0)
        return fail(err, APPROVE_REPLY_E_MALFORMED, "%s is not %zu lower-case hex digits", name, 2 * n);
    return APPROVE_REPLY_OK;
}

static int u32_field(approve_reply_err *err, uint32_t *out, approve_reply_cursor *c, const char *name) {
    const char *v;
    size_t len;
    int r;

    if ((r = field(err, &v, &len, c, name)) != APPROVE_REPLY_OK)
        return r;
    if (dec_u32(out, v, len) != 0)
        return fail(err, APPROVE_REPLY_E_MALFORMED, "%s is not a decimal number", name);
    return APPROVE_REPLY_OK;
}

int approve_reply_show(approve_reply_err *err, approve_show *out, const char *answer, size_t len) {
    approve_reply_cursor c;
    const char *v, *line = NULL;
    size_t vlen, i;
    int r;

    memset(out, 0, sizeof(*out));
    approve_reply_begin(&c, answer, len);
    if ((r = approve_reply_status(err, &v, &vlen, &c)) != APPROVE_REPLY_OK)
        return r;
    if (vlen != 0)
        return malformed(err, "text after \"ok\" on the first line of a show answer");
    if ((r = hex_field(err, out->request_id, 32, &c, "request-id")) != APPROVE_REPLY_OK ||
        (r = hex_field(err, out->key_id, 32, &c, "key-id")) != APPROVE_REPLY_OK ||
        (r = u32_field(err, &out->payload_type, &c, "payload-type")) != APPROVE_REPLY_OK ||
        (r = hex_field(err, out->digest, 32, &c, "digest")) != APPROVE_REPLY_OK ||
        (r = hex_field(err, out->session_id, 32, &c, "session-id")) != APPROVE_REPLY_OK ||
        (r = hex_field(err, out->public_key, 33, &c, "public-key")) != APPROVE_REPLY_OK ||
        (r = field(err, &v, &vlen, &c, "decision")) != APPROVE_REPLY_OK)
        return r;
    if (decision_word(&out->decision, v, vlen) != 0)
        return malformed(err, "decision is neither allow nor deny");
    if ((r = u32_field(err, &out->version, &c, "verdict-version")) != APPROVE_REPLY_OK)
        return r;
    if (out->version != 1 && out->version != 2)
        return malformed(err, "verdict-version is neither 1 nor 2");
    if ((r = field(err, &v, &vlen, &c, "fingerprint-subject")) != APPROVE_REPLY_OK)
        return r;
    if (out->version == 2 ? lower_hex(out->fingerprint_subject, 32, v, vlen) != 0 : vlen != 0)
        return malformed(err, "fingerprint-subject is not 64 lower-case hex digits (version 2) or empty (version 1)");
    if ((r = field(err, &out->fingerprint, &out->fingerprint_len, &c, "fingerprint")) != APPROVE_REPLY_OK ||
        (r = field(err, &out->words, &out->words_len, &c, "fingerprint-words")) != APPROVE_REPLY_OK)
        return r;
    if (out->version == 1 && out->words_len != 0)
        return malformed(err, "fingerprint-words in a version-1 verdict");
    if ((r = u32_field(err, &out->approvals_required, &c, "approvals-required")) != APPROVE_REPLY_OK ||
        (r = hex_field(err, out->identity, 32, &c, "enclave-identity")) != APPROVE_REPLY_OK ||
        (r = hex_field(err, out->signature, 64, &c, "verdict-signature")) != APPROVE_REPLY_OK ||
        (r = u32_field(err, &out->summary_lines, &c, "summary-lines")) != APPROVE_REPLY_OK)
        return r;
    /* The rest of the answer is the summary: its lines joined with '\n', without a final '\n' of
     * the framing (a summary that ends with '\n' has an empty last line). */
    out->summary = c.p;
    out->summary_len = (size_t)(c.end - c.p);
    for (i = 1;; i++) {
        line = memchr(c.p, '\n', (size_t)(c.end - c.p));
        vlen = (size_t)((line != NULL ? line : c.end) - c.p);
        if (!text_ok(c.p, vlen, 0))
            return malformed(err, "a summary line holds control characters or invalid UTF-8");
        if (line == NULL)
            break;
        c.p = line + 1;
    }
    if (i != out->summary_lines)
        return fail(err, APPROVE_REPLY_E_MALFORMED, "summary-lines says %u, the summary has %zu lines",
                    (unsigned)out->summary_lines, i);
    return APPROVE_REPLY_OK;
}

int approve_reply_pending_begin(approve_reply_err *err, uint32_t *n, approve_reply_cursor *c, const char *answer,
                                size_t len) {
    const char *text;
    size_t text_len;
    int r;

    approve_reply_begin(c, answer, len);
    if ((r = approve_reply_status(err, &text, &text_len, c)) != APPROVE_REPLY_OK)
        return r;
    if (dec_u32(n, text, text_len) != 0)
        return malformed(err, "\"ok\" is not followed by the number of pending requests");
    return APPROVE_REPLY_OK;
}

int approve_reply_pending_row(approve_reply_err *err, approve_pending_row *row, approve_reply_cursor *c) {
    const char *line, *f[6], *tab, *p;
    size_t len, flen[6], k;
    char name[16];
    int r;

    memset(row, 0, sizeof(*row));
    if ((r = next_line(err, &line, &len, c, 1)) != APPROVE_REPLY_OK)
        return r;
    p = line;
    for (k = 0; k < 6; k++) {
        tab = memchr(p, '\t', (size_t)(line + len - p));
        if ((k < 5) != (tab != NULL))
            return malformed(err, "a pending row does not have exactly six TAB-separated fields");
        f[k] = p;
        flen[k] = (size_t)((tab != NULL ? tab : line + len) - p);
        p += flen[k] + 1;
    }
    if (lower_hex(row->request_id, 32, f[0], flen[0]) != 0 || lower_hex(row->key_id, 32, f[1], flen[1]) != 0)
        return malformed(err, "a pending request id or key id is not 64 lower-case hex digits");
    if (flen[2] >= sizeof(name))
        return malformed(err, "unknown payload type name in a pending row");
    memcpy(name, f[2], flen[2]);
    name[flen[2]] = '\0';
    if ((row->payload_type = payload_type_from_name(name)) == 0)
        return malformed(err, "unknown payload type name in a pending row");
    if (decision_word(&row->decision, f[3], flen[3]) != 0)
        return malformed(err, "a pending decision is neither allow nor deny");
    if (dec_u32(&row->approvals_required, f[4], flen[4]) != 0)
        return malformed(err, "a pending approvals count is not a decimal number");
    row->headline = f[5];
    row->headline_len = flen[5];
    return APPROVE_REPLY_OK;
}
