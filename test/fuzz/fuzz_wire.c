/*
 * Daemon message decoding (daemon/wire/wire.h): arbitrary bytes must never crash wire_unpack, and
 * whatever it accepts must pass wire_check and re-encode to exactly the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Mpc__Wire__Envelope *env = NULL;
    unsigned char *again;
    size_t len;
    int r = wire_unpack(&env, data, size);

    if (r != NET_OK) {
        if (env != NULL || r >= 0) {
            abort();
        }
        return 0;
    }
    if (wire_check(env) != NET_OK) {
        abort();
    }
    len = mpc__wire__envelope__get_packed_size(env);
    again = malloc(len + 1);
    if (again == NULL || len != size || mpc__wire__envelope__pack(env, again) != len || memcmp(again, data, size) != 0) {
        abort();
    }
    free(again);
    net_env_free(env);
    return 0;
}
