/* Key-file sealing backend: the parent reads the 32-byte key and passes the bytes in. */
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

static const enc_seal_backend kf_ops = {
    .name = "keyfile",
    .type = ENC_SEAL_BACKEND_KEYFILE,
    .params_len = 0,
    .seal_key = kf_seal_key,
    .open_key = kf_open_key,
    .destroy = enc_seal_backend_free,
};

int enc_seal_keyfile_create(enc_seal_backend **backend, const unsigned char key32[32]) {
    enc_seal_backend *b = NULL;
    int r = enc_seal_backend_new(&b, &kf_ops, ENC_SEAL_KEY_BYTES);

    if (r != ENC_OK)
        return r;
    memcpy(b->state, key32, ENC_SEAL_KEY_BYTES);
    sodium_mprotect_noaccess(b->state);
    *backend = b;
    return ENC_OK;
}
