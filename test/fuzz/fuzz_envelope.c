/*
 * Envelope decoding (daemon/net/envelope.h): arbitrary bytes must never crash it, and whatever it
 * accepts must pass the envelope check and re-encode to exactly the same bytes (canonical form).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

#define FUZZ_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(net_log_level level, const char *line, void *arg) {
    (void)level;
    (void)line;
    (void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Mpc__Wire__Envelope *env = NULL;
    unsigned char *again = NULL;
    size_t again_len = 0;
    int r;

    net_set_log(quiet, NULL);
    r = net_env_unpack(&env, data, size, FUZZ_MAX);
    if (r != NET_OK) {
        if (env != NULL || r >= 0) {
            abort();
        }
        return 0;
    }
    if (size > FUZZ_MAX || net_env_check(env) != NET_OK ||
            net_env_pack(&again, &again_len, env, FUZZ_MAX) != NET_OK || again_len != size ||
            memcmp(again, data, size) != 0) {
        abort();
    }
    free(again);
    net_env_free(env);
    return 0;
}
