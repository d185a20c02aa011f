/*
 * Internal: random VOLE, DKLs23 Protocol 5.2 as written in PROTOCOL.md 4.6 (l = 2, rho = 1,
 * xi = 512) on top of the k = 1 OT extension of ot.h. Bob ends with a random b (his chi for this
 * pair) and d; Alice inputs a = (a_1, a_2) and ends with c such that c_i + d_i = a_i * b.
 */
#ifndef MPC_SRC_RVOLE_H
#define MPC_SRC_RVOLE_H

#include "ot.h"

#define MPC_RVOLE_MSG_BYTES (MPC_OTE_XI * MPC_OTE_WIDTH * 32 + 32 + 32) /* atil, eta, mu: 49,216 */

/* Bob's state between his OT-extension message and Alice's RVOLE message (SECRET, except g:
 * the public gadget vector of this sid_mul, kept so that round 2 does not hash it again). */
typedef struct {
    unsigned char beta[MPC_OTE_XI / 8];
    mpc_scalar gamma[MPC_OTE_XI][MPC_OTE_WIDTH];
    mpc_scalar g[MPC_OTE_XI];
} mpc__rvole_bob;

/* Bob, round 1: b = <g, beta> and the OT-extension message for Alice. */
int mpc__rvole_bob_start(const mpc_context *ctx, mpc__rvole_bob *st, mpc_scalar *b,
        unsigned char ote_msg[MPC_OTE_MSG_BYTES], const mpc__ote_receiver_key *key,
        const unsigned char sid_mul[32]);

/* Alice: checks Bob's OT-extension message (MPC_E_BAN: ban Bob), then outputs c and her message. */
int mpc__rvole_alice(const mpc_context *ctx, mpc_scalar c[2], unsigned char msg[MPC_RVOLE_MSG_BYTES],
        const mpc_scalar a[2], const mpc__ote_sender_key *key,
        const unsigned char ote_msg[MPC_OTE_MSG_BYTES], const unsigned char sid_mul[32]);

/* Bob, round 2: MPC_E_ENCODING if any atil/eta >= n, MPC_E_BAN if the mu check fails (ban
 * Alice); otherwise outputs d. Wipes st whatever the result. */
int mpc__rvole_bob_finish(const mpc_context *ctx, mpc_scalar d[2], mpc__rvole_bob *st,
        const unsigned char msg[MPC_RVOLE_MSG_BYTES], const unsigned char sid_mul[32]);

#endif
