/*
 * Random VOLE, DKLs23 Protocol 5.2 in the corrected form of PROTOCOL.md 4.6 (l = 2, rho = 1).
 * OT payload column i = 0, 1 carries a_1, a_2; column 2 carries the check input ahat.
 *
 * Encoding choices (both sides use them):
 *  - Alice's message is atil_{j,i} for j = 0..511, i = 0..2 (j-major), then eta, then mu;
 *  - "rvole/atil" hashes that atil section as one field of 49,152 bytes;
 *  - theta_i uses be32(i) with i = 1, 2 as in the spec text;
 *  - "rvole/mu" hashes the 512 check scalars as one field of 16,384 bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "mpc/hash.h"
#include "rvole.h"
#include "scalar_internal.h"

#define ATIL_BYTES (MPC_OTE_XI * MPC_OTE_WIDTH * 32)
#define ETA_OFFSET ATIL_BYTES
#define MU_OFFSET (ATIL_BYTES + 32)
#define CHECK_COL 2 /* the payload column of ahat */

static unsigned int beta_bit(const unsigned char beta[MPC_OTE_XI / 8], size_t j)
{
    return (beta[j >> 3] >> (j & 7)) & 1u;
}

#define GADGET_BYTES (MPC_OTE_XI * 32)

/*
 * g_j = H_s("rvole/gadget", sid_mul, be32(j)) for j < 512; public. The field be32(j) is framed as
 * be64(4) || be32(j), exactly like the PRG's block counter, so H("rvole/gadget", sid_mul, be32(j))
 * is block j of PRG("rvole/gadget", sid_mul): one mpc_prg call yields all 512 digests from one
 * prefix state instead of 512 copies, updates and finals. scratch receives the digests.
 */
static void gadget_vector(mpc_scalar g[MPC_OTE_XI], unsigned char scratch[GADGET_BYTES],
        const unsigned char sid_mul[32])
{
    mpc_hash pre;

    mpc_hash_init(&pre, MPC_TAG_RVOLE_GADGET);
    mpc_hash_field(&pre, sid_mul, 32);
    mpc_prg(scratch, GADGET_BYTES, &pre);
    for (uint32_t j = 0; j < MPC_OTE_XI; j++)
        mpc_scalar_reduce32(&g[j], scratch + 32 * j);
}

/* theta_i = H_s("rvole/theta", sid_mul, H("rvole/atil", sid_mul, atil), be32(i)), i = 1, 2. */
static void derive_theta(mpc_scalar theta[2], const unsigned char *atil,
        const unsigned char sid_mul[32])
{
    mpc_hash h, pre;
    unsigned char hatil[32];

    mpc_hash_init(&h, MPC_TAG_RVOLE_ATIL);
    mpc_hash_field(&h, sid_mul, 32);
    mpc_hash_field(&h, atil, ATIL_BYTES);
    mpc_hash_final(&h, hatil);
    mpc_hash_init(&pre, MPC_TAG_RVOLE_THETA);
    mpc_hash_field(&pre, sid_mul, 32);
    mpc_hash_field(&pre, hatil, sizeof(hatil));
    for (uint32_t i = 0; i < 2; i++) {
        h = pre;
        mpc_hash_field_u32(&h, i + 1);
        mpc_hash_final_scalar(&h, &theta[i]);
    }
}

/* The mu hash over j of enc(x_{j,2} + theta_1 * x_{j,0} + theta_2 * x_{j,1}) is opened here and
 * fed one term at a time. */
static void mu_begin(mpc_hash *h, const unsigned char sid_mul[32])
{
    mpc_hash_init(h, MPC_TAG_RVOLE_MU);
    mpc_hash_field(h, sid_mul, 32);
    mpc_hash_field_begin(h, (size_t)MPC_OTE_XI * 32);
}

/* out = x[2] + theta_1 * x[0] + theta_2 * x[1], reduced once; t is the caller's scratch. */
static void check_term(mpc_scalar *out, mpc__scalar_wide *t, const mpc_scalar x[MPC_OTE_WIDTH],
        const mpc_scalar theta[2])
{
    mpc__scalar_wide_clear(t);
    mpc__scalar_wide_muladd(t, &theta[0], &x[0]);
    mpc__scalar_wide_muladd(t, &theta[1], &x[1]);
    mpc__scalar_wide_add(t, &x[CHECK_COL]);
    mpc__scalar_wide_reduce(out, t);
}

int mpc__rvole_bob_start(const mpc_context *ctx, mpc__rvole_bob *st, mpc_scalar *b,
        unsigned char ote_msg[MPC_OTE_MSG_BYTES], const mpc__ote_receiver_key *key,
        const unsigned char sid_mul[32])
{
    unsigned char gadget_bytes[GADGET_BYTES];
    mpc_scalar sum;
    int r;

    MPC_ARG_CHECK(ctx, ctx != NULL && st != NULL && b != NULL && ote_msg != NULL && key != NULL &&
            sid_mul != NULL);
    if ((r = mpc__ote_receiver_extend(ctx, ote_msg, st->beta, st->gamma, key, sid_mul)) != MPC_OK)
        goto out;
    /* b = sum_j beta_j * g_j, with the add always computed and kept by a mask. */
    gadget_vector(st->g, gadget_bytes, sid_mul);
    mpc_scalar_set_u32(b, 0);
    for (uint32_t j = 0; j < MPC_OTE_XI; j++) {
        mpc_scalar_add(&sum, b, &st->g[j]);
        mpc_scalar_cmov(b, &sum, (int)beta_bit(st->beta, j));
    }
    r = MPC_OK;
out:
    if (r != MPC_OK) {
        mpc_memclear(st, sizeof(*st));
        mpc_scalar_clear(b);
    }
    mpc_scalar_clear(&sum);
    return r;
}

/* If bad (0 or 1), zero the two output scalars and len bytes of msg (if any), without a branch on
 * bad: the verdict of a check is secret until the caller is told. */
static void wipe_outputs(mpc_scalar out[2], unsigned char *msg, size_t len, unsigned int bad)
{
    unsigned char keep = (unsigned char)(bad - 1u);
    mpc_scalar zero;

    mpc_scalar_set_u32(&zero, 0);
    mpc_scalar_cmov(&out[0], &zero, (int)bad);
    mpc_scalar_cmov(&out[1], &zero, (int)bad);
    for (size_t i = 0; i < len; i++)
        msg[i] &= keep;
}

/* Alice's OT outputs; large, so kept off the stack. */
typedef struct {
    mpc_scalar alpha0[MPC_OTE_XI][MPC_OTE_WIDTH];
    mpc_scalar alpha1[MPC_OTE_XI][MPC_OTE_WIDTH];
    mpc_scalar g[MPC_OTE_XI];
    unsigned char gadget_bytes[GADGET_BYTES];
} alice_work;

int mpc__rvole_alice(const mpc_context *ctx, mpc_scalar c[2],
        unsigned char msg[MPC_RVOLE_MSG_BYTES], const mpc_scalar a[2],
        const mpc__ote_sender_key *key, const unsigned char ote_msg[MPC_OTE_MSG_BYTES],
        const unsigned char sid_mul[32])
{
    alice_work *w = NULL;
    mpc_hash h;
    mpc_scalar ahat, theta[2], t, g;
    /* Exact sums over the 512 OTs (far below the 2^64-term bound), reduced once at the end. */
    mpc__scalar_wide acc[2], wt;
    unsigned char enc[32];
    unsigned int bad = 1; /* until the extension's verdict is known */
    int r;

    MPC_ARG_CHECK(ctx, ctx != NULL && c != NULL && msg != NULL && a != NULL && key != NULL &&
            ote_msg != NULL && sid_mul != NULL);
    mpc_scalar_set_u32(&c[0], 0);
    mpc_scalar_set_u32(&c[1], 0);
    if ((w = malloc(sizeof(*w))) == NULL) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    if ((r = mpc_scalar_random(ctx, &ahat)) != MPC_OK)
        goto out;
    /* The verdict on Bob's message (MPC_OK or MPC_E_BAN) stays secret until it is returned:
     * everything below runs either way, on wiped OT outputs if the check failed, and the
     * outputs are wiped by mask at the end. */
    r = mpc__ote_sender_extend(ctx, w->alpha0, w->alpha1, key, ote_msg, sid_mul);
    bad = ((unsigned int)r | (0u - (unsigned int)r)) >> (sizeof(unsigned int) * 8 - 1);

    /* atil_{j,i} = alpha0_{j,i} - alpha1_{j,i} + a_i, with ahat in the check column. */
    for (uint32_t j = 0; j < MPC_OTE_XI; j++) {
        for (int i = 0; i < MPC_OTE_WIDTH; i++) {
            mpc_scalar_sub(&t, &w->alpha0[j][i], &w->alpha1[j][i]);
            mpc_scalar_add(&t, &t, i == CHECK_COL ? &ahat : &a[i]);
            mpc_scalar_serialize(msg + (MPC_OTE_WIDTH * j + (uint32_t)i) * 32, &t);
        }
    }
    derive_theta(theta, msg, sid_mul);

    /* eta = ahat + theta_1 * a_1 + theta_2 * a_2. */
    mpc_scalar_mul(&t, &theta[0], &a[0]);
    mpc_scalar_add(&t, &ahat, &t);
    mpc_scalar_mul(&g, &theta[1], &a[1]);
    mpc_scalar_add(&t, &t, &g);
    mpc_scalar_serialize(msg + ETA_OFFSET, &t);

    /* mu over alpha0's check terms; c_i = -sum_j g_j * alpha0_{j,i}. */
    mu_begin(&h, sid_mul);
    gadget_vector(w->g, w->gadget_bytes, sid_mul);
    mpc__scalar_wide_clear(&acc[0]);
    mpc__scalar_wide_clear(&acc[1]);
    for (uint32_t j = 0; j < MPC_OTE_XI; j++) {
        check_term(&t, &wt, w->alpha0[j], theta);
        mpc_scalar_serialize(enc, &t);
        mpc_hash_update(&h, enc, sizeof(enc));
        mpc__scalar_wide_muladd(&acc[0], &w->g[j], &w->alpha0[j][0]);
        mpc__scalar_wide_muladd(&acc[1], &w->g[j], &w->alpha0[j][1]);
    }
    mpc_hash_final(&h, msg + MU_OFFSET);
    for (int i = 0; i < 2; i++) {
        mpc__scalar_wide_reduce(&t, &acc[i]);
        mpc_scalar_neg(&c[i], &t);
    }
out:
    /* The verdict on Bob's message is public from here on: it is returned, and a failure aborts
     * the session and bans Bob in front of everyone. */
    mpc__declassify(ctx, &bad, sizeof(bad));
    mpc__declassify(ctx, &r, sizeof(r));
    /* Nothing usable leaves a failed call: c and msg are wiped by mask, without a branch. */
    wipe_outputs(c, msg, MPC_RVOLE_MSG_BYTES, bad);
    /* The message goes to Bob: each atil is masked by alpha0 - alpha1 (one of which Bob lacks),
     * eta by ahat, and mu is a hash Bob recomputes. */
    mpc__declassify(ctx, msg, MPC_RVOLE_MSG_BYTES);
    if (w != NULL) {
        mpc_memclear(w, sizeof(*w));
        free(w);
    }
    mpc_memclear(&h, sizeof(h));
    mpc_scalar_clear(&ahat);
    mpc_scalar_clear(&t);
    mpc_scalar_clear(&g);
    mpc__scalar_wide_clear(&acc[0]);
    mpc__scalar_wide_clear(&acc[1]);
    mpc__scalar_wide_clear(&wt);
    mpc_memclear(enc, sizeof(enc));
    mpc_memclear(&bad, sizeof(bad));
    return r;
}

int mpc__rvole_bob_finish(const mpc_context *ctx, mpc_scalar d[2], mpc__rvole_bob *st,
        const unsigned char msg[MPC_RVOLE_MSG_BYTES], const unsigned char sid_mul[32])
{
    mpc_hash h;
    mpc_scalar theta[2], eta, atil, g, t, dd[MPC_OTE_WIDTH];
    mpc__scalar_wide acc[2], wt; /* as in mpc__rvole_alice */
    unsigned char enc[32], mu[32];
    unsigned int bad = 1; /* until the mu check has passed */
    int r, malformed = 0;

    MPC_ARG_CHECK(ctx, ctx != NULL && d != NULL && st != NULL && msg != NULL && sid_mul != NULL);
    mpc_scalar_set_u32(&d[0], 0);
    mpc_scalar_set_u32(&d[1], 0);
    /* Strict parse: eta and every atil must be canonical (< n). The atil verdict is taken after
     * the loop, before the mu comparison: a malformed message is an encoding error, not a ban. */
    if ((r = mpc_scalar_parse(&eta, msg + ETA_OFFSET)) != MPC_OK)
        goto out;
    derive_theta(theta, msg, sid_mul);

    mu_begin(&h, sid_mul);
    mpc__scalar_wide_clear(&acc[0]);
    mpc__scalar_wide_clear(&acc[1]);
    for (uint32_t j = 0; j < MPC_OTE_XI; j++) {
        int bit = (int)beta_bit(st->beta, j);

        /* dd_{j,i} = gamma_{j,i} + beta_j * atil_{j,i} = alpha0_{j,i} + beta_j * a_i. */
        for (int i = 0; i < MPC_OTE_WIDTH; i++) {
            const unsigned char *enc_atil = msg + (MPC_OTE_WIDTH * j + (uint32_t)i) * 32;

            malformed |= mpc_scalar_parse(&atil, enc_atil) != MPC_OK;
            mpc_scalar_add(&t, &st->gamma[j][i], &atil);
            mpc_scalar_select(&dd[i], &st->gamma[j][i], &t, bit);
        }
        /* Honest Alice: this equals her alpha0 check term (the beta_j * eta part cancels). */
        check_term(&t, &wt, dd, theta);
        mpc_scalar_sub(&g, &t, &eta);
        mpc_scalar_cmov(&t, &g, bit);
        mpc_scalar_serialize(enc, &t);
        mpc_hash_update(&h, enc, sizeof(enc));
        mpc__scalar_wide_muladd(&acc[0], &st->g[j], &dd[0]);
        mpc__scalar_wide_muladd(&acc[1], &st->g[j], &dd[1]);
    }
    mpc_hash_final(&h, mu);
    if (malformed) {
        r = MPC_E_ENCODING;
        goto out;
    }
    bad = 1u - (unsigned int)mpc_memeq(mu, msg + MU_OFFSET, sizeof(mu));
    /* The verdict is public: it is returned, and a failure bans Alice in front of everyone. */
    mpc__declassify(ctx, &bad, sizeof(bad));
    r = MPC_E_BAN * (int)bad;
    mpc__scalar_wide_reduce(&d[0], &acc[0]);
    mpc__scalar_wide_reduce(&d[1], &acc[1]);
out:
    wipe_outputs(d, NULL, 0, bad);
    mpc_memclear(st, sizeof(*st));
    mpc_memclear(&h, sizeof(h));
    mpc_memclear(dd, sizeof(dd));
    mpc_scalar_clear(&t);
    mpc_scalar_clear(&g);
    mpc__scalar_wide_clear(&acc[0]);
    mpc__scalar_wide_clear(&acc[1]);
    mpc__scalar_wide_clear(&wt);
    mpc_memclear(enc, sizeof(enc));
    mpc_memclear(mu, sizeof(mu));
    mpc_memclear(&bad, sizeof(bad));
    return r;
}
