/*
 * Fuzz the four peer messages of ot.c / rvole.c: base-OT msg1 (Bob parses), base-OT msg2 (Alice
 * parses), the OT-extension message (Alice checks) and the RVOLE message (Bob parses and checks).
 *
 * Input: byte 0 picks the message; the rest is a list of 3-byte patches (be16 offset, new byte)
 * applied to a valid message of that kind, so the fuzzer works on near-valid messages and reaches
 * the checks behind the parsers. Every call must return MPC_OK, MPC_E_ENCODING or MPC_E_BAN.
 */
#include <stdlib.h>
#include <string.h>

#include "rvole.h"
#include "test_rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    test_rng rng;
    mpc_context *ctx;
    unsigned char sid_pair[32], sid_mul[32];
    mpc__ot_base_receiver base_st;
    unsigned char msg1[MPC_OT_BASE_MSG_BYTES], msg2[MPC_OT_BASE_MSG_BYTES];
    mpc__ote_sender_key alice;
    mpc__ote_receiver_key bob;
    mpc__rvole_bob bob_st;
    unsigned char ote_msg[MPC_OTE_MSG_BYTES], rvole_msg[MPC_RVOLE_MSG_BYTES];
    /* per-input copies */
    mpc__ot_base_receiver st_copy;
    mpc__rvole_bob bob_copy;
    mpc__ote_sender_key alice_out;
    mpc__ote_receiver_key bob_out;
    unsigned char out2[MPC_OT_BASE_MSG_BYTES], buf[MPC_RVOLE_MSG_BYTES];
    mpc_scalar alpha0[MPC_OTE_XI][MPC_OTE_WIDTH], alpha1[MPC_OTE_XI][MPC_OTE_WIDTH];
} world;

static world *w;

/* An honest run up to every message, once per process. */
static void init_world(void)
{
    mpc__ot_base_receiver st;
    mpc_scalar a[2], b, c[2];

    if ((w = calloc(1, sizeof(*w))) == NULL)
        abort();
    test_rng_init(&w->rng, 0xf022);
    w->ctx = test_context(&w->rng);
    test_rng_bytes(&w->rng, w->sid_pair, 32);
    test_rng_bytes(&w->rng, w->sid_mul, 32);
    mpc_scalar_set_u32(&a[0], 3);
    mpc_scalar_set_u32(&a[1], 4);
    if (mpc__ot_base_receiver_start(w->ctx, &w->base_st, w->msg1, w->sid_pair) != MPC_OK ||
        mpc__ot_base_sender_respond(w->ctx, &w->bob, w->msg2, w->msg1, w->sid_pair) != MPC_OK)
        abort();
    st = w->base_st;
    if (mpc__ot_base_receiver_finish(w->ctx, &w->alice, &st, w->msg2, w->sid_pair) != MPC_OK ||
        mpc__rvole_bob_start(w->ctx, &w->bob_st, &b, w->ote_msg, &w->bob, w->sid_mul) != MPC_OK ||
        mpc__rvole_alice(w->ctx, c, w->rvole_msg, a, &w->alice, w->ote_msg, w->sid_mul) != MPC_OK)
        abort();
}

static const unsigned char *patched(const unsigned char *valid, size_t len, const uint8_t *p,
        size_t n)
{
    memcpy(w->buf, valid, len);
    for (; n >= 3; p += 3, n -= 3)
        w->buf[(((size_t)p[0] << 8) | p[1]) % len] = p[2];
    return w->buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int r;

    if (w == NULL)
        init_world();
    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        r = mpc__ot_base_sender_respond(w->ctx, &w->bob_out, w->out2,
                patched(w->msg1, sizeof(w->msg1), data + 1, size - 1), w->sid_pair);
        break;
    case 1:
        w->st_copy = w->base_st;
        r = mpc__ot_base_receiver_finish(w->ctx, &w->alice_out, &w->st_copy,
                patched(w->msg2, sizeof(w->msg2), data + 1, size - 1), w->sid_pair);
        break;
    case 2:
        r = mpc__ote_sender_extend(w->ctx, w->alpha0, w->alpha1, &w->alice,
                patched(w->ote_msg, sizeof(w->ote_msg), data + 1, size - 1), w->sid_mul);
        break;
    default: {
        mpc_scalar d[2];

        w->bob_copy = w->bob_st;
        r = mpc__rvole_bob_finish(w->ctx, d, &w->bob_copy,
                patched(w->rvole_msg, sizeof(w->rvole_msg), data + 1, size - 1), w->sid_mul);
        break;
    }
    }
    if (r != MPC_OK && r != MPC_E_ENCODING && r != MPC_E_BAN)
        abort();
    return 0;
}
