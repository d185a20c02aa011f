/*
 * Constant-time coverage of a whole 2-of-3 signing run (PROTOCOL.md 9 "Side channels"): rounds
 * 1-3 of both signers and the combiner, with
 *  - the key shares' secret parts (p(i), zero seeds, OT-extension keys: Delta and seeds) marked
 *    undefined once parsed;
 *  - a randomness source whose every byte is undefined, so the nonces r_i and phi_i, the OT
 *    choice bits beta and padding, the commitment salts, ahat and all blinding scalars are
 *    secret from the moment they are drawn;
 *  - declassification enabled on the signing context (mpc_context_set_declassify): libmpc itself
 *    marks defined what the protocol makes public (each place is commented in the library).
 * Every message a signer sends must be entirely defined (VALGRIND_CHECK_MEM_IS_DEFINED reports
 * any undefined byte), and so must the signature. A branch or memory index on a secret anywhere
 * in between is a memcheck error.
 *
 * The key shares are not produced by a DKG: under valgrind the 2-of-3 DKG (its base OTs) alone
 * would take far longer than the rest of the test. They are built here from the serialized
 * layout of protocol.h with consistent OT keys (Bob holds both seeds of every base OT, Alice the
 * one of her choice bit c_k, Delta_k = 1 - c_k) and go through mpc_keyshare_parse, which checks
 * share*G == S_i and that all S_k lie on one polynomial with value pk at 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctime.h"
#include "keyshare.h"
#include "mpc/point.h"
#include "mpc/protocol.h"

#define SIGN_N 3u
#define SIGN_T 2u
#define SIGN_SIGNERS 2u
#define MAX_INBOX (2 * SIGN_SIGNERS)

/* Every step of the run must succeed; a failure names the call. */
#define MUST(call)                                                         \
    do {                                                                   \
        int must_rc_ = (call);                                             \
        if (must_rc_ != MPC_OK) {                                          \
            fprintf(stderr, "ctime_sign: %s returned %d\n", #call, must_rc_); \
            abort();                                                       \
        }                                                                  \
    } while (0)

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Pairwise material of the three parties; ordered-pair arrays are indexed [alice][bob]. */
typedef struct {
    unsigned char zero_seed[SIGN_N + 1][SIGN_N + 1][32];
    unsigned char choice[SIGN_N + 1][SIGN_N + 1][32];           /* c_k of Alice */
    unsigned char bob_seed[SIGN_N + 1][SIGN_N + 1][256][2][32]; /* rho_{k,0}, rho_{k,1} */
} pair_material;

/* Serialized key shares of a random 2-of-3 sharing, following MPC_KEYSHARE_BYTES' layout. */
static void build_shares(ctime_env *env, unsigned char *ser[SIGN_N + 1])
{
    pair_material *pm = calloc(1, sizeof(*pm));
    mpc_scalar a0, a1, x, share[SIGN_N + 1];
    mpc_point P;
    unsigned char sid[32], chain[32], pk[33], S[SIGN_N + 1][33];
    uint32_t i, j;

    if (pm == NULL)
        abort();
    test_rng_bytes(&env->input_rng, sid, sizeof(sid));
    test_rng_bytes(&env->input_rng, chain, sizeof(chain));
    ctime_random_scalar(env, &a0);
    ctime_random_scalar(env, &a1);
    mpc_point_base_mul(env->ctx, &P, &a0);
    MUST(mpc_point_serialize(env->ctx, pk, &P));
    for (i = 1; i <= SIGN_N; i++) {
        mpc_scalar_set_u32(&x, i);
        mpc_scalar_mul(&share[i], &a1, &x);
        mpc_scalar_add(&share[i], &share[i], &a0);
        mpc_point_base_mul(env->ctx, &P, &share[i]);
        MUST(mpc_point_serialize(env->ctx, S[i], &P));
    }
    for (i = 1; i <= SIGN_N; i++) {
        for (j = 1; j <= SIGN_N; j++) {
            if (i == j)
                continue;
            if (i < j) {
                test_rng_bytes(&env->input_rng, pm->zero_seed[i][j], 32);
                memcpy(pm->zero_seed[j][i], pm->zero_seed[i][j], 32);
            }
            test_rng_bytes(&env->input_rng, pm->choice[i][j], 32);
            test_rng_bytes(&env->input_rng, &pm->bob_seed[i][j][0][0][0],
                    sizeof(pm->bob_seed[i][j]));
        }
    }
    for (i = 1; i <= SIGN_N; i++) {
        unsigned char *p;

        if ((ser[i] = malloc(MPC_KEYSHARE_BYTES(SIGN_N))) == NULL)
            abort();
        p = ser[i];
        memcpy(p, "MPCK", 4);
        put_be32(p + 4, 1);
        put_be32(p + 8, SIGN_N);
        put_be32(p + 12, SIGN_T);
        put_be32(p + 16, i);
        put_be32(p + 20, 0);
        memcpy(p + 24, sid, 32);
        memcpy(p + 56, pk, 33);
        memcpy(p + 89, chain, 32);
        mpc_scalar_serialize(p + MPC_KEYSHARE_OFF_SHARE, &share[i]);
        p += 153;
        for (j = 1; j <= SIGN_N; j++, p += 33)
            memcpy(p, S[j], 33);
        for (j = 1; j <= SIGN_N; j++) {
            if (j == i)
                continue;
            memcpy(p, pm->zero_seed[i][j], 32);
            p += 32;
            /* Instance (Alice = i, Bob = j): Delta = NOT c, seed[k] = rho_{k, c_k}. */
            for (size_t b = 0; b < 32; b++)
                p[b] = (unsigned char)~pm->choice[i][j][b];
            p += 32;
            for (size_t k = 0; k < 256; k++, p += 32)
                memcpy(p, pm->bob_seed[i][j][k][(pm->choice[i][j][k >> 3] >> (k & 7)) & 1], 32);
            /* Instance (Alice = j, Bob = i): both seeds. */
            memcpy(p, pm->bob_seed[j][i], sizeof(pm->bob_seed[j][i]));
            p += sizeof(pm->bob_seed[j][i]);
        }
        if ((size_t)(p - ser[i]) != MPC_KEYSHARE_BYTES(SIGN_N))
            abort();
    }
    mpc_memclear(pm, sizeof(*pm));
    free(pm);
}

/* The randomness of ctime_secret_context: the test stream, every byte then marked secret. */
static int secret_rng(unsigned char *out, size_t len, void *data)
{
    test_rng_bytes(data, out, len);
    CHECKMEM_UNDEFINE(out, len);
    return 1;
}

mpc_context *ctime_secret_context(test_rng *rng)
{
    mpc_context *ctx = test_context(rng);

    MUST(mpc_context_set_rng(ctx, secret_rng, rng));
    mpc_context_set_declassify(ctx, 1);
    return ctx;
}

/* Messages in flight to one party, copied out of the sender's state. */
typedef struct {
    mpc_msg_in in[MAX_INBOX];
    unsigned char *buf[MAX_INBOX];
    size_t count;
} inbox;

static void inbox_put(inbox *ib, uint32_t from, const unsigned char *data, size_t len)
{
    if (ib->count == MAX_INBOX || (ib->buf[ib->count] = malloc(len)) == NULL)
        abort();
    memcpy(ib->buf[ib->count], data, len);
    ib->in[ib->count].from = from;
    ib->in[ib->count].data = ib->buf[ib->count];
    ib->in[ib->count].len = len;
    ib->count++;
}

static void inbox_clear(inbox *ib)
{
    for (size_t k = 0; k < ib->count; k++)
        free(ib->buf[k]);
    ib->count = 0;
}

static void section_full_run(ctime_env *env)
{
    static const uint32_t signers[SIGN_SIGNERS] = {1, 3};
    unsigned char *ser[SIGN_N + 1] = {NULL};
    mpc_keyshare *ks[SIGN_SIGNERS];
    mpc_sign *st[SIGN_SIGNERS];
    inbox next[SIGN_SIGNERS], cur[SIGN_SIGNERS], combiner;
    mpc_sign_public pub;
    mpc_sign_request req;
    mpc_blame blame;
    test_rng rng;
    mpc_context *sctx;
    unsigned char digest[32], nonce[32], sigid[32], sig64[64];
    int recid;

    build_shares(env, ser);
    test_rng_bytes(&env->input_rng, digest, sizeof(digest));
    test_rng_bytes(&env->input_rng, nonce, sizeof(nonce));
    test_rng_init(&rng, 0x7369676e);
    sctx = ctime_secret_context(&rng);

    memset(&req, 0, sizeof(req));
    req.signers = signers;
    req.signer_count = SIGN_SIGNERS;
    req.msg_digest32 = digest;
    req.coord_nonce32 = nonce;
    memset(next, 0, sizeof(next));
    memset(cur, 0, sizeof(cur));
    memset(&combiner, 0, sizeof(combiner));
    for (size_t s = 0; s < SIGN_SIGNERS; s++) {
        /* Parsed while defined, with the defined context (whose blinding is not marked secret):
         * share*G == S_i checks a stored share, not a secret of this run. From here on the
         * secret parts are secret. */
        MUST(mpc_keyshare_parse(env->ctx, &ks[s], ser[signers[s]], MPC_KEYSHARE_BYTES(SIGN_N)));
        CHECKMEM_UNDEFINE(&ks[s]->share, sizeof(ks[s]->share));
        for (uint32_t j = 1; j <= SIGN_N; j++)
            if (j != signers[s])
                CHECKMEM_UNDEFINE(&ks[s]->peer[j], sizeof(ks[s]->peer[j]));
        MUST(mpc_sign_create(sctx, &st[s], sigid, ks[s], &req));
    }
    for (unsigned round = 1; round <= MPC_SIGN_ROUNDS; round++) {
        for (size_t s = 0; s < SIGN_SIGNERS; s++) {
            cur[s] = next[s];
            memset(&next[s], 0, sizeof(next[s]));
        }
        for (size_t s = 0; s < SIGN_SIGNERS; s++) {
            const mpc_msg_out *out;
            size_t out_count;

            MUST(mpc_sign_next(sctx, &out, &out_count, &blame, st[s], cur[s].in, cur[s].count));
            for (size_t k = 0; k < out_count; k++) {
                /* Everything a signer sends is public. */
                (void)VALGRIND_CHECK_MEM_IS_DEFINED(out[k].data, out[k].len);
                for (size_t t = 0; t < SIGN_SIGNERS; t++) {
                    if (t == s || (out[k].to != MPC_BROADCAST && out[k].to != signers[t]))
                        continue;
                    inbox_put(&next[t], signers[s], out[k].data, out[k].len);
                }
                if (round == MPC_SIGN_ROUNDS)
                    inbox_put(&combiner, signers[s], out[k].data, out[k].len);
            }
        }
        for (size_t s = 0; s < SIGN_SIGNERS; s++)
            inbox_clear(&cur[s]);
    }
    mpc_sign_get_public(&pub, st[0]);
    MUST(mpc_sign_combine(sctx, sig64, &recid, &blame, &pub, combiner.in, combiner.count));
    (void)VALGRIND_CHECK_MEM_IS_DEFINED(sig64, sizeof(sig64));
    (void)VALGRIND_CHECK_MEM_IS_DEFINED(&recid, sizeof(recid));

    inbox_clear(&combiner);
    for (size_t s = 0; s < SIGN_SIGNERS; s++) {
        inbox_clear(&next[s]); /* the other signer's round-3 broadcast */
        mpc_sign_destroy(st[s]);
        mpc_keyshare_destroy(ks[s]);
    }
    for (uint32_t i = 1; i <= SIGN_N; i++) {
        mpc_memclear(ser[i], MPC_KEYSHARE_BYTES(SIGN_N));
        free(ser[i]);
    }
    mpc_context_destroy(sctx);
}

const ctime_section ctime_sign_sections[] = {
    {"full_run", section_full_run},
    {NULL, NULL},
};
