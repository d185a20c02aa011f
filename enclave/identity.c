#include "identity.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enc_error.h"

struct enc_identity {
    unsigned char seed[crypto_sign_SEEDBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
};

/* The struct is kept PROT_NONE except inside these accessors; toggling protection does not
 * change its contents, hence the casts from const. */
static void id_open(const enc_identity *id) {
    sodium_mprotect_readonly((void *)(uintptr_t)id);
}

static void id_close(const enc_identity *id) {
    sodium_mprotect_noaccess((void *)(uintptr_t)id);
}

static int id_from_seed(enc_identity **out, const unsigned char seed[32]) {
    enc_identity *id;

    if ((id = sodium_malloc(sizeof(*id))) == NULL)
        return ENC_E_NOMEM;
    memcpy(id->seed, seed, sizeof(id->seed));
    crypto_sign_seed_keypair(id->pk, id->sk, id->seed);
    id_close(id);
    *out = id;
    return ENC_OK;
}

int enc_identity_generate(enc_identity **id) {
    unsigned char seed[crypto_sign_SEEDBYTES];
    int r;

    randombytes_buf(seed, sizeof(seed));
    r = id_from_seed(id, seed);
    sodium_memzero(seed, sizeof(seed));
    return r;
}

int enc_identity_seal(const enc_identity *id, enc_seal_backend *b, unsigned char **blob, size_t *blob_len) {
    int r;

    id_open(id);
    r = enc_seal(b, blob, blob_len, ENC_SEAL_KIND_IDENTITY, NULL, id->seed, sizeof(id->seed));
    id_close(id);
    return r;
}

int enc_identity_unseal(enc_identity **id, enc_seal_backend *b, const unsigned char *blob, size_t blob_len) {
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    int r = ENC_E_INTERNAL;

    if ((r = enc_unseal(b, &plain, &plain_len, blob, blob_len, ENC_SEAL_KIND_IDENTITY, NULL)) != ENC_OK)
        goto out;
    if (plain_len != crypto_sign_SEEDBYTES) {
        r = ENC_ID_E_FORMAT;
        goto out;
    }
    r = id_from_seed(id, plain);
out:
    enc_seal_plain_free(plain);
    return r;
}

void enc_identity_free(enc_identity *id) {
    if (id != NULL) {
        sodium_mprotect_readwrite(id);
        sodium_free(id);
    }
}

void enc_identity_public_key(const enc_identity *id, unsigned char pk32[32]) {
    id_open(id);
    memcpy(pk32, id->pk, sizeof(id->pk));
    id_close(id);
}

/* label || 0x00 || msg in a fresh heap buffer (public data only). */
static unsigned char *labelled(size_t *len, const char *label, const unsigned char *msg, size_t msg_len) {
    size_t label_len = strlen(label);
    unsigned char *buf;

    if (msg_len > SIZE_MAX - label_len - 1 || (buf = malloc(label_len + 1 + msg_len + 1)) == NULL)
        return NULL;
    memcpy(buf, label, label_len);
    buf[label_len] = 0;
    if (msg_len > 0)
        memcpy(buf + label_len + 1, msg, msg_len);
    *len = label_len + 1 + msg_len;
    return buf;
}

int enc_identity_sign(const enc_identity *id, unsigned char sig64[64], const char *label,
        const unsigned char *msg, size_t msg_len) {
    unsigned char *buf;
    size_t len = 0;

    if ((buf = labelled(&len, label, msg, msg_len)) == NULL)
        return ENC_E_NOMEM;
    id_open(id);
    crypto_sign_detached(sig64, NULL, buf, len, id->sk);
    id_close(id);
    free(buf);
    return ENC_OK;
}

int enc_identity_verify(const unsigned char pk32[32], const unsigned char sig64[64], const char *label,
        const unsigned char *msg, size_t msg_len) {
    unsigned char *buf;
    size_t len = 0;
    int ok;

    if ((buf = labelled(&len, label, msg, msg_len)) == NULL)
        return ENC_E_NOMEM;
    ok = crypto_sign_verify_detached(sig64, buf, len, pk32) == 0;
    free(buf);
    return ok ? ENC_OK : ENC_E_SIGNATURE;
}

void enc_identity_x25519_secret(const enc_identity *id, unsigned char x25519_sk32[32]) {
    id_open(id);
    /* Cannot fail for a key produced by crypto_sign_seed_keypair. */
    (void)crypto_sign_ed25519_sk_to_curve25519(x25519_sk32, id->sk);
    id_close(id);
}
