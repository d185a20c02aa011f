/*
 * Points of secp256k1, including the identity, over libsecp256k1's public API.
 * On the wire a point is exactly 33 bytes, SEC1 compressed; the identity is never encoded.
 */
#ifndef MPC_POINT_H
#define MPC_POINT_H

#include "mpc.h"
#include "scalar.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPC_POINT_BYTES 33

/* Opaque: a secp256k1_pubkey plus an identity flag. */
typedef struct {
    unsigned char data[64];
    uint32_t infinity;
} mpc_point;

MPC_API void mpc_point_set_infinity(mpc_point *r);
MPC_API int mpc_point_is_infinity(const mpc_point *p);

/* Strict parse: exactly 33 bytes, prefix 0x02/0x03, x < p, on the curve.
 * Returns MPC_OK or MPC_E_ENCODING (r is then the identity). */
MPC_API int mpc_point_parse(const mpc_context *ctx, mpc_point *r, const unsigned char in33[33])
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

/* Returns MPC_OK, or MPC_E_ENCODING if p is the identity (out is then zeroed). */
MPC_API int mpc_point_serialize(const mpc_context *ctx, unsigned char out33[33], const mpc_point *p)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

/* r = k*G, constant time in k (k = 0 gives the identity). */
MPC_API void mpc_point_base_mul(const mpc_context *ctx, mpc_point *r, const mpc_scalar *k)
        MPC_ARG_NONNULL(1, 2, 3);

/* r = k*P for a SECRET k: the multiplication is constant time in k (secp256k1_ecdh with a
 * full-point callback), but turning its (x, y) into a point object goes through
 * secp256k1_ec_pubkey_parse, whose curve-equation check is variable time in the coordinates of
 * the product. Use it only where k*P may be leaked to timing; libmpc's protocols do not use it
 * (they encode secret products in constant time or blind them first). */
MPC_API void mpc_point_mul(const mpc_context *ctx, mpc_point *r, const mpc_point *p,
        const mpc_scalar *k) MPC_ARG_NONNULL(1, 2, 3, 4);

/* r = k*P for a PUBLIC k. Variable time. */
MPC_API void mpc_point_mul_var(const mpc_context *ctx, mpc_point *r, const mpc_point *p,
        const mpc_scalar *k) MPC_ARG_NONNULL(1, 2, 3, 4);

/* r = a + b (public points; variable time). r may alias a or b. */
MPC_API void mpc_point_add_var(const mpc_context *ctx, mpc_point *r, const mpc_point *a,
        const mpc_point *b) MPC_ARG_NONNULL(1, 2, 3, 4);

MPC_API void mpc_point_neg_var(const mpc_context *ctx, mpc_point *r, const mpc_point *a)
        MPC_ARG_NONNULL(1, 2, 3);

/* r = sum of count points (count 0 gives the identity). */
MPC_API void mpc_point_sum_var(const mpc_context *ctx, mpc_point *r, const mpc_point *points,
        size_t count) MPC_ARG_NONNULL(1, 2);

/* r = sum k_i * P_i with PUBLIC scalars. */
MPC_API void mpc_point_lincomb_var(const mpc_context *ctx, mpc_point *r, const mpc_scalar *k,
        const mpc_point *points, size_t count) MPC_ARG_NONNULL(1, 2);

MPC_API int mpc_point_eq(const mpc_context *ctx, const mpc_point *a, const mpc_point *b)
        MPC_ARG_NONNULL(1, 2, 3);

#ifdef __cplusplus
}
#endif
#endif
