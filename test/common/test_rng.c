#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "test_rng.h"

void test_rng_init(test_rng *rng, uint64_t seed)
{
    memset(rng, 0, sizeof(*rng));
    for (int i = 0; i < 8; i++)
        rng->seed[i] = (unsigned char)(seed >> (8 * i));
    rng->counter = 0;
}

/* Each call draws from a fresh ChaCha20 stream keyed by (seed, counter). */
void test_rng_bytes(test_rng *rng, unsigned char *out, size_t len)
{
    unsigned char key[32];

    memcpy(key, rng->seed, sizeof(key));
    for (int i = 0; i < 8; i++)
        key[24 + i] ^= (unsigned char)(rng->counter >> (8 * i));
    rng->counter++;
    randombytes_buf_deterministic(out, len, key);
}

uint64_t test_rng_u64(test_rng *rng)
{
    unsigned char b[8];
    uint64_t v = 0;

    test_rng_bytes(rng, b, sizeof(b));
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

int test_rng_fill(unsigned char *out, size_t len, void *data)
{
    test_rng_bytes(data, out, len);
    return 1;
}

mpc_context *test_context(test_rng *rng)
{
    mpc_context *ctx = mpc_context_create();

    if (ctx == NULL || mpc_context_set_rng(ctx, test_rng_fill, rng) != MPC_OK) {
        fprintf(stderr, "test_context: cannot create a context\n");
        abort();
    }
    return ctx;
}
