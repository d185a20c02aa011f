/*
 * The DKLs23 protocol: distributed key generation (PROTOCOL.md 3 and 4), proactive refresh (6.1),
 * 3-round threshold signing (5) with non-hardened BIP32 derived keys (6.3), and the combiner.
 *
 * Model. Each party holds one heap state object per run (mpc_dkg, mpc_sign). The caller moves
 * bytes between parties: every call to a _next function takes the messages received for the
 * previous round and returns the messages of the next round. libmpc does no I/O, uses no threads
 * and keeps no global state; every random byte comes from the context's randomness source.
 *
 * Messages. Every round message is one byte string with a fixed, versioned, length-exact layout:
 *   offset  0  magic "MPCM" (4 bytes)
 *           4  protocol version (1 byte, MPC_PROTOCOL_VERSION)
 *           5  kind (1 byte: 1 DKG, 2 refresh, 3 signing)
 *           6  round (1 byte, 1-based)
 *           7  zero (1 byte)
 *           8  epoch (be32: 0 for a DKG, old epoch + 1 for a refresh, the key's epoch for signing)
 *          12  from (be32), 16 to (be32; MPC_BROADCAST for a broadcast)
 *          20  session (32 bytes: DKG/refresh round 1 the instance id inst, later rounds the new
 *              sid; signing the key's sid)
 *          52  aux (32 bytes: refresh the sid of the key being refreshed, DKG zero, signing the
 *              sigid)
 *          84  payload (layout and length fixed by kind, round, n and t; see the .c files)
 * The header is checked for every received message of a round before any cryptographic work;
 * a mismatch, a duplicate, a missing or a misrouted message gives MPC_E_SESSION and blames nobody.
 * A payload that is not exactly well formed (length, canonical scalar < n, 33-byte compressed
 * non-identity point) gives MPC_E_ENCODING and blames the sender, who the transport has
 * authenticated (the caller passes it in mpc_msg_in.from).
 *
 * Channels. All messages must be authenticated by the transport. DKG round 3 and refresh round 3
 * messages carry secret shares and seeds and must also travel over a confidential channel (the
 * enclave layer encrypts them): libmpc itself does not encrypt.
 *
 * Errors. A _next function that fails returns a negative MPC_E_* and fills the blame list as the
 * abort policy of PROTOCOL.md 5 says:
 *   MPC_E_SESSION      header/session problem, duplicate or missing message: nobody, recoverable
 *   MPC_E_ENCODING     malformed payload: the sender; recoverable (DKG: exclude it)
 *   MPC_E_PROOF        commitment opening (DKG and signing), Feldman share, Schnorr proof: the
 *                      named party; signing: recoverable; DKG: abort and exclude it
 *   MPC_E_EQUIVOCATION echo mismatch: nobody (unknown who equivocated); recoverable
 *   MPC_E_BAN          OT-extension check (blames Bob), RVOLE mu check and Gu/Gv check (blame
 *                      Alice): the caller MUST ban the blamed party from every present and future
 *                      session with this key, refresh included
 *   MPC_E_INCONSISTENT sum pk_k != pk*, R = identity, r = 0, U = 0, s = 0, final verify: nobody
 * After any error the state object is dead: its secrets are wiped at once, it produces nothing,
 * and every later call returns MPC_E_STATE. Honest parties output nothing after an abort.
 * (A failure detected by one party in the last DKG round cannot stop the others from finishing:
 * compare mpc_keyshare_public_hash among all parties before storing a new share.)
 *
 * Choices made where PROTOCOL.md leaves freedom (details next to the code in dkg.c and sign.c):
 *  - a received scalar >= n, a non-canonical point or a wrong length is MPC_E_ENCODING naming the
 *    sender, never a ban; the headers of the whole round are checked before any payload is read;
 *    in signing, all payloads are then parsed, then the recoverable checks (openings, echoes)
 *    run for every peer, and only then the checks that lead to a ban;
 *  - every round goes out as one message per recipient except DKG rounds 1 and 4 and signing
 *    round 3, which are broadcasts (to = MPC_BROADCAST); DKG round 2 carries the broadcast part
 *    and the base-OT msg1 together, and the echo covers the broadcast parts only;
 *  - zero seeds are chosen by the lower index of each pair; the chain code is
 *    H("dkg/chaincode", sid, cc_1..cc_n); the final DKG proof binds pk || chain code || echo;
 *  - refresh binds the old sid and new epoch into its sid, commitments and headers;
 *  - the signing round-3 broadcast carries R so that a combiner needs only public data;
 *  - sigid = H("sign/sigid", sid, be32(epoch), sorted P as be32s, digest, path as be32s, nonce);
 *  - the public-state hash (mpc_keyshare_public_hash) has its own tag, "keyshare/state".
 */
#ifndef MPC_PROTOCOL_H
#define MPC_PROTOCOL_H

#include "mpc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPC_BROADCAST 0u          /* "to" of a message that goes to every other party */
#define MPC_MSG_HEADER_BYTES 84u
#define MPC_DKG_ROUNDS 4u         /* message rounds; one more _next call finishes */
#define MPC_SIGN_ROUNDS 3u

/* A message produced by a _next call. data belongs to the state object and stays valid until the
 * next call on that object or its destruction. The caller sends it to party `to`, or to every
 * other party of the run when to == MPC_BROADCAST. */
typedef struct {
    uint32_t to;
    const unsigned char *data;
    size_t len;
} mpc_msg_out;

/* A received message: from is the sender as authenticated by the transport. */
typedef struct {
    uint32_t from;
    const unsigned char *data;
    size_t len;
} mpc_msg_in;

/* ---------------------------------------------------------------------------------------------
 * Key shares
 * ------------------------------------------------------------------------------------------- */

/* SECRET, opaque, in mpc_secure_alloc memory: own share p(i), public shares S_1..S_n, pk, chain
 * code, epoch, sid, n, t, i, the zero-sharing seeds and the OT keys for every peer. */
typedef struct mpc_keyshare_struct mpc_keyshare;

/* Serialized key share layout (version 1), all integers big-endian, length exact for its n:
 *   0 magic "MPCK" | 4 be32 version | 8 be32 n | 12 be32 t | 16 be32 i | 20 be32 epoch |
 *   24 sid[32] | 56 pk[33] | 89 chain code[32] | 121 share p(i)[32] | 153 S_1..S_n (33 each) |
 *   then for each peer j != i in increasing order: zero seed[32], OT sender key (delta[32],
 *   seed[256][32]) for the instance (Alice = i, Bob = j), OT receiver key (seed[256][2][32]) for
 *   the instance (Alice = j, Bob = i). */
#define MPC_KEYSHARE_OFF_SHARE 121u
#define MPC_KEYSHARE_PEER_BYTES (32u + 32u + 256u * 32u + 256u * 2u * 32u)
#define MPC_KEYSHARE_BYTES(n) (153u + 33u * (n) + MPC_KEYSHARE_PEER_BYTES * ((n) - 1u))

/** Serialize a key share (SECRET output: encrypt it at rest and wipe the buffer).
 *  Returns: MPC_OK, or MPC_E_ILLEGAL (illegal callback) if outlen != MPC_KEYSHARE_BYTES(n).
 *  Out:     out[outlen] */
MPC_API int mpc_keyshare_serialize(const mpc_context *ctx, unsigned char *out, size_t outlen,
        const mpc_keyshare *share) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 4);

/* Length of share's serialization, MPC_KEYSHARE_BYTES(n). */
MPC_API size_t mpc_keyshare_serialized_len(const mpc_keyshare *share) MPC_ARG_NONNULL(1);

/** Parse a serialized key share strictly: magic, version, 2 <= t <= n <= MPC_MAX_PARTIES,
 *  1 <= i <= n, exact length, canonical non-zero share, valid points, share*G == S_i, all S_k on
 *  one polynomial of degree t-1 whose value at 0 is pk.
 *  Returns: MPC_OK, MPC_E_ENCODING (malformed or inconsistent) or MPC_E_INTERNAL (no memory).
 *  Out:     share (a new object; destroy with mpc_keyshare_destroy) */
MPC_API int mpc_keyshare_parse(const mpc_context *ctx, mpc_keyshare **share,
        const unsigned char *in, size_t inlen) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

/* Wipe and free (NULL allowed). */
MPC_API void mpc_keyshare_destroy(mpc_keyshare *share);

/* Public facts of a key share. */
typedef struct {
    uint32_t n, t, self, epoch;
    unsigned char sid[32];
    unsigned char pubkey[33];     /* root public key pk, compressed */
    unsigned char chaincode[32];  /* root BIP32 chain code */
} mpc_keyshare_info;

MPC_API void mpc_keyshare_get_info(const mpc_context *ctx, mpc_keyshare_info *info,
        const mpc_keyshare *share) MPC_ARG_NONNULL(1, 2, 3);

/** Public share S_k = p(k)*G of party k (1 <= k <= n), compressed.
 *  Returns: MPC_OK, or MPC_E_ILLEGAL if k is out of range. */
MPC_API int mpc_keyshare_public_share(const mpc_context *ctx, unsigned char out33[33],
        const mpc_keyshare *share, uint32_t k) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

/** Hash of the public state (sid, epoch, n, t, pk, chain code, S_1..S_n). Every party of a DKG or
 *  refresh must obtain the same value; the caller compares them (reconcile) before it commits a
 *  new share to storage or erases an old one. */
MPC_API void mpc_keyshare_public_hash(const mpc_context *ctx, unsigned char out32[32],
        const mpc_keyshare *share) MPC_ARG_NONNULL(1, 2, 3);

/* ---------------------------------------------------------------------------------------------
 * DKG (PROTOCOL.md 3, with the pairwise base OT of 4.1 and zero seeds of 2.3) and refresh (6.1)
 * Rounds: call 1 (no input) -> round-1 broadcast; call 2 (round-1 messages of all n-1 peers) ->
 * round-2 messages, one per peer; call 3 -> round-3 messages, one per peer (CONFIDENTIAL);
 * call 4 -> round-4 broadcast; call 5 (round-4 messages) -> no messages, key share ready.
 * ------------------------------------------------------------------------------------------- */

typedef struct mpc_dkg_struct mpc_dkg;

/** Start a DKG as party self of n with threshold t (2 <= t <= n <= MPC_MAX_PARTIES).
 *  inst: the coordinator's fresh instance id; the caller must refuse an inst it has seen before.
 *  Returns: MPC_OK, MPC_E_ILLEGAL (parameters; illegal callback) or MPC_E_INTERNAL (no memory).
 *  Out:     st (destroy with mpc_dkg_destroy) */
MPC_API int mpc_dkg_create(const mpc_context *ctx, mpc_dkg **st, uint32_t n, uint32_t t,
        uint32_t self, const unsigned char inst32[32]) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 6);

/** Start a proactive refresh of share (same parties, same t, same pk and chain code; new shares,
 *  fresh OT setup and zero seeds, epoch + 1, new sid). share is only read; keep the old share
 *  until every party has reconciled the new one.
 *  Returns: MPC_OK, MPC_E_ILLEGAL or MPC_E_INTERNAL. */
MPC_API int mpc_refresh_create(const mpc_context *ctx, mpc_dkg **st, const mpc_keyshare *share,
        const unsigned char inst32[32]) MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4);

/** Advance one round (see above).
 *  Returns: MPC_OK or an MPC_E_* of the table at the top (then st is dead).
 *  Out:     out, out_count: messages to send (owned by st); blame: culprits on error
 *  In/Out:  st
 *  In:      in[in_count]: the previous round's messages, exactly one from each peer */
MPC_API int mpc_dkg_next(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, mpc_dkg *st, const mpc_msg_in *in, size_t in_count)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4, 5);

/** Take the key share after the final call succeeded (ownership passes to the caller; a second
 *  call returns MPC_E_STATE).
 *  Returns: MPC_OK or MPC_E_STATE. */
MPC_API int mpc_dkg_finish(const mpc_context *ctx, mpc_keyshare **share, mpc_dkg *st)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3);

/* Wipe and free (NULL allowed). */
MPC_API void mpc_dkg_destroy(mpc_dkg *st);

/* ---------------------------------------------------------------------------------------------
 * Signing (PROTOCOL.md 5)
 * Call sequence: mpc_sign_create (computes sigid, draws no randomness: the caller records sigid
 * as used and refuses a sigid it has seen before), then mpc_sign_next: call 1 (no input) ->
 * round-1 messages, one per other signer (nonces are drawn here); call 2 (round-1 messages) ->
 * round-2 messages, one per other signer; call 3 (round-2 messages) -> round-3 broadcast. The
 * round-3 messages of all signers (own included) go to mpc_sign_combine, run by any party or by
 * the coordinator. A session is single use; nonces are wiped after round 3 or on any error.
 * ------------------------------------------------------------------------------------------- */

/* A signing request; every field is public and must be identical at every signer. */
typedef struct {
    const uint32_t *signers;           /* P: t <= count <= n distinct indices, any order */
    size_t signer_count;
    const unsigned char *msg_digest32; /* the 32-byte digest to sign */
    const uint32_t *path;              /* non-hardened BIP32 path from the root key (< 2^31 each);
                                          may be NULL when path_len is 0 */
    size_t path_len;
    const unsigned char *coord_nonce32; /* the coordinator's fresh nonce */
} mpc_sign_request;

#define MPC_MAX_PATH_LEN 255u

/* What a combiner needs; filled by mpc_sign_public_init or mpc_sign_get_public. */
typedef struct {
    unsigned char sid[32];
    unsigned char sigid[32];
    unsigned char pubkey[33];      /* pk* = derived public key the signature verifies under */
    unsigned char msg_digest[32];
    uint32_t epoch;
    uint32_t signer_count;
    uint32_t signers[MPC_MAX_PARTIES]; /* sorted */
} mpc_sign_public;

/** Compute the public facts of a signing session from the key's public data: sorted P, sigid =
 *  H("sign/sigid", sid, epoch, sorted(P), msg_digest, path bytes, coord_nonce) and pk*.
 *  Returns: MPC_OK, MPC_E_SESSION (P has duplicates, indices outside 1..n, fewer than t or more
 *  than n members; a hardened or too long path) or MPC_E_INCONSISTENT (invalid BIP32 child). */
MPC_API int mpc_sign_public_init(const mpc_context *ctx, mpc_sign_public *pub,
        const mpc_keyshare_info *key, const mpc_sign_request *req)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4);

typedef struct mpc_sign_struct mpc_sign;

/** Create a signing session for share and req; writes sigid. Draws no randomness.
 *  Returns: MPC_OK, MPC_E_SESSION (as mpc_sign_public_init, or own index not in P),
 *           MPC_E_INCONSISTENT, or MPC_E_INTERNAL (no memory). */
MPC_API int mpc_sign_create(const mpc_context *ctx, mpc_sign **st, unsigned char sigid32[32],
        const mpc_keyshare *share, const mpc_sign_request *req)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4, 5);

/** Advance one round (see above). Returns and arguments as mpc_dkg_next. */
MPC_API int mpc_sign_next(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, mpc_sign *st, const mpc_msg_in *in, size_t in_count)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4, 5);

MPC_API void mpc_sign_get_public(mpc_sign_public *pub, const mpc_sign *st) MPC_ARG_NONNULL(1, 2);

/* Wipe and free (NULL allowed). */
MPC_API void mpc_sign_destroy(mpc_sign *st);

/** Combine the round-3 messages of all signers into a low-s ECDSA signature, verified with
 *  libsecp256k1 against pub->pubkey and cross-checked by public-key recovery before output.
 *  Returns: MPC_OK, MPC_E_SESSION (header, duplicate, missing or extra message),
 *           MPC_E_ENCODING (blames the sender) or MPC_E_INCONSISTENT (R disagreement, U = 0,
 *           s = 0, verification failure; blames nobody).
 *  Out:     sig64 = r || s (32 bytes each, big-endian), recid (0..3); blame */
MPC_API int mpc_sign_combine(const mpc_context *ctx, unsigned char sig64[64], int *recid,
        mpc_blame *blame, const mpc_sign_public *pub, const mpc_msg_in *in, size_t in_count)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2, 3, 4, 5);

#ifdef __cplusplus
}
#endif
#endif
