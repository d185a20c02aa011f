/* The enclave's IPC envelope decoder (enc_ipc_unpack) on arbitrary frames: never crashes, never
 * leaks; whatever it accepts is canonical (re-encodes to the input), carries a parent-to-enclave
 * type whose body is set, and the permission table answers for it in every state. Seed corpus from
 * test/unit/enclave/gen_enclave_vectors.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enc_error.h"
#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    Mpc__Enclave__Envelope *env = NULL;
    unsigned char *again;
    size_t len;
    unsigned int st;

    if (!ready && (ready = sodium_init() >= 0) == 0)
        abort();
    if (enc_ipc_unpack(&env, data, size) != ENC_OK) {
        if (env != NULL)
            abort();
        return 0;
    }
    if ((int)env->type < 10 || (int)env->type > 25 || (int)env->body_case != (int)env->type)
        abort();
    len = mpc__enclave__envelope__get_packed_size(env);
    if (len != size || (again = malloc(len)) == NULL)
        abort();
    if (mpc__enclave__envelope__pack(env, again) != len || memcmp(again, data, len) != 0)
        abort();
    for (st = ENC_IPC_ST_HELLO; st <= ENC_IPC_ST_SIGNING; st <<= 1)
        (void)enc_ipc_permitted((int)env->type, st);
    free(again);
    enc_ipc_envelope_free(env);
    return 0;
}
