#include "seal/seal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enc_bytes.h"
#include "enc_error.h"

static const unsigned char seal_magic[4] = {'M', 'P', 'S', 'L'};
static const char sealing_key_id_label[] = "mpc-enclave/seal/sealing-key-id/v1";

static int seal_kind_known(uint16_t kind) {
    return kind >= ENC_SEAL_KIND_KEY_SHARE && kind <= ENC_SEAL_KIND_POLICY;
}

static int seal_kind_keyed(uint16_t kind) {
    return kind == ENC_SEAL_KIND_KEY_SHARE || kind == ENC_SEAL_KIND_USED_SESSIONS;
}

void enc_seal_sealing_key_id(unsigned char id16[16], const unsigned char key32[32]) {
    crypto_generichash(id16, ENC_SEAL_SEALING_KEY_ID_BYTES, (const unsigned char *)sealing_key_id_label,
            sizeof(sealing_key_id_label) - 1, key32, ENC_SEAL_KEY_BYTES);
}

int enc_seal_parse(enc_seal_header *h, const unsigned char *blob, size_t blob_len) {
    enc_seal_header t;
    size_t off;

    if (blob_len < 8)
        return ENC_SEAL_E_TRUNCATED;
    if (memcmp(blob, seal_magic, sizeof(seal_magic)) != 0)
        return ENC_SEAL_E_MAGIC;
    t.version = enc_get_be16(blob + 4);
    if (t.version != ENC_SEAL_VERSION)
        return ENC_SEAL_E_VERSION;
    t.kind = enc_get_be16(blob + 6);
    if (!seal_kind_known(t.kind))
        return ENC_SEAL_E_KIND;
    if (blob_len < 60)
        return ENC_SEAL_E_TRUNCATED;
    t.key_id = blob + 8;
    t.backend_type = enc_get_be16(blob + 40);
    t.params_len = enc_get_be16(blob + 42);
    if (t.params_len > ENC_SEAL_MAX_PARAMS)
        return ENC_SEAL_E_BACKEND;
    t.sealing_key_id = blob + 44;
    off = 60;
    t.header_len = ENC_SEAL_FIXED_HEADER_BYTES + t.params_len;
    if (blob_len < t.header_len)
        return ENC_SEAL_E_TRUNCATED;
    t.params = blob + off;
    off += t.params_len;
    t.nonce = blob + off;
    off += ENC_SEAL_NONCE_BYTES;
    t.plaintext_len = enc_get_be32(blob + off);
    off += 4;
    if (t.plaintext_len > ENC_SEAL_MAX_PLAINTEXT)
        return ENC_SEAL_E_TOO_LONG;
    if (blob_len - t.header_len < (size_t)t.plaintext_len + ENC_SEAL_TAG_BYTES)
        return ENC_SEAL_E_TRUNCATED;
    if (blob_len - t.header_len > (size_t)t.plaintext_len + ENC_SEAL_TAG_BYTES)
        return ENC_SEAL_E_TRAILING;
    t.ciphertext = blob + off;
    *h = t;
    return ENC_OK;
}

int enc_seal(enc_seal_backend *b, unsigned char **blob, size_t *blob_len, uint16_t kind,
        const unsigned char *key_id, const unsigned char *plain, size_t plain_len) {
    unsigned char key[ENC_SEAL_KEY_BYTES];
    unsigned char *out = NULL;
    size_t header_len, total, off;
    unsigned long long clen;
    int r = ENC_E_INTERNAL;

    if (!seal_kind_known(kind) || seal_kind_keyed(kind) != (key_id != NULL) ||
            plain_len > ENC_SEAL_MAX_PLAINTEXT || b->params_len > ENC_SEAL_MAX_PARAMS) {
        r = ENC_E_ARG;
        goto out;
    }
    header_len = ENC_SEAL_FIXED_HEADER_BYTES + b->params_len;
    total = header_len + plain_len + ENC_SEAL_TAG_BYTES;
    if ((out = malloc(total)) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    memcpy(out, seal_magic, sizeof(seal_magic));
    enc_put_be16(out + 4, ENC_SEAL_VERSION);
    enc_put_be16(out + 6, kind);
    if (key_id != NULL)
        memcpy(out + 8, key_id, ENC_SEAL_KEY_ID_BYTES);
    else
        memset(out + 8, 0, ENC_SEAL_KEY_ID_BYTES);
    enc_put_be16(out + 40, b->type);
    enc_put_be16(out + 42, b->params_len);
    off = 60;
    if ((r = b->seal_key(b, out + off, key)) != ENC_OK)
        goto out;
    enc_seal_sealing_key_id(out + 44, key);
    off += b->params_len;
    randombytes_buf(out + off, ENC_SEAL_NONCE_BYTES);
    off += ENC_SEAL_NONCE_BYTES;
    enc_put_be32(out + off, (uint32_t)plain_len);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + header_len, &clen, plain, plain_len,
                out, header_len, NULL, out + header_len - 4 - ENC_SEAL_NONCE_BYTES, key) != 0 ||
            clen != plain_len + ENC_SEAL_TAG_BYTES) {
        r = ENC_E_INTERNAL;
        goto out;
    }
    *blob = out;
    *blob_len = total;
    out = NULL;
    r = ENC_OK;
out:
    sodium_memzero(key, sizeof(key));
    free(out);
    return r;
}

int enc_unseal(enc_seal_backend *b, unsigned char **plain, size_t *plain_len,
        const unsigned char *blob, size_t blob_len, uint16_t expected_kind,
        const unsigned char *expected_key_id) {
    static const unsigned char zero_id[ENC_SEAL_KEY_ID_BYTES];
    enc_seal_header h;
    unsigned char key[ENC_SEAL_KEY_BYTES];
    unsigned char key_id[ENC_SEAL_SEALING_KEY_ID_BYTES];
    unsigned char *m = NULL;
    unsigned long long mlen;
    int r = ENC_E_INTERNAL;

    if ((r = enc_seal_parse(&h, blob, blob_len)) != ENC_OK)
        goto out;
    if (h.kind != expected_kind) {
        r = ENC_SEAL_E_WRONG_KIND;
        goto out;
    }
    /* Key ids are public; a plain compare is fine. */
    if (memcmp(h.key_id, expected_key_id != NULL ? expected_key_id : zero_id, ENC_SEAL_KEY_ID_BYTES) != 0) {
        r = ENC_SEAL_E_WRONG_KEY_ID;
        goto out;
    }
    if (h.backend_type != b->type || h.params_len != b->params_len) {
        r = ENC_SEAL_E_BACKEND;
        goto out;
    }
    if ((r = b->open_key(b, key, h.params)) != ENC_OK)
        goto out;
    enc_seal_sealing_key_id(key_id, key);
    if (sodium_memcmp(key_id, h.sealing_key_id, sizeof(key_id)) != 0) {
        r = ENC_SEAL_E_WRONG_SEALING_KEY;
        goto out;
    }
    /* +1: sodium_malloc(0) is allowed to fail; an empty plaintext is legal. */
    if ((m = sodium_malloc((size_t)h.plaintext_len + 1)) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, NULL, h.ciphertext,
                (unsigned long long)h.plaintext_len + ENC_SEAL_TAG_BYTES, blob, h.header_len,
                h.nonce, key) != 0) {
        r = ENC_SEAL_E_AUTH;
        goto out;
    }
    *plain = m;
    *plain_len = (size_t)mlen;
    m = NULL;
    r = ENC_OK;
out:
    sodium_memzero(key, sizeof(key));
    if (m != NULL)
        sodium_free(m);
    return r;
}

void enc_seal_plain_free(unsigned char *plain) {
    if (plain != NULL)
        sodium_free(plain);
}

int enc_seal_backend_new(enc_seal_backend **backend, const enc_seal_backend *ops, size_t state_len) {
    enc_seal_backend *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return ENC_E_NOMEM;
    *b = *ops;
    if ((b->state = sodium_malloc(state_len)) == NULL) {
        free(b);
        return ENC_E_NOMEM;
    }
    memset(b->state, 0, state_len);
    *backend = b;
    return ENC_OK;
}

void enc_seal_backend_free(enc_seal_backend *b) {
    sodium_mprotect_readwrite(b->state);
    sodium_free(b->state); /* zeroes before unmapping */
    free(b);
}

void enc_seal_backend_destroy(enc_seal_backend *backend) {
    if (backend != NULL)
        backend->destroy(backend);
}
