/* Audit records: a log written and signed by the Python implementation (gen_enclave_vectors.py) is
 * reproduced byte for byte and verifies; modified, removed, reordered, re-chained and
 * re-signed-by-another-key records are found and named by position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit.h"
#include "enc_error.h"
#include "enclave_vectors.h"
#include "identity.h"
#include "seal/seal.h"

#define NREC 5

typedef struct {
    unsigned char bytes[NREC][ENC_AUDIT_MAX_RECORD];
    size_t len[NREC];
} test_log;

static enc_identity *python_identity(void) {
    enc_seal_backend *kf = NULL;
    enc_identity *id = NULL;

    assert_int_equal(enc_seal_keyfile_create(&kf, ev_keyfile_key), ENC_OK);
    assert_int_equal(enc_identity_unseal(&id, kf, ev_id1_blob, sizeof(ev_id1_blob)), ENC_OK);
    enc_seal_backend_destroy(kf);
    return id;
}

/* Concatenate records in the given order (n entries) into a fresh buffer. */
static unsigned char *concat(size_t *len, const test_log *log, const size_t *order, size_t n) {
    unsigned char *buf = malloc(NREC * ENC_AUDIT_MAX_RECORD);
    size_t i;

    assert_non_null(buf);
    *len = 0;
    for (i = 0; i < n; i++) {
        memcpy(buf + *len, log->bytes[order[i]], log->len[order[i]]);
        *len += log->len[order[i]];
    }
    return buf;
}

static void write_log(test_log *log, enc_audit_writer *w) {
    size_t i;

    for (i = 0; i < NREC; i++) {
        unsigned char payload[32];

        memset(payload, (int)i, sizeof(payload));
        assert_int_equal(enc_audit_append(w, log->bytes[i], sizeof(log->bytes[i]), &log->len[i],
                                 ENC_AUDIT_SIGN_REQUEST, 1000u + i, payload, i * 8), ENC_OK);
    }
}

/* Verify and expect error want at record index want_index. */
static void expect_verify(const unsigned char pk[32], const unsigned char *buf, size_t len, int want,
        size_t want_index) {
    size_t records = 12345;

    assert_int_equal(enc_audit_verify_log(&records, pk, 0, NULL, buf, len), want);
    assert_int_equal(records, want_index);
}

static void test_python_log(void **state) {
    enc_identity *id = python_identity();
    enc_audit_writer w;
    unsigned char rec[ENC_AUDIT_MAX_RECORD], log[sizeof(ev_audit_log)];
    size_t i, off = 0, len = 0;

    (void)state;
    expect_verify(ev_id1_pk, ev_audit_log, sizeof(ev_audit_log), ENC_OK, 3);
    enc_audit_writer_init(&w, id);
    for (i = 0; i < sizeof(ev_audit_inputs) / sizeof(ev_audit_inputs[0]); i++) {
        const char *p = ev_audit_inputs[i].payload;

        assert_int_equal(enc_audit_append(&w, rec, sizeof(rec), &len, ev_audit_inputs[i].type,
                                 ev_audit_inputs[i].ts, (const unsigned char *)p, strlen(p)), ENC_OK);
        assert_true(off + len <= sizeof(log));
        memcpy(log + off, rec, len);
        off += len;
    }
    /* Ed25519 is deterministic: the C writer reproduces the Python log exactly. */
    assert_int_equal(off, sizeof(ev_audit_log));
    assert_memory_equal(log, ev_audit_log, sizeof(log));
    assert_memory_equal(w.prev_hash, ev_audit_last_hash, 32);
    enc_identity_free(id);
}

static void test_tampering(void **state) {
    static const size_t in_order[NREC] = {0, 1, 2, 3, 4};
    static const size_t removed[NREC - 1] = {0, 1, 3, 4};
    static const size_t swapped[NREC] = {0, 2, 1, 3, 4};
    enc_identity *id = NULL, *other = NULL;
    enc_audit_writer w, w2;
    test_log *log = calloc(1, sizeof(*log));
    unsigned char pk[32], *buf;
    size_t len, off;

    (void)state;
    assert_non_null(log);
    assert_int_equal(enc_identity_generate(&id), ENC_OK);
    assert_int_equal(enc_identity_generate(&other), ENC_OK);
    enc_identity_public_key(id, pk);
    enc_audit_writer_init(&w, id);
    write_log(log, &w);

    buf = concat(&len, log, in_order, NREC);
    expect_verify(pk, buf, len, ENC_OK, NREC);
    /* Every byte of record 2 is covered by its signature. */
    off = log->len[0] + log->len[1];
    for (size_t i = 0; i < log->len[2]; i++) {
        int r;
        size_t records = 0;

        buf[off + i] ^= 0x20;
        r = enc_audit_verify_log(&records, pk, 0, NULL, buf, len);
        assert_int_not_equal(r, ENC_OK);
        assert_int_equal(records, 2);
        buf[off + i] ^= 0x20;
    }
    expect_verify(pk, buf, len - 1, ENC_AUDIT_E_TRUNCATED, NREC - 1);
    free(buf);

    buf = concat(&len, log, removed, NREC - 1);
    expect_verify(pk, buf, len, ENC_AUDIT_E_SEQUENCE, 2);
    free(buf);
    buf = concat(&len, log, swapped, NREC);
    expect_verify(pk, buf, len, ENC_AUDIT_E_SEQUENCE, 1);
    free(buf);

    /* Record 2 re-signed by another key (same sequence number and previous hash). */
    w2 = w;
    w2.id = other;
    w2.next_seq = 2;
    enc_audit_record_hash(w2.prev_hash, log->bytes[1], log->len[1]);
    {
        test_log *forged = calloc(1, sizeof(*forged));

        assert_non_null(forged);
        memcpy(forged, log, sizeof(*log));
        assert_int_equal(enc_audit_append(&w2, forged->bytes[2], sizeof(forged->bytes[2]), &forged->len[2],
                                 ENC_AUDIT_SIGN_REQUEST, 1002, (const unsigned char *)"forged", 6), ENC_OK);
        buf = concat(&len, forged, in_order, NREC);
        expect_verify(pk, buf, len, ENC_AUDIT_E_SIGNATURE, 2);
        free(buf);

        /* Validly signed by the right key but chained to something else: a forked log. */
        w2.id = id;
        w2.next_seq = 2;
        memset(w2.prev_hash, 0x77, 32);
        assert_int_equal(enc_audit_append(&w2, forged->bytes[2], sizeof(forged->bytes[2]), &forged->len[2],
                                 ENC_AUDIT_SIGN_REQUEST, 1002, (const unsigned char *)"fork", 4), ENC_OK);
        buf = concat(&len, forged, in_order, NREC);
        expect_verify(pk, buf, len, ENC_AUDIT_E_CHAIN, 2);
        free(buf);
        free(forged);
    }
    enc_identity_free(other);
    enc_identity_free(id);
    free(log);
}

static void test_resume(void **state) {
    enc_identity *id = python_identity(), *other = NULL;
    enc_audit_writer w;
    size_t last_off, last_len, records = 0, rec_len = 0;
    unsigned char *log = malloc(sizeof(ev_audit_log) + ENC_AUDIT_MAX_RECORD);
    enc_audit_record rec;

    (void)state;
    assert_non_null(log);
    /* Find the last record of the Python log. */
    last_off = 0;
    for (;;) {
        assert_int_equal(enc_audit_parse(&rec, ev_audit_log + last_off, sizeof(ev_audit_log) - last_off), ENC_OK);
        if (last_off + rec.len == sizeof(ev_audit_log))
            break;
        last_off += rec.len;
    }
    last_len = rec.len;
    assert_int_equal(enc_audit_writer_resume(&w, id, ev_audit_log + last_off, last_len), ENC_OK);
    assert_int_equal(w.next_seq, 3);
    memcpy(log, ev_audit_log, sizeof(ev_audit_log));
    assert_int_equal(enc_audit_append(&w, log + sizeof(ev_audit_log), ENC_AUDIT_MAX_RECORD, &rec_len,
                             ENC_AUDIT_START, 1700000003000ull, (const unsigned char *)"restart", 7), ENC_OK);
    assert_int_equal(enc_audit_verify_log(&records, ev_id1_pk, 0, NULL, log, sizeof(ev_audit_log) + rec_len), ENC_OK);
    assert_int_equal(records, 4);
    /* Verifying only the new tail from the pinned chain state. */
    assert_int_equal(enc_audit_verify_log(&records, ev_id1_pk, 3, ev_audit_last_hash, log + sizeof(ev_audit_log),
                             rec_len), ENC_OK);
    assert_int_equal(records, 1);

    /* Resuming from a record another key signed, or with trailing bytes, is refused. */
    assert_int_equal(enc_identity_generate(&other), ENC_OK);
    assert_int_equal(enc_audit_writer_resume(&w, other, ev_audit_log + last_off, last_len), ENC_AUDIT_E_SIGNATURE);
    assert_int_equal(enc_audit_writer_resume(&w, id, ev_audit_log + last_off - 1, last_len + 1), ENC_AUDIT_E_MAGIC);
    assert_int_equal(enc_audit_writer_resume(&w, id, log + last_off, last_len + 1), ENC_AUDIT_E_TRAILING);
    enc_identity_free(other);
    enc_identity_free(id);
    free(log);
}

static void test_parse_rejections(void **state) {
    unsigned char rec[ENC_AUDIT_MAX_RECORD];
    enc_audit_record r;
    size_t first_len;

    (void)state;
    assert_int_equal(enc_audit_parse(&r, ev_audit_log, sizeof(ev_audit_log)), ENC_OK);
    first_len = r.len;
    assert_int_equal(r.type, ENC_AUDIT_START);
    assert_int_equal(r.seq, 0);
    assert_int_equal(r.timestamp_ms, 1700000000000ull);
    memcpy(rec, ev_audit_log, first_len);
    for (size_t len = 0; len < first_len; len++)
        assert_int_equal(enc_audit_parse(&r, rec, len), ENC_AUDIT_E_TRUNCATED);
    rec[0] ^= 1;
    assert_int_equal(enc_audit_parse(&r, rec, first_len), ENC_AUDIT_E_MAGIC);
    rec[0] ^= 1;
    rec[5] = 2;
    assert_int_equal(enc_audit_parse(&r, rec, first_len), ENC_AUDIT_E_VERSION);
    rec[5] = 1;
    rec[7] = 0;
    assert_int_equal(enc_audit_parse(&r, rec, first_len), ENC_AUDIT_E_TYPE);
    rec[7] = ENC_AUDIT_SHUTDOWN + 1;
    assert_int_equal(enc_audit_parse(&r, rec, first_len), ENC_AUDIT_E_TYPE);
    rec[7] = ENC_AUDIT_START;
    rec[58] = 0x10; /* payload length 4096 + 1 */
    rec[59] = 0x01;
    rec[56] = rec[57] = 0;
    assert_int_equal(enc_audit_parse(&r, rec, first_len), ENC_AUDIT_E_TOO_LONG);
}

static void test_writer_misuse(void **state) {
    enc_identity *id = NULL;
    enc_audit_writer w;
    unsigned char out[ENC_AUDIT_MAX_RECORD], big[ENC_AUDIT_MAX_PAYLOAD + 1];
    size_t len = 0;

    (void)state;
    memset(big, 0, sizeof(big));
    assert_int_equal(enc_identity_generate(&id), ENC_OK);
    enc_audit_writer_init(&w, id);
    assert_int_equal(enc_audit_append(&w, out, sizeof(out), &len, 0, 1, big, 1), ENC_E_ARG);
    assert_int_equal(enc_audit_append(&w, out, sizeof(out), &len, ENC_AUDIT_BAN, 1, big, sizeof(big)), ENC_E_ARG);
    assert_int_equal(enc_audit_append(&w, out, ENC_AUDIT_HEADER_BYTES + 10 + 63, &len, ENC_AUDIT_BAN, 1, big, 10),
            ENC_E_BUFFER);
    assert_int_equal(w.next_seq, 0); /* failures do not advance the writer */
    assert_int_equal(enc_audit_append(&w, out, sizeof(out), &len, ENC_AUDIT_BAN, 1, big, ENC_AUDIT_MAX_PAYLOAD),
            ENC_OK);
    assert_int_equal(len, ENC_AUDIT_MAX_RECORD);
    assert_int_equal(w.next_seq, 1);
    enc_identity_free(id);
}

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_log),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_parse_rejections),
        cmocka_unit_test(test_writer_misuse),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
