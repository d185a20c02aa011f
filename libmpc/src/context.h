/* Internal: the context structure and the argument-check macro shared by every libmpc module. */
#ifndef MPC_SRC_CONTEXT_H
#define MPC_SRC_CONTEXT_H

#include <secp256k1.h>

#include "mpc/mpc.h"

struct mpc_context_struct {
    secp256k1_context *secp;
    mpc_rng_fn rng;
    void *rng_data;
    void (*illegal_fn)(const char *message, void *data);
    void *illegal_data;
};

/* Report API misuse through the illegal callback and make the caller return MPC_E_ILLEGAL. */
void mpc__illegal(const mpc_context *ctx, const char *message);

#define MPC_ARG_CHECK(ctx, cond)                                   \
    do {                                                           \
        if (!(cond)) {                                             \
            mpc__illegal((ctx), #cond);                            \
            return MPC_E_ILLEGAL;                                  \
        }                                                          \
    } while (0)

/* Variant for functions without a return value. */
#define MPC_ARG_CHECK_VOID(ctx, cond)                              \
    do {                                                           \
        if (!(cond)) {                                             \
            mpc__illegal((ctx), #cond);                            \
            return;                                                \
        }                                                          \
    } while (0)

#endif
