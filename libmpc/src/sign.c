/*
 * Threshold ECDSA signing in 3 rounds (PROTOCOL.md 5, DKLs23 Protocol 3.6) with the zero shares of
 * 2.3, the RVOLE of 4.6 (rvole.h) and non-hardened BIP32 derived keys (6.3), plus the combiner.
 *
 * Choices where the spec left freedom:
 *  - sigid = H("sign/sigid", sid, be32(epoch), be32(P_1)..be32(P_k) sorted, msg_digest,
 *    be32(path_1)..be32(path_l), coord_nonce); each list is one field;
 *  - the round-3 broadcast carries R next to (u_i, w_i) so that a combiner holding only public
 *    data can compute r and the recovery id; the combiner requires all copies of R to agree;
 *  - recoverable checks (commitment opening, echo) run for every peer before any check that
 *    leads to a ban, so a ban is only ever the result of a message whose session is settled;
 *  - a payload scalar >= n or a malformed point is MPC_E_ENCODING blaming the sender (not a ban);
 *  - the Gu/Gv check is computed on blinded points (see consistency_check), because
 *    libsecp256k1's public API has no constant-time point addition.
 */
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "context.h"
#include "keyshare.h"
#include "mpc/bip32.h"
#include "mpc/hash.h"
#include "point_internal.h"
#include "rvole.h"
#include "wire.h"

#define SIGN_MAGIC 0x5349474eu
#define R1_LEN (MPC_MSG_HEADER_BYTES + 32 + MPC_OTE_MSG_BYTES)
#define R2_LEN (MPC_MSG_HEADER_BYTES + 4 * MPC_POINT_BYTES + 3 * 32 + MPC_RVOLE_MSG_BYTES)
#define R3_LEN (MPC_MSG_HEADER_BYTES + MPC_POINT_BYTES + 64)

enum { PH_NEW = 0, PH_R1, PH_R2, PH_DONE, PH_DEAD };

/* Per-peer state of party i with peer j (SECRET). */
typedef struct {
    uint32_t j;
    mpc__ote_sender_key ote_send;   /* (Alice = i, Bob = j) */
    mpc__ote_receiver_key ote_recv; /* (Alice = j, Bob = i) */
    mpc__rvole_bob bob;             /* i as Bob in (Alice = j, Bob = i) */
    mpc_scalar chi;                 /* chi_{i,j} */
    mpc_scalar cu, cv;              /* i as Alice */
    unsigned char com[32];
} peer_state;

struct mpc_sign_struct {
    uint32_t magic;
    int phase;
    uint32_t self;
    mpc_sign_public pub;
    mpc_point pkstar;
    mpc_scalar sk;  /* lambda_i(P) * (p(i) + tau) + zeta_i */
    mpc_scalar r, phi;
    mpc_point Ri;
    mpc_point pki;  /* sk_i * G */
    unsigned char salt[32];
    unsigned char com[32];
    mpc__outbox out;
    size_t npeers;
    peer_state peer[];
};

/* ---- public setup: P, sigid, pk* ---------------------------------------------------------- */

/* pk* and tau for the request's path (validated non-hardened and short enough by the caller). */
static int derive(const mpc_context *ctx, mpc_scalar *tau, mpc_point *pkstar,
        const mpc_keyshare_info *key, const mpc_sign_request *req)
{
    mpc_bip32_xpub parent, child;
    int r;

    memset(&parent, 0, sizeof(parent));
    if (mpc_point_parse(ctx, &parent.pk, key->pubkey) != MPC_OK)
        return MPC_E_INCONSISTENT;
    memcpy(parent.chain_code, key->chaincode, 32);
    r = mpc_bip32_derive_path(ctx, &child, tau, &parent, req->path, req->path_len);
    if (r == MPC_E_BIP32_INVALID_CHILD)
        return MPC_E_INCONSISTENT;
    if (r != MPC_OK)
        return r;
    *pkstar = child.pk;
    return MPC_OK;
}

static int setup(const mpc_context *ctx, mpc_sign_public *pub, mpc_scalar *tau, mpc_point *pkstar,
        const mpc_keyshare_info *key, const mpc_sign_request *req)
{
    unsigned char buf[4 * (MPC_MAX_PATH_LEN > MPC_MAX_PARTIES ? MPC_MAX_PATH_LEN : MPC_MAX_PARTIES)];
    mpc_hash h;
    size_t a, b;
    uint32_t v;
    int r;

    memset(pub, 0, sizeof(*pub));
    MPC_ARG_CHECK(ctx, req->signers != NULL && req->msg_digest32 != NULL &&
                       req->coord_nonce32 != NULL && (req->path != NULL || req->path_len == 0));
    if (req->signer_count < key->t || req->signer_count > key->n ||
        req->path_len > MPC_MAX_PATH_LEN)
        return MPC_E_SESSION;
    for (a = 0; a < req->signer_count; a++) {
        v = req->signers[a];
        if (v < 1 || v > key->n)
            return MPC_E_SESSION;
        /* insertion sort; a duplicate is refused */
        for (b = a; b > 0 && pub->signers[b - 1] >= v; b--) {
            if (pub->signers[b - 1] == v)
                return MPC_E_SESSION;
            pub->signers[b] = pub->signers[b - 1];
        }
        pub->signers[b] = v;
    }
    for (a = 0; a < req->path_len; a++)
        if (req->path[a] >= 0x80000000u)
            return MPC_E_SESSION;
    pub->signer_count = (uint32_t)req->signer_count;
    pub->epoch = key->epoch;
    memcpy(pub->sid, key->sid, 32);
    memcpy(pub->msg_digest, req->msg_digest32, 32);
    if ((r = derive(ctx, tau, pkstar, key, req)) != MPC_OK)
        return r;
    if (mpc_point_serialize(ctx, pub->pubkey, pkstar) != MPC_OK)
        return MPC_E_INCONSISTENT;

    mpc_hash_init(&h, MPC_TAG_SIGN_SIGID);
    mpc_hash_field(&h, key->sid, 32);
    mpc_hash_field_u32(&h, key->epoch);
    for (a = 0; a < pub->signer_count; a++)
        mpc__be32(buf + 4 * a, pub->signers[a]);
    mpc_hash_field(&h, buf, 4 * a);
    mpc_hash_field(&h, req->msg_digest32, 32);
    for (a = 0; a < req->path_len; a++)
        mpc__be32(buf + 4 * a, req->path[a]);
    mpc_hash_field(&h, buf, 4 * a);
    mpc_hash_field(&h, req->coord_nonce32, 32);
    mpc_hash_final(&h, pub->sigid);
    return MPC_OK;
}

int mpc_sign_public_init(const mpc_context *ctx, mpc_sign_public *pub,
        const mpc_keyshare_info *key, const mpc_sign_request *req)
{
    mpc_scalar tau;
    mpc_point pkstar;
    int r = setup(ctx, pub, &tau, &pkstar, key, req);

    if (r != MPC_OK)
        memset(pub, 0, sizeof(*pub));
    return r;
}

/* ---- session ------------------------------------------------------------------------------ */

static void sid_mul(unsigned char out[32], const mpc_sign *st, uint32_t alice, uint32_t bob)
{
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_SIGN_MUL);
    mpc_hash_field(&h, st->pub.sid, 32);
    mpc_hash_field(&h, st->pub.sigid, 32);
    mpc_hash_field_u32(&h, alice);
    mpc_hash_field_u32(&h, bob);
    mpc_hash_final(&h, out);
}

static size_t sign_size(size_t npeers)
{
    return sizeof(mpc_sign) + npeers * sizeof(peer_state);
}

static void sign_wipe(mpc_sign *st)
{
    mpc__outbox_clear(&st->out);
    mpc_scalar_clear(&st->sk);
    mpc_scalar_clear(&st->r);
    mpc_scalar_clear(&st->phi);
    mpc_memclear(st->peer, st->npeers * sizeof(peer_state));
}

void mpc_sign_destroy(mpc_sign *st)
{
    if (st == NULL)
        return;
    sign_wipe(st);
    mpc_secure_free(st);
}

int mpc_sign_create(const mpc_context *ctx, mpc_sign **out, unsigned char sigid32[32],
        const mpc_keyshare *share, const mpc_sign_request *req)
{
    mpc_keyshare_info info;
    mpc_sign_public pub;
    mpc_sign *st = NULL;
    mpc_scalar tau, lambda, z, one, minus_one;
    mpc_point pkstar;
    mpc_hash h;
    size_t a, np;
    uint32_t i, j;
    int r, in_set = 0;

    *out = NULL;
    memset(sigid32, 0, 32);
    MPC_ARG_CHECK(ctx, share->magic == MPC__KEYSHARE_MAGIC);
    mpc_keyshare_get_info(ctx, &info, share);
    i = info.self;
    if ((r = setup(ctx, &pub, &tau, &pkstar, &info, req)) != MPC_OK)
        goto out;
    for (a = 0; a < pub.signer_count; a++)
        in_set |= pub.signers[a] == i;
    if (!in_set) {
        r = MPC_E_SESSION;
        goto out;
    }
    np = pub.signer_count - 1;
    if ((st = mpc_secure_alloc(sign_size(np))) == NULL) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    memset(st, 0, sign_size(np));
    st->magic = SIGN_MAGIC;
    st->self = i;
    st->pub = pub;
    st->pkstar = pkstar;
    st->npeers = np;

    /* sk_i = lambda_i(P) * (p(i) + tau) + zeta_i; no randomness is drawn here. */
    if ((r = mpc_lagrange_coeff(ctx, &lambda, pub.signers, pub.signer_count, info.n, i)) != MPC_OK)
        goto out;
    mpc_scalar_add(&st->sk, &share->share, &tau);
    mpc_scalar_mul(&st->sk, &st->sk, &lambda);
    mpc_scalar_set_u32(&one, 1);
    mpc_scalar_neg(&minus_one, &one);
    for (a = 0, np = 0; a < pub.signer_count; a++) {
        j = pub.signers[a];
        if (j == i)
            continue;
        st->peer[np].j = j;
        st->peer[np].ote_send = share->peer[j].ote_send;
        st->peer[np].ote_recv = share->peer[j].ote_recv;
        np++;
        mpc_hash_init(&h, MPC_TAG_ZERO);
        mpc_hash_field(&h, share->peer[j].zero_seed, 32);
        mpc_hash_field(&h, pub.sid, 32);
        mpc_hash_field(&h, pub.sigid, 32);
        mpc_hash_final_scalar(&h, &z);
        mpc_scalar_mul(&z, &z, i < j ? &one : &minus_one); /* eps_ij: public */
        mpc_scalar_add(&st->sk, &st->sk, &z);
    }
    memcpy(sigid32, pub.sigid, 32);
    *out = st;
    st = NULL;
    r = MPC_OK;
out:
    mpc_scalar_clear(&z);
    mpc_scalar_clear(&tau);
    mpc_sign_destroy(st);
    return r;
}

void mpc_sign_get_public(mpc_sign_public *pub, const mpc_sign *st)
{
    *pub = st->pub;
}

static void expect(mpc__hdr_expect *e, const mpc_sign_public *pub, uint32_t self, uint8_t round)
{
    e->kind = MPC__KIND_SIGN;
    e->round = round;
    e->epoch = pub->epoch;
    e->self = self;
    e->broadcast = round == 3;
    e->session = pub->sid;
    e->aux = pub->sigid;
}

static void peer_list(uint32_t *peers, const mpc_sign *st)
{
    size_t x;

    for (x = 0; x < st->npeers; x++)
        peers[x] = st->peer[x].j;
}

static void com_prefix(const mpc_context *ctx, mpc_hash *h, const mpc_sign *st, uint32_t j,
        const mpc_point *R)
{
    mpc_hash_init(h, MPC_TAG_SIGN_R);
    mpc_hash_field(h, st->pub.sid, 32);
    mpc_hash_field(h, st->pub.sigid, 32);
    mpc_hash_field_u32(h, j);
    mpc_hash_field_point(ctx, h, R);
}

static int round1(const mpc_context *ctx, mpc_sign *st)
{
    unsigned char sm[32], *m;
    mpc_hash h;
    size_t x;
    int r;

    if ((r = mpc_scalar_random(ctx, &st->r)) != MPC_OK ||
        (r = mpc_scalar_random(ctx, &st->phi)) != MPC_OK)
        return r;
    mpc_point_base_mul(ctx, &st->Ri, &st->r);
    /* R_i is opened to every signer in round 2 (and is a share of the public R); the commitment
     * binds it, it does not need to hide its timing. */
    mpc__declassify(ctx, &st->Ri, sizeof(st->Ri));
    com_prefix(ctx, &h, st, st->self, &st->Ri);
    if ((r = mpc_commit(ctx, st->com, st->salt, &h)) != MPC_OK)
        return r;
    /* The commitment is sent in round 1 (the salt stays secret until the opening in round 2). */
    mpc__declassify(ctx, st->com, sizeof(st->com));
    for (x = 0; x < st->npeers; x++) {
        peer_state *ps = &st->peer[x];
        if ((m = mpc__outbox_add(&st->out, ps->j, R1_LEN)) == NULL)
            return MPC_E_INTERNAL;
        mpc__hdr_write(m, MPC__KIND_SIGN, 1, st->pub.epoch, st->self, ps->j, st->pub.sid,
                st->pub.sigid);
        memcpy(m + MPC_MSG_HEADER_BYTES, st->com, 32);
        sid_mul(sm, st, ps->j, st->self);
        r = mpc__rvole_bob_start(ctx, &ps->bob, &ps->chi, m + MPC_MSG_HEADER_BYTES + 32,
                &ps->ote_recv, sm);
        if (r != MPC_OK)
            return r;
    }
    return MPC_OK;
}

/* echo_i = H("sign/echo1", sid, sigid, com_k for every k in P in index order). */
static void echo1(unsigned char out[32], const mpc_sign *st)
{
    mpc_hash h;
    size_t a, x = 0;

    mpc_hash_init(&h, MPC_TAG_SIGN_ECHO1);
    mpc_hash_field(&h, st->pub.sid, 32);
    mpc_hash_field(&h, st->pub.sigid, 32);
    for (a = 0; a < st->pub.signer_count; a++) {
        if (st->pub.signers[a] == st->self) {
            mpc_hash_field(&h, st->com, 32);
        } else {
            mpc_hash_field(&h, st->peer[x].com, 32);
            x++;
        }
    }
    mpc_hash_final(&h, out);
}

/* Round 1 in, round 2 out. */
static int round2(const mpc_context *ctx, mpc_sign *st, mpc_blame *blame, const mpc_msg_in *in,
        size_t in_count)
{
    const mpc_msg_in *msg[MPC_MAX_PARTIES];
    uint32_t peers[MPC_MAX_PARTIES];
    mpc__hdr_expect e;
    mpc_scalar a[2], c[2], psi;
    mpc_point P;
    unsigned char sm[32], echo[32], pki[33], Ri[33], *m, *p;
    size_t x;
    int r;

    expect(&e, &st->pub, st->self, 1);
    peer_list(peers, st);
    if ((r = mpc__msg_collect(msg, &e, peers, st->npeers, in, in_count)) != MPC_OK)
        return r;
    for (x = 0; x < st->npeers; x++)
        if (msg[x]->len != R1_LEN) {
            mpc__blame_one(blame, peers[x]);
            return MPC_E_ENCODING;
        }
    for (x = 0; x < st->npeers; x++)
        memcpy(st->peer[x].com, msg[x]->data + MPC_MSG_HEADER_BYTES, 32);
    echo1(echo, st);
    mpc_point_base_mul(ctx, &st->pki, &st->sk);
    /* pk_i is sent to every signer in round 2 (the pk_k sum to the public pk*). */
    mpc__declassify(ctx, &st->pki, sizeof(st->pki));
    /* The salt opens the round-1 commitment in this round's message. */
    mpc__declassify(ctx, st->salt, sizeof(st->salt));
    if (mpc_point_serialize(ctx, pki, &st->pki) != MPC_OK ||
        mpc_point_serialize(ctx, Ri, &st->Ri) != MPC_OK)
        return MPC_E_INCONSISTENT; /* sk_i = 0: negligible, not attributable */
    mpc__outbox_clear(&st->out);
    a[0] = st->r;
    a[1] = st->sk;
    for (x = 0; x < st->npeers; x++) {
        peer_state *ps = &st->peer[x];
        if ((m = mpc__outbox_add(&st->out, ps->j, R2_LEN)) == NULL) {
            r = MPC_E_INTERNAL;
            goto out;
        }
        mpc__hdr_write(m, MPC__KIND_SIGN, 2, st->pub.epoch, st->self, ps->j, st->pub.sid,
                st->pub.sigid);
        p = m + MPC_MSG_HEADER_BYTES + 4 * MPC_POINT_BYTES + 3 * 32;
        sid_mul(sm, st, st->self, ps->j);
        r = mpc__rvole_alice(ctx, c, p, a, &ps->ote_send,
                msg[x]->data + MPC_MSG_HEADER_BYTES + 32, sm);
        if (r != MPC_OK) {
            if (r == MPC_E_BAN || r == MPC_E_ENCODING)
                mpc__blame_one(blame, ps->j);
            goto out;
        }
        ps->cu = c[0];
        ps->cv = c[1];
        p = m + MPC_MSG_HEADER_BYTES;
        memcpy(p, Ri, 33);
        memcpy(p + 33, st->salt, 32);
        memcpy(p + 65, pki, 33);
        /* Gu_{i,j} and Gv_{i,j} are sent to j, who checks them against R_i and pk_i. */
        mpc_point_base_mul(ctx, &P, &ps->cu);
        mpc__declassify(ctx, &P, sizeof(P));
        if (mpc_point_serialize(ctx, p + 98, &P) != MPC_OK) {
            r = MPC_E_INCONSISTENT;
            goto out;
        }
        mpc_point_base_mul(ctx, &P, &ps->cv);
        mpc__declassify(ctx, &P, sizeof(P));
        if (mpc_point_serialize(ctx, p + 131, &P) != MPC_OK) {
            r = MPC_E_INCONSISTENT;
            goto out;
        }
        /* psi_{i,j} = phi_i - chi_{i,j} is sent to j: masked by phi_i. */
        mpc_scalar_sub(&psi, &st->phi, &ps->chi);
        mpc_scalar_serialize(p + 164, &psi);
        mpc__declassify(ctx, p + 164, 32);
        memcpy(p + 196, echo, 32);
    }
    r = MPC_OK;
out:
    mpc_memclear(a, sizeof(a));
    mpc_memclear(c, sizeof(c));
    mpc_scalar_clear(&psi);
    return r;
}

/*
 * The consistency check of round 3 step 5: *ok = (chi*X == d*G + Y), X = R_j or pk_j and
 * Y = Gu_{j,i} or Gv_{j,i} public, chi and d SECRET. libsecp256k1's public API adds points only
 * in variable time (ec_pubkey_combine), and d*G is secret, so the check runs on blinded points:
 * with a fresh secret rho in [1, n-1] it compares (rho*chi)*X with (rho*d)*G + rho*Y, which is
 * equivalent because rho is invertible. Each of the three products is computed in constant
 * time, and only these blinded points and the verdict meet variable-time code (the parse, the
 * addition, the serialization; they are declassified for the constant-time test for this
 * reason). Each blinded point alone is uniformly distributed; together they show only how the
 * three unblinded points relate to each other over the unknown base rho*G, so even their exact
 * values would not give chi*X or d*G (let alone chi or d) without rho, which is never revealed.
 * The price is one extra secp256k1_ecdh per check.
 */
static int consistency_check(const mpc_context *ctx, int *ok, const mpc_point *X,
        const mpc_point *Y, const mpc_scalar *chi, const mpc_scalar *d)
{
    mpc_scalar rho, t;
    mpc_point b, c;
    unsigned char lhs[MPC_POINT_BYTES], rhs[MPC_POINT_BYTES];
    int r;

    *ok = 0;
    if ((r = mpc_scalar_random(ctx, &rho)) != MPC_OK)
        goto out;
    mpc_scalar_mul(&t, &rho, chi);
    mpc__point_mul_encode(ctx, lhs, X, &t);
    mpc_scalar_mul(&t, &rho, d);
    mpc_point_base_mul(ctx, &b, &t);
    mpc__point_mul_encode(ctx, rhs, Y, &rho);
    mpc__declassify(ctx, lhs, sizeof(lhs));
    mpc__declassify(ctx, &b, sizeof(b));
    mpc__declassify(ctx, rhs, sizeof(rhs));
    /* rho*Y is a valid point (Y was parsed as a non-identity point, rho != 0). */
    if (mpc_point_parse(ctx, &c, rhs) != MPC_OK) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    mpc_point_add_var(ctx, &c, &c, &b);
    /* The identity fails to serialize and leaves 33 zero bytes: mpc__point_mul_encode's
     * encoding of it, so the comparison stays right in that case too. */
    if (mpc_point_serialize(ctx, rhs, &c) != MPC_OK)
        memset(rhs, 0, sizeof(rhs));
    *ok = mpc_memeq(lhs, rhs, sizeof(lhs));
    r = MPC_OK;
out:
    mpc_scalar_clear(&rho);
    mpc_scalar_clear(&t);
    return r;
}

/* Round 2 in, round 3 out. */
static int round3(const mpc_context *ctx, mpc_sign *st, mpc_blame *blame, const mpc_msg_in *in,
        size_t in_count)
{
    const mpc_msg_in *msg[MPC_MAX_PARTIES];
    uint32_t peers[MPC_MAX_PARTIES];
    mpc_point R[MPC_MAX_PARTIES], pk[MPC_MAX_PARTIES], Gu[MPC_MAX_PARTIES], Gv[MPC_MAX_PARTIES];
    mpc_scalar psi[MPC_MAX_PARTIES], d[2], Phi, u, v, w, tmp, rx, mdig;
    const unsigned char *salt[MPC_MAX_PARTIES], *echo_in[MPC_MAX_PARTIES], *rv[MPC_MAX_PARTIES];
    unsigned char sm[32], echo[32], rb[33], *m;
    mpc_point sum, Rsum;
    mpc__hdr_expect e;
    mpc__reader rd;
    mpc_hash h;
    size_t x;
    int r = MPC_E_INTERNAL, ok_u, ok_v;

    expect(&e, &st->pub, st->self, 2);
    peer_list(peers, st);
    if ((r = mpc__msg_collect(msg, &e, peers, st->npeers, in, in_count)) != MPC_OK)
        goto out;
    for (x = 0; x < st->npeers; x++) {
        mpc__reader_init(&rd, msg[x]->data + MPC_MSG_HEADER_BYTES, msg[x]->len - MPC_MSG_HEADER_BYTES);
        mpc__get_point(ctx, &rd, &R[x]);
        salt[x] = mpc__get_bytes(&rd, 32);
        mpc__get_point(ctx, &rd, &pk[x]);
        mpc__get_point(ctx, &rd, &Gu[x]);
        mpc__get_point(ctx, &rd, &Gv[x]);
        mpc__get_scalar(&rd, &psi[x]);
        echo_in[x] = mpc__get_bytes(&rd, 32);
        rv[x] = mpc__get_bytes(&rd, MPC_RVOLE_MSG_BYTES);
        if ((r = mpc__reader_end(&rd)) != MPC_OK) {
            mpc__blame_one(blame, peers[x]);
            goto out;
        }
    }
    /* Recoverable checks first: commitment openings, then echoes. */
    for (x = 0; x < st->npeers; x++) {
        com_prefix(ctx, &h, st, peers[x], &R[x]);
        if (!mpc_commit_open(st->peer[x].com, salt[x], &h)) {
            mpc__blame_one(blame, peers[x]);
            r = MPC_E_PROOF;
            goto out;
        }
    }
    echo1(echo, st);
    for (x = 0; x < st->npeers; x++)
        if (!mpc_memeq(echo_in[x], echo, 32)) {
            r = MPC_E_EQUIVOCATION;
            goto out;
        }
    /* Ban-worthy checks: RVOLE mu, then Gu/Gv. */
    mpc_scalar_set_u32(&u, 0);
    mpc_scalar_set_u32(&v, 0);
    mpc_scalar_set_u32(&Phi, 0);
    for (x = 0; x < st->npeers; x++) {
        peer_state *ps = &st->peer[x];
        sid_mul(sm, st, ps->j, st->self);
        r = mpc__rvole_bob_finish(ctx, d, &ps->bob, rv[x], sm);
        if (r != MPC_OK) {
            if (r == MPC_E_BAN || r == MPC_E_ENCODING)
                mpc__blame_one(blame, ps->j);
            goto out;
        }
        if ((r = consistency_check(ctx, &ok_u, &R[x], &Gu[x], &ps->chi, &d[0])) != MPC_OK ||
            (r = consistency_check(ctx, &ok_v, &pk[x], &Gv[x], &ps->chi, &d[1])) != MPC_OK)
            goto out;
        if (!(ok_u & ok_v)) {
            mpc__blame_one(blame, ps->j);
            r = MPC_E_BAN;
            goto out;
        }
        /* sum_j (c_{i,j} + d_{i,j}) and sum_j psi_{j,i} */
        mpc_scalar_add(&u, &u, &ps->cu);
        mpc_scalar_add(&u, &u, &d[0]);
        mpc_scalar_add(&v, &v, &ps->cv);
        mpc_scalar_add(&v, &v, &d[1]);
        mpc_scalar_add(&Phi, &Phi, &psi[x]);
    }
    /* sum pk_k == pk*; R = sum R_k. */
    sum = st->pki;
    Rsum = st->Ri;
    for (x = 0; x < st->npeers; x++) {
        mpc_point_add_var(ctx, &sum, &sum, &pk[x]);
        mpc_point_add_var(ctx, &Rsum, &Rsum, &R[x]);
    }
    r = MPC_E_INCONSISTENT;
    if (!mpc_point_eq(ctx, &sum, &st->pkstar))
        goto out;
    if (mpc_point_serialize(ctx, rb, &Rsum) != MPC_OK)
        goto out;
    mpc_scalar_reduce32(&rx, rb + 1);
    if (mpc_scalar_is_zero(&rx))
        goto out;
    mpc_scalar_reduce32(&mdig, st->pub.msg_digest);
    /* Phi_i = phi_i + sum psi_{j,i}; u_i = r_i Phi_i + ...; v_i = sk_i Phi_i + ...;
     * w_i = m phi_i + r_x v_i. */
    mpc_scalar_add(&Phi, &Phi, &st->phi);
    mpc_scalar_mul(&tmp, &st->r, &Phi);
    mpc_scalar_add(&u, &u, &tmp);
    mpc_scalar_mul(&tmp, &st->sk, &Phi);
    mpc_scalar_add(&v, &v, &tmp);
    mpc_scalar_mul(&w, &mdig, &st->phi);
    mpc_scalar_mul(&tmp, &rx, &v);
    mpc_scalar_add(&w, &w, &tmp);

    mpc__outbox_clear(&st->out);
    if ((m = mpc__outbox_add(&st->out, MPC_BROADCAST, R3_LEN)) == NULL) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    mpc__hdr_write(m, MPC__KIND_SIGN, 3, st->pub.epoch, st->self, MPC_BROADCAST, st->pub.sid,
            st->pub.sigid);
    memcpy(m + MPC_MSG_HEADER_BYTES, rb, 33);
    mpc_scalar_serialize(m + MPC_MSG_HEADER_BYTES + 33, &u);
    mpc_scalar_serialize(m + MPC_MSG_HEADER_BYTES + 65, &w);
    /* (u_i, w_i) are broadcast: the sums over all signers are k*phi and phi*(m + r*x). */
    mpc__declassify(ctx, m + MPC_MSG_HEADER_BYTES + 33, 64);
    r = MPC_OK;
out:
    mpc_memclear(d, sizeof(d));
    mpc_scalar_clear(&Phi);
    mpc_scalar_clear(&u);
    mpc_scalar_clear(&v);
    mpc_scalar_clear(&w);
    mpc_scalar_clear(&tmp);
    return r;
}

int mpc_sign_next(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, mpc_sign *st, const mpc_msg_in *in, size_t in_count)
{
    int r;

    *out = NULL;
    *out_count = 0;
    mpc__blame_none(blame);
    MPC_ARG_CHECK(ctx, st->magic == SIGN_MAGIC);
    MPC_ARG_CHECK(ctx, in != NULL || in_count == 0);
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
    default:
        return MPC_E_STATE;
    }
    if (r != MPC_OK) {
        sign_wipe(st);
        st->phase = PH_DEAD;
        return r;
    }
    st->phase++;
    if (st->phase == PH_DONE) {
        /* Single use: every secret goes now; only the round-3 message stays. */
        mpc_scalar_clear(&st->sk);
        mpc_scalar_clear(&st->r);
        mpc_scalar_clear(&st->phi);
        mpc_memclear(st->peer, st->npeers * sizeof(peer_state));
    }
    *out = st->out.msg;
    *out_count = st->out.count;
    return MPC_OK;
}

/* ---- combiner ----------------------------------------------------------------------------- */

int mpc_sign_combine(const mpc_context *ctx, unsigned char sig64[64], int *recid,
        mpc_blame *blame, const mpc_sign_public *pub, const mpc_msg_in *in, size_t in_count)
{
    const mpc_msg_in *msg[MPC_MAX_PARTIES];
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_ecdsa_signature sig;
    secp256k1_pubkey pkstar, rec;
    mpc_scalar U, W, x, s;
    mpc__hdr_expect e;
    mpc__reader rd;
    const unsigned char *Rb = NULL, *b;
    unsigned char r32[32], s32[32];
    size_t k;
    int rid, r = MPC_E_INCONSISTENT;

    memset(sig64, 0, 64);
    *recid = -1;
    mpc__blame_none(blame);
    MPC_ARG_CHECK(ctx, pub->signer_count >= 2 && pub->signer_count <= MPC_MAX_PARTIES);
    MPC_ARG_CHECK(ctx, in != NULL || in_count == 0);
    expect(&e, pub, 0, 3);
    if ((r = mpc__msg_collect(msg, &e, pub->signers, pub->signer_count, in, in_count)) != MPC_OK)
        return r;
    mpc_scalar_set_u32(&U, 0);
    mpc_scalar_set_u32(&W, 0);
    for (k = 0; k < pub->signer_count; k++) {
        mpc_point R;
        mpc__reader_init(&rd, msg[k]->data + MPC_MSG_HEADER_BYTES, msg[k]->len - MPC_MSG_HEADER_BYTES);
        b = rd.p;
        mpc__get_point(ctx, &rd, &R);
        mpc__get_scalar(&rd, &x);
        mpc_scalar_add(&U, &U, &x);
        mpc__get_scalar(&rd, &x);
        mpc_scalar_add(&W, &W, &x);
        if (mpc__reader_end(&rd) != MPC_OK) {
            mpc__blame_one(blame, pub->signers[k]);
            return MPC_E_ENCODING;
        }
        if (Rb == NULL)
            Rb = b;
        else if (memcmp(Rb, b, 33) != 0)
            return MPC_E_INCONSISTENT;
    }
    /* Everything below is public: the signature is about to be published. */
    if (mpc_scalar_is_zero(&U))
        return MPC_E_INCONSISTENT;
    mpc_scalar_inverse(&U, &U);
    mpc_scalar_mul(&s, &W, &U);
    if (mpc_scalar_is_zero(&s))
        return MPC_E_INCONSISTENT;
    mpc_scalar_reduce32(&x, Rb + 1);
    mpc_scalar_serialize(r32, &x);
    rid = (Rb[0] == 0x03) | (memcmp(r32, Rb + 1, 32) != 0) << 1;
    if (mpc_scalar_is_high_var(&s)) {
        mpc_scalar_neg(&s, &s);
        rid ^= 1;
    }
    mpc_scalar_serialize(s32, &s);
    memcpy(sig64, r32, 32);
    memcpy(sig64 + 32, s32, 32);
    if (!secp256k1_ec_pubkey_parse(ctx->secp, &pkstar, pub->pubkey, 33) ||
        !secp256k1_ecdsa_signature_parse_compact(ctx->secp, &sig, sig64) ||
        !secp256k1_ecdsa_verify(ctx->secp, &sig, pub->msg_digest, &pkstar) ||
        !secp256k1_ecdsa_recoverable_signature_parse_compact(ctx->secp, &rsig, sig64, rid) ||
        !secp256k1_ecdsa_recover(ctx->secp, &rec, &rsig, pub->msg_digest) ||
        secp256k1_ec_pubkey_cmp(ctx->secp, &rec, &pkstar) != 0)
        goto fail;
    *recid = rid;
    return MPC_OK;
fail:
    memset(sig64, 0, 64);
    return MPC_E_INCONSISTENT;
}
