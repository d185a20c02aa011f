/*
 * Schnorr proof of knowledge of a discrete log with Fiat-Shamir and full context binding
 * (PROTOCOL.md 2.1): e = H_s("schnorr", label, sid, be32(prover), be32(statement), extra,
 * enc(G), enc(X), enc(T)).
 */
#ifndef MPC_ZK_H
#define MPC_ZK_H

#include "hash.h"
#include "mpc.h"
#include "point.h"
#include "scalar.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPC_SCHNORR_BYTES 65 /* T (33) || z (32) */

typedef struct {
    mpc_point T;
    mpc_scalar z;
} mpc_schnorr_proof;

/* What the proof is bound to. label is the context's tag (e.g. MPC_TAG_DKG_COEF). */
typedef struct {
    mpc_tag label;
    const unsigned char *sid; /* 32 bytes: session or instance id */
    uint32_t prover;
    uint32_t statement;
    const unsigned char *extra; /* may be NULL when extra_len is 0 */
    size_t extra_len;
} mpc_schnorr_context;

/** Prove knowledge of x with X = x*G. Returns MPC_OK or MPC_E_RANDOM. */
MPC_API int mpc_schnorr_prove(const mpc_context *ctx, mpc_schnorr_proof *proof,
        const mpc_scalar *x, const mpc_point *X, const mpc_schnorr_context *sctx)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4, 5);

/** Verify. Returns MPC_OK, or MPC_E_PROOF if X or T is the identity or the equation fails. */
MPC_API int mpc_schnorr_verify(const mpc_context *ctx, const mpc_schnorr_proof *proof,
        const mpc_point *X, const mpc_schnorr_context *sctx)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4);

/* Returns MPC_OK, or MPC_E_ENCODING if T is the identity. */
MPC_API int mpc_schnorr_serialize(const mpc_context *ctx, unsigned char out[MPC_SCHNORR_BYTES],
        const mpc_schnorr_proof *proof) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

/* Strict: canonical T (not the identity), z < n. Returns MPC_OK or MPC_E_ENCODING. */
MPC_API int mpc_schnorr_parse(const mpc_context *ctx, mpc_schnorr_proof *proof,
        const unsigned char in[MPC_SCHNORR_BYTES]) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

#ifdef __cplusplus
}
#endif
#endif
