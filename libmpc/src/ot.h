/*
 * Internal: pairwise oblivious transfer for one ordered pair (Alice = RVOLE sender / COT sender,
 * Bob = RVOLE receiver / COT receiver), PROTOCOL.md section 4 with the project's decision k = 1:
 *  - base OT: Masny-Rindal endemic OT, 256 instances, run once at DKG/refresh (4.1). Roles are
 *    reversed with respect to the extension: Alice is the base-OT receiver, Bob the sender.
 *  - extension: SoftSpokenOT with k = 1 (the corrected KOS form of 4.5): 256 "blocks" of one base
 *    OT each, Delta_k = 1 - c_k, no PPRF; 512 extended OTs + 128 padding columns per signing.
 * All functions return MPC_OK or a negative MPC_E_*. Nothing here knows party indices: callers
 * turn MPC_E_BAN into a blame of the counterparty.
 */
#ifndef MPC_SRC_OT_H
#define MPC_SRC_OT_H

#include "mpc/mpc.h"
#include "mpc/scalar.h"

#define MPC_OT_KAPPA 256                                    /* base OTs per ordered pair */
#define MPC_OT_BASE_MSG_BYTES (MPC_OT_KAPPA * 2 * 33)        /* msg1 and msg2: 16,896 bytes */
#define MPC_OTE_XI 512                                      /* extended OTs used */
#define MPC_OTE_ROW_BYTES 80                                /* 640 bits = xi + 128 padding */
#define MPC_OTE_MSG_BYTES (MPC_OT_KAPPA * MPC_OTE_ROW_BYTES + 16 + MPC_OT_KAPPA * 16) /* 24,592 */
#define MPC_OTE_WIDTH 3                                     /* scalar payloads per OT (l + rho) */

/* Alice's long-term extension key (SECRET): Delta bit k = 1 - c_k, seed[k] = rho_{k, c_k}. */
typedef struct {
    unsigned char delta[MPC_OT_KAPPA / 8];
    unsigned char seed[MPC_OT_KAPPA][32];
} mpc__ote_sender_key;

/* Bob's long-term extension key (SECRET): both base-OT sender outputs rho_{k,0}, rho_{k,1}. */
typedef struct {
    unsigned char seed[MPC_OT_KAPPA][2][32];
} mpc__ote_receiver_key;

/* Alice's state between base-OT msg1 and msg2 (SECRET). */
typedef struct {
    unsigned char choice[MPC_OT_KAPPA / 8];
    mpc_scalar t[MPC_OT_KAPPA];
} mpc__ot_base_receiver;

/* Base OT, sid_pair = H("pair", sid, be32(Alice), be32(Bob)) computed by the caller. */
int mpc__ot_base_receiver_start(const mpc_context *ctx, mpc__ot_base_receiver *st,
        unsigned char msg1[MPC_OT_BASE_MSG_BYTES], const unsigned char sid_pair[32]);
/* MPC_E_ENCODING on a malformed msg1 (non-canonical or identity points). */
int mpc__ot_base_sender_respond(const mpc_context *ctx, mpc__ote_receiver_key *key,
        unsigned char msg2[MPC_OT_BASE_MSG_BYTES], const unsigned char msg1[MPC_OT_BASE_MSG_BYTES],
        const unsigned char sid_pair[32]);
/* Wipes st whatever the result. MPC_E_ENCODING on a malformed msg2. */
int mpc__ot_base_receiver_finish(const mpc_context *ctx, mpc__ote_sender_key *key,
        mpc__ot_base_receiver *st, const unsigned char msg2[MPC_OT_BASE_MSG_BYTES],
        const unsigned char sid_pair[32]);

/* Extension, sid_mul = H("sign/mul", sid, sigid, be32(Alice), be32(Bob)) computed by the caller.
 * Bob: draws fresh choice bits beta (512 bits) and outputs gamma_j = alpha_{beta_j, j}. */
int mpc__ote_receiver_extend(const mpc_context *ctx, unsigned char msg[MPC_OTE_MSG_BYTES],
        unsigned char beta[MPC_OTE_XI / 8], mpc_scalar gamma[MPC_OTE_XI][MPC_OTE_WIDTH],
        const mpc__ote_receiver_key *key, const unsigned char sid_mul[32]);
/* Alice: runs the consistency check first; MPC_E_BAN if it fails (ban Bob), MPC_E_ENCODING on a
 * message of the wrong length. Outputs alpha0 and alpha1 for every extended OT. */
int mpc__ote_sender_extend(const mpc_context *ctx, mpc_scalar alpha0[MPC_OTE_XI][MPC_OTE_WIDTH],
        mpc_scalar alpha1[MPC_OTE_XI][MPC_OTE_WIDTH], const mpc__ote_sender_key *key,
        const unsigned char msg[MPC_OTE_MSG_BYTES], const unsigned char sid_mul[32]);

#endif
