#include <stdlib.h>

#include "ot_fixture.h"

int ot_fixture_base_ot(const mpc_context *ctx, mpc__ote_sender_key *alice,
        mpc__ote_receiver_key *bob, const unsigned char sid_pair[32])
{
    static unsigned char msg1[MPC_OT_BASE_MSG_BYTES], msg2[MPC_OT_BASE_MSG_BYTES];
    mpc__ot_base_receiver *st = malloc(sizeof(*st));
    int r = MPC_E_INTERNAL;

    if (st == NULL)
        return r;
    if ((r = mpc__ot_base_receiver_start(ctx, st, msg1, sid_pair)) == MPC_OK &&
        (r = mpc__ot_base_sender_respond(ctx, bob, msg2, msg1, sid_pair)) == MPC_OK)
        r = mpc__ot_base_receiver_finish(ctx, alice, st, msg2, sid_pair);
    free(st);
    return r;
}
