/* The verdict encoding (enclave/verdict.h) against vectors from an independent Python
 * implementation (gen_verdict_vectors.py, `cryptography` Ed25519): the encoding is byte for byte
 * the same, the Python signatures verify, any altered field, the wrong key or the other version's
 * label does not, and invalid fields are refused with their own error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "verdict.h"
#include "verdict_vectors.h"

#define NVECTORS (sizeof(verdict_vectors) / sizeof(verdict_vectors[0]))

/* One vector decoded into buffers, with fields pointing at them. */
typedef struct {
    unsigned char request_id[ENC_VERDICT_MAX_REQUEST_ID], key_id[32], digest[32], sigid[32], derived_pk[33];
    unsigned char subject[32], sig[64], pk[32], other_pk[32];
    unsigned char *message;
    size_t message_len;
    enc_verdict_fields f;
} loaded;

static void unhex(unsigned char *out, size_t cap, size_t *len, const char *hex) {
    size_t got = 0;

    assert_int_equal(sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &got, NULL), 0);
    if (len != NULL)
        *len = got;
    else
        assert_int_equal(got, cap);
}

static void load(loaded *l, const verdict_vector *v) {
    size_t rid_len = 0;

    memset(l, 0, sizeof(*l));
    unhex(l->request_id, sizeof(l->request_id), &rid_len, v->request_id_hex);
    unhex(l->key_id, 32, NULL, v->key_id_hex);
    unhex(l->digest, 32, NULL, v->digest_hex);
    unhex(l->sigid, 32, NULL, v->sigid_hex);
    unhex(l->derived_pk, 33, NULL, v->derived_pk_hex);
    unhex(l->sig, 64, NULL, v->signature_hex);
    unhex(l->pk, 32, NULL, VV_PK);
    unhex(l->other_pk, 32, NULL, VV_OTHER_PK);
    l->message_len = strlen(v->message_hex) / 2;
    l->message = malloc(l->message_len);
    assert_non_null(l->message);
    unhex(l->message, l->message_len, NULL, v->message_hex);
    l->f.version = v->version;
    l->f.request_id = rid_len > 0 ? l->request_id : NULL;
    l->f.request_id_len = rid_len;
    l->f.key_id = l->key_id;
    l->f.payload_type = (uint32_t)v->payload_type;
    l->f.digest = l->digest;
    l->f.sigid = l->sigid;
    l->f.derived_pk = l->derived_pk;
    l->f.decision = v->decision;
    if (v->subject_hex != NULL) {
        unhex(l->subject, 32, NULL, v->subject_hex);
        l->f.fingerprint_subject = l->subject;
        l->f.fingerprint_hex = v->fp_hex;
        l->f.fingerprint_hex_len = v->fp_hex_len;
        l->f.fingerprint_words = v->fp_words;
        l->f.fingerprint_words_len = v->fp_words_len;
    }
    l->f.summary = v->summary;
    l->f.summary_len = v->summary_len;
}

static void unload(loaded *l) {
    free(l->message);
    l->message = NULL;
}

static int verify(const loaded *l, const enc_verdict_fields *f) {
    return enc_verdict_verify(l->sig, l->pk, f);
}

static void test_encode_matches_python(void **state) {
    unsigned char *m;
    size_t i, len;
    loaded l;

    (void)state;
    for (i = 0; i < NVECTORS; i++) {
        load(&l, &verdict_vectors[i]);
        m = NULL;
        len = 0;
        assert_int_equal(enc_verdict_encode(&m, &len, &l.f), 0);
        assert_int_equal(len, l.message_len);
        assert_memory_equal(m, l.message, len);
        free(m);
        if (l.f.version == 1) {
            /* Version 0 is version 1. */
            l.f.version = 0;
            assert_int_equal(enc_verdict_encode(&m, &len, &l.f), 0);
            assert_int_equal(len, l.message_len);
            assert_memory_equal(m, l.message, len);
            free(m);
        }
        unload(&l);
    }
}

static void test_verify_accepts(void **state) {
    size_t i;
    loaded l;

    (void)state;
    for (i = 0; i < NVECTORS; i++) {
        load(&l, &verdict_vectors[i]);
        assert_int_equal(verify(&l, &l.f), 0);
        if (l.f.version == 1) {
            l.f.version = 0;
            assert_int_equal(verify(&l, &l.f), 0);
        }
        unload(&l);
    }
}

/* Version 1 does not sign the fingerprint fields: filling them changes nothing (which is why a
 * caller must not show them as verified for a version-1 verdict). */
static void test_v1_ignores_fingerprint(void **state) {
    static const unsigned char subject[32] = {1};
    loaded l;

    (void)state;
    load(&l, &verdict_vectors[0]);
    assert_int_equal(l.f.version, 1);
    l.f.fingerprint_subject = subject;
    l.f.fingerprint_hex = "aa bb";
    l.f.fingerprint_hex_len = 5;
    l.f.fingerprint_words = "word";
    l.f.fingerprint_words_len = 4;
    assert_int_equal(verify(&l, &l.f), 0);
    unload(&l);
}

static void flip(unsigned char *copy, const unsigned char *orig, size_t len, size_t at) {
    memcpy(copy, orig, len);
    copy[at] ^= 0x01;
}

/* Every field of every vector altered in turn (content and, for texts, length): the signature no
 * longer verifies. */
static void test_altered_fields_fail(void **state) {
    unsigned char rid[ENC_VERDICT_MAX_REQUEST_ID + 1], b32[32], b33[33];
    char text[512];
    enc_verdict_fields f;
    size_t i;
    loaded l;

    (void)state;
    for (i = 0; i < NVECTORS; i++) {
        load(&l, &verdict_vectors[i]);
        /* request id: a changed byte, one byte more, one byte less */
        if (l.f.request_id_len > 0) {
            f = l.f;
            flip(rid, l.request_id, l.f.request_id_len, l.f.request_id_len - 1);
            f.request_id = rid;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
            f = l.f;
            f.request_id_len--;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        }
        if (l.f.request_id_len < ENC_VERDICT_MAX_REQUEST_ID) {
            f = l.f;
            memcpy(rid, l.request_id, l.f.request_id_len);
            rid[l.f.request_id_len] = 0;
            f.request_id = rid;
            f.request_id_len++;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        }
        f = l.f;
        flip(b32, l.key_id, 32, 7);
        f.key_id = b32;
        assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        f = l.f;
        f.payload_type ^= 0x01000000u;
        assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        f = l.f;
        flip(b32, l.digest, 32, 31);
        f.digest = b32;
        assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        f = l.f;
        flip(b32, l.sigid, 32, 0);
        f.sigid = b32;
        assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        f = l.f;
        flip(b33, l.derived_pk, 33, 32);
        f.derived_pk = b33;
        assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        f = l.f;
        f.decision = f.decision == ENC_VERDICT_ALLOW ? ENC_VERDICT_DENY : ENC_VERDICT_ALLOW;
        assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        /* summary: a changed byte, a byte more */
        assert_true(l.f.summary_len + 1 <= sizeof(text));
        f = l.f;
        memcpy(text, l.f.summary, l.f.summary_len);
        text[l.f.summary_len] = ' ';
        f.summary = text;
        f.summary_len++;
        assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        if (l.f.summary_len > 0) {
            f = l.f;
            flip((unsigned char *)text, (const unsigned char *)l.f.summary, l.f.summary_len, l.f.summary_len / 2);
            f.summary = text;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        }
        if (l.f.version == 2) {
            f = l.f;
            flip(b32, l.subject, 32, 16);
            f.fingerprint_subject = b32;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
            f = l.f;
            memcpy(text, l.f.fingerprint_hex, l.f.fingerprint_hex_len);
            text[l.f.fingerprint_hex_len] = '0';
            f.fingerprint_hex = text;
            f.fingerprint_hex_len++;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
            f = l.f;
            memcpy(text, l.f.fingerprint_words, l.f.fingerprint_words_len);
            text[l.f.fingerprint_words_len] = 'a';
            f.fingerprint_words = text;
            f.fingerprint_words_len++;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
            /* A byte moved from the hex to the words: same concatenation, other lengths. */
            if (l.f.fingerprint_hex_len > 0) {
                f = l.f;
                memcpy(text, l.f.fingerprint_hex + l.f.fingerprint_hex_len - 1, 1);
                memcpy(text + 1, l.f.fingerprint_words, l.f.fingerprint_words_len);
                f.fingerprint_hex_len--;
                f.fingerprint_words = text;
                f.fingerprint_words_len++;
                assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
            }
            /* The same fields as version 1: the other label and layout. */
            f = l.f;
            f.version = 1;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        } else {
            f = l.f;
            f.version = 2;
            f.fingerprint_subject = l.subject;
            assert_int_equal(verify(&l, &f), ENC_VERDICT_E_SIGNATURE);
        }
        unload(&l);
    }
}

static void test_wrong_key_or_signature_fails(void **state) {
    unsigned char sig[64];
    size_t i;
    loaded l;

    (void)state;
    for (i = 0; i < NVECTORS; i++) {
        load(&l, &verdict_vectors[i]);
        assert_int_equal(enc_verdict_verify(l.sig, l.other_pk, &l.f), ENC_VERDICT_E_SIGNATURE);
        flip(sig, l.sig, 64, 5);
        assert_int_equal(enc_verdict_verify(sig, l.pk, &l.f), ENC_VERDICT_E_SIGNATURE);
        flip(sig, l.sig, 64, 40);
        assert_int_equal(enc_verdict_verify(sig, l.pk, &l.f), ENC_VERDICT_E_SIGNATURE);
        unload(&l);
    }
}

/* Refusals: each names its cause, encode leaves its outputs alone, verify never returns 0. */
static void expect_refused(const loaded *l, const enc_verdict_fields *f, int err) {
    unsigned char *m = (unsigned char *)"untouched";
    size_t len = 12345;

    assert_int_equal(enc_verdict_encode(&m, &len, f), err);
    assert_string_equal((const char *)m, "untouched");
    assert_int_equal(len, 12345);
    assert_int_equal(enc_verdict_verify(l->sig, l->pk, f), err);
}

static void test_invalid_fields_refused(void **state) {
    enc_verdict_fields f;
    unsigned char *m = NULL;
    size_t len = 0;
    loaded l1, l2;

    (void)state;
    load(&l1, &verdict_vectors[0]);
    load(&l2, &verdict_vectors[3]);
    assert_int_equal(l1.f.version, 1);
    assert_int_equal(l2.f.version, 2);

    f = l2.f;
    f.version = 3;
    expect_refused(&l2, &f, ENC_VERDICT_E_VERSION);
    f.version = UINT32_MAX;
    expect_refused(&l2, &f, ENC_VERDICT_E_VERSION);

    f = l1.f;
    f.request_id_len = ENC_VERDICT_MAX_REQUEST_ID + 1;
    f.request_id = l1.request_id; /* only read after the length check */
    expect_refused(&l1, &f, ENC_VERDICT_E_LENGTH);
    f = l1.f;
    f.summary_len = (size_t)UINT32_MAX + 1;
    expect_refused(&l1, &f, ENC_VERDICT_E_LENGTH);
    f = l2.f;
    f.fingerprint_hex_len = (size_t)UINT32_MAX + 1;
    expect_refused(&l2, &f, ENC_VERDICT_E_LENGTH);
    f = l2.f;
    f.fingerprint_words_len = (size_t)UINT32_MAX + 1;
    expect_refused(&l2, &f, ENC_VERDICT_E_LENGTH);

    f = l1.f;
    f.decision = 0;
    expect_refused(&l1, &f, ENC_VERDICT_E_DECISION);
    f.decision = 3;
    expect_refused(&l1, &f, ENC_VERDICT_E_DECISION);

    f = l1.f;
    f.key_id = NULL;
    expect_refused(&l1, &f, ENC_VERDICT_E_NULL);
    f = l1.f;
    f.digest = NULL;
    expect_refused(&l1, &f, ENC_VERDICT_E_NULL);
    f = l1.f;
    f.sigid = NULL;
    expect_refused(&l1, &f, ENC_VERDICT_E_NULL);
    f = l1.f;
    f.derived_pk = NULL;
    expect_refused(&l1, &f, ENC_VERDICT_E_NULL);
    f = l1.f;
    f.request_id = NULL;
    expect_refused(&l1, &f, ENC_VERDICT_E_NULL);
    f = l1.f;
    f.summary = NULL;
    expect_refused(&l1, &f, ENC_VERDICT_E_NULL);
    f = l2.f;
    f.fingerprint_subject = NULL;
    expect_refused(&l2, &f, ENC_VERDICT_E_NULL);
    f = l2.f;
    f.fingerprint_hex = NULL;
    expect_refused(&l2, &f, ENC_VERDICT_E_NULL);
    f = l2.f;
    f.fingerprint_words = NULL;
    expect_refused(&l2, &f, ENC_VERDICT_E_NULL);
    assert_int_equal(enc_verdict_encode(NULL, &len, &l1.f), ENC_VERDICT_E_NULL);
    assert_int_equal(enc_verdict_encode(&m, NULL, &l1.f), ENC_VERDICT_E_NULL);
    assert_int_equal(enc_verdict_encode(&m, &len, NULL), ENC_VERDICT_E_NULL);
    assert_null(m);
    assert_int_equal(enc_verdict_verify(NULL, l1.pk, &l1.f), ENC_VERDICT_E_NULL);
    assert_int_equal(enc_verdict_verify(l1.sig, NULL, &l1.f), ENC_VERDICT_E_NULL);
    assert_int_equal(enc_verdict_verify(l1.sig, l1.pk, NULL), ENC_VERDICT_E_NULL);

    /* NULL with a zero length is an empty text. */
    f = l2.f;
    f.fingerprint_hex = NULL;
    f.fingerprint_hex_len = 0;
    assert_int_equal(enc_verdict_encode(&m, &len, &f), 0);
    assert_int_equal(len, l2.message_len - l2.f.fingerprint_hex_len);
    free(m);

    assert_string_equal(enc_verdict_strerror(ENC_VERDICT_E_SIGNATURE),
            "verdict: signature does not verify under the enclave identity key");
    assert_string_equal(enc_verdict_strerror(-1), "verdict: unknown error");
    unload(&l1);
    unload(&l2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_python),
        cmocka_unit_test(test_verify_accepts),
        cmocka_unit_test(test_v1_ignores_fingerprint),
        cmocka_unit_test(test_altered_fields_fail),
        cmocka_unit_test(test_wrong_key_or_signature_fails),
        cmocka_unit_test(test_invalid_fields_refused),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
