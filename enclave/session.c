#define _POSIX_C_SOURCE 200809L
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <sodium.h>

#include <mpc/bip32.h>
#include <mpc/point.h>
#include <mpc/protocol.h>

#include "audit.h"
#include "channel.h"
#include "payload/addr_eth.h"
#include "payload/eip191.h"
#include "payload/summary.h"
#include "state.h"

#define HEX32 65u
/* The rendered summary plus the decision lines. */
#define VERDICT_TEXT_MAX (PAYLOAD_SUMMARY_RENDER_MAX + 512u)
/* Status detail naming every refused approval (POLICY_APPROVALS_MAX of them). */
#define APPROVAL_DETAIL_MAX 8192u

/* A request the enclave allowed, waiting for its SIGN_START. Everything is a copy: SIGN_REQUEST
 * may overwrite any slot while a session runs, so a session takes what it needs at SIGN_START
 * (libmpc copies the request into its state) and clears the slot. */
typedef struct {
    int used;
    unsigned char sigid[32];
    unsigned char key_id[32];
    unsigned char digest[32];
    /* What the approvals name (policy/approval.h): the digest, or for a payload with several
     * digests the fingerprint subject of the set, the same for each of its sessions. */
    unsigned char approval_subject[32];
    unsigned char coord_nonce[32];
    uint32_t signers[MPC_MAX_PARTIES];
    size_t signer_count;
    uint32_t path[MPC_MAX_PATH_LEN];
    size_t path_len;
    unsigned char request_id[64]; /* approvals bind the request id */
    size_t request_id_len;
} verdict_entry;

typedef enum { SESSION_NONE, SESSION_KEYGEN, SESSION_SIGN } session_kind;

typedef struct {
    session_kind kind;
    unsigned char key_id[32];     /* channel key id: DKG inst, or the key's sid */
    unsigned char session_id[32]; /* channel session id: zero for a DKG, sigid for signing */
    uint32_t next_round;          /* round of the messages the enclave waits for */
    enc_chan_session *chan;
    enc_chan_peer peers[MPC_MAX_PARTIES];
    size_t npeers;
    mpc_dkg *dkg;
    mpc_keyshare *new_share;      /* finished DKG, not yet committed */
    int refresh;                  /* the DKG refreshes the key old_key_id */
    unsigned char old_key_id[32];
    unsigned char public_hash[32];
    uint32_t n;
    mpc_sign *sign;
    unsigned char stored_hash[32]; /* hash of the used-set blob the parent must acknowledge */
} session;

struct enc_engine {
    mpc_context *mpc;
    enc_state *store;
    enc_audit_writer audit;
    int audit_ready;
    session s;
    verdict_entry verdicts[ENC_SESSION_VERDICTS];
    size_t verdict_next;
};

static void session_reset(session *s) {
    enc_chan_session_destroy(s->chan);
    mpc_dkg_destroy(s->dkg);
    mpc_keyshare_destroy(s->new_share);
    mpc_sign_destroy(s->sign);
    sodium_memzero(s, sizeof(*s));
}

void enc_engine_destroy(struct enc_engine *g) {
    if (g == NULL)
        return;
    session_reset(&g->s);
    enc_state_destroy(g->store);
    mpc_context_destroy(g->mpc);
    sodium_memzero(g, sizeof(*g));
    free(g);
}

static int engine_get(struct enc_engine **out, enc_ipc *e) {
    struct enc_engine *g;

    if (e->engine == NULL) {
        if ((g = calloc(1, sizeof(*g))) == NULL)
            return ENC_E_NOMEM;
        if ((g->mpc = mpc_context_create()) == NULL || enc_state_create(&g->store) != ENC_OK) {
            enc_engine_destroy(g);
            return ENC_E_NOMEM;
        }
        e->engine = g;
    }
    *out = e->engine;
    return ENC_OK;
}

static uint64_t now_ms(void) {
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void hex32(char out[HEX32], const unsigned char in[32]) {
    sodium_bin2hex(out, HEX32, in, 32);
}

int enc_session_audit(enc_ipc *e, uint16_t type, const char *text) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Audit a = MPC__ENCLAVE__AUDIT__INIT;
    unsigned char *rec;
    size_t len = 0;
    int r;

    if (e->engine == NULL || !e->engine->audit_ready)
        return ENC_OK;
    if ((rec = malloc(ENC_AUDIT_MAX_RECORD)) == NULL)
        return ENC_E_NOMEM;
    if ((r = enc_audit_append(&e->engine->audit, rec, ENC_AUDIT_MAX_RECORD, &len, type, now_ms(),
                 (const unsigned char *)text, strlen(text))) != ENC_OK)
        goto out;
    a.record.data = rec;
    a.record.len = len;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_AUDIT;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_AUDIT;
    env.audit = &a;
    r = enc_ipc_send(e, &env);
out:
    free(rec);
    return r;
}

/* enc_session_audit with a formatted text (cut at the audit payload limit). */
static int audit_fmt(enc_ipc *e, uint16_t type, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int audit_fmt(enc_ipc *e, uint16_t type, const char *fmt, ...) {
    char *text;
    va_list ap;
    int r;

    if ((text = malloc(ENC_AUDIT_MAX_PAYLOAD + 1)) == NULL)
        return ENC_E_NOMEM;
    va_start(ap, fmt);
    vsnprintf(text, ENC_AUDIT_MAX_PAYLOAD + 1, fmt, ap);
    va_end(ap);
    r = enc_session_audit(e, type, text);
    free(text);
    return r;
}

static int send_status(enc_ipc *e, int code, const char *detail, const unsigned char *session_id, int transport,
        const mpc_blame *banned) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Status st = MPC__ENCLAVE__STATUS__INIT;
    uint32_t parties[MPC_MAX_PARTIES];

    st.code = code;
    st.detail = (char *)detail;
    if (session_id != NULL) {
        st.session_id.data = (unsigned char *)session_id;
        st.session_id.len = 32;
    }
    st.transport = transport != 0;
    if (banned != NULL && banned->count > 0) {
        memcpy(parties, banned->party, banned->count * sizeof(parties[0]));
        st.banned = parties;
        st.n_banned = banned->count;
    }
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_STATUS;
    env.status = &st;
    return enc_ipc_send(e, &env);
}

static int send_sealed(enc_ipc *e, uint16_t kind, const unsigned char *key_id, const unsigned char *blob,
        size_t blob_len) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Sealed sealed = MPC__ENCLAVE__SEALED__INIT;

    sealed.kind = kind;
    if (key_id != NULL) {
        sealed.key_id.data = (unsigned char *)key_id;
        sealed.key_id.len = 32;
    }
    sealed.blob.data = (unsigned char *)blob;
    sealed.blob.len = blob_len;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SEALED;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_SEALED;
    env.sealed = &sealed;
    return enc_ipc_send(e, &env);
}

/* ---------------------------------------------------------------------------------------------
 * LOAD and START (before the sandbox / entering it)
 * ------------------------------------------------------------------------------------------- */

int enc_session_h_load(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__Unseal *u = in->load;
    struct enc_engine *g;
    int r;

    if ((r = engine_get(&g, e)) != ENC_OK)
        return r;
    /* A blob the parent cannot hand back intact is a broken or hostile parent: fail closed. */
    if ((r = enc_state_load(g->store, g->mpc, e->backend, (uint16_t)u->kind,
                 u->key_id.len == 32 ? u->key_id.data : NULL, u->blob.data, u->blob.len)) != ENC_OK)
        return r;
    return send_status(e, ENC_OK, "loaded", NULL, 0, NULL);
}

int enc_session_h_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__Start *st = in->start;
    struct enc_engine *g;
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    char text[96];
    int r;

    if ((r = engine_get(&g, e)) != ENC_OK)
        return r;
    if (st->last_audit_record.len == 0)
        enc_audit_writer_init(&g->audit, e->identity);
    else if ((r = enc_audit_writer_resume(&g->audit, e->identity, st->last_audit_record.data,
                      st->last_audit_record.len)) != ENC_OK)
        return r;
    if (e->enter_sandbox != NULL && (r = e->enter_sandbox()) != ENC_OK)
        return r;
    g->audit_ready = 1;
    e->state = ENC_IPC_ST_SERVING;
    snprintf(text, sizeof(text), "%s party=%u", ENC_IPC_SOFTWARE_VERSION, (unsigned)e->party_index);
    if ((r = enc_session_audit(e, ENC_AUDIT_START, text)) != ENC_OK)
        return r;
    /* A new identity starts with an empty instance-id set; after UNSEAL it must come from LOAD. */
    if (e->identity_created) {
        enc_state_insts_create(g->store);
        if ((r = enc_state_seal_insts(g->store, e->backend, &blob, &blob_len)) != ENC_OK)
            return r;
        r = send_sealed(e, ENC_SEAL_KIND_COUNTERS, NULL, blob, blob_len);
        free(blob);
        if (r != ENC_OK)
            return r;
    }
    return send_status(e, ENC_OK, "serving", NULL, 0, NULL);
}

int enc_session_init_policy(enc_ipc *e, int *refused, const Mpc__Enclave__Policy *p) {
    const unsigned char(*addrs)[20] = NULL;
    unsigned char(*buf)[20] = NULL;
    struct enc_engine *g;
    enc_policy_input in;
    char why[POLICY_ERR_MAX + 128];
    size_t i;
    int r;

    *refused = 0;
    if ((r = engine_get(&g, e)) != ENC_OK)
        return r;
    if (p->n_multisend_call_only > 0) {
        if ((buf = calloc(p->n_multisend_call_only, 20)) == NULL)
            return ENC_E_NOMEM;
        for (i = 0; i < p->n_multisend_call_only; i++)
            memcpy(buf[i], p->multisend_call_only[i].data, 20);
        addrs = (const unsigned char(*)[20])buf;
    }
    memset(&in, 0, sizeof(in));
    in.approvers = p->approvers;
    in.approvers_len = strlen(p->approvers);
    in.chain_id = p->chain_id;
    in.native_symbol = p->native_symbol;
    in.native_symbol_len = strlen(p->native_symbol);
    in.registry = p->asset_registry;
    in.registry_len = strlen(p->asset_registry);
    in.multisend = addrs;
    in.n_multisend = p->n_multisend_call_only;
    in.btc_network = p->btc_network;
    r = enc_state_policy_set(g->store, why, sizeof(why), &in);
    free(buf);
    if (r == ENC_STATE_E_POLICY) {
        *refused = 1;
        return send_status(e, r, why, NULL, 0, NULL);
    }
    return r;
}

int enc_session_send_policy(enc_ipc *e) {
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    int r;

    if (e->engine == NULL || enc_state_policy(e->engine->store) == NULL)
        return ENC_OK;
    if ((r = enc_state_seal_policy(e->engine->store, e->backend, &blob, &blob_len)) != ENC_OK)
        return r;
    r = send_sealed(e, ENC_STATE_KIND_POLICY, NULL, blob, blob_len);
    free(blob);
    return r;
}

/* ---------------------------------------------------------------------------------------------
 * Moving libmpc messages through the channel
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    ProtobufCBinaryData msgs[MPC_MAX_PARTIES * MPC_MAX_PARTIES];
    size_t count;
} out_batch;

static void out_batch_free(out_batch *b) {
    size_t i;

    for (i = 0; i < b->count; i++)
        free(b->msgs[i].data);
    b->count = 0;
}

static int seal_one(out_batch *b, session *s, uint8_t cls, uint16_t to, uint16_t round, const mpc_msg_out *m) {
    size_t cap = enc_chan_message_bytes(cls, m->len), len = 0;
    unsigned char *buf;
    int r;

    if (b->count == sizeof(b->msgs) / sizeof(b->msgs[0]))
        return ENC_E_INTERNAL;
    if ((buf = malloc(cap)) == NULL)
        return ENC_E_NOMEM;
    if ((r = enc_chan_seal(s->chan, buf, cap, &len, cls, to, round, m->data, m->len)) != ENC_OK) {
        free(buf);
        return r;
    }
    b->msgs[b->count].data = buf;
    b->msgs[b->count].len = len;
    b->count++;
    return ENC_OK;
}

/* Seal libmpc's messages of one round: broadcasts go to every peer separately (PROTOCOL.md 1.5). */
static int seal_round(out_batch *b, session *s, uint16_t round, const mpc_msg_out *out, size_t out_count) {
    size_t i, j;
    int r;

    for (i = 0; i < out_count; i++) {
        if (out[i].to == MPC_BROADCAST) {
            for (j = 0; j < s->npeers; j++)
                if ((r = seal_one(b, s, ENC_CHAN_BROADCAST, s->peers[j].index, round, &out[i])) != ENC_OK)
                    return r;
        } else if ((r = seal_one(b, s, ENC_CHAN_P2P, (uint16_t)out[i].to, round, &out[i])) != ENC_OK) {
            return r;
        }
    }
    return ENC_OK;
}

static int send_round(enc_ipc *e, session *s, uint32_t round, out_batch *b, const mpc_msg_out *public_msg) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__RoundMessages rm = MPC__ENCLAVE__ROUND_MESSAGES__INIT;

    rm.key_id.data = s->key_id;
    rm.key_id.len = 32;
    rm.session_id.data = s->session_id;
    rm.session_id.len = 32;
    rm.round = round;
    rm.messages = b->msgs;
    rm.n_messages = b->count;
    if (public_msg != NULL) {
        rm.public_message.data = (unsigned char *)public_msg->data;
        rm.public_message.len = public_msg->len;
    }
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_ROUND_OUT;
    env.round_out = &rm;
    return enc_ipc_send(e, &env);
}

typedef struct {
    mpc_msg_in in[MPC_MAX_PARTIES];
    unsigned char *payload[MPC_MAX_PARTIES]; /* sodium_malloc: DKG round 3 carries secret shares */
    size_t count;
} in_batch;

static void in_batch_free(in_batch *b) {
    size_t i;

    for (i = 0; i < b->count; i++)
        sodium_free(b->payload[i]);
    b->count = 0;
}

/* Open one relayed round: it must be this session's next round with exactly one message of the
 * expected class from every peer. Every failure here is the relay's (or network's) doing. */
static int open_round(in_batch *b, session *s, const Mpc__Enclave__RoundMessages *rm, uint8_t cls) {
    uint32_t seen = 0;
    enc_chan_info info;
    size_t i, len;
    int r;

    if (memcmp(rm->key_id.data, s->key_id, 32) != 0 || memcmp(rm->session_id.data, s->session_id, 32) != 0 ||
            rm->round != s->next_round || rm->n_messages != s->npeers || rm->public_message.len != 0)
        return ENC_SESSION_E_ROUND;
    for (i = 0; i < rm->n_messages; i++) {
        if ((b->payload[i] = sodium_malloc(rm->messages[i].len)) == NULL)
            return ENC_E_NOMEM;
        b->count = i + 1;
        if ((r = enc_chan_open(s->chan, b->payload[i], rm->messages[i].len, &len, &info, rm->messages[i].data,
                     rm->messages[i].len)) != ENC_OK)
            return r;
        if (info.round != rm->round || info.cls != cls || (seen & (1u << info.sender)) != 0)
            return ENC_SESSION_E_ROUND;
        seen |= 1u << info.sender;
        b->in[i].from = info.sender;
        b->in[i].data = b->payload[i];
        b->in[i].len = len;
    }
    return ENC_OK;
}

static int is_transport_error(int r) {
    return (r <= ENC_CHAN_E_FORMAT && r >= ENC_CHAN_E_AUTH) || r == ENC_SESSION_E_ROUND;
}

static int is_mpc_error(int r) {
    return r <= MPC_E_ILLEGAL && r >= MPC_E_INCONSISTENT;
}

static const enc_chan_peer *peer_by_index(const session *s, uint32_t index) {
    size_t i;

    for (i = 0; i < s->npeers; i++)
        if (s->peers[i].index == index)
            return &s->peers[i];
    return NULL;
}

/* End the session after a failure r and tell the parent why. Transport errors blame nobody;
 * MPC_E_BAN bans the named parties persistently (sealed ban list goes out first). Errors that are
 * neither (no memory, a send failure) are returned and end the enclave. */
static int session_fail_detail(enc_ipc *e, int r, const mpc_blame *blame, const char *detail) {
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    unsigned char sid[32], ban_key[32];
    mpc_blame banned;
    unsigned char *blob = NULL;
    size_t blob_len = 0, i;
    char text[160], hex[HEX32];
    int transport = is_transport_error(r), rr;

    memset(&banned, 0, sizeof(banned));
    if (!transport && !is_mpc_error(r) && r != ENC_SESSION_E_REFUSED && r != ENC_SESSION_E_BANNED &&
            r != ENC_SESSION_E_PEERS && r != ENC_SESSION_E_RECONCILE && r != ENC_SESSION_E_INST_REUSED &&
            r != ENC_STATE_E_NO_INST_SET && r != ENC_STATE_E_FULL && r != ENC_SESSION_E_APPROVALS)
        return r;
    memcpy(sid, s->kind == SESSION_SIGN ? s->session_id : s->key_id, 32);
    memcpy(ban_key, s->key_id, 32);
    if (r == MPC_E_BAN && blame != NULL) {
        for (i = 0; i < blame->count; i++) {
            const enc_chan_peer *p = peer_by_index(s, blame->party[i]);

            if (p == NULL)
                continue;
            if ((rr = enc_state_ban(g->store, ban_key, blame->party[i], p->identity_pk)) != ENC_OK)
                return rr;
            banned.party[banned.count++] = blame->party[i];
            hex32(hex, ban_key);
            snprintf(text, sizeof(text), "ban key=%s party=%u", hex, (unsigned)blame->party[i]);
            if ((rr = enc_session_audit(e, ENC_AUDIT_BAN, text)) != ENC_OK)
                return rr;
        }
        if (banned.count > 0) {
            if ((rr = enc_state_seal_bans(g->store, e->backend, &blob, &blob_len)) != ENC_OK)
                return rr;
            rr = send_sealed(e, ENC_SEAL_KIND_BAN_LIST, NULL, blob, blob_len);
            free(blob);
            if (rr != ENC_OK)
                return rr;
        }
    }
    session_reset(s);
    e->state = ENC_IPC_ST_SERVING;
    hex32(hex, sid);
    snprintf(text, sizeof(text), "abort session=%s code=%d transport=%d", hex, r, transport);
    if ((rr = enc_session_audit(e, ENC_AUDIT_ABORT, text)) != ENC_OK)
        return rr;
    if (detail == NULL)
        detail = transport ? "transport error: session aborted, nobody blamed"
                           : r == MPC_E_BAN ? "protocol abort: culprit banned" : "session refused or aborted";
    return send_status(e, r, detail, sid, transport, &banned);
}

static int session_fail(enc_ipc *e, int r, const mpc_blame *blame) {
    return session_fail_detail(e, r, blame, NULL);
}

static int session_peers(session *s, const enc_state *store, const unsigned char *ban_key,
        Mpc__Enclave__Peer *const *peers, size_t n_peers) {
    size_t i;

    if (n_peers < 1 || n_peers >= MPC_MAX_PARTIES)
        return ENC_SESSION_E_PEERS;
    for (i = 0; i < n_peers; i++) {
        if (peers[i]->identity_public_key.len != ENC_IDENTITY_PK_BYTES || peers[i]->index < 1 ||
                peers[i]->index > MPC_MAX_PARTIES)
            return ENC_SESSION_E_PEERS;
        if (enc_state_is_banned(store, ban_key, peers[i]->index, peers[i]->identity_public_key.data))
            return ENC_SESSION_E_BANNED;
        s->peers[i].index = (uint16_t)peers[i]->index;
        memcpy(s->peers[i].identity_pk, peers[i]->identity_public_key.data, ENC_IDENTITY_PK_BYTES);
    }
    s->npeers = n_peers;
    return ENC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Keygen
 * ------------------------------------------------------------------------------------------- */

static uint8_t keygen_class(uint32_t round) {
    return round == 1 || round == 4 ? ENC_CHAN_BROADCAST : ENC_CHAN_P2P;
}

/* PROTOCOL.md 1.3: refuse an instance id accepted before, else record it and hand the parent the
 * sealed set, all before any cryptographic work. The Sealed frame precedes the round-1 reply and
 * the client library stores it durably before it returns that reply (enclave_client.h), so no
 * round-1 message of inst can reach a peer before inst is on disk. Signing needs the stronger
 * STORED acknowledgement because its nonces must not exist before that point; a DKG has no
 * secret that a replayed inst could make it reuse (every run draws fresh polynomials, seeds and
 * OT keys), and a parent that skipped storing could equally forge a STORED, so the ordering gives
 * the same guarantee without another round trip. */
static int accept_inst(enc_ipc *e, const unsigned char inst[32]) {
    struct enc_engine *g = e->engine;
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    int r;

    if ((r = enc_state_inst_used(g->store, inst)) != 0)
        return r == 1 ? ENC_SESSION_E_INST_REUSED : r;
    if ((r = enc_state_inst_add(g->store, inst)) != ENC_OK ||
            (r = enc_state_seal_insts(g->store, e->backend, &blob, &blob_len)) != ENC_OK)
        return r;
    r = send_sealed(e, ENC_SEAL_KIND_COUNTERS, NULL, blob, blob_len);
    free(blob);
    return r;
}

/* libmpc produced a session's round-1 messages: seal them, enter state, send them. */
static int send_first_round(enc_ipc *e, session *s, unsigned int state, const mpc_msg_out *out,
        size_t out_count) {
    out_batch b;
    int r;

    b.count = 0;
    if ((r = seal_round(&b, s, 1, out, out_count)) == ENC_OK) {
        s->next_round = 1;
        e->state = state;
        r = send_round(e, s, 1, &b, NULL);
    }
    out_batch_free(&b);
    return r;
}

/* Channels set up, s->dkg created: produce and send round 1. */
static int dkg_first_round(enc_ipc *e, session *s) {
    const mpc_msg_out *out = NULL;
    size_t out_count = 0;
    mpc_blame blame;
    int r;

    memset(&blame, 0, sizeof(blame));
    if ((r = mpc_dkg_next(e->engine->mpc, &out, &out_count, &blame, s->dkg, NULL, 0)) != MPC_OK)
        return session_fail(e, r, &blame);
    return send_first_round(e, s, ENC_IPC_ST_KEYGEN, out, out_count);
}

int enc_session_h_keygen_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__KeygenStart *k = in->keygen_start;
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    static const unsigned char zero[32];
    char text[160], hex[HEX32];
    int r;

    session_reset(s);
    s->kind = SESSION_KEYGEN;
    memcpy(s->key_id, k->inst.data, 32);
    s->n = k->n;
    hex32(hex, s->key_id);
    snprintf(text, sizeof(text), "keygen start inst=%s n=%u t=%u", hex, (unsigned)k->n, (unsigned)k->t);
    if ((r = enc_session_audit(e, ENC_AUDIT_KEYGEN, text)) != ENC_OK)
        return r;
    if (k->party_index != e->party_index || k->n_peers + 1 != k->n)
        return session_fail(e, ENC_SESSION_E_PEERS, NULL);
    if ((r = session_peers(s, g->store, NULL, k->peers, k->n_peers)) != ENC_OK ||
            (r = accept_inst(e, s->key_id)) != ENC_OK)
        return session_fail(e, r, NULL);
    if ((r = enc_chan_session_create(&s->chan, e->identity, e->party_index, s->key_id, zero, s->peers,
                 s->npeers)) != ENC_OK)
        return r == ENC_E_ARG ? session_fail(e, ENC_SESSION_E_PEERS, NULL) : r;
    if ((r = mpc_dkg_create(g->mpc, &s->dkg, k->n, k->t, k->party_index, s->key_id)) != MPC_OK)
        return session_fail(e, r, NULL);
    return dkg_first_round(e, s);
}

int enc_session_h_refresh_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__RefreshStart *k = in->refresh_start;
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    const mpc_keyshare *share = enc_state_key(g->store, k->key_id.data);
    mpc_keyshare_info info;
    char text[200], hk[HEX32], hi[HEX32];
    int r;

    session_reset(s);
    s->kind = SESSION_KEYGEN;
    s->refresh = 1;
    memcpy(s->key_id, k->inst.data, 32);
    memcpy(s->session_id, k->key_id.data, 32);
    memcpy(s->old_key_id, k->key_id.data, 32);
    hex32(hk, s->old_key_id);
    hex32(hi, s->key_id);
    snprintf(text, sizeof(text), "refresh start key=%s inst=%s", hk, hi);
    if ((r = enc_session_audit(e, ENC_AUDIT_KEYGEN, text)) != ENC_OK)
        return r;
    if (share == NULL)
        return session_fail(e, ENC_SESSION_E_REFUSED, NULL);
    mpc_keyshare_get_info(g->mpc, &info, share);
    s->n = info.n;
    if (k->n_peers + 1 != info.n)
        return session_fail(e, ENC_SESSION_E_PEERS, NULL);
    if ((r = session_peers(s, g->store, s->old_key_id, k->peers, k->n_peers)) != ENC_OK ||
            (r = accept_inst(e, s->key_id)) != ENC_OK)
        return session_fail(e, r, NULL);
    if ((r = enc_chan_session_create(&s->chan, e->identity, e->party_index, s->key_id, s->session_id, s->peers,
                 s->npeers)) != ENC_OK)
        return r == ENC_E_ARG ? session_fail(e, ENC_SESSION_E_PEERS, NULL) : r;
    if ((r = mpc_refresh_create(g->mpc, &s->dkg, share, s->key_id)) != MPC_OK)
        return session_fail(e, r, NULL);
    return dkg_first_round(e, s);
}

int enc_session_h_keygen_round(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__RoundMessages *rm = in->keygen_round;
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__KeygenResult res = MPC__ENCLAVE__KEYGEN_RESULT__INIT;
    const mpc_msg_out *out = NULL;
    size_t out_count = 0;
    mpc_keyshare_info info;
    mpc_blame blame;
    in_batch ib;
    out_batch b;
    char text[200], hex[HEX32], hexh[HEX32];
    int r, failed = 0;

    ib.count = 0;
    b.count = 0;
    memset(&blame, 0, sizeof(blame));
    if ((r = open_round(&ib, s, rm, keygen_class(rm->round))) != ENC_OK ||
            (r = mpc_dkg_next(g->mpc, &out, &out_count, &blame, s->dkg, ib.in, ib.count)) != MPC_OK) {
        failed = 1;
        goto out;
    }
    if (rm->round < MPC_DKG_ROUNDS) {
        if ((r = seal_round(&b, s, (uint16_t)(rm->round + 1), out, out_count)) != ENC_OK)
            goto out;
        s->next_round = rm->round + 1;
        r = send_round(e, s, s->next_round, &b, NULL);
        goto out;
    }
    if ((r = mpc_dkg_finish(g->mpc, &s->new_share, s->dkg)) != MPC_OK) {
        failed = 1;
        goto out;
    }
    mpc_dkg_destroy(s->dkg);
    s->dkg = NULL;
    mpc_keyshare_get_info(g->mpc, &info, s->new_share);
    mpc_keyshare_public_hash(g->mpc, s->public_hash, s->new_share);
    hex32(hex, info.sid);
    hex32(hexh, s->public_hash);
    snprintf(text, sizeof(text), "keygen result key=%s public_hash=%s", hex, hexh);
    if ((r = enc_session_audit(e, ENC_AUDIT_KEYGEN, text)) != ENC_OK)
        goto out;
    res.key_id.data = info.sid;
    res.key_id.len = 32;
    res.public_key.data = info.pubkey;
    res.public_key.len = 33;
    res.chain_code.data = info.chaincode;
    res.chain_code.len = 32;
    res.public_hash.data = s->public_hash;
    res.public_hash.len = 32;
    res.epoch = info.epoch;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_RESULT;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_KEYGEN_RESULT;
    env.keygen_result = &res;
    e->state = ENC_IPC_ST_KEYGEN_DONE;
    r = enc_ipc_send(e, &env);
out:
    in_batch_free(&ib);
    out_batch_free(&b);
    if (failed)
        return session_fail(e, r, &blame);
    return r;
}

int enc_session_h_keygen_commit(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__KeygenCommit *c = in->keygen_commit;
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    unsigned char *blob = NULL;
    size_t blob_len = 0, i, moved = 0;
    mpc_keyshare_info info;
    char text[200], hex[HEX32], hold[HEX32];
    int r, refresh = s->refresh;

    mpc_keyshare_get_info(g->mpc, &info, s->new_share);
    hex32(hold, s->old_key_id);
    if (memcmp(c->key_id.data, info.sid, 32) != 0 || c->n_public_hashes != s->n)
        return session_fail(e, ENC_SESSION_E_RECONCILE, NULL);
    for (i = 0; i < c->n_public_hashes; i++)
        if (c->public_hashes[i].len != 32 || sodium_memcmp(c->public_hashes[i].data, s->public_hash, 32) != 0)
            return session_fail(e, ENC_SESSION_E_RECONCILE, NULL);
    if (s->refresh) {
        if ((r = enc_state_replace_key(g->store, &moved, g->mpc, s->old_key_id, &s->new_share)) != ENC_OK)
            return r;
        if (moved > 0 && ((r = enc_state_seal_bans(g->store, e->backend, &blob, &blob_len)) != ENC_OK ||
                                 (r = send_sealed(e, ENC_SEAL_KIND_BAN_LIST, NULL, blob, blob_len)) != ENC_OK))
            goto out;
        free(blob);
        blob = NULL;
    } else if ((r = enc_state_add_key(g->store, g->mpc, &s->new_share)) != ENC_OK) {
        return r;
    }
    if ((r = enc_state_seal_key(g->store, g->mpc, e->backend, &blob, &blob_len, info.sid)) != ENC_OK ||
            (r = send_sealed(e, ENC_SEAL_KIND_KEY_SHARE, info.sid, blob, blob_len)) != ENC_OK)
        goto out;
    free(blob);
    blob = NULL;
    if ((r = enc_state_seal_used(g->store, e->backend, &blob, &blob_len, info.sid)) != ENC_OK ||
            (r = send_sealed(e, ENC_SEAL_KIND_USED_SESSIONS, info.sid, blob, blob_len)) != ENC_OK)
        goto out;
    session_reset(s);
    e->state = ENC_IPC_ST_SERVING;
    hex32(hex, info.sid);
    if (refresh)
        snprintf(text, sizeof(text), "refresh commit key=%s replaces=%s", hex, hold);
    else
        snprintf(text, sizeof(text), "keygen commit key=%s", hex);
    if ((r = enc_session_audit(e, ENC_AUDIT_KEYGEN, text)) != ENC_OK)
        goto out;
    r = send_status(e, ENC_OK, "key committed", info.sid, 0, NULL);
out:
    free(blob);
    return r;
}

/* ---------------------------------------------------------------------------------------------
 * Signing requests
 * ------------------------------------------------------------------------------------------- */

/* What the checks common to both rules found for one request. */
typedef struct {
    unsigned char digest[32];
    unsigned char approval_subject[32]; /* see verdict_entry */
    unsigned char sigid[32];
    unsigned char pk[33];
    int allow;
    const char *reason;
} sign_eval;

/* The interim rule of an enclave without a policy: EIP-191 personal messages only, no approvals. */
static int interim_rule(const char **reason, uint32_t type) {
    if (type != ENC_PAYLOAD_EIP191_PERSONAL) {
        *reason = "denied: this enclave holds no policy, so only EIP-191 personal messages are signable";
        return 0;
    }
    *reason = "allowed: EIP-191 personal message; this enclave holds no policy, so no approvals are checked";
    return 1;
}

/* Signing set, bans, derivation and the used-session set; ev->digest is set. On success the
 * session id and derived key are in ev and ev->allow is 1. */
static void evaluate_session(enc_ipc *e, sign_eval *ev, const Mpc__Enclave__SignRequest *req,
        const mpc_keyshare *share) {
    struct enc_engine *g = e->engine;
    mpc_keyshare_info info;
    mpc_sign_public pub;
    mpc_sign_request sr;
    int own = 0, banned = 0, used;
    size_t i;

    ev->allow = 0;
    mpc_keyshare_get_info(g->mpc, &info, share);
    for (i = 0; i < req->n_signers; i++) {
        own |= req->signers[i] == e->party_index;
        banned |= enc_state_is_banned(g->store, req->key_id.data, req->signers[i], NULL);
    }
    sr.signers = req->signers;
    sr.signer_count = req->n_signers;
    sr.msg_digest32 = ev->digest;
    sr.path = req->n_derivation_path > 0 ? req->derivation_path : NULL;
    sr.path_len = req->n_derivation_path;
    sr.coord_nonce32 = req->coord_nonce.data;
    if (!own) {
        ev->reason = "denied: this enclave is not in the signing set";
    } else if (banned) {
        ev->reason = "denied: the signing set includes a banned party";
    } else if (mpc_sign_public_init(g->mpc, &pub, &info, &sr) != MPC_OK) {
        ev->reason = "denied: invalid signing set or derivation path";
    } else {
        memcpy(ev->sigid, pub.sigid, 32);
        memcpy(ev->pk, pub.pubkey, 33);
        used = enc_state_sigid_used(g->store, req->key_id.data, ev->sigid);
        if (used == 1)
            ev->reason = "denied: this signing session id was already used";
        else if (used < 0)
            ev->reason = "denied: the key's used-session set was not loaded";
        else
            ev->allow = 1;
    }
}

static verdict_entry *verdict_find(struct enc_engine *g, const unsigned char sigid[32]) {
    size_t i;

    for (i = 0; i < ENC_SESSION_VERDICTS; i++)
        if (g->verdicts[i].used && memcmp(g->verdicts[i].sigid, sigid, 32) == 0)
            return &g->verdicts[i];
    return NULL;
}

/* Keep an allowing verdict for its SIGN_START in the slot of the oldest one. The same sigid asked
 * again (the parent retrying) drops its earlier entry, so SIGN_START finds the latest request. */
static void verdict_remember(struct enc_engine *g, const Mpc__Enclave__SignRequest *req, const sign_eval *ev) {
    verdict_entry *v = verdict_find(g, ev->sigid);

    if (v != NULL)
        memset(v, 0, sizeof(*v));
    v = &g->verdicts[g->verdict_next];
    g->verdict_next = (g->verdict_next + 1) % ENC_SESSION_VERDICTS;
    memset(v, 0, sizeof(*v));
    v->used = 1;
    memcpy(v->sigid, ev->sigid, 32);
    memcpy(v->key_id, req->key_id.data, 32);
    memcpy(v->digest, ev->digest, 32);
    memcpy(v->approval_subject, ev->approval_subject, 32);
    memcpy(v->coord_nonce, req->coord_nonce.data, 32);
    memcpy(v->signers, req->signers, req->n_signers * sizeof(uint32_t));
    v->signer_count = req->n_signers;
    if (req->n_derivation_path > 0)
        memcpy(v->path, req->derivation_path, req->n_derivation_path * sizeof(uint32_t));
    v->path_len = req->n_derivation_path;
    v->request_id_len = req->request_id.len;
    memcpy(v->request_id, req->request_id.data, req->request_id.len);
}

static void fingerprint_v1(char out[80], const unsigned char digest[32]) {
    static const char hexd[] = "0123456789abcdef";
    size_t i, o = 0;

    for (i = 0; i < 32; i++) {
        if (i > 0 && i % 2 == 0)
            out[o++] = ' ';
        out[o++] = hexd[digest[i] >> 4];
        out[o++] = hexd[digest[i] & 15];
    }
    out[o] = '\0';
}

/* Sign and send the verdict. fp NULL: version 1 (no policy); else version 2, which also binds the
 * payload type's fingerprint (verdict.h). With a policy its quorum goes along, unsigned. */
static int send_verdict(enc_ipc *e, const Mpc__Enclave__SignRequest *req, const sign_eval *ev,
        const payload_fingerprint *fp, const char *summary, size_t digest_count) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Verdict v = MPC__ENCLAVE__VERDICT__INIT;
    const enc_policy *pol = enc_state_policy(e->engine->store);
    enc_verdict_fields f;
    unsigned char sig[ENC_IDENTITY_SIG_BYTES];
    unsigned char *m = NULL;
    size_t mlen = 0;
    char fp1[80];
    int r;

    memset(&f, 0, sizeof(f));
    f.version = fp != NULL ? 2 : 1;
    f.request_id = req->request_id.data;
    f.request_id_len = req->request_id.len;
    f.key_id = req->key_id.data;
    f.payload_type = req->payload_type;
    f.digest = ev->digest;
    f.sigid = ev->sigid;
    f.derived_pk = ev->pk;
    f.decision = ev->allow ? ENC_DECISION_ALLOW : ENC_DECISION_DENY;
    if (fp != NULL) {
        f.fingerprint_subject = fp->subject;
        f.fingerprint_hex = fp->hex;
        f.fingerprint_hex_len = strlen(fp->hex);
        f.fingerprint_words = fp->words;
        f.fingerprint_words_len = strlen(fp->words);
    }
    f.summary = summary;
    f.summary_len = strlen(summary);
    /* Every field comes from a checked request or from this enclave: a refusal is a bug. */
    if ((r = enc_verdict_encode(&m, &mlen, &f)) != 0) {
        r = r == ENC_VERDICT_E_NOMEM ? ENC_E_NOMEM : ENC_E_INTERNAL;
        goto out;
    }
    if ((r = enc_identity_sign(e->identity, sig, fp != NULL ? ENC_VERDICT_LABEL_V2 : ENC_VERDICT_LABEL_V1, m,
                 mlen)) != ENC_OK)
        goto out;
    v.request_id = req->request_id;
    v.key_id = req->key_id;
    v.digest.data = (unsigned char *)ev->digest;
    v.digest.len = 32;
    v.summary = (char *)summary;
    if (fp != NULL) {
        v.verdict_version = 2;
        v.payload_type = req->payload_type;
        v.fingerprint.data = (unsigned char *)fp->hex;
        v.fingerprint.len = strlen(fp->hex);
        v.fingerprint_subject.data = (unsigned char *)fp->subject;
        v.fingerprint_subject.len = 32;
        v.fingerprint_words = (char *)fp->words;
    } else {
        fingerprint_v1(fp1, ev->digest);
        v.fingerprint.data = (unsigned char *)fp1;
        v.fingerprint.len = strlen(fp1);
    }
    v.decision = f.decision;
    v.approvals_required = pol != NULL ? pol->approvers.quorum : 0;
    v.digest_count = (uint32_t)digest_count;
    v.signature.data = sig;
    v.signature.len = sizeof(sig);
    v.sigid.data = (unsigned char *)ev->sigid;
    v.sigid.len = 32;
    v.derived_public_key.data = (unsigned char *)ev->pk;
    v.derived_public_key.len = 33;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_VERDICT;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_VERDICT;
    env.verdict = &v;
    r = enc_ipc_send(e, &env);
out:
    free(m);
    return r;
}

static int audit_verdict(enc_ipc *e, const Mpc__Enclave__SignRequest *req, const sign_eval *ev) {
    char text[300], hk[HEX32], hd[HEX32];

    hex32(hk, req->key_id.data);
    hex32(hd, ev->digest);
    snprintf(text, sizeof(text), "verdict key=%s type=%u digest=%s decision=%s", hk, (unsigned)req->payload_type, hd,
            ev->allow ? "allow" : "deny");
    return enc_session_audit(e, ENC_AUDIT_VERDICT, text);
}

/* No policy: the interim rule (version-1 verdict, unchanged for the current daemons). */
static int sign_request_interim(enc_ipc *e, const Mpc__Enclave__SignRequest *req, const mpc_keyshare *share) {
    sign_eval ev;
    payload_err perr;
    char *summary = NULL, *display = NULL, fp[80];
    size_t summary_cap = PAYLOAD_EIP191_DISPLAY_MAX + 512;
    int is_hex = 0, r;

    memset(&ev, 0, sizeof(ev));
    ev.reason = "denied: unknown key";
    if ((summary = malloc(summary_cap)) == NULL || (display = malloc(PAYLOAD_EIP191_DISPLAY_MAX)) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    snprintf(summary, summary_cap, "%s", ev.reason);
    if (share == NULL)
        goto answer;
    if (!interim_rule(&ev.reason, req->payload_type)) {
        snprintf(summary, summary_cap, "unsupported payload type %u; %s", (unsigned)req->payload_type, ev.reason);
        goto answer;
    }
    if (payload_eip191_personal_digest(&perr, ev.digest, req->payload.data, req->payload.len) != PAYLOAD_OK ||
            payload_eip191_display(&perr, display, PAYLOAD_EIP191_DISPLAY_MAX, &is_hex, req->payload.data,
                    req->payload.len) != PAYLOAD_OK) {
        snprintf(summary, summary_cap, "denied: malformed EIP-191 message: %s", perr.msg);
        goto answer;
    }
    if (req->digest_index != 0) {
        ev.reason = "denied: an EIP-191 message has one digest (index 0)";
        snprintf(summary, summary_cap, "%s", ev.reason);
        goto answer;
    }
    memcpy(ev.approval_subject, ev.digest, 32);
    evaluate_session(e, &ev, req, share);
    if (ev.allow)
        ev.allow = interim_rule(&ev.reason, req->payload_type);
    fingerprint_v1(fp, ev.digest);
    snprintf(summary, summary_cap, "EIP-191 personal message (%zu bytes%s): %s\nfingerprint: %s\n%s",
            req->payload.len, is_hex ? ", NOT plain text, shown as hex" : "", display, fp, ev.reason);
    if (ev.allow)
        verdict_remember(e->engine, req, &ev);
answer:
    if ((r = audit_verdict(e, req, &ev)) == ENC_OK)
        r = send_verdict(e, req, &ev, NULL, summary, ev.allow ? 1 : 0);
out:
    free(summary);
    free(display);
    return r;
}

/* The key's own public keys, derived by the enclave from its share's root key and chain code:
 * never taken from the payload. */
typedef struct {
    const mpc_context *mpc;
    mpc_bip32_xpub root;
    unsigned char pk[33];   /* derived for the request's path */
    unsigned char addr[20]; /* its EVM address */
} own_keys;

static int own_keys_init(own_keys *k, const mpc_context *mpc, const mpc_keyshare *share, const uint32_t *path,
        size_t path_len) {
    mpc_keyshare_info info;
    mpc_bip32_xpub child;
    mpc_scalar tau;
    secp256k1_pubkey pub;
    unsigned char full[65];
    size_t full_len = sizeof(full);

    memset(k, 0, sizeof(*k));
    k->mpc = mpc;
    mpc_keyshare_get_info(mpc, &info, share);
    memcpy(k->root.chain_code, info.chaincode, 32);
    if (mpc_point_parse(mpc, &k->root.pk, info.pubkey) != MPC_OK ||
            mpc_bip32_derive_path(mpc, &child, &tau, &k->root, path, path_len) != MPC_OK ||
            mpc_point_serialize(mpc, k->pk, &child.pk) != MPC_OK ||
            !secp256k1_ec_pubkey_parse(secp256k1_context_static, &pub, k->pk, 33) ||
            !secp256k1_ec_pubkey_serialize(secp256k1_context_static, full, &full_len, &pub, SECP256K1_EC_UNCOMPRESSED))
        return -1;
    payload_eth_addr_from_pubkey(k->addr, full + 1);
    return 0;
}

/* Bitcoin change recognition (payload/psbt.h): an output is ours only if deriving its claimed
 * origin path from our root gives exactly its key. The origin's fingerprint is not trusted. */
static int own_psbt_key(void *ctx, const uint8_t pubkey[33], const payload_btc_key_origin *origin) {
    const own_keys *k = ctx;
    mpc_bip32_xpub child;
    mpc_scalar tau;
    unsigned char pk[33];
    size_t i;

    for (i = 0; i < origin->depth; i++)
        if (origin->path[i] >= MPC_BIP32_HARDENED)
            return 0;
    return mpc_bip32_derive_path(k->mpc, &child, &tau, &k->root, origin->path, origin->depth) == MPC_OK &&
           mpc_point_serialize(k->mpc, pk, &child.pk) == MPC_OK && memcmp(pk, pubkey, 33) == 0;
}

/* Every input a PSBT asks to sign must be spent by the key and path of the request: one set of
 * approvals covers all of them, so none may belong to another key or path. */
static int psbt_inputs_ours(const payload_summary_work *work, const payload_summary *sum, const own_keys *k) {
    const payload_btc_psbt_summary *info = &work->u.btc.info;
    size_t d, i;
    int found;

    for (d = 0; d < sum->n_digests; d++) {
        found = 0;
        for (i = 0; i < info->n_in && !found; i++)
            if (memcmp(info->in[i].digest, sum->digests[d].digest, 32) == 0) {
                if (memcmp(info->in[i].pubkey, k->pk, 33) != 0)
                    return 0;
                found = 1;
            }
        if (!found)
            return 0;
    }
    return 1;
}

/* With a policy: decode with the enclave's own context and judge the digest req->digest_index of
 * the payload (several only for a PSBT whose inputs are all ours); approvals at SIGN_START. */
static int sign_request_policy(enc_ipc *e, const Mpc__Enclave__SignRequest *req, const mpc_keyshare *share,
        const enc_policy *pol) {
    payload_summary_work *work = NULL;
    payload_summary *sum = NULL;
    payload_summary_ctx ctx;
    payload_fingerprint fp;
    payload_err perr;
    sign_eval ev;
    own_keys own;
    char *text = NULL, hk[HEX32], why[PAYLOAD_ERR_MAX + 128];
    size_t text_len = 0;
    int r, built = 0;

    memset(&ev, 0, sizeof(ev));
    memset(&ctx, 0, sizeof(ctx));
    memset(&fp, 0, sizeof(fp));
    if ((work = malloc(sizeof(*work))) == NULL || (sum = calloc(1, sizeof(*sum))) == NULL ||
            (text = malloc(VERDICT_TEXT_MAX)) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    text[0] = '\0';
    hex32(hk, req->key_id.data);
    ctx.chain_id = pol->chain_id;
    ctx.native_symbol = pol->native_symbol;
    ctx.btc_network = pol->btc_network;
    ctx.registry = &pol->registry;
    ctx.multisend_call_only = pol->multisend;
    ctx.n_multisend_call_only = pol->n_multisend;
    ctx.key_id = hk;
    ctx.path = req->n_derivation_path > 0 ? req->derivation_path : NULL;
    ctx.path_len = req->n_derivation_path;
    /* Filled by own_keys_init below, before the payload is decoded. */
    ctx.own_address = own.addr;
    ctx.is_own = own_psbt_key;
    ctx.is_own_ctx = &own;
    if (share == NULL) {
        ev.reason = "denied: unknown key";
    } else if (own_keys_init(&own, e->engine->mpc, share, ctx.path, ctx.path_len) != 0) {
        ev.reason = "denied: the derivation path cannot be derived from this key (hardened or invalid step)";
    } else if (req->request_id.len != 32) {
        ev.reason = "denied: with a policy the request id must be the coordinator's 32-byte id (approvals bind it)";
    } else if (payload_type_name(req->payload_type) == NULL) {
        ev.reason = "denied: unknown payload type";
    } else if (payload_summary_build(&perr, sum, work, &ctx, (payload_type)req->payload_type, req->payload.data,
                       req->payload.len) != PAYLOAD_OK) {
        snprintf(why, sizeof(why), "denied: payload refused: %s", perr.msg);
        ev.reason = why;
    } else if ((built = 1, fp = sum->fingerprint, sum->n_digests == 0)) {
        ev.reason = "denied: the payload has no digest to sign";
    } else if (sum->n_digests > 1 && req->payload_type != PAYLOAD_TYPE_PSBT) {
        snprintf(why, sizeof(why), "denied: %zu digests in a payload that is not a PSBT", sum->n_digests);
        ev.reason = why;
    } else if (req->payload_type == PAYLOAD_TYPE_PSBT && !psbt_inputs_ours(work, sum, &own)) {
        ev.reason = sum->n_digests == 1 ?
                "denied: the PSBT input to sign is not spent by this key at the request's derivation path" :
                "denied: a PSBT input to sign is not spent by this key at the request's derivation path";
    } else if (req->digest_index >= sum->n_digests) {
        snprintf(why, sizeof(why), "denied: digest index %u, but the payload has %zu digest(s)",
                (unsigned)req->digest_index, sum->n_digests);
        ev.reason = why;
    } else {
        memcpy(ev.digest, sum->digests[req->digest_index].digest, 32);
        /* The fingerprint subject is the digest itself when there is one and the hash of the
         * digest set when there are several (payload/fingerprint.h): what approvals name. */
        memcpy(ev.approval_subject, fp.subject, 32);
        evaluate_session(e, &ev, req, share);
        if (ev.allow)
            ev.reason = "allowed: signs after the approval quorum at SIGN_START";
    }
    if (built && payload_summary_render_text(&perr, text, PAYLOAD_SUMMARY_RENDER_MAX, &text_len, sum) != PAYLOAD_OK) {
        r = ENC_E_INTERNAL;
        goto out;
    }
    if (ev.allow)
        snprintf(text + text_len, VERDICT_TEXT_MAX - text_len, "approvals_required: %u of %zu\ndecision: %s\n",
                (unsigned)pol->approvers.quorum, pol->approvers.count, ev.reason);
    else
        snprintf(text + text_len, VERDICT_TEXT_MAX - text_len, "decision: %s\n", ev.reason);
    if (ev.allow)
        verdict_remember(e->engine, req, &ev);
    if ((r = audit_verdict(e, req, &ev)) == ENC_OK)
        r = send_verdict(e, req, &ev, &fp, text, built ? sum->n_digests : 0);
out:
    free(work);
    free(sum);
    free(text);
    return r;
}

/* The key was created under a policy this enclave does not hold now (the parent withheld or
 * swapped the policy blob): denied, whatever the payload. */
static int sign_request_unbound(enc_ipc *e, const Mpc__Enclave__SignRequest *req) {
    static const char reason[] =
            "denied: this key was created under a policy that is not loaded (policy blob withheld or swapped)";
    sign_eval ev;
    int r;

    memset(&ev, 0, sizeof(ev));
    if ((r = audit_verdict(e, req, &ev)) != ENC_OK)
        return r;
    return send_verdict(e, req, &ev, NULL, reason, 0);
}

int enc_session_h_sign_request(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__SignRequest *req = in->sign_request;
    struct enc_engine *g = e->engine;
    const enc_policy *pol = enc_state_policy(g->store);
    const unsigned char *bound;
    char text[300], hk[HEX32];
    int r;

    hex32(hk, req->key_id.data);
    snprintf(text, sizeof(text), "sign request key=%s type=%u bytes=%zu", hk, (unsigned)req->payload_type,
            req->payload.len);
    if ((r = enc_session_audit(e, ENC_AUDIT_SIGN_REQUEST, text)) != ENC_OK)
        return r;
    bound = enc_state_key_policy(g->store, req->key_id.data);
    if (bound != NULL && (pol == NULL || sodium_memcmp(bound, pol->hash, 32) != 0))
        return sign_request_unbound(e, req);
    if (pol == NULL)
        return sign_request_interim(e, req, enc_state_key(g->store, req->key_id.data));
    return sign_request_policy(e, req, enc_state_key(g->store, req->key_id.data), pol);
}

/* ---------------------------------------------------------------------------------------------
 * Signing sessions
 * ------------------------------------------------------------------------------------------- */

/* The peers must be exactly the verdict's signing set without this enclave. */
static int sign_peers_match(const session *s, const verdict_entry *v, uint32_t self) {
    size_t i;

    if (s->npeers + 1 != v->signer_count)
        return 0;
    for (i = 0; i < v->signer_count; i++)
        if (v->signers[i] != self && peer_by_index(s, v->signers[i]) == NULL)
            return 0;
    return 1;
}

/* The approval quorum of the enclave's policy for the verdict v: evaluated on the request id, key
 * id and approval subject this enclave computed (the digest, or the digest set's fingerprint
 * subject), at the enclave's own clock. Returns 1 when approved; else
 * 0 with detail naming the outcome and every refused approval. The decision is audited. */
static int approvals_check(enc_ipc *e, char *detail, size_t detail_size, const enc_policy *pol,
        const verdict_entry *v, const Mpc__Enclave__SignStart *ss) {
    policy_approval_bytes items[POLICY_APPROVALS_MAX];
    policy_approval_result results[POLICY_APPROVALS_MAX];
    policy_verdict pv;
    policy_err perr;
    char hs[HEX32];
    size_t i, o;
    int ok;

    for (i = 0; i < ss->n_approvals; i++) {
        items[i].data = ss->approvals[i].data;
        items[i].len = ss->approvals[i].len;
    }
    memset(&pv, 0, sizeof(pv));
    if (policy_approval_check(&perr, &pv, ss->n_approvals > 0 ? results : NULL, &pol->approvers, v->request_id,
                v->key_id, v->approval_subject, now_ms() / 1000u, items, ss->n_approvals) != POLICY_OK) {
        snprintf(detail, detail_size, "approvals refused: %s", perr.msg);
        ok = 0;
    } else {
        ok = pv.verdict == POLICY_VERDICT_APPROVED;
        o = (size_t)snprintf(detail, detail_size, "approvals %s: %u of %u valid", policy_verdict_str(pv.verdict),
                (unsigned)pv.approvals, (unsigned)pv.quorum);
        if (pv.vetoed_by >= 0 && o < detail_size)
            o += (size_t)snprintf(detail + o, detail_size - o, "; vetoed by %s",
                    pol->approvers.approvers[pv.vetoed_by].name);
        for (i = 0; i < ss->n_approvals && o < detail_size; i++)
            if (results[i].status != POLICY_OK)
                o += (size_t)snprintf(detail + o, detail_size - o, "; approval %zu refused: %s", i,
                        policy_strerror(results[i].status));
    }
    hex32(hs, v->sigid);
    /* The audit record repeats the outcome; its payload limit cuts a very long list. */
    if (audit_fmt(e, ENC_AUDIT_VERDICT, "approval decision sigid=%s %s: %s", hs,
                ok ? "approved" : "refused", detail) != ENC_OK)
        return -1;
    return ok;
}

int enc_session_h_sign_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__SignStart *ss = in->sign_start;
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    verdict_entry *v = verdict_find(g, ss->sigid.data);
    const mpc_keyshare *share;
    unsigned char sigid[32];
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    mpc_sign_request sr;
    const enc_policy *pol = enc_state_policy(g->store);
    const char *detail = NULL;
    char text[200], hk[HEX32], hs[HEX32], *detail_owned = NULL;
    int r, refusal = 1;

    session_reset(s);
    s->kind = SESSION_SIGN;
    memcpy(s->session_id, ss->sigid.data, 32);
    if (v == NULL || (share = enc_state_key(g->store, v->key_id)) == NULL) {
        r = ENC_SESSION_E_REFUSED;
        goto out;
    }
    /* Approvals are judged before anything else, so a refused request burns no sigid. */
    if (pol == NULL && (ss->n_approvals > 0 || ss->request_id.len > 0)) {
        r = ENC_SESSION_E_APPROVALS;
        detail = "approvals refused: this enclave holds no policy to check them against";
        goto out;
    }
    if (pol != NULL) {
        if (ss->request_id.len != v->request_id_len ||
                memcmp(ss->request_id.data, v->request_id, v->request_id_len) != 0) {
            r = ENC_SESSION_E_APPROVALS;
            detail = "approvals refused: the request id is not the one of this sigid's verdict";
            goto out;
        }
        if ((detail_owned = malloc(APPROVAL_DETAIL_MAX)) == NULL) {
            r = ENC_E_NOMEM;
            refusal = 0;
            goto out;
        }
        detail = detail_owned;
        if ((r = approvals_check(e, detail_owned, APPROVAL_DETAIL_MAX, pol, v, ss)) < 0) {
            r = ENC_E_INTERNAL;
            refusal = 0;
            goto out;
        }
        if (r == 0) {
            r = ENC_SESSION_E_APPROVALS;
            goto out;
        }
        detail = NULL;
    }
    memcpy(s->key_id, v->key_id, 32);
    if ((r = session_peers(s, g->store, v->key_id, ss->peers, ss->n_peers)) != ENC_OK)
        goto out;
    if (!sign_peers_match(s, v, e->party_index)) {
        r = ENC_SESSION_E_PEERS;
        goto out;
    }
    /* The used-session set is consulted and updated before libmpc can draw any nonce. */
    if ((r = enc_state_sigid_used(g->store, v->key_id, v->sigid)) != 0) {
        r = r == 1 ? ENC_SESSION_E_REFUSED : r;
        goto out;
    }
    sr.signers = v->signers;
    sr.signer_count = v->signer_count;
    sr.msg_digest32 = v->digest;
    sr.path = v->path_len > 0 ? v->path : NULL;
    sr.path_len = v->path_len;
    sr.coord_nonce32 = v->coord_nonce;
    if ((r = mpc_sign_create(g->mpc, &s->sign, sigid, share, &sr)) != MPC_OK)
        goto out;
    if (sodium_memcmp(sigid, v->sigid, 32) != 0) {
        r = ENC_E_INTERNAL;
        refusal = 0;
        goto out;
    }
    if ((r = enc_chan_session_create(&s->chan, e->identity, e->party_index, s->key_id, s->session_id, s->peers,
                 s->npeers)) != ENC_OK) {
        r = r == ENC_E_ARG ? ENC_SESSION_E_PEERS : r;
        goto out;
    }
    refusal = 0;
    if ((r = enc_state_sigid_add(g->store, v->key_id, v->sigid)) != ENC_OK) {
        /* A full set refuses the session (the key must be refreshed); it never forgets a sigid. */
        refusal = r == ENC_STATE_E_FULL;
        goto out;
    }
    if ((r = enc_state_seal_used(g->store, e->backend, &blob, &blob_len, v->key_id)) != ENC_OK)
        goto out;
    crypto_generichash(s->stored_hash, 32, blob, blob_len, NULL, 0);
    memset(v, 0, sizeof(*v));
    hex32(hk, s->key_id);
    hex32(hs, s->session_id);
    snprintf(text, sizeof(text), "sign session start key=%s sigid=%s", hk, hs);
    if ((r = enc_session_audit(e, ENC_AUDIT_SIGN, text)) != ENC_OK ||
            (r = send_sealed(e, ENC_SEAL_KIND_USED_SESSIONS, s->key_id, blob, blob_len)) != ENC_OK)
        goto out;
    e->state = ENC_IPC_ST_SIGN_STORE;
    r = send_status(e, ENC_OK, "sigid recorded; store the used-session blob, then send STORED", s->session_id, 0,
            NULL);
out:
    free(blob);
    if (r != ENC_OK && refusal)
        r = session_fail_detail(e, r, NULL, detail);
    free(detail_owned);
    return r;
}

int enc_session_h_stored(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__Stored *st = in->stored;
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    const mpc_msg_out *out = NULL;
    size_t out_count = 0;
    mpc_blame blame;
    int r;

    /* Acknowledging another blob than the one just sent is a broken parent: fail closed. */
    if (st->kind != ENC_SEAL_KIND_USED_SESSIONS || memcmp(st->key_id.data, s->key_id, 32) != 0 ||
            sodium_memcmp(st->blob_hash.data, s->stored_hash, 32) != 0)
        return ENC_IPC_E_FIELD;
    memset(&blame, 0, sizeof(blame));
    if ((r = mpc_sign_next(g->mpc, &out, &out_count, &blame, s->sign, NULL, 0)) != MPC_OK)
        return session_fail(e, r, &blame);
    return send_first_round(e, s, ENC_IPC_ST_SIGNING, out, out_count);
}

int enc_session_h_sign_round(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__RoundMessages *rm = in->sign_round;
    struct enc_engine *g = e->engine;
    session *s = &g->s;
    const mpc_msg_out *out = NULL;
    size_t out_count = 0;
    mpc_blame blame;
    in_batch ib;
    out_batch b;
    char text[200], hs[HEX32];
    int r, failed = 0;

    ib.count = 0;
    b.count = 0;
    memset(&blame, 0, sizeof(blame));
    if ((r = open_round(&ib, s, rm, ENC_CHAN_P2P)) != ENC_OK ||
            (r = mpc_sign_next(g->mpc, &out, &out_count, &blame, s->sign, ib.in, ib.count)) != MPC_OK) {
        failed = 1;
        goto out;
    }
    if ((r = seal_round(&b, s, (uint16_t)(rm->round + 1), out, out_count)) != ENC_OK)
        goto out;
    s->next_round = rm->round + 1;
    if (s->next_round < MPC_SIGN_ROUNDS) {
        r = send_round(e, s, s->next_round, &b, NULL);
        goto out;
    }
    /* Round 3 is this signer's last message: it goes to the peers and, as public bytes, to the
     * combiner. The session (and every nonce) ends here. */
    if (out_count != 1) {
        r = ENC_E_INTERNAL;
        goto out;
    }
    /* Audit frames always precede the reply they belong to. */
    hex32(hs, s->session_id);
    snprintf(text, sizeof(text), "sign session end sigid=%s (round-3 broadcast)", hs);
    if ((r = enc_session_audit(e, ENC_AUDIT_SIGN, text)) != ENC_OK ||
            (r = send_round(e, s, s->next_round, &b, &out[0])) != ENC_OK)
        goto out;
    session_reset(s);
    e->state = ENC_IPC_ST_SERVING;
out:
    in_batch_free(&ib);
    out_batch_free(&b);
    if (failed)
        return session_fail(e, r, &blame);
    return r;
}
