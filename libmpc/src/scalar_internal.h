/*
 * Internal: unreduced sums of scalar products, for the RVOLE's inner products over 512 OTs.
 * Reducing each product mod n and then each partial sum costs more than forming the product;
 * a wide accumulator keeps the exact integer sum and reduces it once.
 */
#ifndef MPC_SRC_SCALAR_INTERNAL_H
#define MPC_SRC_SCALAR_INTERNAL_H

#include "mpc/scalar.h"

/* The exact integer sum of up to 2^64 - 1 terms, each a product of two scalars (< n^2 < 2^512)
 * or a single scalar: 8 limbs hold a value below 2^512 and the ninth counts the overflows out
 * of them, one at most per term. May hold a SECRET; clear with mpc__scalar_wide_clear. */
typedef struct {
    uint64_t d[9];
} mpc__scalar_wide;

void mpc__scalar_wide_clear(mpc__scalar_wide *w);

/* w += a * b, constant time. */
void mpc__scalar_wide_muladd(mpc__scalar_wide *w, const mpc_scalar *a, const mpc_scalar *b);

/* w += a, constant time. */
void mpc__scalar_wide_add(mpc__scalar_wide *w, const mpc_scalar *a);

/* r = w mod n, constant time; w is left unchanged. */
void mpc__scalar_wide_reduce(mpc_scalar *r, const mpc__scalar_wide *w);

#endif
