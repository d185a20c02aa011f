/*
 * Constant-time sections for the base OT (libmpc/src/ot.c, PROTOCOL.md 4.1), each step run with
 * ctime_secret_context: Alice's choice bits c_k and scalars tA_k, the random Y and Bob's b_{k,*}
 * are secret from the moment they are drawn, and libmpc declassifies only what is sent. The
 * messages must come out entirely defined; the keys stay secret.
 */
#include <stdlib.h>
#include <string.h>

#include "ctime.h"
#include "ot.h"

/* The messages and Alice's state of one run, shared by the sections (built by the first). */
typedef struct {
    unsigned char sid_pair[32];
    unsigned char msg1[MPC_OT_BASE_MSG_BYTES], msg2[MPC_OT_BASE_MSG_BYTES];
    mpc__ot_base_receiver alice_st;
    mpc__ote_sender_key alice;
    mpc__ote_receiver_key bob;
    int have_msg1, have_msg2;
} base_ot_world;

static base_ot_world *world;
static test_rng secret_stream;

static base_ot_world *get_world(ctime_env *env)
{
    if (world != NULL)
        return world;
    if ((world = calloc(1, sizeof(*world))) == NULL)
        abort();
    test_rng_bytes(&env->input_rng, world->sid_pair, sizeof(world->sid_pair));
    test_rng_init(&secret_stream, 0x626173656f74);
    return world;
}

static void section_receiver_start(ctime_env *env)
{
    base_ot_world *w = get_world(env);
    mpc_context *ctx = ctime_secret_context(&secret_stream);

    if (mpc__ot_base_receiver_start(ctx, &w->alice_st, w->msg1, w->sid_pair) != MPC_OK)
        abort();
    (void)VALGRIND_CHECK_MEM_IS_DEFINED(w->msg1, sizeof(w->msg1));
    w->have_msg1 = 1;
    mpc_context_destroy(ctx);
}

static void section_sender_respond(ctime_env *env)
{
    base_ot_world *w = get_world(env);
    mpc_context *ctx = ctime_secret_context(&secret_stream);

    if (!w->have_msg1)
        section_receiver_start(env);
    if (mpc__ot_base_sender_respond(ctx, &w->bob, w->msg2, w->msg1, w->sid_pair) != MPC_OK)
        abort();
    (void)VALGRIND_CHECK_MEM_IS_DEFINED(w->msg2, sizeof(w->msg2));
    w->have_msg2 = 1;
    mpc_context_destroy(ctx);
}

/* The secret inputs are Alice's state from receiver_start (undefined since it was drawn). */
static void section_receiver_finish(ctime_env *env)
{
    base_ot_world *w = get_world(env);
    mpc_context *ctx = ctime_secret_context(&secret_stream);
    unsigned int mismatch = 0;

    if (!w->have_msg2)
        section_sender_respond(env);
    if (mpc__ot_base_receiver_finish(ctx, &w->alice, &w->alice_st, w->msg2, w->sid_pair) !=
            MPC_OK)
        abort();
    /* Test only, outside the checked calls: Alice's key is Bob's key for her bit. */
    CHECKMEM_DEFINE(&w->alice, sizeof(w->alice));
    CHECKMEM_DEFINE(&w->bob, sizeof(w->bob));
    for (size_t k = 0; k < MPC_OT_KAPPA; k++) {
        unsigned int c = 1u - ((w->alice.delta[k >> 3] >> (k & 7)) & 1u);

        mismatch |= (unsigned int)memcmp(w->alice.seed[k], w->bob.seed[k][c], 32) != 0;
    }
    if (mismatch)
        abort();
    mpc_context_destroy(ctx);
}

const ctime_section ctime_base_ot_sections[] = {
    {"receiver_start", section_receiver_start},
    {"sender_respond", section_sender_respond},
    {"receiver_finish", section_receiver_finish},
    {NULL, NULL},
};
