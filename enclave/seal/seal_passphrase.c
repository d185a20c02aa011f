/* Passphrase sealing backend (Argon2id13 via crypto_pwhash); format documented in seal.h. */
#include <string.h>

#include <sodium.h>

#include "enc_bytes.h"
#include "enc_error.h"
#include "seal/seal.h"

#define PW_ALG_ARGON2ID13 2u
#define PW_SALT_BYTES 16u
#define PW_MEMLIMIT_MIN_KIB 8u

/* Lives in one sodium_malloc region that is inaccessible except inside a backend call. Two key
 * slots: the one this instance seals with (fresh random salt, derived once), and the one derived
 * for the last blob opened (blobs sealed by one deployment share a salt, so start-up needs one
 * Argon2 run however many blobs it opens). Keeping them apart means header parameters read from an
 * untrusted blob are never reused for sealing. */
typedef struct {
    size_t pass_len;
    char pass[ENC_SEAL_PW_MAX_PASSPHRASE];
    uint32_t opslimit;
    uint32_t memlimit_kib;
    int have_seal;
    unsigned char seal_params[ENC_SEAL_PW_PARAMS_BYTES];
    unsigned char seal_key[ENC_SEAL_KEY_BYTES];
    int have_open;
    unsigned char open_params[ENC_SEAL_PW_PARAMS_BYTES];
    unsigned char open_key[ENC_SEAL_KEY_BYTES];
} pw_state;

static int pw_cost_valid(uint32_t opslimit, uint64_t memlimit_kib) {
    return opslimit >= 1 && opslimit <= ENC_SEAL_PW_OPSLIMIT_MAX && memlimit_kib >= PW_MEMLIMIT_MIN_KIB &&
           memlimit_kib <= ENC_SEAL_PW_MEMLIMIT_MAX / 1024u;
}

/* Derive key32 for params (already validated). */
static int pw_derive(const pw_state *s, unsigned char key32[32], const unsigned char *params) {
    uint32_t ops = enc_get_be32(params + 1);
    uint32_t mem_kib = enc_get_be32(params + 5);

    if (crypto_pwhash(key32, ENC_SEAL_KEY_BYTES, s->pass, s->pass_len, params + 9, ops,
                (size_t)mem_kib * 1024u, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ENC_E_NOMEM; /* parameters were checked: only the memory allocation can fail */
    return ENC_OK;
}

static int pw_seal_key(enc_seal_backend *b, unsigned char *params, unsigned char key32[32]) {
    pw_state *s = b->state;
    int r = ENC_E_INTERNAL;

    sodium_mprotect_readwrite(s);
    if (!s->have_seal) {
        s->seal_params[0] = PW_ALG_ARGON2ID13;
        enc_put_be32(s->seal_params + 1, s->opslimit);
        enc_put_be32(s->seal_params + 5, s->memlimit_kib);
        randombytes_buf(s->seal_params + 9, PW_SALT_BYTES);
        if ((r = pw_derive(s, s->seal_key, s->seal_params)) != ENC_OK)
            goto out;
        s->have_seal = 1;
    }
    memcpy(params, s->seal_params, ENC_SEAL_PW_PARAMS_BYTES);
    memcpy(key32, s->seal_key, ENC_SEAL_KEY_BYTES);
    r = ENC_OK;
out:
    sodium_mprotect_noaccess(s);
    return r;
}

static int pw_open_key(enc_seal_backend *b, unsigned char key32[32], const unsigned char *params) {
    pw_state *s = b->state;
    int r = ENC_E_INTERNAL;

    if (params[0] != PW_ALG_ARGON2ID13 || !pw_cost_valid(enc_get_be32(params + 1), enc_get_be32(params + 5)))
        return ENC_SEAL_E_BACKEND;
    sodium_mprotect_readwrite(s);
    /* Parameters and salt are public header fields: a plain compare is fine. */
    if (s->have_seal && memcmp(params, s->seal_params, ENC_SEAL_PW_PARAMS_BYTES) == 0) {
        memcpy(key32, s->seal_key, ENC_SEAL_KEY_BYTES);
    } else {
        if (!s->have_open || memcmp(params, s->open_params, ENC_SEAL_PW_PARAMS_BYTES) != 0) {
            s->have_open = 0;
            if ((r = pw_derive(s, s->open_key, params)) != ENC_OK)
                goto out;
            memcpy(s->open_params, params, ENC_SEAL_PW_PARAMS_BYTES);
            s->have_open = 1;
        }
        memcpy(key32, s->open_key, ENC_SEAL_KEY_BYTES);
    }
    r = ENC_OK;
out:
    sodium_mprotect_noaccess(s);
    return r;
}

static const enc_seal_backend pw_ops = {
    .name = "passphrase",
    .type = ENC_SEAL_BACKEND_PASSPHRASE,
    .params_len = ENC_SEAL_PW_PARAMS_BYTES,
    .seal_key = pw_seal_key,
    .open_key = pw_open_key,
    .destroy = enc_seal_backend_free,
};

int enc_seal_passphrase_create(enc_seal_backend **backend, const char *passphrase,
        size_t passphrase_len, uint32_t opslimit, uint64_t memlimit) {
    enc_seal_backend *b = NULL;
    pw_state *s;
    int r;

    if (passphrase_len == 0 || passphrase_len > ENC_SEAL_PW_MAX_PASSPHRASE || memlimit % 1024u != 0 ||
            !pw_cost_valid(opslimit, memlimit / 1024u))
        return ENC_E_ARG;
    if ((r = enc_seal_backend_new(&b, &pw_ops, sizeof(pw_state))) != ENC_OK)
        return r;
    s = b->state;
    memcpy(s->pass, passphrase, passphrase_len);
    s->pass_len = passphrase_len;
    s->opslimit = opslimit;
    s->memlimit_kib = (uint32_t)(memlimit / 1024u);
    sodium_mprotect_noaccess(s);
    *backend = b;
    return ENC_OK;
}
