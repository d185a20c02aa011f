/* Key-file sealing backend: the parent reads the 32-byte key and passes the bytes in. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enc_error.h"
#include "seal/seal.h"

static int kf_key(enc_seal_backend *b, unsigned char key32[32]) {
    sodium_mprotect_readonly(b->state);
    memcpy(key32, b->state, ENC_SEAL_KEY_BYTES);
    sodium_mprotect_noaccess(b->state);
    return ENC_OK;
}

static int kf_seal_key(enc_seal_backend *b, unsigned char *params, unsigned char key32[32]) {
    (void)params; /* no per-blob parameters */
    return kf_key(b, key32);
}

static int kf_open_key(enc_seal_backend *b, unsigned char key32[32], const unsigned char *params) {
    (void)params;
    return kf_key(b, key32);
}

static void kf_destroy(enc_seal_backend *b) {
    if (b->state != NULL) {
        sodium_mprotect_readwrite(b->state);
        sodium_free(b->state);
    }
    free(b);
}

int enc_seal_keyfile_create(enc_seal_backend **backend, const unsigned char key32[32]) {
    enc_seal_backend *b = NULL;
    int r = ENC_E_INTERNAL;

    if ((b = calloc(1, sizeof(*b))) == NULL || (b->state = sodium_malloc(ENC_SEAL_KEY_BYTES)) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    memcpy(b->state, key32, ENC_SEAL_KEY_BYTES);
    sodium_mprotect_noaccess(b->state);
    b->name = "keyfile";
    b->type = ENC_SEAL_BACKEND_KEYFILE;
    b->params_len = 0;
    b->seal_key = kf_seal_key;
    b->open_key = kf_open_key;
    b->destroy = kf_destroy;
    *backend = b;
    b = NULL;
    r = ENC_OK;
out:
    if (b != NULL)
        kf_destroy(b);
    return r;
}
