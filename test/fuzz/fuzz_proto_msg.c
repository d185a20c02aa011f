/*
 * Fuzz the round-message parsers of mpc/protocol.h. One executable per parser, chosen at compile
 * time: FUZZ_KIND 1 = DKG, 2 = refresh, 3 = signing, 4 = combiner; FUZZ_ROUND = the round whose
 * message party 1 parses (the input of call FUZZ_ROUND + 1).
 *
 * Once per process an honest two-party run (2-of-2) records every message party 2 sends to party
 * 1. Per input, party 1 is replayed deterministically (same RNG seed, so the recorded peer
 * messages stay consistent with it) up to the fuzzed round, and then fed a message built from
 * the input: byte 0 & 3 picks the form
 *   0: a valid header followed by the input as payload;
 *   1: the input as the whole message;
 *   2, 3: the recorded honest message with 4-byte patches (be24 offset mod length, xor byte),
 *         and for 3 also truncated or extended by the last input byte.
 * Every call must return MPC_OK or a protocol error; anything else (a crash, a sanitizer report,
 * MPC_E_ILLEGAL or MPC_E_INTERNAL) is a bug.
 */
#include <stdlib.h>
#include <string.h>

#include "mpc/protocol.h"
#include "test_rng.h"

#ifndef FUZZ_KIND
#error "FUZZ_KIND must be defined"
#endif
#ifndef FUZZ_ROUND
#error "FUZZ_ROUND must be defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROUNDS 5
#define SEED1 0xf11u
#define SEED2 0xf12u

typedef struct {
    unsigned char *data;
    size_t len;
} blob;

typedef struct {
    test_rng rng1, rng2;
    mpc_context *ctx1, *ctx2;
    mpc_keyshare *ks[2];
    blob from2[MAX_ROUNDS + 1]; /* message of round r from party 2 to party 1 */
    blob own3;                  /* signing: party 1's round-3 message (combiner input) */
    mpc_sign_public pub;
} world;

static world *w;
static const uint32_t set12[2] = { 1, 2 };
static unsigned char inst[32] = { 0x11 }, inst_refresh[32] = { 0x22 }, digest[32] = { 0x33 },
                     nonce[32] = { 0x44 };

static void die_if(int cond)
{
    if (cond)
        abort();
}

static void keep(blob *b, const mpc_msg_out *m)
{
    free(b->data);
    b->data = malloc(m->len);
    die_if(b->data == NULL);
    memcpy(b->data, m->data, m->len);
    b->len = m->len;
}

/* Party 1's state for this fuzz kind, with ctx1 reset to its fixed RNG stream. */
static void *make_party1(void)
{
    void *st = NULL;
    mpc_sign_request req;
    unsigned char sigid[32];

    test_rng_init(&w->rng1, SEED1);
    die_if(mpc_context_set_rng(w->ctx1, test_rng_fill, &w->rng1) != MPC_OK);
    memset(&req, 0, sizeof(req));
    req.signers = set12;
    req.signer_count = 2;
    req.msg_digest32 = digest;
    req.coord_nonce32 = nonce;
    switch (FUZZ_KIND) {
    case 1:
        die_if(mpc_dkg_create(w->ctx1, (mpc_dkg **)&st, 2, 2, 1, inst) != MPC_OK);
        break;
    case 2:
        die_if(mpc_refresh_create(w->ctx1, (mpc_dkg **)&st, w->ks[0], inst_refresh) != MPC_OK);
        break;
    default:
        die_if(mpc_sign_create(w->ctx1, (mpc_sign **)&st, sigid, w->ks[0], &req) != MPC_OK);
        break;
    }
    return st;
}

static int step(const mpc_context *ctx, const mpc_msg_out **out, size_t *oc, mpc_blame *b,
        void *st, const mpc_msg_in *in, size_t n)
{
    if (FUZZ_KIND <= 2)
        return mpc_dkg_next(ctx, out, oc, b, st, in, n);
    return mpc_sign_next(ctx, out, oc, b, st, in, n);
}

static void destroy(void *st)
{
    if (FUZZ_KIND <= 2)
        mpc_dkg_destroy(st);
    else
        mpc_sign_destroy(st);
}

/* An honest run of both parties, recording what party 2 sends party 1. */
static void record(unsigned calls)
{
    void *st1 = make_party1(), *st2 = NULL;
    const mpc_msg_out *o1, *o2;
    size_t n1, n2;
    mpc_msg_in in1, in2;
    mpc_blame b;
    blob m1 = { NULL, 0 }, m2 = { NULL, 0 };
    mpc_sign_request req;
    unsigned char sigid[32];
    unsigned c;

    memset(&req, 0, sizeof(req));
    req.signers = set12;
    req.signer_count = 2;
    req.msg_digest32 = digest;
    req.coord_nonce32 = nonce;
    test_rng_init(&w->rng2, SEED2);
    die_if(mpc_context_set_rng(w->ctx2, test_rng_fill, &w->rng2) != MPC_OK);
    if (FUZZ_KIND == 1)
        die_if(mpc_dkg_create(w->ctx2, (mpc_dkg **)&st2, 2, 2, 2, inst) != MPC_OK);
    else if (FUZZ_KIND == 2)
        die_if(mpc_refresh_create(w->ctx2, (mpc_dkg **)&st2, w->ks[1], inst_refresh) != MPC_OK);
    else
        die_if(mpc_sign_create(w->ctx2, (mpc_sign **)&st2, sigid, w->ks[1], &req) != MPC_OK);
    for (c = 1; c <= calls; c++) {
        in1.from = 2;
        in1.data = m2.data;
        in1.len = m2.len;
        in2.from = 1;
        in2.data = m1.data;
        in2.len = m1.len;
        die_if(step(w->ctx1, &o1, &n1, &b, st1, &in1, c > 1) != MPC_OK);
        die_if(step(w->ctx2, &o2, &n2, &b, st2, &in2, c > 1) != MPC_OK);
        if (n1 == 0)
            break;
        die_if(n1 != 1 || n2 != 1);
        keep(&m1, &o1[0]);
        keep(&m2, &o2[0]);
        keep(&w->from2[c], &o2[0]);
        if (FUZZ_KIND >= 3 && c == 3)
            keep(&w->own3, &o1[0]);
    }
    if (FUZZ_KIND >= 3)
        mpc_sign_get_public(&w->pub, st1);
    free(m1.data);
    free(m2.data);
    destroy(st1);
    destroy(st2);
}

/* Shares for refresh and signing: a 2-of-2 DKG run through the same recorder. */
static void make_keys(void)
{
    mpc_dkg *d[2];
    const mpc_msg_out *o[2];
    size_t n[2];
    mpc_msg_in in[2];
    mpc_blame b;
    blob m[2] = { { NULL, 0 }, { NULL, 0 } };
    int c, k;

    die_if(mpc_dkg_create(w->ctx1, &d[0], 2, 2, 1, inst) != MPC_OK);
    die_if(mpc_dkg_create(w->ctx2, &d[1], 2, 2, 2, inst) != MPC_OK);
    for (c = 1; c <= 5; c++) {
        for (k = 0; k < 2; k++) {
            in[k].from = (uint32_t)(2 - k);
            in[k].data = m[1 - k].data;
            in[k].len = m[1 - k].len;
            die_if(mpc_dkg_next(k ? w->ctx2 : w->ctx1, &o[k], &n[k], &b, d[k], &in[k], c > 1) !=
                   MPC_OK);
        }
        for (k = 0; k < 2 && c < 5; k++)
            keep(&m[k], &o[k][0]);
    }
    for (k = 0; k < 2; k++) {
        die_if(mpc_dkg_finish(k ? w->ctx2 : w->ctx1, &w->ks[k], d[k]) != MPC_OK);
        mpc_dkg_destroy(d[k]);
        free(m[k].data);
    }
}

static void init_world(void)
{
    w = calloc(1, sizeof(*w));
    die_if(w == NULL);
    test_rng_init(&w->rng1, SEED1);
    test_rng_init(&w->rng2, SEED2);
    w->ctx1 = test_context(&w->rng1);
    w->ctx2 = test_context(&w->rng2);
    if (FUZZ_KIND >= 2)
        make_keys();
    record(FUZZ_KIND == 4 ? 3 : FUZZ_ROUND + 1);
}

/* The message to feed, built from the input as described at the top. */
static blob build(const uint8_t *data, size_t size)
{
    const blob *hon = &w->from2[FUZZ_ROUND];
    blob b = { NULL, 0 };
    size_t k, extra = 0;
    int mode = data[0] & 3;

    data++;
    size--;
    if (mode == 0) {
        b.len = MPC_MSG_HEADER_BYTES + size;
        b.data = malloc(b.len ? b.len : 1);
        memcpy(b.data, hon->data, MPC_MSG_HEADER_BYTES);
        if (size)
            memcpy(b.data + MPC_MSG_HEADER_BYTES, data, size);
    } else if (mode == 1) {
        b.len = size;
        b.data = malloc(size ? size : 1);
        if (size)
            memcpy(b.data, data, size);
    } else {
        if (mode == 3 && size > 0)
            extra = data[--size];
        b.len = hon->len + (extra & 0x80 ? extra & 0x7f : 0);
        b.data = calloc(1, b.len);
        memcpy(b.data, hon->data, hon->len);
        if (!(extra & 0x80))
            b.len -= extra < b.len ? extra : 0;
        for (k = 0; k + 4 <= size; k += 4) {
            size_t off = ((size_t)data[k] << 16 | (size_t)data[k + 1] << 8 | data[k + 2]);
            if (b.len)
                b.data[off % b.len] ^= data[k + 3];
        }
    }
    return b;
}

static int acceptable(int rc)
{
    return rc == MPC_OK || rc == MPC_E_SESSION || rc == MPC_E_ENCODING || rc == MPC_E_PROOF ||
           rc == MPC_E_EQUIVOCATION || rc == MPC_E_BAN || rc == MPC_E_INCONSISTENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const mpc_msg_out *o;
    size_t oc;
    mpc_msg_in in;
    mpc_blame b;
    blob m;
    void *st;
    unsigned c;
    int rc;

    if (w == NULL)
        init_world();
    if (size < 1)
        return 0;
    m = build(data, size);
    if (FUZZ_KIND == 4) {
        mpc_msg_in two[2];
        unsigned char sig[64];
        int recid;
        two[0].from = 1;
        two[0].data = w->own3.data;
        two[0].len = w->own3.len;
        two[1].from = 2;
        two[1].data = m.data;
        two[1].len = m.len;
        rc = mpc_sign_combine(w->ctx1, sig, &recid, &b, &w->pub, two, 2);
        die_if(!acceptable(rc));
        free(m.data);
        return 0;
    }
    st = make_party1();
    for (c = 1; c <= FUZZ_ROUND; c++) {
        in.from = 2;
        in.data = w->from2[c - 1].data;
        in.len = w->from2[c - 1].len;
        die_if(step(w->ctx1, &o, &oc, &b, st, &in, c > 1) != MPC_OK);
    }
    in.from = 2;
    in.data = m.data;
    in.len = m.len;
    rc = step(w->ctx1, &o, &oc, &b, st, &in, 1);
    die_if(!acceptable(rc));
    destroy(st);
    free(m.data);
    return 0;
}
