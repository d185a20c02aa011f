/*
 * DKG (PROTOCOL.md 3) with the pairwise base-OT setup (4.1, k = 1) and zero seeds (2.3), and the
 * proactive refresh of 6.1, which is the same state machine with refresh = 1:
 *  - a_{i,0} = 0, so only F_{i,1..t-1} are committed, broadcast and proven (F_{i,0} is the
 *    identity); no chain-code contribution (the old chain code is kept);
 *  - the new share is p(i) + sum_j f_j(i), the new public shares S_k + sum_{m>=1} k^m F_m;
 *  - sid = H("refresh/sid", inst, old sid, new epoch, n, t, sidc_1, C_1, ...), and every header
 *    carries the old sid (aux) and the new epoch, so old and new material never meet.
 *
 * Choices where the spec left freedom (see also mpc/protocol.h):
 *  - every round is sent as one message per recipient (round 2 carries the broadcast part and the
 *    point-to-point base-OT msg1 together); rounds 1 and 4 are pure broadcasts;
 *  - the round-3 echo E_i hashes the broadcast part of every round-2 message, own included, in
 *    index order; the final Schnorr proof binds extra = pk || c || E_i (all E_j are equal then);
 *  - the zero seed z_{ij} is chosen by the lower index i and sent in round 3 (SL's choice);
 *  - a malformed payload (including a malformed base-OT message) is MPC_E_ENCODING blaming the
 *    sender; with k = 1 there is no PPRF proof, so a base-OT msg2 with wrong values is only
 *    detected by the first signing (the OT-extension check then bans that party).
 */
#include <string.h>

#include "context.h"
#include "keyshare.h"
#include "mpc/hash.h"
#include "mpc/zk.h"
#include "wire.h"

#define DKG_MAGIC 0x444b4731u

enum { PH_NEW = 0, PH_R1, PH_R2, PH_R3, PH_R4, PH_DONE, PH_TAKEN, PH_DEAD };

struct mpc_dkg_struct {
    uint32_t magic;
    int phase;
    int refresh;
    uint32_t n, t, self, epoch;
    uint32_t k0;                          /* first broadcast coefficient: 0, or 1 for refresh */
    uint32_t npeers;
    uint32_t peers[MPC_MAX_PARTIES];
    unsigned char inst[32];
    unsigned char aux[32];                /* refresh: sid of the refreshed key; DKG: zero */
    unsigned char sid[32];
    unsigned char echo[32];
    mpc_scalar coef[MPC_MAX_PARTIES];     /* own a_{i,k} (SECRET) */
    unsigned char salt[32];
    unsigned char cc[MPC_MAX_PARTIES + 1][32];
    unsigned char sidc[MPC_MAX_PARTIES + 1][32];
    unsigned char com[MPC_MAX_PARTIES + 1][32];
    mpc_point F[MPC_MAX_PARTIES + 1][MPC_MAX_PARTIES];
    mpc__ot_base_receiver otr[MPC_MAX_PARTIES + 1]; /* own base-OT receiver state per peer */
    mpc_keyshare *ks;                     /* the share being built */
    mpc__outbox out;
};

static size_t ncoef(const mpc_dkg *st)
{
    return st->t - st->k0;
}

/* Length of the broadcast part of a round-2 payload. */
static size_t r2_bcast_len(const mpc_dkg *st)
{
    return ncoef(st) * (MPC_POINT_BYTES + MPC_SCHNORR_BYTES) + (st->refresh ? 0 : 32) + 32;
}

static void sid_pair(unsigned char out[32], const unsigned char sid[32], uint32_t a, uint32_t b)
{
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_PAIR);
    mpc_hash_field(&h, sid, 32);
    mpc_hash_field_u32(&h, a);
    mpc_hash_field_u32(&h, b);
    mpc_hash_final(&h, out);
}

static void dkg_wipe(mpc_dkg *st)
{
    mpc__outbox_clear(&st->out);
    mpc_keyshare_destroy(st->ks);
    st->ks = NULL;
    mpc_memclear(st->coef, sizeof(st->coef));
    mpc_memclear(st->otr, sizeof(st->otr));
}

void mpc_dkg_destroy(mpc_dkg *st)
{
    if (st == NULL)
        return;
    dkg_wipe(st);
    mpc_secure_free(st);
}

static int dkg_alloc(mpc_dkg **out, uint32_t n, uint32_t t, uint32_t self,
        const unsigned char inst32[32])
{
    mpc_dkg *st;
    uint32_t k;

    if ((st = mpc_secure_alloc(sizeof(*st))) == NULL)
        return MPC_E_INTERNAL;
    memset(st, 0, sizeof(*st));
    st->magic = DKG_MAGIC;
    st->n = n;
    st->t = t;
    st->self = self;
    memcpy(st->inst, inst32, 32);
    for (k = 1; k <= n; k++)
        if (k != self)
            st->peers[st->npeers++] = k;
    if ((st->ks = mpc__keyshare_alloc()) == NULL) {
        mpc_dkg_destroy(st);
        return MPC_E_INTERNAL;
    }
    *out = st;
    return MPC_OK;
}

int mpc_dkg_create(const mpc_context *ctx, mpc_dkg **st, uint32_t n, uint32_t t, uint32_t self,
        const unsigned char inst32[32])
{
    *st = NULL;
    MPC_ARG_CHECK(ctx, t >= 2 && t <= n && n <= MPC_MAX_PARTIES);
    MPC_ARG_CHECK(ctx, self >= 1 && self <= n);
    return dkg_alloc(st, n, t, self, inst32);
}

int mpc_refresh_create(const mpc_context *ctx, mpc_dkg **st, const mpc_keyshare *share,
        const unsigned char inst32[32])
{
    int r;

    *st = NULL;
    MPC_ARG_CHECK(ctx, share->magic == MPC__KEYSHARE_MAGIC);
    MPC_ARG_CHECK(ctx, share->epoch < UINT32_MAX);
    if ((r = dkg_alloc(st, share->n, share->t, share->self, inst32)) != MPC_OK)
        return r;
    (*st)->refresh = 1;
    (*st)->k0 = 1;
    (*st)->epoch = share->epoch + 1;
    memcpy((*st)->aux, share->sid, 32);
    /* Start from the old share: public data and p(i) are updated, pairwise keys replaced. */
    memcpy((*st)->ks, share, sizeof(*share));
    (*st)->ks->epoch = share->epoch + 1;
    return MPC_OK;
}

/* Commitment prefix: Com("dkg/com", (inst, i, n, t, aux), F_{i,k0..t-1} || cc_i). */
static void com_prefix(const mpc_context *ctx, mpc_hash *h, const mpc_dkg *st, uint32_t j)
{
    uint32_t k;

    mpc_hash_init(h, MPC_TAG_DKG_COM);
    mpc_hash_field(h, st->inst, 32);
    mpc_hash_field_u32(h, j);
    mpc_hash_field_u32(h, st->n);
    mpc_hash_field_u32(h, st->t);
    mpc_hash_field(h, st->aux, 32);
    for (k = st->k0; k < st->t; k++)
        mpc_hash_field_point(ctx, h, &st->F[j][k]);
    if (!st->refresh)
        mpc_hash_field(h, st->cc[j], 32);
}

static void coef_ctx(mpc_schnorr_context *sc, const mpc_dkg *st, uint32_t j, uint32_t k)
{
    memset(sc, 0, sizeof(*sc));
    sc->label = MPC_TAG_DKG_COEF;
    sc->sid = st->sid;
    sc->prover = j;
    sc->statement = k;
}

static int round1(const mpc_context *ctx, mpc_dkg *st)
{
    mpc_hash h;
    unsigned char *m;
    uint32_t k, i = st->self;
    int r;

    for (k = 0; k < st->t; k++) {
        if (k < st->k0) {
            mpc_scalar_set_u32(&st->coef[k], 0);
            mpc_point_set_infinity(&st->F[i][k]);
            continue;
        }
        if ((r = mpc_scalar_random(ctx, &st->coef[k])) != MPC_OK)
            return r;
        mpc_point_base_mul(ctx, &st->F[i][k], &st->coef[k]);
    }
    if (!st->refresh && (r = mpc_random_bytes(ctx, st->cc[i], 32)) != MPC_OK)
        return r;
    if ((r = mpc_random_bytes(ctx, st->sidc[i], 32)) != MPC_OK)
        return r;
    com_prefix(ctx, &h, st, i);
    if ((r = mpc_commit(ctx, st->com[i], st->salt, &h)) != MPC_OK)
        return r;
    if ((m = mpc__outbox_add(&st->out, MPC_BROADCAST, MPC_MSG_HEADER_BYTES + 64)) == NULL)
        return MPC_E_INTERNAL;
    mpc__hdr_write(m, st->refresh ? MPC__KIND_REFRESH : MPC__KIND_DKG, 1, st->epoch, i,
            MPC_BROADCAST, st->inst, st->aux);
    memcpy(m + MPC_MSG_HEADER_BYTES, st->sidc[i], 32);
    memcpy(m + MPC_MSG_HEADER_BYTES + 32, st->com[i], 32);
    return MPC_OK;
}

static void compute_sid(mpc_dkg *st)
{
    mpc_hash h;
    uint32_t j;

    mpc_hash_init(&h, st->refresh ? MPC_TAG_REFRESH_SID : MPC_TAG_DKG_SID);
    mpc_hash_field(&h, st->inst, 32);
    if (st->refresh) {
        mpc_hash_field(&h, st->aux, 32);
        mpc_hash_field_u32(&h, st->epoch);
    }
    mpc_hash_field_u32(&h, st->n);
    mpc_hash_field_u32(&h, st->t);
    for (j = 1; j <= st->n; j++) {
        mpc_hash_field(&h, st->sidc[j], 32);
        mpc_hash_field(&h, st->com[j], 32);
    }
    mpc_hash_final(&h, st->sid);
}

static void expect(mpc__hdr_expect *e, const mpc_dkg *st, uint8_t round, int bcast)
{
    e->kind = st->refresh ? MPC__KIND_REFRESH : MPC__KIND_DKG;
    e->round = round;
    e->epoch = st->epoch;
    e->self = st->self;
    e->broadcast = bcast;
    e->session = round == 1 ? st->inst : st->sid;
    e->aux = st->aux;
}

/* Round 1 in, round 2 out. */
static int round2(const mpc_context *ctx, mpc_dkg *st, mpc_blame *blame, const mpc_msg_in *in,
        size_t in_count)
{
    const mpc_msg_in *msg[MPC_MAX_PARTIES];
    mpc__hdr_expect e;
    mpc_schnorr_context sc;
    mpc_schnorr_proof pf;
    unsigned char pair[32], bpart[MPC_MAX_PARTIES * (MPC_POINT_BYTES + MPC_SCHNORR_BYTES) + 64];
    unsigned char *m, *p;
    size_t x, blen = r2_bcast_len(st);
    uint32_t k, i = st->self;
    int r;

    expect(&e, st, 1, 1);
    if ((r = mpc__msg_collect(msg, &e, st->peers, st->npeers, in, in_count)) != MPC_OK)
        return r;
    for (x = 0; x < st->npeers; x++)
        if (msg[x]->len != MPC_MSG_HEADER_BYTES + 64) {
            mpc__blame_one(blame, st->peers[x]);
            return MPC_E_ENCODING;
        }
    for (x = 0; x < st->npeers; x++) {
        memcpy(st->sidc[st->peers[x]], msg[x]->data + MPC_MSG_HEADER_BYTES, 32);
        memcpy(st->com[st->peers[x]], msg[x]->data + MPC_MSG_HEADER_BYTES + 32, 32);
    }
    compute_sid(st);
    mpc__outbox_clear(&st->out);

    /* Broadcast part: F_{i,k0..}, cc_i (DKG only), salt_i, proofs. */
    p = bpart;
    for (k = st->k0; k < st->t; k++, p += MPC_POINT_BYTES)
        if ((r = mpc_point_serialize(ctx, p, &st->F[i][k])) != MPC_OK)
            return MPC_E_INTERNAL;
    if (!st->refresh) {
        memcpy(p, st->cc[i], 32);
        p += 32;
    }
    memcpy(p, st->salt, 32);
    p += 32;
    for (k = st->k0; k < st->t; k++, p += MPC_SCHNORR_BYTES) {
        coef_ctx(&sc, st, i, k);
        if ((r = mpc_schnorr_prove(ctx, &pf, &st->coef[k], &st->F[i][k], &sc)) != MPC_OK)
            return r;
        if (mpc_schnorr_serialize(ctx, p, &pf) != MPC_OK)
            return MPC_E_INTERNAL;
    }
    for (x = 0; x < st->npeers; x++) {
        uint32_t j = st->peers[x];
        m = mpc__outbox_add(&st->out, j, MPC_MSG_HEADER_BYTES + blen + MPC_OT_BASE_MSG_BYTES);
        if (m == NULL)
            return MPC_E_INTERNAL;
        mpc__hdr_write(m, e.kind, 2, st->epoch, i, j, st->sid, st->aux);
        memcpy(m + MPC_MSG_HEADER_BYTES, bpart, blen);
        sid_pair(pair, st->sid, i, j);
        r = mpc__ot_base_receiver_start(ctx, &st->otr[j], m + MPC_MSG_HEADER_BYTES + blen, pair);
        if (r != MPC_OK)
            return r;
    }
    return MPC_OK;
}

/* Round 2 in, round 3 out. */
static int round3(const mpc_context *ctx, mpc_dkg *st, mpc_blame *blame, const mpc_msg_in *in,
        size_t in_count)
{
    const mpc_msg_in *msg[MPC_MAX_PARTIES];
    const unsigned char *ot1[MPC_MAX_PARTIES + 1];
    mpc_schnorr_proof pf[MPC_MAX_PARTIES];
    mpc_schnorr_context sc;
    mpc__hdr_expect e;
    mpc__reader rd;
    mpc_hash h, ech;
    mpc_scalar xs, acc;
    unsigned char pair[32], *m, *p;
    const unsigned char *b;
    size_t x, blen = r2_bcast_len(st);
    uint32_t k, i = st->self;
    int r;

    expect(&e, st, 2, 0);
    if ((r = mpc__msg_collect(msg, &e, st->peers, st->npeers, in, in_count)) != MPC_OK)
        return r;
    for (x = 0; x < st->npeers; x++) {
        uint32_t j = st->peers[x];
        mpc__reader_init(&rd, msg[x]->data + MPC_MSG_HEADER_BYTES, msg[x]->len - MPC_MSG_HEADER_BYTES);
        for (k = 0; k < st->k0; k++)
            mpc_point_set_infinity(&st->F[j][k]);
        for (k = st->k0; k < st->t; k++)
            mpc__get_point(ctx, &rd, &st->F[j][k]);
        if (!st->refresh && (b = mpc__get_bytes(&rd, 32)) != NULL)
            memcpy(st->cc[j], b, 32);
        b = mpc__get_bytes(&rd, 32); /* salt_j, used in place below */
        for (k = st->k0; k < st->t; k++) {
            const unsigned char *q = mpc__get_bytes(&rd, MPC_SCHNORR_BYTES);
            if (q != NULL && mpc_schnorr_parse(ctx, &pf[k], q) != MPC_OK)
                rd.err = 1;
        }
        ot1[j] = mpc__get_bytes(&rd, MPC_OT_BASE_MSG_BYTES);
        if (mpc__reader_end(&rd) != MPC_OK) {
            mpc__blame_one(blame, j);
            return MPC_E_ENCODING;
        }
        com_prefix(ctx, &h, st, j);
        if (!mpc_commit_open(st->com[j], b, &h)) {
            mpc__blame_one(blame, j);
            return MPC_E_PROOF;
        }
        for (k = st->k0; k < st->t; k++) {
            coef_ctx(&sc, st, j, k);
            if (mpc_schnorr_verify(ctx, &pf[k], &st->F[j][k], &sc) != MPC_OK) {
                mpc__blame_one(blame, j);
                return MPC_E_PROOF;
            }
        }
    }

    /* Echo of every round-2 broadcast part as received, own part rebuilt from the outbox. */
    mpc_hash_init(&ech, MPC_TAG_DKG_ECHO2);
    mpc_hash_field(&ech, st->sid, 32);
    for (k = 1, x = 0; k <= st->n; k++) {
        if (k == i) {
            mpc_hash_field(&ech, st->out.msg[0].data + MPC_MSG_HEADER_BYTES, blen);
        } else {
            mpc_hash_field(&ech, msg[x]->data + MPC_MSG_HEADER_BYTES, blen);
            x++;
        }
    }
    mpc_hash_final(&ech, st->echo);

    /* The round-2 outbox is still needed above; build round 3 in a fresh one. */
    {
        mpc__outbox prev = st->out;
        memset(&st->out, 0, sizeof(st->out));
        mpc__outbox_clear(&prev);
    }
    for (x = 0; x < st->npeers; x++) {
        uint32_t j = st->peers[x];
        size_t len = MPC_MSG_HEADER_BYTES + 32 + MPC_OT_BASE_MSG_BYTES + (i < j ? 32 : 0) + 32;
        if ((m = mpc__outbox_add(&st->out, j, len)) == NULL)
            return MPC_E_INTERNAL;
        mpc__hdr_write(m, e.kind, 3, st->epoch, i, j, st->sid, st->aux);
        p = m + MPC_MSG_HEADER_BYTES;
        /* s_{i->j} = f_i(j) by Horner (constant-time scalar arithmetic). */
        mpc_scalar_set_u32(&xs, j);
        acc = st->coef[st->t - 1];
        for (k = st->t - 1; k-- > 0;) {
            mpc_scalar_mul(&acc, &acc, &xs);
            mpc_scalar_add(&acc, &acc, &st->coef[k]);
        }
        mpc_scalar_serialize(p, &acc);
        p += 32;
        sid_pair(pair, st->sid, j, i);
        r = mpc__ot_base_sender_respond(ctx, &st->ks->peer[j].ote_recv, p, ot1[j], pair);
        if (r == MPC_E_ENCODING) {
            mpc__blame_one(blame, j);
            goto out;
        }
        if (r != MPC_OK)
            goto out;
        p += MPC_OT_BASE_MSG_BYTES;
        if (i < j) {
            if ((r = mpc_random_bytes(ctx, st->ks->peer[j].zero_seed, 32)) != MPC_OK)
                goto out;
            memcpy(p, st->ks->peer[j].zero_seed, 32);
            p += 32;
        }
        memcpy(p, st->echo, 32);
    }
    r = MPC_OK;
out:
    mpc_scalar_clear(&acc);
    return r;
}

static void final_ctx(mpc_schnorr_context *sc, unsigned char extra[97], const mpc_context *ctx,
        const mpc_dkg *st, uint32_t j)
{
    /* pk was checked not to be the identity before any final proof is made or checked */
    if (mpc_point_serialize(ctx, extra, &st->ks->pk) != MPC_OK)
        memset(extra, 0, 33);
    memcpy(extra + 33, st->ks->chaincode, 32);
    memcpy(extra + 65, st->echo, 32);
    memset(sc, 0, sizeof(*sc));
    sc->label = MPC_TAG_DKG_FINAL;
    sc->sid = st->sid;
    sc->prover = j;
    sc->statement = 0;
    sc->extra = extra;
    sc->extra_len = 97;
}

/* Round 3 in, round 4 out. */
static int round4(const mpc_context *ctx, mpc_dkg *st, mpc_blame *blame, const mpc_msg_in *in,
        size_t in_count)
{
    const mpc_msg_in *msg[MPC_MAX_PARTIES];
    mpc_scalar s[MPC_MAX_PARTIES + 1], sum, xs;
    const unsigned char *ot2[MPC_MAX_PARTIES + 1], *b;
    mpc_point Fsum[MPC_MAX_PARTIES], lhs, rhs, tmp;
    mpc_schnorr_context sc;
    mpc_schnorr_proof pf;
    mpc__hdr_expect e;
    mpc__reader rd;
    mpc_keyshare *ks = st->ks;
    unsigned char pair[32], extra[97], *m;
    size_t x;
    uint32_t k, j, i = st->self;
    int r = MPC_E_INTERNAL;

    expect(&e, st, 3, 0);
    if ((r = mpc__msg_collect(msg, &e, st->peers, st->npeers, in, in_count)) != MPC_OK)
        goto out;
    for (x = 0; x < st->npeers; x++) {
        j = st->peers[x];
        mpc__reader_init(&rd, msg[x]->data + MPC_MSG_HEADER_BYTES, msg[x]->len - MPC_MSG_HEADER_BYTES);
        mpc__get_scalar(&rd, &s[j]);
        ot2[j] = mpc__get_bytes(&rd, MPC_OT_BASE_MSG_BYTES);
        if (j < i && (b = mpc__get_bytes(&rd, 32)) != NULL)
            memcpy(ks->peer[j].zero_seed, b, 32);
        b = mpc__get_bytes(&rd, 32);
        if ((r = mpc__reader_end(&rd)) != MPC_OK) {
            mpc__blame_one(blame, j);
            goto out;
        }
        if (!mpc_memeq(b, st->echo, 32)) {
            r = MPC_E_EQUIVOCATION;
            goto out;
        }
    }
    /* Feldman: s_{j->i}*G == sum_k i^k F_{j,k}. */
    for (x = 0; x < st->npeers; x++) {
        j = st->peers[x];
        mpc_point_base_mul(ctx, &lhs, &s[j]);
        mpc__poly_eval_points_var(ctx, &rhs, st->F[j], st->t, i);
        if (!mpc_point_eq(ctx, &lhs, &rhs)) {
            mpc__blame_one(blame, j);
            r = MPC_E_PROOF;
            goto out;
        }
    }
    /* Own contribution f_i(i). */
    mpc_scalar_set_u32(&xs, i);
    s[i] = st->coef[st->t - 1];
    for (k = st->t - 1; k-- > 0;) {
        mpc_scalar_mul(&s[i], &s[i], &xs);
        mpc_scalar_add(&s[i], &s[i], &st->coef[k]);
    }
    /* Aggregate; for a refresh add to the old share and public shares. */
    for (k = 0; k < st->t; k++) {
        mpc_point_set_infinity(&Fsum[k]);
        for (j = 1; j <= st->n; j++)
            mpc_point_add_var(ctx, &Fsum[k], &Fsum[k], &st->F[j][k]);
    }
    if (st->refresh) {
        sum = ks->share;
    } else {
        mpc_scalar_set_u32(&sum, 0);
        ks->pk = Fsum[0];
    }
    for (j = 1; j <= st->n; j++)
        mpc_scalar_add(&sum, &sum, &s[j]);
    if (mpc_point_is_infinity(&ks->pk) || mpc_scalar_is_zero(&sum)) {
        r = MPC_E_INCONSISTENT;
        goto out;
    }
    ks->share = sum;
    for (k = 1; k <= st->n; k++) {
        mpc__poly_eval_points_var(ctx, &tmp, Fsum, st->t, k);
        if (st->refresh)
            mpc_point_add_var(ctx, &ks->S[k], &ks->S[k], &tmp);
        else
            ks->S[k] = tmp;
        if (mpc_point_is_infinity(&ks->S[k])) {
            r = MPC_E_INCONSISTENT;
            goto out;
        }
    }
    mpc_point_base_mul(ctx, &lhs, &ks->share);
    /* Sanity check of PROTOCOL.md 3 (for a refresh it also covers the old public shares): all
     * S_k lie on one polynomial of degree t-1 with value pk at 0. */
    if (!mpc_point_eq(ctx, &lhs, &ks->S[i]) ||
        !mpc__public_shares_consistent_var(ctx, ks->S, st->n, st->t, &ks->pk)) {
        r = MPC_E_INCONSISTENT;
        goto out;
    }
    if (!st->refresh) {
        mpc_hash h;
        mpc_hash_init(&h, MPC_TAG_DKG_CHAINCODE);
        mpc_hash_field(&h, st->sid, 32);
        for (j = 1; j <= st->n; j++)
            mpc_hash_field(&h, st->cc[j], 32);
        mpc_hash_final(&h, ks->chaincode);
    }
    memcpy(ks->sid, st->sid, 32);
    ks->n = st->n;
    ks->t = st->t;
    ks->self = i;
    ks->epoch = st->epoch;
    for (x = 0; x < st->npeers; x++) {
        j = st->peers[x];
        sid_pair(pair, st->sid, i, j);
        r = mpc__ot_base_receiver_finish(ctx, &ks->peer[j].ote_send, &st->otr[j], ot2[j], pair);
        if (r == MPC_E_ENCODING)
            mpc__blame_one(blame, j);
        if (r != MPC_OK)
            goto out;
    }

    mpc__outbox_clear(&st->out);
    if ((m = mpc__outbox_add(&st->out, MPC_BROADCAST,
                 MPC_MSG_HEADER_BYTES + MPC_POINT_BYTES + MPC_SCHNORR_BYTES)) == NULL) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    mpc__hdr_write(m, e.kind, 4, st->epoch, i, MPC_BROADCAST, st->sid, st->aux);
    if (mpc_point_serialize(ctx, m + MPC_MSG_HEADER_BYTES, &ks->S[i]) != MPC_OK) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    final_ctx(&sc, extra, ctx, st, i);
    if ((r = mpc_schnorr_prove(ctx, &pf, &ks->share, &ks->S[i], &sc)) != MPC_OK)
        goto out;
    if (mpc_schnorr_serialize(ctx, m + MPC_MSG_HEADER_BYTES + MPC_POINT_BYTES, &pf) != MPC_OK)
        r = MPC_E_INTERNAL;
out:
    mpc_memclear(s, sizeof(s));
    mpc_scalar_clear(&sum);
    mpc_memclear(st->coef, sizeof(st->coef));
    return r;
}

/* Round 4 in: check every S_j and final proof. */
static int finish(const mpc_context *ctx, mpc_dkg *st, mpc_blame *blame, const mpc_msg_in *in,
        size_t in_count)
{
    const mpc_msg_in *msg[MPC_MAX_PARTIES];
    mpc_schnorr_context sc;
    mpc_schnorr_proof pf;
    mpc__hdr_expect e;
    mpc__reader rd;
    mpc_point Sj;
    unsigned char extra[97];
    const unsigned char *q;
    size_t x;
    int r;

    expect(&e, st, 4, 1);
    if ((r = mpc__msg_collect(msg, &e, st->peers, st->npeers, in, in_count)) != MPC_OK)
        return r;
    for (x = 0; x < st->npeers; x++) {
        uint32_t j = st->peers[x];
        mpc__reader_init(&rd, msg[x]->data + MPC_MSG_HEADER_BYTES, msg[x]->len - MPC_MSG_HEADER_BYTES);
        mpc__get_point(ctx, &rd, &Sj);
        q = mpc__get_bytes(&rd, MPC_SCHNORR_BYTES);
        if (q != NULL && mpc_schnorr_parse(ctx, &pf, q) != MPC_OK)
            rd.err = 1;
        if (mpc__reader_end(&rd) != MPC_OK) {
            mpc__blame_one(blame, j);
            return MPC_E_ENCODING;
        }
        final_ctx(&sc, extra, ctx, st, j);
        if (!mpc_point_eq(ctx, &Sj, &st->ks->S[j]) ||
            mpc_schnorr_verify(ctx, &pf, &st->ks->S[j], &sc) != MPC_OK) {
            mpc__blame_one(blame, j);
            return MPC_E_PROOF;
        }
    }
    mpc__outbox_clear(&st->out);
    mpc_memclear(st->otr, sizeof(st->otr));
    return MPC_OK;
}

int mpc_dkg_next(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, mpc_dkg *st, const mpc_msg_in *in, size_t in_count)
{
    int r;

    *out = NULL;
    *out_count = 0;
    mpc__blame_none(blame);
    MPC_ARG_CHECK(ctx, st->magic == DKG_MAGIC);
    MPC_ARG_CHECK(ctx, in != NULL || in_count == 0);
    if (st->phase >= PH_DONE)
        return MPC_E_STATE;
    switch (st->phase) {
    case PH_NEW:
        r = in_count == 0 ? round1(ctx, st) : MPC_E_SESSION;
        break;
    case PH_R1:
        r = round2(ctx, st, blame, in, in_count);
        break;
    case PH_R2:
        r = round3(ctx, st, blame, in, in_count);
        break;
    case PH_R3:
        r = round4(ctx, st, blame, in, in_count);
        break;
    default:
        r = finish(ctx, st, blame, in, in_count);
        break;
    }
    if (r != MPC_OK) {
        dkg_wipe(st);
        st->phase = PH_DEAD;
        return r;
    }
    st->phase++;
    *out = st->out.msg;
    *out_count = st->out.count;
    return MPC_OK;
}

int mpc_dkg_finish(const mpc_context *ctx, mpc_keyshare **share, mpc_dkg *st)
{
    *share = NULL;
    MPC_ARG_CHECK(ctx, st->magic == DKG_MAGIC);
    if (st->phase != PH_DONE)
        return MPC_E_STATE;
    *share = st->ks;
    st->ks = NULL;
    st->phase = PH_TAKEN;
    return MPC_OK;
}
