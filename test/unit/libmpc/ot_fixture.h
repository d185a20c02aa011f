/* Shared by the OT and RVOLE tests: one honest base-OT run that yields a pair of extension keys. */
#ifndef MPC_TEST_OT_FIXTURE_H
#define MPC_TEST_OT_FIXTURE_H

#include "mpc/mpc.h"
#include "ot.h"

/* Runs PROTOCOL.md 4.1 between Alice (base-OT receiver) and Bob (sender) for sid_pair.
 * Returns MPC_OK or the first error of the three steps. */
int ot_fixture_base_ot(const mpc_context *ctx, mpc__ote_sender_key *alice,
        mpc__ote_receiver_key *bob, const unsigned char sid_pair[32]);

#endif
