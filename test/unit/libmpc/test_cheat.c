/* Malicious-party tests: one per row of the abort-policy table of PROTOCOL.md 5 and per
 * exercisable pitfall of section 7. Each asserts the error class, the culprit where the spec
 * names one, and that no honest party outputs anything (fx_* check the states are dead). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "keyshare.h" /* test-only access: a party that lies consistently about its share */
#include "proto_fixture.h"
#include "test_rng.h"

#define HDR MPC_MSG_HEADER_BYTES
/* signing round-2 payload offsets (see sign.c) */
#define S2_R (HDR)
#define S2_SALT (HDR + 33)
#define S2_PK (HDR + 65)
#define S2_GU (HDR + 98)
#define S2_GV (HDR + 131)
#define S2_PSI (HDR + 164)
#define S2_ECHO (HDR + 196)
#define S2_ATIL (HDR + 228)
#define S2_ETA (S2_ATIL + 512 * 3 * 32)
#define S2_MU (S2_ETA + 32)

enum { OP_XOR, OP_SET, OP_COPY, OP_TRUNC, OP_APPEND, OP_DROP, OP_DUP, OP_REPLACE, OP_REDIRECT };

typedef struct {
    unsigned round;
    uint32_t from, to;
    int op;
    size_t off, len, src;
    unsigned char bytes[64];
    const unsigned char *repl;
    size_t repl_len;
    uint32_t new_to;
    int hits;
} tamper;

static int tamper_hook(net_msg *m, void *user)
{
    tamper *tp = user;

    if (m->round != tp->round || m->from != tp->from || m->to != tp->to)
        return NET_DELIVER;
    tp->hits++;
    switch (tp->op) {
    case OP_XOR:
        for (size_t k = 0; k < tp->len; k++)
            m->data[tp->off + k] ^= tp->bytes[k];
        break;
    case OP_SET:
        memcpy(m->data + tp->off, tp->bytes, tp->len);
        break;
    case OP_COPY:
        memmove(m->data + tp->off, m->data + tp->src, tp->len);
        break;
    case OP_TRUNC:
        m->len -= tp->len;
        break;
    case OP_APPEND:
        m->data = realloc(m->data, m->len + tp->len);
        memset(m->data + m->len, 0, tp->len);
        m->len += tp->len;
        break;
    case OP_DROP:
        return NET_DROP;
    case OP_DUP:
        return NET_DUPLICATE;
    case OP_REPLACE:
        m->data = realloc(m->data, tp->repl_len);
        memcpy(m->data, tp->repl, tp->repl_len);
        m->len = tp->repl_len;
        break;
    case OP_REDIRECT:
        m->to = tp->new_to;
        break;
    default:
        break;
    }
    return NET_DELIVER;
}

static tamper mk(unsigned round, uint32_t from, uint32_t to, int op, size_t off, size_t len,
        unsigned char byte)
{
    tamper t;

    memset(&t, 0, sizeof(t));
    t.round = round;
    t.from = from;
    t.to = to;
    t.op = op;
    t.off = off;
    t.len = len;
    memset(t.bytes, byte, sizeof(t.bytes));
    return t;
}

/* Asserts party p failed with rc and blame exactly {culprit} (or nobody when culprit is 0). */
static void expect_rc(const net *nw, uint32_t p, int rc, uint32_t culprit)
{
    int s = net_slot(nw, p);

    assert_true(s >= 0);
    assert_int_equal(nw->rc[s], rc);
    if (culprit == 0) {
        assert_int_equal(nw->blame[s].count, 0);
    } else {
        assert_int_equal(nw->blame[s].count, 1);
        assert_int_equal(nw->blame[s].party[0], culprit);
    }
}

/* ---- signing -------------------------------------------------------------------------------- */

typedef struct {
    mpc_context *ctx;
    test_rng rng;
    mpc_keyshare *ks[3];
    net *nw;
    unsigned char digest[32], sig[64];
    mpc_sign_public pub;
    int recid, crc;
} sfix;

static int sfix_setup(void **state)
{
    sfix *f = calloc(1, sizeof(*f));

    test_rng_init(&f->rng, 77);
    f->ctx = test_context(&f->rng);
    fx_dkg(f->ctx, f->ks, 3, 2, 77);
    f->nw = calloc(1, sizeof(net));
    memset(f->digest, 0x5a, 32);
    *state = f;
    return 0;
}

static int sfix_teardown(void **state)
{
    sfix *f = *state;

    net_free(f->nw);
    free(f->nw);
    fx_free_shares(f->ks, 3);
    mpc_context_destroy(f->ctx);
    free(f);
    return 0;
}

static const uint32_t set12[] = { 1, 2 };
static const uint32_t set123[] = { 1, 2, 3 };

static unsigned sign_with(sfix *f, const uint32_t *set, size_t count, tamper *tp, uint8_t nonce)
{
    net_free(f->nw);
    return fx_sign(f->ctx, f->nw, f->sig, &f->recid, &f->pub, &f->crc, f->ks, set, count,
            f->digest, NULL, 0, nonce, tp != NULL ? tamper_hook : NULL, tp);
}

/* A tampered OT-extension message (u, xchk or tchk) fails Alice's check: ban Bob (the sender). */
static void test_ote_tampered_bans_bob(void **state)
{
    static const size_t offs[] = { HDR + 32 + 100, HDR + 32 + 20480 + 3, HDR + 32 + 20496 + 77 };
    sfix *f = *state;

    for (size_t k = 0; k < 3; k++) {
        tamper tp = mk(1, 2, 1, OP_XOR, offs[k], 1, 0x04);
        assert_int_equal(sign_with(f, set12, 2, &tp, (uint8_t)k), 2);
        assert_int_equal(tp.hits, 1);
        expect_rc(f->nw, 1, MPC_E_BAN, 2);
        expect_rc(f->nw, 2, MPC_OK, 0);
    }
}

/* A tampered RVOLE message (an atil entry, eta or mu) fails Bob's mu check: ban Alice. */
static void test_rvole_tampered_bans_alice(void **state)
{
    static const size_t offs[] = { S2_ATIL + 31, S2_ATIL + 32 * 1000 + 31, S2_ETA + 31, S2_MU };
    sfix *f = *state;

    for (size_t k = 0; k < 4; k++) {
        tamper tp = mk(2, 2, 1, OP_XOR, offs[k], 1, 0x01);
        assert_int_equal(sign_with(f, set12, 2, &tp, (uint8_t)(10 + k)), 3);
        expect_rc(f->nw, 1, MPC_E_BAN, 2);
        expect_rc(f->nw, 2, MPC_OK, 0);
    }
}

/* Gu (RVOLE input r_j inconsistent with R_j), Gv and pk_j (input sk_j inconsistent with pk_j):
 * ban. The replacement points are other valid points of the same message. */
static void test_gu_gv_mismatch_bans(void **state)
{
    static const struct { size_t dst, src; } cases[] = {
        { S2_GU, S2_GV }, { S2_GV, S2_GU }, { S2_PK, S2_GU },
    };
    sfix *f = *state;

    for (size_t k = 0; k < 3; k++) {
        tamper tp = mk(2, 2, 1, OP_COPY, cases[k].dst, 33, 0);
        tp.src = cases[k].src;
        assert_int_equal(sign_with(f, set12, 2, &tp, (uint8_t)(20 + k)), 3);
        expect_rc(f->nw, 1, MPC_E_BAN, 2);
    }
}

/* A party that lies consistently (pk_2 and its RVOLE input both shifted): every check that
 * leads to a ban passes, the sum of pk_k does not match pk: recoverable, nobody blamed. */
static void test_consistent_lie_is_inconsistent(void **state)
{
    sfix *f = *state;
    mpc_scalar one, saved = f->ks[1]->share;

    mpc_scalar_set_u32(&one, 1);
    mpc_scalar_add(&f->ks[1]->share, &f->ks[1]->share, &one);
    assert_int_equal(sign_with(f, set12, 2, NULL, 40), 3);
    expect_rc(f->nw, 1, MPC_E_INCONSISTENT, 0);
    expect_rc(f->nw, 2, MPC_E_INCONSISTENT, 0);
    f->ks[1]->share = saved;
    assert_int_equal(sign_with(f, set12, 2, NULL, 41), 0);
}

/* Commitment opening (salt or R changed): recoverable, the sender is named. */
static void test_sign_bad_opening(void **state)
{
    sfix *f = *state;
    tamper tp = mk(2, 2, 1, OP_XOR, S2_SALT + 5, 1, 0x80);

    assert_int_equal(sign_with(f, set12, 2, &tp, 50), 3);
    expect_rc(f->nw, 1, MPC_E_PROOF, 2);
    tp = mk(2, 2, 1, OP_COPY, S2_R, 33, 0);
    tp.src = S2_GU;
    assert_int_equal(sign_with(f, set12, 2, &tp, 51), 3);
    expect_rc(f->nw, 1, MPC_E_PROOF, 2);
}

/* Echo: a forged echo, and a real equivocation (party 2 sends party 3 another commitment). */
static void test_sign_echo_mismatch(void **state)
{
    sfix *f = *state;
    tamper tp = mk(2, 2, 1, OP_XOR, S2_ECHO, 1, 0x01);

    assert_int_equal(sign_with(f, set12, 2, &tp, 60), 3);
    expect_rc(f->nw, 1, MPC_E_EQUIVOCATION, 0);
    tp = mk(1, 2, 3, OP_XOR, HDR + 7, 1, 0x01);
    assert_int_equal(sign_with(f, set123, 3, &tp, 61), 3);
    expect_rc(f->nw, 1, MPC_E_EQUIVOCATION, 0);
    expect_rc(f->nw, 2, MPC_E_EQUIVOCATION, 0);
    expect_rc(f->nw, 3, MPC_E_PROOF, 2); /* 3 cannot open 2's commitment */
}

/* The combiner refuses a round-3 contribution of another signing session (other sigid). */
static void test_sign_replay_other_sigid(void **state)
{
    sfix *f = *state;
    mpc_msg_in in[2];
    mpc_blame blame;
    unsigned char *old;
    size_t old_len;

    assert_int_equal(sign_with(f, set12, 2, NULL, 70), 0);
    old_len = f->nw->last[1][0].len;
    old = malloc(old_len);
    memcpy(old, f->nw->last[1][0].data, old_len);
    assert_int_equal(sign_with(f, set12, 2, NULL, 71), 0);
    in[0].from = 1;
    in[0].data = f->nw->last[0][0].data;
    in[0].len = f->nw->last[0][0].len;
    in[1].from = 2;
    in[1].data = old;
    in[1].len = old_len;
    assert_int_equal(mpc_sign_combine(f->ctx, f->sig, &f->recid, &blame, &f->pub, in, 2),
            MPC_E_SESSION);
    assert_int_equal(blame.count, 0);
    free(old);
}

/* Round-1 and round-2 replays across sessions: capture in session A, inject into session B. */
typedef struct {
    unsigned round;
    unsigned char *data;
    size_t len;
    int inject;
} replay;

static int replay_hook(net_msg *m, void *user)
{
    replay *rp = user;

    if (m->round != rp->round || m->from != 2 || m->to != 1)
        return NET_DELIVER;
    if (!rp->inject) {
        rp->data = malloc(m->len);
        memcpy(rp->data, m->data, m->len);
        rp->len = m->len;
    } else {
        m->data = realloc(m->data, rp->len);
        memcpy(m->data, rp->data, rp->len);
        m->len = rp->len;
    }
    return NET_DELIVER;
}

static void test_sign_replay_rounds(void **state)
{
    sfix *f = *state;

    for (unsigned round = 1; round <= 2; round++) {
        replay rp;
        memset(&rp, 0, sizeof(rp));
        rp.round = round;
        net_free(f->nw);
        assert_int_equal(fx_sign(f->ctx, f->nw, f->sig, &f->recid, &f->pub, &f->crc, f->ks,
                                 set12, 2, f->digest, NULL, 0, (uint8_t)(80 + round),
                                 replay_hook, &rp), 0);
        rp.inject = 1;
        net_free(f->nw);
        assert_int_equal(fx_sign(f->ctx, f->nw, f->sig, &f->recid, &f->pub, &f->crc, f->ks,
                                 set12, 2, f->digest, NULL, 0, (uint8_t)(90 + round),
                                 replay_hook, &rp), round + 1);
        expect_rc(f->nw, 1, MPC_E_SESSION, 0);
        free(rp.data);
    }
}

/* Wrong lengths: one byte short or one trailing byte: encoding error naming the sender; a
 * message shorter than the header is a session error. */
static void test_sign_wrong_lengths(void **state)
{
    sfix *f = *state;
    tamper tp;

    for (unsigned round = 1; round <= 2; round++) {
        tp = mk(round, 2, 1, OP_TRUNC, 0, 1, 0);
        assert_int_equal(sign_with(f, set12, 2, &tp, (uint8_t)(100 + round)), round + 1);
        expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
        tp = mk(round, 2, 1, OP_APPEND, 0, 1, 0);
        assert_int_equal(sign_with(f, set12, 2, &tp, (uint8_t)(110 + round)), round + 1);
        expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
    }
    tp = mk(1, 2, 1, OP_TRUNC, 0, 0, 0);
    tp.len = 1 + 32 + 24592 + 10; /* leaves 73 bytes: shorter than the header */
    assert_int_equal(sign_with(f, set12, 2, &tp, 120), 2);
    expect_rc(f->nw, 1, MPC_E_SESSION, 0);
}

/* Non-canonical or identity points and scalars >= n in a payload: encoding error. */
static void test_sign_noncanonical(void **state)
{
    sfix *f = *state;
    tamper tp;

    tp = mk(2, 2, 1, OP_SET, S2_R, 1, 0x04); /* 0x04 prefix in a 33-byte field */
    assert_int_equal(sign_with(f, set12, 2, &tp, 130), 3);
    expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
    tp = mk(2, 2, 1, OP_SET, S2_PK + 1, 32, 0xff); /* x >= p */
    assert_int_equal(sign_with(f, set12, 2, &tp, 131), 3);
    expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
    tp = mk(2, 2, 1, OP_SET, S2_GU, 33, 0x00); /* the "identity": no valid encoding */
    assert_int_equal(sign_with(f, set12, 2, &tp, 132), 3);
    expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
    tp = mk(2, 2, 1, OP_SET, S2_PSI, 32, 0xff); /* psi >= n */
    assert_int_equal(sign_with(f, set12, 2, &tp, 133), 3);
    expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
    tp = mk(2, 2, 1, OP_SET, S2_ATIL + 32 * 7, 32, 0xff); /* an atil entry >= n */
    assert_int_equal(sign_with(f, set12, 2, &tp, 134), 3);
    expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
    tp = mk(2, 2, 1, OP_SET, S2_ETA, 32, 0xff); /* eta >= n */
    assert_int_equal(sign_with(f, set12, 2, &tp, 135), 3);
    expect_rc(f->nw, 1, MPC_E_ENCODING, 2);
}

/* Duplicate, missing and misrouted messages: session errors, nobody blamed. */
static void test_sign_dup_missing_misrouted(void **state)
{
    sfix *f = *state;
    tamper tp;

    tp = mk(1, 2, 1, OP_DUP, 0, 0, 0);
    assert_int_equal(sign_with(f, set12, 2, &tp, 140), 2);
    expect_rc(f->nw, 1, MPC_E_SESSION, 0);
    tp = mk(2, 2, 1, OP_DROP, 0, 0, 0);
    assert_int_equal(sign_with(f, set12, 2, &tp, 141), 3);
    expect_rc(f->nw, 1, MPC_E_SESSION, 0);
    tp = mk(1, 2, 1, OP_REDIRECT, 0, 0, 0);
    tp.new_to = 3;
    assert_int_equal(sign_with(f, set123, 3, &tp, 142), 2);
    expect_rc(f->nw, 1, MPC_E_SESSION, 0); /* missing */
    expect_rc(f->nw, 3, MPC_E_SESSION, 0); /* duplicate sender, wrong "to" */
    /* a header naming another sender than the authenticated one */
    tp = mk(1, 2, 1, OP_XOR, 15, 1, 0x01);
    assert_int_equal(sign_with(f, set12, 2, &tp, 143), 2);
    expect_rc(f->nw, 1, MPC_E_SESSION, 0);
}

/* The combiner: tampered w fails the final verification and U = 0 is refused (recoverable,
 * nobody blamed); u >= n is an encoding error; a missing or duplicated contribution is a session
 * error. */
static void test_combiner_rejects(void **state)
{
    sfix *f = *state;
    mpc_msg_in in[3];
    mpc_blame blame;
    unsigned char buf[2][256];
    size_t len;

    assert_int_equal(sign_with(f, set12, 2, NULL, 150), 0);
    fx_check_signature(f->pub.pubkey, f->digest, f->sig, f->recid);
    len = f->nw->last[0][0].len;
    assert_true(len <= sizeof(buf[0]));
    memcpy(buf[0], f->nw->last[0][0].data, len);
    memcpy(buf[1], f->nw->last[1][0].data, len);
    for (int k = 0; k < 2; k++) {
        in[k].from = (uint32_t)k + 1;
        in[k].data = buf[k];
        in[k].len = len;
    }
    buf[1][HDR + 33 + 32 + 31] ^= 1; /* w_2 */
    assert_int_equal(mpc_sign_combine(f->ctx, f->sig, &f->recid, &blame, &f->pub, in, 2),
            MPC_E_INCONSISTENT);
    assert_int_equal(blame.count, 0);
    buf[1][HDR + 33 + 32 + 31] ^= 1;
    memset(buf[1] + HDR + 33, 0xff, 32); /* u_2 >= n */
    assert_int_equal(mpc_sign_combine(f->ctx, f->sig, &f->recid, &blame, &f->pub, in, 2),
            MPC_E_ENCODING);
    assert_int_equal(blame.count, 1);
    assert_int_equal(blame.party[0], 2);
    memcpy(buf[1], f->nw->last[1][0].data, len);
    /* u_2 = n - u_1, so U = 0: refused (recoverable, nobody blamed) */
    {
        BIGNUM *n = NULL, *u = BN_bin2bn(buf[0] + HDR + 33, 32, NULL);
        assert_true(BN_hex2bn(&n, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"));
        assert_true(BN_sub(u, n, u));
        assert_int_equal(BN_bn2binpad(u, buf[1] + HDR + 33, 32), 32);
        BN_free(u);
        BN_free(n);
    }
    assert_int_equal(mpc_sign_combine(f->ctx, f->sig, &f->recid, &blame, &f->pub, in, 2),
            MPC_E_INCONSISTENT);
    assert_int_equal(blame.count, 0);
    memcpy(buf[1], f->nw->last[1][0].data, len);
    assert_int_equal(mpc_sign_combine(f->ctx, f->sig, &f->recid, &blame, &f->pub, in, 1),
            MPC_E_SESSION);
    in[2] = in[1];
    assert_int_equal(mpc_sign_combine(f->ctx, f->sig, &f->recid, &blame, &f->pub, in, 3),
            MPC_E_SESSION);
    assert_int_equal(mpc_sign_combine(f->ctx, f->sig, &f->recid, &blame, &f->pub, in, 2),
            MPC_OK);
}

/* ---- DKG -------------------------------------------------------------------------------- */

/* (t, n) = (2, 3): round-2 payload offsets */
#define D2_F (HDR)
#define D2_CC (HDR + 2 * 33)
#define D2_SALT (D2_CC + 32)
#define D2_PROOF (D2_SALT + 32)
#define D2_OT (D2_PROOF + 2 * 65)
#define D3_SHARE (HDR)

static unsigned dkg_with(const mpc_context *ctx, net *nw, tamper *tp, uint8_t seed)
{
    mpc_keyshare *ks[3];
    unsigned fail;

    net_free(nw);
    fail = fx_dkg_hooked(ctx, nw, ks, 3, 2, seed, tp != NULL ? tamper_hook : NULL, tp);
    fx_free_shares(ks, 3);
    return fail;
}

static void test_dkg_cheats(void **state)
{
    static const struct {
        unsigned round;
        int op;
        size_t off, len;
        unsigned char byte;
        unsigned fail_call;
        int rc;
        uint32_t culprit;
    } cases[] = {
        /* Feldman-inconsistent share */
        { 3, OP_XOR, D3_SHARE + 31, 1, 0x01, 4, MPC_E_PROOF, 2 },
        /* tampered Schnorr proof (z of coefficient 1) */
        { 2, OP_XOR, D2_PROOF + 65 + 33 + 31, 1, 0x01, 3, MPC_E_PROOF, 2 },
        /* bad commitment opening (chain-code contribution, salt) */
        { 2, OP_XOR, D2_CC, 1, 0x01, 3, MPC_E_PROOF, 2 },
        { 2, OP_XOR, D2_SALT + 9, 1, 0x10, 3, MPC_E_PROOF, 2 },
        /* bad base-OT message: first point of msg1 with an invalid prefix */
        { 2, OP_SET, D2_OT, 1, 0x05, 3, MPC_E_ENCODING, 2 },
        /* bad base-OT msg2: x >= p in its first point (share 32 bytes first) */
        { 3, OP_SET, D3_SHARE + 32 + 1, 32, 0xff, 4, MPC_E_ENCODING, 2 },
        /* identity / non-canonical coefficient point */
        { 2, OP_SET, D2_F, 33, 0x00, 3, MPC_E_ENCODING, 2 },
        /* share >= n */
        { 3, OP_SET, D3_SHARE, 32, 0xff, 4, MPC_E_ENCODING, 2 },
        /* wrong lengths */
        { 2, OP_TRUNC, 0, 1, 0, 3, MPC_E_ENCODING, 2 },
        { 3, OP_APPEND, 0, 1, 0, 4, MPC_E_ENCODING, 2 },
        /* echo mismatch in round 3 */
        { 3, OP_XOR, 0, 1, 0x01, 4, MPC_E_EQUIVOCATION, 0 },
        /* final proof */
        { 4, OP_XOR, HDR + 33 + 33 + 31, 1, 0x01, 5, MPC_E_PROOF, 2 },
        /* duplicate and missing messages */
        { 1, OP_DUP, 0, 0, 0, 2, MPC_E_SESSION, 0 },
        { 3, OP_DROP, 0, 0, 0, 4, MPC_E_SESSION, 0 },
    };
    test_rng rng;
    mpc_context *ctx;
    net *nw = calloc(1, sizeof(*nw));

    (void)state;
    test_rng_init(&rng, 200);
    ctx = test_context(&rng);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        tamper tp = mk(cases[k].round, 2, 1, cases[k].op, cases[k].off, cases[k].len,
                cases[k].byte);
        if (cases[k].rc == MPC_E_EQUIVOCATION) /* the echo is the last 32 bytes */
            tp.off = HDR + 32 + 16896; /* 2 -> 1 carries no zero seed (party 1 chose it) */
        assert_int_equal(dkg_with(ctx, nw, &tp, (uint8_t)(200 + k)), cases[k].fail_call);
        assert_int_equal(tp.hits, 1);
        expect_rc(nw, 1, cases[k].rc, cases[k].culprit);
    }
    net_free(nw);
    free(nw);
    mpc_context_destroy(ctx);
}

/* Round-1 equivocation: party 2 sends party 3 another commitment. Party 3 computes another sid,
 * so the next round's headers do not match: session error everywhere, nobody blamed (P5/P6). */
static void test_dkg_round1_equivocation(void **state)
{
    test_rng rng;
    mpc_context *ctx;
    net *nw = calloc(1, sizeof(*nw));
    tamper tp = mk(1, 2, 3, OP_XOR, HDR + 40, 1, 0x01);

    (void)state;
    test_rng_init(&rng, 201);
    ctx = test_context(&rng);
    assert_int_equal(dkg_with(ctx, nw, &tp, 99), 3);
    expect_rc(nw, 1, MPC_E_SESSION, 0);
    expect_rc(nw, 2, MPC_E_SESSION, 0);
    expect_rc(nw, 3, MPC_E_SESSION, 0);
    net_free(nw);
    free(nw);
    mpc_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ote_tampered_bans_bob, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_rvole_tampered_bans_alice, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_gu_gv_mismatch_bans, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_consistent_lie_is_inconsistent, sfix_setup,
                sfix_teardown),
        cmocka_unit_test_setup_teardown(test_sign_bad_opening, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_sign_echo_mismatch, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_sign_replay_other_sigid, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_sign_replay_rounds, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_sign_wrong_lengths, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_sign_noncanonical, sfix_setup, sfix_teardown),
        cmocka_unit_test_setup_teardown(test_sign_dup_missing_misrouted, sfix_setup,
                sfix_teardown),
        cmocka_unit_test_setup_teardown(test_combiner_rejects, sfix_setup, sfix_teardown),
        cmocka_unit_test(test_dkg_cheats),
        cmocka_unit_test(test_dkg_round1_equivocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
