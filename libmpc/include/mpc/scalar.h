/*
 * Integers modulo the secp256k1 group order n, constant time. Zero is a valid value.
 * The representation is always fully reduced (value < n).
 */
#ifndef MPC_SCALAR_H
#define MPC_SCALAR_H

#include "mpc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 4 x 64-bit little-endian limbs; may hold a SECRET. */
typedef struct {
    uint64_t d[4];
} mpc_scalar;

MPC_API void mpc_scalar_set_u32(mpc_scalar *r, uint32_t v);

/* Strict parse of 32 big-endian bytes. Returns MPC_OK, or MPC_E_ENCODING (and r = 0) if the
 * value is >= n. Constant time in the value. */
MPC_API int mpc_scalar_parse(mpc_scalar *r, const unsigned char in32[32]) MPC_WARN_UNUSED_RESULT;

/* r = (32 big-endian bytes) mod n, by one conditional subtraction. Constant time. */
MPC_API void mpc_scalar_reduce32(mpc_scalar *r, const unsigned char in32[32]);

MPC_API void mpc_scalar_serialize(unsigned char out32[32], const mpc_scalar *a);

MPC_API void mpc_scalar_add(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b);
MPC_API void mpc_scalar_sub(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b);
MPC_API void mpc_scalar_neg(mpc_scalar *r, const mpc_scalar *a);
MPC_API void mpc_scalar_mul(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b);

/* r = a^-1 mod n, by a fixed exponentiation chain (a^(n-2)); the inverse of 0 is 0. */
MPC_API void mpc_scalar_inverse(mpc_scalar *r, const mpc_scalar *a);

/* r = flag ? a : r, without a branch; flag must be 0 or 1. */
MPC_API void mpc_scalar_cmov(mpc_scalar *r, const mpc_scalar *a, int flag);

/* r = flag ? b : a (selection without a branch); flag must be 0 or 1. */
MPC_API void mpc_scalar_select(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b, int flag);

MPC_API int mpc_scalar_eq(const mpc_scalar *a, const mpc_scalar *b);
MPC_API int mpc_scalar_is_zero(const mpc_scalar *a);

/* 1 if a > (n-1)/2. Variable time: only for public values such as a final signature's s. */
MPC_API int mpc_scalar_is_high_var(const mpc_scalar *a);

/* Uniform scalar in [1, n-1] from the context's randomness source (rejection sampling).
 * Returns MPC_OK or MPC_E_RANDOM. */
MPC_API int mpc_scalar_random(const mpc_context *ctx, mpc_scalar *r)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2);

MPC_API void mpc_scalar_clear(mpc_scalar *a);

/** Lagrange coefficient at 0 of party i over the signer set (evaluation points x_j = j).
 *  Public inputs only. Returns MPC_OK, or MPC_E_ILLEGAL (through the illegal callback) if the set
 *  is empty, has duplicates, does not contain i, or has an index outside 1..n. */
MPC_API int mpc_lagrange_coeff(const mpc_context *ctx, mpc_scalar *out, const uint32_t *set,
        size_t count, uint32_t n, uint32_t i) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

#ifdef __cplusplus
}
#endif
#endif
