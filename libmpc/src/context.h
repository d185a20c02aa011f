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
    int declassify; /* set by mpc_context_set_declassify; only the valgrind ctime test uses it */
};

/* Tell valgrind's memcheck that len bytes at p are public from here on (libsecp256k1's
 * secp256k1_declassify). Called only where a value derived from secrets becomes public by
 * protocol design (a message field, a check verdict that decides an abort, the signature), each
 * call with a comment saying why. Does nothing unless libmpc was built with valgrind's headers
 * (MPC_VALGRIND_FOUND) and declassification is enabled on ctx. */
void mpc__declassify(const mpc_context *ctx, const void *p, size_t len);

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
