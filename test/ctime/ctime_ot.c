/*
 * Constant-time sections for the OT extension and the RVOLE (libmpc/src/ot.c, rvole.c): Alice's
 * Delta and seeds, Bob's seeds and choice bits beta, and Alice's RVOLE inputs a are secret;
 * messages are public. Each section declassifies the function's return value: it is MPC_OK or
 * MPC_E_BAN, and a ban is announced to everyone.
 * The base OT has its own area (ctime_base_ot.c).
 */
#include <stdlib.h>
#include <string.h>

#include "ctime.h"
#include "rvole.h"

/* One honest pair and one message of each kind, built once (outside any checked call). */
typedef struct {
    unsigned char sid_pair[32], sid_mul[32];
    unsigned char msg1[MPC_OT_BASE_MSG_BYTES], msg2[MPC_OT_BASE_MSG_BYTES];
    mpc__ote_sender_key alice;
    mpc__ote_receiver_key bob;
    mpc__rvole_bob bob_st;
    unsigned char ote_msg[MPC_OTE_MSG_BYTES], rvole_msg[MPC_RVOLE_MSG_BYTES];
    mpc_scalar a[2];
    /* outputs of the checked calls */
    unsigned char beta[MPC_OTE_XI / 8];
    mpc_scalar gamma[MPC_OTE_XI][MPC_OTE_WIDTH];
    mpc_scalar alpha0[MPC_OTE_XI][MPC_OTE_WIDTH], alpha1[MPC_OTE_XI][MPC_OTE_WIDTH];
} ot_world;

static ot_world *world;

static void must(int r)
{
    if (r != MPC_OK)
        abort();
}

static ot_world *get_world(ctime_env *env)
{
    mpc__ot_base_receiver st;
    mpc_scalar b, c[2];

    if (world != NULL)
        return world;
    if ((world = calloc(1, sizeof(*world))) == NULL)
        abort();
    test_rng_bytes(&env->input_rng, world->sid_pair, 32);
    test_rng_bytes(&env->input_rng, world->sid_mul, 32);
    ctime_random_scalar(env, &world->a[0]);
    ctime_random_scalar(env, &world->a[1]);
    must(mpc__ot_base_receiver_start(env->ctx, &st, world->msg1, world->sid_pair));
    must(mpc__ot_base_sender_respond(env->ctx, &world->bob, world->msg2, world->msg1,
            world->sid_pair));
    must(mpc__ot_base_receiver_finish(env->ctx, &world->alice, &st, world->msg2, world->sid_pair));
    must(mpc__rvole_bob_start(env->ctx, &world->bob_st, &b, world->ote_msg, &world->bob,
            world->sid_mul));
    must(mpc__rvole_alice(env->ctx, c, world->rvole_msg, world->a, &world->alice, world->ote_msg,
            world->sid_mul));
    return world;
}

/* The verdict is public: the caller either proceeds or announces a ban. */
static void declassify_verdict(int *r)
{
    CHECKMEM_DEFINE(r, sizeof(*r));
    must(*r);
}

static void section_ote_receiver_extend(ctime_env *env)
{
    ot_world *w = get_world(env);
    mpc__ote_receiver_key key = w->bob;
    unsigned char msg[MPC_OTE_MSG_BYTES];
    int r;

    CHECKMEM_UNDEFINE(&key, sizeof(key));
    r = mpc__ote_receiver_extend(env->ctx, msg, w->beta, w->gamma, &key, w->sid_mul);
    declassify_verdict(&r);
    CHECKMEM_DEFINE(msg, sizeof(msg));
    CHECKMEM_DEFINE(w->beta, sizeof(w->beta));
    CHECKMEM_DEFINE(w->gamma, sizeof(w->gamma));
}

static void section_ote_sender_extend(ctime_env *env)
{
    ot_world *w = get_world(env);
    mpc__ote_sender_key key = w->alice;
    int r;

    CHECKMEM_UNDEFINE(&key, sizeof(key));
    r = mpc__ote_sender_extend(env->ctx, w->alpha0, w->alpha1, &key, w->ote_msg, w->sid_mul);
    declassify_verdict(&r);
    CHECKMEM_DEFINE(w->alpha0, sizeof(w->alpha0));
    CHECKMEM_DEFINE(w->alpha1, sizeof(w->alpha1));
}

static void section_rvole_bob_start(ctime_env *env)
{
    ot_world *w = get_world(env);
    mpc__ote_receiver_key key = w->bob;
    mpc__rvole_bob st;
    unsigned char msg[MPC_OTE_MSG_BYTES];
    mpc_scalar b;
    int r;

    CHECKMEM_UNDEFINE(&key, sizeof(key));
    r = mpc__rvole_bob_start(env->ctx, &st, &b, msg, &key, w->sid_mul);
    declassify_verdict(&r);
    CHECKMEM_DEFINE(&st, sizeof(st));
    CHECKMEM_DEFINE(&b, sizeof(b));
    CHECKMEM_DEFINE(msg, sizeof(msg));
}

static void section_rvole_alice(ctime_env *env)
{
    ot_world *w = get_world(env);
    mpc__ote_sender_key key = w->alice;
    unsigned char msg[MPC_RVOLE_MSG_BYTES];
    mpc_scalar a[2] = {w->a[0], w->a[1]}, c[2];
    int r;

    CHECKMEM_UNDEFINE(&key, sizeof(key));
    CHECKMEM_UNDEFINE(a, sizeof(a));
    r = mpc__rvole_alice(env->ctx, c, msg, a, &key, w->ote_msg, w->sid_mul);
    declassify_verdict(&r);
    CHECKMEM_DEFINE(c, sizeof(c));
    CHECKMEM_DEFINE(msg, sizeof(msg));
}

static void section_rvole_bob_finish(ctime_env *env)
{
    ot_world *w = get_world(env);
    mpc__rvole_bob st = w->bob_st;
    mpc_scalar d[2];
    int r;

    CHECKMEM_UNDEFINE(&st, sizeof(st));
    r = mpc__rvole_bob_finish(env->ctx, d, &st, w->rvole_msg, w->sid_mul);
    declassify_verdict(&r);
    CHECKMEM_DEFINE(d, sizeof(d));
}

const ctime_section ctime_ot_sections[] = {
    {"ote_receiver_extend", section_ote_receiver_extend},
    {"ote_sender_extend", section_ote_sender_extend},
    {"rvole_bob_start", section_rvole_bob_start},
    {"rvole_alice", section_rvole_alice},
    {"rvole_bob_finish", section_rvole_bob_finish},
    {NULL, NULL},
};
