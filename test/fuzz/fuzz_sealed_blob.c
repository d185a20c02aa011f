/* Sealed-blob parser and enc_unseal with a fixed key-file key on arbitrary bytes: never crashes;
 * an accepted header accounts for every byte; a blob that unseals has the declared plaintext length
 * and re-seals to a blob that opens to the same plaintext. (The passphrase backend is left out: a
 * hostile header may ask for up to 1 GiB of Argon2 memory per input, which is the documented bound,
 * not a bug.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enc_error.h"
#include "enclave_vectors.h"
#include "seal/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static enc_seal_backend *kf;
    enc_seal_header h;
    const unsigned char *key_id;
    unsigned char *plain = NULL, *plain2 = NULL, *blob = NULL;
    size_t plain_len = 0, plain2_len = 0, blob_len = 0;
    int r;

    if (kf == NULL && (sodium_init() < 0 || enc_seal_keyfile_create(&kf, ev_keyfile_key) != ENC_OK))
        abort();
    if (enc_seal_parse(&h, data, size) != ENC_OK)
        return 0;
    if (h.header_len + (size_t)h.plaintext_len + ENC_SEAL_TAG_BYTES != size)
        abort();
    /* Ask for exactly what the header claims so the fuzzer reaches the key and tag checks. */
    key_id = h.kind == ENC_SEAL_KIND_KEY_SHARE || h.kind == ENC_SEAL_KIND_USED_SESSIONS ? h.key_id : NULL;
    r = enc_unseal(kf, &plain, &plain_len, data, size, h.kind, key_id);
    if (r != ENC_OK) {
        if (plain != NULL)
            abort();
        return 0;
    }
    if (plain_len != h.plaintext_len)
        abort();
    if (enc_seal(kf, &blob, &blob_len, h.kind, key_id, plain, plain_len) != ENC_OK || blob_len != size ||
            enc_unseal(kf, &plain2, &plain2_len, blob, blob_len, h.kind, key_id) != ENC_OK ||
            plain2_len != plain_len || (plain_len > 0 && memcmp(plain, plain2, plain_len) != 0))
        abort();
    enc_seal_plain_free(plain2);
    enc_seal_plain_free(plain);
    free(blob);
    return 0;
}
