/*
 * Hashing with the length-prefixed tagged framing of PROTOCOL.md 1.2:
 *   H(tag, f1, ..., fk) = SHA-256(be64(len(tag)) || tag || be64(len(f1)) || f1 || ...)
 * Every tag lives in one table (mpc_tag) and carries the protocol version.
 */
#ifndef MPC_HASH_H
#define MPC_HASH_H

#include "mpc.h"
#include "point.h"
#include "scalar.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MPC_TAG_SCHNORR,
    MPC_TAG_ZERO,
    MPC_TAG_PAIR,
    MPC_TAG_DKG_COM,
    MPC_TAG_DKG_SID,
    MPC_TAG_DKG_COEF,
    MPC_TAG_DKG_ECHO2,
    MPC_TAG_DKG_CHAINCODE,
    MPC_TAG_DKG_FINAL,
    MPC_TAG_REFRESH_SID,
    MPC_TAG_EOT_H,
    MPC_TAG_EOT_KEY,
    MPC_TAG_SSO_EXPAND,
    MPC_TAG_SSO_U,
    MPC_TAG_SSO_CHI,
    MPC_TAG_SSO_RAND,
    MPC_TAG_RVOLE_GADGET,
    MPC_TAG_RVOLE_ATIL,
    MPC_TAG_RVOLE_THETA,
    MPC_TAG_RVOLE_MU,
    MPC_TAG_SIGN_SIGID,
    MPC_TAG_SIGN_MUL,
    MPC_TAG_SIGN_R,
    MPC_TAG_SIGN_ECHO1,
    MPC_TAG_KEYSHARE_STATE,
    MPC_TAG_COUNT
} mpc_tag;

/* The tag's ASCII string, e.g. "dkls23c/v1/sign/R"; NULL for a value outside the enum. */
MPC_API const char *mpc_tag_string(mpc_tag tag);

/* Streaming state; may hold SECRET data. Copying the struct copies the midstate, which is how a
 * fixed prefix (tag, session fields) is hashed once and reused. */
typedef struct {
    union {
        uint64_t align;
        unsigned char bytes[128];
    } sha;
    uint64_t field_left; /* bytes still owed to a field opened with mpc_hash_field_begin */
} mpc_hash;

/* Start H(tag, ...). */
MPC_API void mpc_hash_init(mpc_hash *h, mpc_tag tag);

/* Absorb one whole field: be64(len) || data. */
MPC_API void mpc_hash_field(mpc_hash *h, const void *data, size_t len);

/* A 4-byte big-endian integer field. */
MPC_API void mpc_hash_field_u32(mpc_hash *h, uint32_t v);

/* A point field: its 33-byte encoding (the identity is encoded as 33 zero bytes, which no valid
 * point produces, so hashing never fails). */
MPC_API void mpc_hash_field_point(const mpc_context *ctx, mpc_hash *h, const mpc_point *p);

/* A scalar field: its 32-byte encoding. */
MPC_API void mpc_hash_field_scalar(mpc_hash *h, const mpc_scalar *s);

/* A field whose bytes arrive in pieces: announce the total length, then mpc_hash_update exactly
 * that many bytes before the next field or the final call. Updating past the announced length,
 * or starting a field, PRG, hash-to-curve or final call with bytes still owed, aborts the process
 * (these functions have no context for the illegal callback; a mismatch is always a caller bug).
 * mpc_hash_init with an unknown tag aborts too. */
MPC_API void mpc_hash_field_begin(mpc_hash *h, size_t total_len);
MPC_API void mpc_hash_update(mpc_hash *h, const void *data, size_t len);

/* Finish: out = the 32-byte digest; the state is wiped. */
MPC_API void mpc_hash_final(mpc_hash *h, unsigned char out32[32]);

/* Finish as hash-to-scalar H_s: digest mod n (one conditional subtraction). State is wiped. */
MPC_API void mpc_hash_final_scalar(mpc_hash *h, mpc_scalar *out);

/* PRG: the first len bytes of H(prefix..., be32(0)) || H(prefix..., be32(1)) || ...
 * where prefix is everything absorbed into h so far. h itself is left unchanged. */
MPC_API void mpc_prg(unsigned char *out, size_t len, const mpc_hash *prefix);

/* Hash to curve by try-and-increment (PUBLIC inputs only): for ctr = 0, 1, ...:
 * x = H(prefix..., be32(ctr)); return the first point with compressed encoding 0x02 || x. */
MPC_API void mpc_hash_to_curve_var(const mpc_context *ctx, mpc_point *out, const mpc_hash *prefix)
        MPC_ARG_NONNULL(1, 2, 3);

/* Commitment (PROTOCOL.md 1.4). prefix holds (tag, ctx, msg) absorbed as fields.
 * Commit: salt <- 32 random bytes; c = H(prefix..., salt). Returns MPC_OK or MPC_E_RANDOM. */
MPC_API int mpc_commit(const mpc_context *ctx, unsigned char c32[32], unsigned char salt32[32],
        const mpc_hash *prefix) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4);

/* Open: 1 if c == H(prefix..., salt), compared in constant time; 0 otherwise. */
MPC_API int mpc_commit_open(const unsigned char c32[32], const unsigned char salt32[32],
        const mpc_hash *prefix) MPC_ARG_NONNULL(1, 2, 3);

#ifdef __cplusplus
}
#endif
#endif
