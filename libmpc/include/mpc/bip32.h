/*
 * Non-hardened BIP32 public derivation (CKDpub) on a threshold key (PROTOCOL.md 6.3).
 * Everything here is PUBLIC: the parent public key, the chain code, the path and the tweak.
 *
 * Deriving along a path gives the child public key and the accumulated tweak tau = sum of IL over
 * the steps; each party then signs with the share p*(i) = p(i) + tau, and public shares become
 * S*_k = S_k + tau*G.
 */
#ifndef MPC_BIP32_H
#define MPC_BIP32_H

#include "mpc.h"
#include "point.h"
#include "scalar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Indices at or above this are hardened and cannot be derived from a public key. */
#define MPC_BIP32_HARDENED 0x80000000u

/* Longest accepted derivation path. */
#define MPC_BIP32_MAX_DEPTH 255u

/* Base58Check xpub string: 111 characters for 82 bytes, plus the terminating NUL. */
#define MPC_BIP32_XPUB_STRING_BYTES 112

/* Returned when a derivation step's IL is >= n or the child key is the identity (BIP32: "proceed
 * with the next value for i"). The caller skips this index; no party is at fault. Distinct from
 * every MPC_E_* code of mpc.h. */
#define MPC_E_BIP32_INVALID_CHILD (-100)

/* An extended public key. pk is never the identity in a key produced by this module. */
typedef struct {
    mpc_point pk;
    unsigned char chain_code[32];
    uint32_t depth;                    /* 0..255 */
    unsigned char parent_fingerprint[4];
    uint32_t child_number;             /* index of this key under its parent (hardened allowed) */
} mpc_bip32_xpub;

/** One CKDpub step: child = parent / index.
 *  Returns: MPC_OK; MPC_E_ILLEGAL (illegal callback) if index is hardened, the parent key is the
 *           identity or the parent depth is already 255; MPC_E_BIP32_INVALID_CHILD if IL >= n or
 *           the child key is the identity (child and tweak are then zero); MPC_E_INTERNAL if
 *           OpenSSL fails.
 *  Out: child, tweak = IL (the step's tweak: child.pk = parent.pk + IL*G). */
MPC_API int mpc_bip32_derive_child(const mpc_context *ctx, mpc_bip32_xpub *child,
        mpc_scalar *tweak, const mpc_bip32_xpub *parent, uint32_t index)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4);

/** CKDpub along a path of non-hardened indices (path may be NULL when path_len is 0, which
 *  returns the parent and tau = 0).
 *  Returns: as mpc_bip32_derive_child for the first step that fails; also MPC_E_ILLEGAL if
 *           path_len exceeds MPC_BIP32_MAX_DEPTH.
 *  Out: child, tau = the sum of every step's IL mod n, so child.pk = parent.pk + tau*G. */
MPC_API int mpc_bip32_derive_path(const mpc_context *ctx, mpc_bip32_xpub *child, mpc_scalar *tau,
        const mpc_bip32_xpub *parent, const uint32_t *path, size_t path_len)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4);

/** Strict parse of a mainnet xpub (version 0x0488B21E) from len characters (no NUL needed):
 *  Base58Check with a valid checksum, exactly 78 payload bytes, a compressed public key that
 *  parses strictly, and depth 0 only with a zero parent fingerprint and child number.
 *  Returns: MPC_OK or MPC_E_ENCODING (out is then zeroed). */
MPC_API int mpc_bip32_xpub_parse(const mpc_context *ctx, mpc_bip32_xpub *out, const char *in,
        size_t len) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

/** Serialize as a NUL-terminated Base58Check xpub string.
 *  Returns: MPC_OK, or MPC_E_ENCODING if the key is the identity or depth > 255. */
MPC_API int mpc_bip32_xpub_serialize(const mpc_context *ctx,
        char out[MPC_BIP32_XPUB_STRING_BYTES], const mpc_bip32_xpub *xpub)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

#ifdef __cplusplus
}
#endif
#endif
