#include "audit.h"

#include <string.h>

#include <sodium.h>

#include "enc_bytes.h"
#include "enc_error.h"

static const unsigned char audit_magic[4] = {'M', 'P', 'A', 'R'};
static const char audit_sig_label[] = "mpc-enclave/audit/v1";
static const char audit_hash_label[] = "mpc-enclave/audit/hash/v1";

static int audit_type_known(uint16_t type) {
    return type >= ENC_AUDIT_START && type <= ENC_AUDIT_SHUTDOWN;
}

int enc_audit_parse(enc_audit_record *rec, const unsigned char *buf, size_t len) {
    enc_audit_record t;

    if (len < 8)
        return ENC_AUDIT_E_TRUNCATED;
    if (memcmp(buf, audit_magic, sizeof(audit_magic)) != 0)
        return ENC_AUDIT_E_MAGIC;
    if (enc_get_be16(buf + 4) != ENC_AUDIT_VERSION)
        return ENC_AUDIT_E_VERSION;
    t.type = enc_get_be16(buf + 6);
    if (!audit_type_known(t.type))
        return ENC_AUDIT_E_TYPE;
    if (len < ENC_AUDIT_HEADER_BYTES)
        return ENC_AUDIT_E_TRUNCATED;
    t.seq = enc_get_be64(buf + 8);
    t.timestamp_ms = enc_get_be64(buf + 16);
    t.prev_hash = buf + 24;
    t.payload_len = enc_get_be32(buf + 56);
    if (t.payload_len > ENC_AUDIT_MAX_PAYLOAD)
        return ENC_AUDIT_E_TOO_LONG;
    t.len = ENC_AUDIT_HEADER_BYTES + (size_t)t.payload_len + ENC_AUDIT_SIG_BYTES;
    if (len < t.len)
        return ENC_AUDIT_E_TRUNCATED;
    t.payload = buf + ENC_AUDIT_HEADER_BYTES;
    t.sig = t.payload + t.payload_len;
    *rec = t;
    return ENC_OK;
}

void enc_audit_record_hash(unsigned char hash32[32], const unsigned char *record, size_t len) {
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, ENC_AUDIT_HASH_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)audit_hash_label, sizeof(audit_hash_label));
    crypto_generichash_update(&st, record, len);
    crypto_generichash_final(&st, hash32, ENC_AUDIT_HASH_BYTES);
}

/* Signature check of a parsed record; ENC_AUDIT_E_SIGNATURE if it does not verify under pk32. */
static int audit_check_sig(const enc_audit_record *rec, const unsigned char *bytes, const unsigned char pk32[32]) {
    int r = enc_identity_verify(pk32, rec->sig, audit_sig_label, bytes, rec->len - ENC_AUDIT_SIG_BYTES);

    return r == ENC_E_SIGNATURE ? ENC_AUDIT_E_SIGNATURE : r;
}

void enc_audit_writer_init(enc_audit_writer *w, const enc_identity *id) {
    w->id = id;
    w->next_seq = 0;
    memset(w->prev_hash, 0, sizeof(w->prev_hash));
}

int enc_audit_writer_resume(enc_audit_writer *w, const enc_identity *id, const unsigned char *last,
        size_t last_len) {
    enc_audit_record rec;
    unsigned char pk[ENC_IDENTITY_PK_BYTES];
    int r;

    if ((r = enc_audit_parse(&rec, last, last_len)) != ENC_OK)
        return r;
    if (rec.len != last_len)
        return ENC_AUDIT_E_TRAILING;
    enc_identity_public_key(id, pk);
    if ((r = audit_check_sig(&rec, last, pk)) != ENC_OK)
        return r;
    if (rec.seq == UINT64_MAX)
        return ENC_AUDIT_E_SEQUENCE;
    w->id = id;
    w->next_seq = rec.seq + 1;
    enc_audit_record_hash(w->prev_hash, last, last_len);
    return ENC_OK;
}

int enc_audit_append(enc_audit_writer *w, unsigned char *out, size_t out_cap, size_t *out_len,
        uint16_t type, uint64_t timestamp_ms, const unsigned char *payload, size_t payload_len) {
    size_t body_len, total;
    int r;

    if (!audit_type_known(type) || payload_len > ENC_AUDIT_MAX_PAYLOAD || w->next_seq == UINT64_MAX)
        return ENC_E_ARG;
    body_len = ENC_AUDIT_HEADER_BYTES + payload_len;
    total = body_len + ENC_AUDIT_SIG_BYTES;
    if (out_cap < total)
        return ENC_E_BUFFER;
    memcpy(out, audit_magic, sizeof(audit_magic));
    enc_put_be16(out + 4, ENC_AUDIT_VERSION);
    enc_put_be16(out + 6, type);
    enc_put_be64(out + 8, w->next_seq);
    enc_put_be64(out + 16, timestamp_ms);
    memcpy(out + 24, w->prev_hash, ENC_AUDIT_HASH_BYTES);
    enc_put_be32(out + 56, (uint32_t)payload_len);
    if (payload_len > 0)
        memcpy(out + ENC_AUDIT_HEADER_BYTES, payload, payload_len);
    if ((r = enc_identity_sign(w->id, out + body_len, audit_sig_label, out, body_len)) != ENC_OK)
        return r;
    enc_audit_record_hash(w->prev_hash, out, total);
    w->next_seq++;
    *out_len = total;
    return ENC_OK;
}

int enc_audit_verify_log(size_t *records, const unsigned char pk32[32],
        uint64_t first_seq, const unsigned char *first_prev_hash, const unsigned char *log, size_t log_len) {
    enc_audit_record rec;
    unsigned char prev[ENC_AUDIT_HASH_BYTES];
    uint64_t seq = first_seq;
    size_t off = 0, n = 0;
    int r = ENC_OK;

    if (first_prev_hash != NULL)
        memcpy(prev, first_prev_hash, sizeof(prev));
    else
        memset(prev, 0, sizeof(prev));
    while (off < log_len) {
        if ((r = enc_audit_parse(&rec, log + off, log_len - off)) != ENC_OK)
            break;
        if ((r = audit_check_sig(&rec, log + off, pk32)) != ENC_OK)
            break;
        if (rec.seq != seq) {
            r = ENC_AUDIT_E_SEQUENCE;
            break;
        }
        if (memcmp(rec.prev_hash, prev, sizeof(prev)) != 0) {
            r = ENC_AUDIT_E_CHAIN;
            break;
        }
        enc_audit_record_hash(prev, log + off, rec.len);
        seq++;
        off += rec.len;
        n++;
    }
    *records = n;
    return r;
}
