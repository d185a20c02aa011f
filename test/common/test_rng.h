/* Deterministic randomness for tests: a seeded ChaCha20 stream (libsodium), so every run of a test
 * sees the same "random" values and a failure can be replayed. */
#ifndef MPC_TEST_RNG_H
#define MPC_TEST_RNG_H

#include <stdint.h>

#include "mpc/mpc.h"

typedef struct {
    unsigned char seed[32];
    uint64_t counter;
} test_rng;

void test_rng_init(test_rng *rng, uint64_t seed);
void test_rng_bytes(test_rng *rng, unsigned char *out, size_t len);
uint64_t test_rng_u64(test_rng *rng);

/* mpc_rng_fn adapter: data is a test_rng. */
int test_rng_fill(unsigned char *out, size_t len, void *data);

/* A context whose randomness source is rng (must outlive the context). Aborts on failure. */
mpc_context *test_context(test_rng *rng);

#endif
