/* Sealed storage and the identity key: round trips for both backends, blobs built by an independent
 * Python implementation (gen_enclave_vectors.py), and every rejection path (tampered at each byte,
 * truncated, extended, swapped kind or key id, wrong passphrase or key file) with its error and the
 * output left untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "enc_error.h"
#include "enclave_vectors.h"
#include "identity.h"
#include "seal/seal.h"
#include "test_rng.h"

#define TEST_PASSPHRASE "correct horse battery staple"
/* Small Argon2 cost so the tamper loops stay fast; production uses the defaults in seal.h. */
#define TEST_OPS 1u
#define TEST_MEM 8192u

static unsigned char *const SENTINEL = (unsigned char *)(uintptr_t)0x5eed;

static enc_seal_backend *keyfile_backend(const unsigned char key[32]) {
    enc_seal_backend *b = NULL;

    assert_int_equal(enc_seal_keyfile_create(&b, key), ENC_OK);
    assert_non_null(b);
    return b;
}

static enc_seal_backend *passphrase_backend(const char *pass) {
    enc_seal_backend *b = NULL;

    assert_int_equal(enc_seal_passphrase_create(&b, pass, strlen(pass), TEST_OPS, TEST_MEM), ENC_OK);
    assert_non_null(b);
    return b;
}

/* enc_unseal that must fail and leave its outputs untouched. Returns the error. */
static int unseal_fails(enc_seal_backend *b, const unsigned char *blob, size_t len, uint16_t kind,
        const unsigned char *key_id) {
    unsigned char *plain = SENTINEL;
    size_t plain_len = 0xabcdef;
    int r = enc_unseal(b, &plain, &plain_len, blob, len, kind, key_id);

    assert_int_not_equal(r, ENC_OK);
    assert_ptr_equal(plain, SENTINEL);
    assert_int_equal(plain_len, 0xabcdef);
    return r;
}

static void roundtrip(enc_seal_backend *b) {
    test_rng rng;
    unsigned char key_id[32], plain[300];
    unsigned char *blob = NULL, *out = NULL;
    size_t blob_len = 0, out_len = 0, len;

    test_rng_init(&rng, 1);
    test_rng_bytes(&rng, key_id, sizeof(key_id));
    for (len = 0; len <= sizeof(plain); len += 75) {
        test_rng_bytes(&rng, plain, sizeof(plain));
        assert_int_equal(enc_seal(b, &blob, &blob_len, ENC_SEAL_KIND_KEY_SHARE, key_id, plain, len), ENC_OK);
        assert_int_equal(blob_len, ENC_SEAL_FIXED_HEADER_BYTES + b->params_len + len + ENC_SEAL_TAG_BYTES);
        assert_int_equal(enc_unseal(b, &out, &out_len, blob, blob_len, ENC_SEAL_KIND_KEY_SHARE, key_id), ENC_OK);
        assert_int_equal(out_len, len);
        assert_memory_equal(out, plain, len);
        enc_seal_plain_free(out);
        free(blob);
    }
    /* Singleton kind: NULL key id on both sides. */
    assert_int_equal(enc_seal(b, &blob, &blob_len, ENC_SEAL_KIND_BAN_LIST, NULL, plain, 10), ENC_OK);
    assert_int_equal(enc_unseal(b, &out, &out_len, blob, blob_len, ENC_SEAL_KIND_BAN_LIST, NULL), ENC_OK);
    assert_memory_equal(out, plain, 10);
    enc_seal_plain_free(out);
    free(blob);
}

static void test_roundtrip_keyfile(void **state) {
    enc_seal_backend *b = keyfile_backend(ev_keyfile_key);

    (void)state;
    roundtrip(b);
    enc_seal_backend_destroy(b);
}

static void test_roundtrip_passphrase(void **state) {
    enc_seal_backend *b = passphrase_backend(TEST_PASSPHRASE), *b2;
    unsigned char *blob = NULL, *out = NULL;
    size_t blob_len = 0, out_len = 0;

    (void)state;
    roundtrip(b);
    /* A second instance (another process start) with the same passphrase opens the blob although
     * its own sealing salt differs. */
    assert_int_equal(enc_seal(b, &blob, &blob_len, ENC_SEAL_KIND_COUNTERS, NULL, (const unsigned char *)"x", 1),
            ENC_OK);
    b2 = passphrase_backend(TEST_PASSPHRASE);
    assert_int_equal(enc_unseal(b2, &out, &out_len, blob, blob_len, ENC_SEAL_KIND_COUNTERS, NULL), ENC_OK);
    assert_int_equal(out_len, 1);
    assert_int_equal(out[0], 'x');
    enc_seal_plain_free(out);
    free(blob);
    enc_seal_backend_destroy(b2);
    enc_seal_backend_destroy(b);
}

/* Blobs sealed by the Python implementation open, and the C sealer lays out the same header. */
static void test_python_vectors(void **state) {
    enc_seal_backend *kf = keyfile_backend(ev_keyfile_key), *pw;
    unsigned char *out = NULL, *blob = NULL;
    size_t out_len = 0, blob_len = 0;

    (void)state;
    assert_int_equal(enc_unseal(kf, &out, &out_len, ev_keyfile_blob, sizeof(ev_keyfile_blob),
                             ENC_SEAL_KIND_KEY_SHARE, ev_key_id), ENC_OK);
    assert_int_equal(out_len, sizeof(ev_share_plain));
    assert_memory_equal(out, ev_share_plain, sizeof(ev_share_plain));
    enc_seal_plain_free(out);

    assert_int_equal(enc_seal(kf, &blob, &blob_len, ENC_SEAL_KIND_KEY_SHARE, ev_key_id, ev_share_plain,
                             sizeof(ev_share_plain)), ENC_OK);
    assert_int_equal(blob_len, sizeof(ev_keyfile_blob));
    /* Everything before the random nonce (magic .. sealing-key id) is deterministic. */
    assert_memory_equal(blob, ev_keyfile_blob, 60);
    assert_memory_equal(blob + 84, ev_keyfile_blob + 84, 4);
    free(blob);

    assert_int_equal(enc_seal_passphrase_create(&pw, EV_PASSPHRASE, strlen(EV_PASSPHRASE), EV_PW_OPSLIMIT,
                             EV_PW_MEMLIMIT), ENC_OK);
    assert_int_equal(enc_unseal(pw, &out, &out_len, ev_passphrase_blob, sizeof(ev_passphrase_blob),
                             ENC_SEAL_KIND_COUNTERS, NULL), ENC_OK);
    assert_int_equal(out_len, sizeof(ev_counters_plain));
    assert_memory_equal(out, ev_counters_plain, sizeof(ev_counters_plain));
    enc_seal_plain_free(out);
    enc_seal_backend_destroy(pw);
    enc_seal_backend_destroy(kf);
}

static int kind_known(unsigned kind) {
    return kind >= ENC_SEAL_KIND_KEY_SHARE && kind <= ENC_SEAL_KIND_POLICY;
}

/* Flip each byte of a valid blob in turn; each must be rejected with the error of the field hit. */
static void tamper_every_byte(enc_seal_backend *b) {
    unsigned char key_id[32], plain[64];
    unsigned char *blob = NULL;
    size_t blob_len = 0, i, p = b->params_len;

    memset(key_id, 0x11, sizeof(key_id));
    memset(plain, 0x22, sizeof(plain));
    assert_int_equal(enc_seal(b, &blob, &blob_len, ENC_SEAL_KIND_KEY_SHARE, key_id, plain, sizeof(plain)), ENC_OK);
    for (i = 0; i < blob_len; i++) {
        int r;

        blob[i] ^= 0x01;
        r = unseal_fails(b, blob, blob_len, ENC_SEAL_KIND_KEY_SHARE, key_id);
        if (i < 4) {
            assert_int_equal(r, ENC_SEAL_E_MAGIC);
        } else if (i < 6) {
            assert_int_equal(r, ENC_SEAL_E_VERSION);
        } else if (i < 8) {
            int known = kind_known((unsigned)blob[6] << 8 | blob[7]);

            assert_int_equal(r, known ? ENC_SEAL_E_WRONG_KIND : ENC_SEAL_E_KIND);
        } else if (i < 40) {
            assert_int_equal(r, ENC_SEAL_E_WRONG_KEY_ID);
        } else if (i < 42) {
            assert_int_equal(r, ENC_SEAL_E_BACKEND);
        } else if (i < 44) {
            /* The parameter length moves every later field: the framing no longer adds up. */
            assert_true(r == ENC_SEAL_E_TRUNCATED || r == ENC_SEAL_E_TRAILING || r == ENC_SEAL_E_TOO_LONG ||
                        r == ENC_SEAL_E_BACKEND);
        } else if (i < 60) {
            assert_int_equal(r, ENC_SEAL_E_WRONG_SEALING_KEY);
        } else if (i < 60 + p) {
            /* Cost out of range, or another salt/cost giving another key. */
            assert_true(r == ENC_SEAL_E_BACKEND || r == ENC_SEAL_E_WRONG_SEALING_KEY);
        } else if (i < 84 + p) {
            assert_int_equal(r, ENC_SEAL_E_AUTH);
        } else if (i < 88 + p) {
            assert_true(r == ENC_SEAL_E_TRUNCATED || r == ENC_SEAL_E_TRAILING || r == ENC_SEAL_E_TOO_LONG);
        } else {
            assert_int_equal(r, ENC_SEAL_E_AUTH);
        }
        blob[i] ^= 0x01;
    }
    /* Restored, it still opens: rejections changed nothing. */
    {
        unsigned char *out = NULL;
        size_t out_len = 0;

        assert_int_equal(enc_unseal(b, &out, &out_len, blob, blob_len, ENC_SEAL_KIND_KEY_SHARE, key_id), ENC_OK);
        enc_seal_plain_free(out);
    }
    free(blob);
}

static void test_tamper_keyfile(void **state) {
    enc_seal_backend *b = keyfile_backend(ev_keyfile_key);

    (void)state;
    tamper_every_byte(b);
    enc_seal_backend_destroy(b);
}

static void test_tamper_passphrase(void **state) {
    enc_seal_backend *b = passphrase_backend(TEST_PASSPHRASE);

    (void)state;
    tamper_every_byte(b);
    enc_seal_backend_destroy(b);
}

static void test_truncated_extended(void **state) {
    enc_seal_backend *b = keyfile_backend(ev_keyfile_key);
    unsigned char *longer;
    size_t len;

    (void)state;
    for (len = 0; len < sizeof(ev_keyfile_blob); len++)
        assert_int_equal(unseal_fails(b, ev_keyfile_blob, len, ENC_SEAL_KIND_KEY_SHARE, ev_key_id),
                ENC_SEAL_E_TRUNCATED);
    longer = calloc(1, sizeof(ev_keyfile_blob) + 16);
    assert_non_null(longer);
    memcpy(longer, ev_keyfile_blob, sizeof(ev_keyfile_blob));
    assert_int_equal(unseal_fails(b, longer, sizeof(ev_keyfile_blob) + 1, ENC_SEAL_KIND_KEY_SHARE, ev_key_id),
            ENC_SEAL_E_TRAILING);
    assert_int_equal(unseal_fails(b, longer, sizeof(ev_keyfile_blob) + 16, ENC_SEAL_KIND_KEY_SHARE, ev_key_id),
            ENC_SEAL_E_TRAILING);
    free(longer);
    enc_seal_backend_destroy(b);
}

/* A valid blob offered as another kind or for another key is refused before decryption; a header
 * rewritten to claim the other kind or key id fails authentication (the header is the AAD). */
static void test_swapped(void **state) {
    enc_seal_backend *b = keyfile_backend(ev_keyfile_key);
    unsigned char other_id[32], blob[sizeof(ev_keyfile_blob)];

    (void)state;
    memcpy(other_id, ev_key_id, 32);
    other_id[31] ^= 0x80;
    assert_int_equal(unseal_fails(b, ev_keyfile_blob, sizeof(ev_keyfile_blob), ENC_SEAL_KIND_USED_SESSIONS,
                             ev_key_id), ENC_SEAL_E_WRONG_KIND);
    assert_int_equal(unseal_fails(b, ev_keyfile_blob, sizeof(ev_keyfile_blob), ENC_SEAL_KIND_KEY_SHARE, other_id),
            ENC_SEAL_E_WRONG_KEY_ID);
    assert_int_equal(unseal_fails(b, ev_keyfile_blob, sizeof(ev_keyfile_blob), ENC_SEAL_KIND_IDENTITY, NULL),
            ENC_SEAL_E_WRONG_KIND);

    memcpy(blob, ev_keyfile_blob, sizeof(blob));
    blob[7] = ENC_SEAL_KIND_USED_SESSIONS;
    assert_int_equal(unseal_fails(b, blob, sizeof(blob), ENC_SEAL_KIND_USED_SESSIONS, ev_key_id), ENC_SEAL_E_AUTH);
    memcpy(blob, ev_keyfile_blob, sizeof(blob));
    memcpy(blob + 8, other_id, 32);
    assert_int_equal(unseal_fails(b, blob, sizeof(blob), ENC_SEAL_KIND_KEY_SHARE, other_id), ENC_SEAL_E_AUTH);
    enc_seal_backend_destroy(b);
}

static void test_wrong_key(void **state) {
    enc_seal_backend *kf = keyfile_backend(ev_keyfile_key), *kf2, *pw, *pw2;
    unsigned char other_key[32], *blob = NULL;
    size_t blob_len = 0;

    (void)state;
    memcpy(other_key, ev_keyfile_key, 32);
    other_key[0] ^= 1;
    kf2 = keyfile_backend(other_key);
    assert_int_equal(unseal_fails(kf2, ev_keyfile_blob, sizeof(ev_keyfile_blob), ENC_SEAL_KIND_KEY_SHARE, ev_key_id),
            ENC_SEAL_E_WRONG_SEALING_KEY);

    pw = passphrase_backend(TEST_PASSPHRASE);
    pw2 = passphrase_backend(TEST_PASSPHRASE "!");
    assert_int_equal(enc_seal(pw, &blob, &blob_len, ENC_SEAL_KIND_COUNTERS, NULL, (const unsigned char *)"abc", 3),
            ENC_OK);
    assert_int_equal(unseal_fails(pw2, blob, blob_len, ENC_SEAL_KIND_COUNTERS, NULL), ENC_SEAL_E_WRONG_SEALING_KEY);
    /* The other backend type is named as such. */
    assert_int_equal(unseal_fails(kf, blob, blob_len, ENC_SEAL_KIND_COUNTERS, NULL), ENC_SEAL_E_BACKEND);
    assert_int_equal(unseal_fails(pw, ev_keyfile_blob, sizeof(ev_keyfile_blob), ENC_SEAL_KIND_KEY_SHARE, ev_key_id),
            ENC_SEAL_E_BACKEND);
    free(blob);
    enc_seal_backend_destroy(pw2);
    enc_seal_backend_destroy(pw);
    enc_seal_backend_destroy(kf2);
    enc_seal_backend_destroy(kf);
}

static void test_parser_bounds(void **state) {
    enc_seal_backend *b = keyfile_backend(ev_keyfile_key);
    unsigned char blob[sizeof(ev_keyfile_blob)];
    enc_seal_header h;

    (void)state;
    assert_int_equal(enc_seal_parse(&h, ev_keyfile_blob, sizeof(ev_keyfile_blob)), ENC_OK);
    assert_int_equal(h.kind, ENC_SEAL_KIND_KEY_SHARE);
    assert_int_equal(h.plaintext_len, sizeof(ev_share_plain));
    memcpy(blob, ev_keyfile_blob, sizeof(blob));
    blob[84] = 0x00; /* plaintext length 0x0040_0001 > 4 MiB */
    blob[85] = 0x40;
    blob[86] = 0x00;
    blob[87] = 0x01;
    assert_int_equal(enc_seal_parse(&h, blob, sizeof(blob)), ENC_SEAL_E_TOO_LONG);
    memcpy(blob, ev_keyfile_blob, sizeof(blob));
    blob[42] = 0x04; /* parameter length 1025 */
    blob[43] = 0x01;
    assert_int_equal(enc_seal_parse(&h, blob, sizeof(blob)), ENC_SEAL_E_BACKEND);
    memcpy(blob, ev_keyfile_blob, sizeof(blob));
    blob[7] = 0;
    assert_int_equal(enc_seal_parse(&h, blob, sizeof(blob)), ENC_SEAL_E_KIND);
    blob[7] = 7;
    assert_int_equal(enc_seal_parse(&h, blob, sizeof(blob)), ENC_SEAL_E_KIND);
    memcpy(blob, ev_keyfile_blob, sizeof(blob));
    blob[5] = 2;
    assert_int_equal(enc_seal_parse(&h, blob, sizeof(blob)), ENC_SEAL_E_VERSION);
    enc_seal_backend_destroy(b);
}

static void test_api_misuse(void **state) {
    enc_seal_backend *b = keyfile_backend(ev_keyfile_key), *pw = NULL;
    unsigned char *blob = SENTINEL;
    size_t blob_len = 0;

    (void)state;
    /* Keyed kind without a key id, singleton kind with one, unknown kind. */
    assert_int_equal(enc_seal(b, &blob, &blob_len, ENC_SEAL_KIND_KEY_SHARE, NULL, ev_share_plain, 1), ENC_E_ARG);
    assert_int_equal(enc_seal(b, &blob, &blob_len, ENC_SEAL_KIND_IDENTITY, ev_key_id, ev_share_plain, 1), ENC_E_ARG);
    assert_int_equal(enc_seal(b, &blob, &blob_len, 9, NULL, ev_share_plain, 1), ENC_E_ARG);
    assert_ptr_equal(blob, SENTINEL);
    assert_int_equal(enc_seal_passphrase_create(&pw, "", 0, TEST_OPS, TEST_MEM), ENC_E_ARG);
    assert_int_equal(enc_seal_passphrase_create(&pw, "p", 1, 0, TEST_MEM), ENC_E_ARG);
    assert_int_equal(enc_seal_passphrase_create(&pw, "p", 1, ENC_SEAL_PW_OPSLIMIT_MAX + 1, TEST_MEM), ENC_E_ARG);
    assert_int_equal(enc_seal_passphrase_create(&pw, "p", 1, TEST_OPS, 4096), ENC_E_ARG);
    assert_int_equal(enc_seal_passphrase_create(&pw, "p", 1, TEST_OPS, ENC_SEAL_PW_MEMLIMIT_MAX + 1024), ENC_E_ARG);
    assert_null(pw);
    enc_seal_backend_destroy(b);
}

/* Neither the plaintext nor any 8-byte window of it appears in the sealed bytes. */
static void test_no_plaintext_in_blob(void **state) {
    enc_seal_backend *backends[2];
    test_rng rng;
    unsigned char plain[256], key_id[32];
    size_t k;

    (void)state;
    backends[0] = keyfile_backend(ev_keyfile_key);
    backends[1] = passphrase_backend(TEST_PASSPHRASE);
    test_rng_init(&rng, 7);
    test_rng_bytes(&rng, plain, sizeof(plain));
    test_rng_bytes(&rng, key_id, sizeof(key_id));
    for (k = 0; k < 2; k++) {
        unsigned char *blob = NULL;
        size_t blob_len = 0, w, i;

        assert_int_equal(enc_seal(backends[k], &blob, &blob_len, ENC_SEAL_KIND_KEY_SHARE, key_id, plain,
                                 sizeof(plain)), ENC_OK);
        for (w = 0; w + 8 <= sizeof(plain); w++)
            for (i = 0; i + 8 <= blob_len; i++)
                assert_false(memcmp(blob + i, plain + w, 8) == 0);
        free(blob);
        enc_seal_backend_destroy(backends[k]);
    }
}

static void test_identity(void **state) {
    enc_seal_backend *kf = keyfile_backend(ev_keyfile_key);
    enc_identity *id = NULL, *id2 = NULL, *py = NULL;
    unsigned char pk[32], pk2[32], sig[64], *blob = NULL;
    size_t blob_len = 0;
    static const unsigned char msg[] = "message";

    (void)state;
    assert_int_equal(enc_identity_generate(&id), ENC_OK);
    enc_identity_public_key(id, pk);
    assert_int_equal(enc_identity_seal(id, kf, &blob, &blob_len), ENC_OK);
    assert_int_equal(enc_identity_unseal(&id2, kf, blob, blob_len), ENC_OK);
    enc_identity_public_key(id2, pk2);
    assert_memory_equal(pk, pk2, 32);
    assert_int_equal(enc_identity_sign(id2, sig, "test/label", msg, sizeof(msg)), ENC_OK);
    assert_int_equal(enc_identity_verify(pk, sig, "test/label", msg, sizeof(msg)), ENC_OK);
    /* Domain separation: the same signature is worthless under another label or as a raw signature. */
    assert_int_equal(enc_identity_verify(pk, sig, "test/other", msg, sizeof(msg)), ENC_E_SIGNATURE);
    assert_int_not_equal(crypto_sign_verify_detached(sig, msg, sizeof(msg), pk), 0);
    /* An identity blob is refused where a key share is expected and vice versa. */
    assert_int_equal(unseal_fails(kf, blob, blob_len, ENC_SEAL_KIND_KEY_SHARE, ev_key_id), ENC_SEAL_E_WRONG_KIND);
    assert_int_equal(enc_identity_unseal(&py, kf, ev_keyfile_blob, sizeof(ev_keyfile_blob)), ENC_SEAL_E_WRONG_KIND);
    assert_null(py);
    free(blob);

    /* The Python-sealed identity has the public key Python derived from its seed. */
    assert_int_equal(enc_identity_unseal(&py, kf, ev_id1_blob, sizeof(ev_id1_blob)), ENC_OK);
    enc_identity_public_key(py, pk);
    assert_memory_equal(pk, ev_id1_pk, 32);

    enc_identity_free(py);
    enc_identity_free(id2);
    enc_identity_free(id);
    enc_seal_backend_destroy(kf);
}

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_keyfile),
        cmocka_unit_test(test_roundtrip_passphrase),
        cmocka_unit_test(test_python_vectors),
        cmocka_unit_test(test_tamper_keyfile),
        cmocka_unit_test(test_tamper_passphrase),
        cmocka_unit_test(test_truncated_extended),
        cmocka_unit_test(test_swapped),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_parser_bounds),
        cmocka_unit_test(test_api_misuse),
        cmocka_unit_test(test_no_plaintext_in_blob),
        cmocka_unit_test(test_identity),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
