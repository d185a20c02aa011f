/* Internal: the GF(2^128) multipliers behind mpc_gf128_mul, exposed so the tests can check them
 * against each other. */
#ifndef MPC_SRC_GF128_INTERNAL_H
#define MPC_SRC_GF128_INTERNAL_H

#include "mpc/gf128.h"

/* Portable shift-and-xor multiplication, constant time on any CPU. */
void mpc__gf128_mul_portable(mpc_gf128 *r, const mpc_gf128 *a, const mpc_gf128 *b);

#if defined(__x86_64__) && defined(__GNUC__)
#define MPC_GF128_CLMUL 1
/* 1 if the CPU has the carry-less multiply instruction PCLMULQDQ. */
int mpc__gf128_have_clmul(void);
/* Multiplication with PCLMULQDQ; call only when mpc__gf128_have_clmul() returns 1. */
void mpc__gf128_mul_clmul(mpc_gf128 *r, const mpc_gf128 *a, const mpc_gf128 *b);
#endif

#endif
