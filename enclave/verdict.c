#include "verdict.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enc_bytes.h"

/* request id length, key id, payload type, digest, sigid, derived pk, decision, summary length */
#define VERDICT_FIXED_V1 (2u + 32u + 4u + 32u + 32u + 33u + 1u + 4u)
/* v2 adds the fingerprint subject and the hex and words lengths */
#define VERDICT_FIXED_V2 (VERDICT_FIXED_V1 + 32u + 4u + 4u)

/* A text with a be32 length prefix: NULL only when empty, at most UINT32_MAX bytes. */
static int text_check(const char *s, size_t len) {
    if (s == NULL && len != 0)
        return ENC_VERDICT_E_NULL;
    if (len > UINT32_MAX)
        return ENC_VERDICT_E_LENGTH;
    return 0;
}

/* Validate f; on success the version (1 or 2) and the message length. */
static int verdict_layout(uint32_t *version, size_t *len, const enc_verdict_fields *f) {
    size_t total;
    int r;

    if (f == NULL)
        return ENC_VERDICT_E_NULL;
    if (f->version > 2)
        return ENC_VERDICT_E_VERSION;
    if (f->key_id == NULL || f->digest == NULL || f->sigid == NULL || f->derived_pk == NULL ||
            (f->request_id == NULL && f->request_id_len != 0))
        return ENC_VERDICT_E_NULL;
    if (f->request_id_len > ENC_VERDICT_MAX_REQUEST_ID)
        return ENC_VERDICT_E_LENGTH;
    if (f->decision != ENC_VERDICT_ALLOW && f->decision != ENC_VERDICT_DENY)
        return ENC_VERDICT_E_DECISION;
    if ((r = text_check(f->summary, f->summary_len)) != 0)
        return r;
    /* Each term is at most UINT32_MAX, so the sum cannot wrap a 64-bit size_t; check anyway. */
    total = VERDICT_FIXED_V1 + f->request_id_len;
    if (f->summary_len > SIZE_MAX - total)
        return ENC_VERDICT_E_LENGTH;
    total += f->summary_len;
    if (f->version == 2) {
        if (f->fingerprint_subject == NULL)
            return ENC_VERDICT_E_NULL;
        if ((r = text_check(f->fingerprint_hex, f->fingerprint_hex_len)) != 0 ||
                (r = text_check(f->fingerprint_words, f->fingerprint_words_len)) != 0)
            return r;
        if (f->fingerprint_hex_len > SIZE_MAX - total - (VERDICT_FIXED_V2 - VERDICT_FIXED_V1))
            return ENC_VERDICT_E_LENGTH;
        total += (VERDICT_FIXED_V2 - VERDICT_FIXED_V1) + f->fingerprint_hex_len;
        if (f->fingerprint_words_len > SIZE_MAX - total)
            return ENC_VERDICT_E_LENGTH;
        total += f->fingerprint_words_len;
    }
    *version = f->version == 2 ? 2 : 1;
    *len = total;
    return 0;
}

static unsigned char *put_bytes(unsigned char *p, const void *s, size_t len) {
    if (len > 0)
        memcpy(p, s, len);
    return p + len;
}

static unsigned char *put_text(unsigned char *p, const char *s, size_t len) {
    enc_put_be32(p, (uint32_t)len);
    return put_bytes(p + 4, s, len);
}

/* Write the message of a validated f (verdict_layout) at p. */
static void verdict_write(unsigned char *p, uint32_t version, const enc_verdict_fields *f) {
    enc_put_be16(p, (uint16_t)f->request_id_len);
    p = put_bytes(p + 2, f->request_id, f->request_id_len);
    p = put_bytes(p, f->key_id, 32);
    enc_put_be32(p, f->payload_type);
    p = put_bytes(p + 4, f->digest, 32);
    p = put_bytes(p, f->sigid, 32);
    p = put_bytes(p, f->derived_pk, 33);
    *p++ = (unsigned char)f->decision;
    if (version == 2) {
        p = put_bytes(p, f->fingerprint_subject, 32);
        p = put_text(p, f->fingerprint_hex, f->fingerprint_hex_len);
        p = put_text(p, f->fingerprint_words, f->fingerprint_words_len);
    }
    put_text(p, f->summary, f->summary_len);
}

int enc_verdict_encode(unsigned char **out, size_t *out_len, const enc_verdict_fields *f) {
    unsigned char *m;
    uint32_t version = 0;
    size_t len = 0;
    int r;

    if (out == NULL || out_len == NULL)
        return ENC_VERDICT_E_NULL;
    if ((r = verdict_layout(&version, &len, f)) != 0)
        return r;
    if ((m = malloc(len)) == NULL)
        return ENC_VERDICT_E_NOMEM;
    verdict_write(m, version, f);
    *out = m;
    *out_len = len;
    return 0;
}

int enc_verdict_verify(const unsigned char sig[64], const unsigned char identity_pk[32],
        const enc_verdict_fields *f) {
    unsigned char *m = NULL;
    const char *label;
    uint32_t version = 0;
    size_t len = 0, label_len;
    int r;

    if (sig == NULL || identity_pk == NULL)
        return ENC_VERDICT_E_NULL;
    if ((r = verdict_layout(&version, &len, f)) != 0)
        goto out;
    if (sodium_init() < 0) {
        r = ENC_VERDICT_E_INTERNAL;
        goto out;
    }
    label = version == 2 ? ENC_VERDICT_LABEL_V2 : ENC_VERDICT_LABEL_V1;
    label_len = strlen(label);
    if (len > SIZE_MAX - label_len - 1) {
        r = ENC_VERDICT_E_LENGTH;
        goto out;
    }
    if ((m = malloc(label_len + 1 + len)) == NULL) {
        r = ENC_VERDICT_E_NOMEM;
        goto out;
    }
    memcpy(m, label, label_len);
    m[label_len] = 0;
    verdict_write(m + label_len + 1, version, f);
    r = crypto_sign_verify_detached(sig, m, label_len + 1 + len, identity_pk) == 0 ? 0 : ENC_VERDICT_E_SIGNATURE;
out:
    free(m);
    return r;
}

const char *enc_verdict_strerror(int err) {
    switch (err) {
    case 0: return "ok";
    case ENC_VERDICT_E_INTERNAL: return "verdict: libsodium could not be initialised";
    case ENC_VERDICT_E_NOMEM: return "verdict: out of memory";
    case ENC_VERDICT_E_VERSION: return "verdict: unknown version (not 1 or 2)";
    case ENC_VERDICT_E_NULL: return "verdict: a required field is missing";
    case ENC_VERDICT_E_LENGTH: return "verdict: request id longer than 64 bytes or text too long";
    case ENC_VERDICT_E_DECISION: return "verdict: decision is neither allow nor deny";
    case ENC_VERDICT_E_SIGNATURE: return "verdict: signature does not verify under the enclave identity key";
    default: return "verdict: unknown error";
    }
}
