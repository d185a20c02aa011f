/*
 * GF(2^128) with modulus x^128 + x^7 + x^2 + x + 1 in the little-endian bit order of
 * PROTOCOL.md 4.4: bit b of a 16-byte string (byte b>>3, bit b&7) is the coefficient of x^b.
 * This is NOT the bit-reflected GHASH convention. Constant time.
 */
#ifndef MPC_GF128_H
#define MPC_GF128_H

#include "mpc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t lo; /* coefficients of x^0 .. x^63 */
    uint64_t hi; /* coefficients of x^64 .. x^127 */
} mpc_gf128;

MPC_API void mpc_gf128_load(mpc_gf128 *r, const unsigned char in16[16]);
MPC_API void mpc_gf128_store(unsigned char out16[16], const mpc_gf128 *a);
MPC_API void mpc_gf128_mul(mpc_gf128 *r, const mpc_gf128 *a, const mpc_gf128 *b);

#ifdef __cplusplus
}
#endif
#endif
