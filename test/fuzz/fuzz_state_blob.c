/* The parsers of the enclave's singleton state plaintexts (enclave/state.c): the ban list, the
 * instance-id set and the policy. The first input byte picks the kind, the rest is sealed with a fixed key and
 * loaded, so the fuzzer reaches the plaintext parser behind the AEAD. Never crashes; an accepted
 * plaintext is canonical: sealing the loaded state gives back exactly the input bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <mpc/protocol.h>

#include "enc_error.h"
#include "seal/seal.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const unsigned char key[32] = {0x5a};
    static enc_seal_backend *kf;
    static mpc_context *mpc;
    enc_state *st = NULL;
    unsigned char *blob = NULL, *blob2 = NULL, *plain = NULL;
    size_t blob_len = 0, blob2_len = 0, plain_len = 0;
    uint16_t kind;
    int r;

    if (kf == NULL && (sodium_init() < 0 || enc_seal_keyfile_create(&kf, key) != ENC_OK ||
                              (mpc = mpc_context_create()) == NULL))
        abort();
    if (size < 1)
        return 0;
    kind = data[0] % 3 == 0 ? ENC_SEAL_KIND_BAN_LIST : data[0] % 3 == 1 ? ENC_SEAL_KIND_COUNTERS : ENC_STATE_KIND_POLICY;
    if (enc_state_create(&st) != ENC_OK || enc_seal(kf, &blob, &blob_len, kind, NULL, data + 1, size - 1) != ENC_OK)
        abort();
    r = enc_state_load(st, mpc, kf, kind, NULL, blob, blob_len);
    if (r == ENC_OK) {
        r = kind == ENC_SEAL_KIND_COUNTERS ? enc_state_seal_insts(st, kf, &blob2, &blob2_len)
            : kind == ENC_SEAL_KIND_BAN_LIST ? enc_state_seal_bans(st, kf, &blob2, &blob2_len)
                                             : enc_state_seal_policy(st, kf, &blob2, &blob2_len);
        if (r != ENC_OK || enc_unseal(kf, &plain, &plain_len, blob2, blob2_len, kind, NULL) != ENC_OK ||
                plain_len != size - 1 || memcmp(plain, data + 1, plain_len) != 0)
            abort();
        enc_seal_plain_free(plain);
    } else if (r != ENC_STATE_E_FORMAT) {
        abort();
    }
    free(blob);
    free(blob2);
    enc_state_destroy(st);
    return 0;
}
