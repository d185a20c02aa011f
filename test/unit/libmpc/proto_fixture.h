/* Shared helpers of the protocol tests: run a DKG, refresh or signing session over test_net,
 * and independent checks (OpenSSL, libsecp256k1) of what the protocol produced. */
#ifndef MPC_TEST_PROTO_FIXTURE_H
#define MPC_TEST_PROTO_FIXTURE_H

#include "mpc/protocol.h"
#include "test_net.h"

/* Run a DKG (inst derived from seed) for parties 1..n; asserts success; ks[k-1] for party k. */
void fx_dkg(const mpc_context *ctx, mpc_keyshare **ks, uint32_t n, uint32_t t, uint8_t seed);

/* Run a DKG with a hook; returns the failing call (0 = success, shares in ks) and leaves the
 * network's rc/blame in *nw for inspection. */
unsigned fx_dkg_hooked(const mpc_context *ctx, net *nw, mpc_keyshare **ks, uint32_t n,
        uint32_t t, uint8_t seed, net_hook hook, void *user);

/* Refresh all n shares; returns the failing call or 0 (new shares in out). */
unsigned fx_refresh(const mpc_context *ctx, net *nw, mpc_keyshare **out, mpc_keyshare *const *ks,
        uint32_t n, uint8_t seed, net_hook hook, void *user);

/* A signing session of the parties in set (ks indexed by party - 1). Returns the failing call
 * (1..3), 4 if the combiner failed (its code in *combine_rc), or 0 with sig64/recid/pub set. */
unsigned fx_sign(const mpc_context *ctx, net *nw, unsigned char sig64[64], int *recid,
        mpc_sign_public *pub, int *combine_rc, mpc_keyshare *const *ks, const uint32_t *set,
        size_t count, const unsigned char digest[32], const uint32_t *path, size_t path_len,
        uint8_t nonce_seed, net_hook hook, void *user);

/* Asserts that sig64 is a valid low-s signature of digest under pk33 with libsecp256k1 and
 * with OpenSSL (DER, EVP_PKEY_verify on secp256k1), and that recid recovers pk33. */
void fx_check_signature(const unsigned char pk33[33], const unsigned char digest[32],
        const unsigned char sig64[64], int recid);

/* Lagrange-reconstructs the secret from the serialized shares of `set` with OpenSSL BIGNUM and
 * asserts x*G == pk (libsecp256k1). */
void fx_check_reconstruct(const mpc_context *ctx, mpc_keyshare *const *ks, const uint32_t *set,
        size_t count);

/* Independent BIP32 CKDpub (OpenSSL HMAC-SHA512 + libsecp256k1) of a path from (pk, chain). */
void fx_ckd_pub(unsigned char out33[33], const unsigned char pk33[33],
        const unsigned char chain[32], const uint32_t *path, size_t len);

void fx_free_shares(mpc_keyshare **ks, size_t n);

#endif
