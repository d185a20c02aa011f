#include "coord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <secp256k1.h>
#include <sodium.h>

#include <mpc/bip32.h>
#include <mpc/point.h>
#include <mpc/protocol.h>

#include "assemble.h"
#include "conn.h"
#include "envelope.h"
#include "payload/addr_eth.h"
#include "payload/summary.h"
#include "policy/approval.h"
#include "store.h"
#include "tls.h"
#include "verdict.h"
#include "wire.h"

#define MAX_ATTEMPTS 3
#define TICK_MS 100u
#define MIN_IDLE_MS 30000u
#define COORD_MAX_PAYLOAD (1u << 20)
#define COORD_MAX_PATH 16u
#define COORD_FINGERPRINT_MAX 96u
#define COORD_WORDS_MAX 256u

typedef struct coord_key {
    unsigned char key_id[32], public_key[33], chain_code[32];
    uint32_t n, t, epoch;
    char signers[MPC_MAX_PARTIES][CFG_ID_MAX + 1]; /* by party index - 1 */
    struct coord_key *next;
} coord_key;

/* What a requester sees of a request (RequestInfo). Sign requests are persisted through the store;
 * keygen and refresh ceremonies persist their outcome, the key. */
typedef struct {
    unsigned char request_id[32];
    uint32_t kind, state;
    uint32_t n, t; /* keygen, refresh */
    unsigned char key_id[32];
    unsigned char new_key_id[32]; /* refresh, once done */
    uint32_t payload_type;
    unsigned char *payload;
    size_t payload_len;
    uint32_t path[COORD_MAX_PATH];
    size_t path_len;
    char requester[CFG_ID_MAX + 1];
    char idempotency_key[WIRE_IDEMPOTENCY_MAX + 1];
    char error[512];
    uint64_t created_ms, finished_ms;
    int has_digest;
    unsigned char digest[32];
    unsigned char signature[64];
    uint32_t recovery_id;
    unsigned char public_key[33];
    assemble_out out; /* sign, once done: what the requester gets besides the signature */
    size_t n_quorum;
    char quorum[MPC_MAX_PARTIES][CFG_ID_MAX + 1];
    store_request_status sst; /* the state the store holds */
} coord_request;

typedef struct {
    char id[CFG_ID_MAX + 1];
    unsigned char identity_pk[32];
    net_conn *conn;
    int ready; /* SignerInfo received and matched the pinned identity key */
} signer;

typedef struct {
    int have;
    unsigned char digest[32];
    unsigned char sigid[32];
    char *summary;
    unsigned char fingerprint[COORD_FINGERPRINT_MAX]; /* the enclave's printable fingerprint text */
    size_t fingerprint_len;
    char words[COORD_WORDS_MAX + 1];
    uint32_t decision;
    uint32_t approvals_required;
    uint32_t digest_count;          /* how many digests the enclave found in the payload */
    unsigned char subject[32];      /* version 2: the fingerprint subject (signed) */
    unsigned char identity_sig[64]; /* the enclave's signature of the verdict */
    int stored;                     /* written to the store */
} view;

typedef struct {
    int have;
    unsigned char key_id[32], public_key[33], chain_code[32], public_hash[32];
    uint32_t epoch;
} keygen_report;

typedef struct request {
    coord_request rec; /* the persisted part */
    /* sign: per party index - 1 of the key */
    view views[MPC_MAX_PARTIES];
    uint32_t asked;    /* bit per party: SignPayload sent in this attempt */
    uint32_t answered; /* bit per party: SignerResult received in this attempt */
    uint32_t excluded; /* bit per party: failed in an earlier session of this request */
    int attempts;
    /* A payload with several digests (a PSBT with several inputs) is signed one digest per
     * session, in order, under one set of approvals: the digest this attempt signs, how many the
     * verdicts reported, and r->attempts when this digest's first attempt began. */
    uint32_t digest_index, digest_count;
    int index_attempts_base;
    /* What the operators' approvals name (policy/approval.h): the digest, or for several digests
     * the fingerprint subject of the set, which the verdicts of every digest's attempt share. */
    int has_subject;
    unsigned char approval_subject[32];
    /* operator approvals (policy/approval.h), at most one per approver key, in arrival order */
    unsigned char (*approvals)[POLICY_APPROVAL_BYTES];
    size_t n_approvals;
    /* the verdicts allow a session, which waits for members busy in another session */
    int start_waiting;
    /* the members' enclaves refused the approvals: a new attempt is needed once more arrive */
    int approvals_refused;
    /* the running session */
    int session_active;
    unsigned char session_id[32];
    unsigned char coord_nonce[32];
    size_t nparties;
    uint32_t party[MPC_MAX_PARTIES];     /* party indices of the session, ascending */
    int signer_of[MPC_MAX_PARTIES];      /* configuration index of each session member */
    unsigned char *output[MPC_MAX_PARTIES];
    size_t output_len[MPC_MAX_PARTIES];
    keygen_report reports[MPC_MAX_PARTIES];
    uint32_t round;
    uint64_t deadline_ms;
    struct request *next;
} request;

struct coord {
    uv_loop_t *loop;
    const cfg_coordinator *cfg;
    net_listener *listener;
    net_tls_ctx *tls;
    uv_timer_t tick;
    mpc_context *mpc;
    secp256k1_context *secp;
    store *db;
    signer signers[CFG_MAX_SIGNERS];
    coord_key *keys;
    request *requests;
    int stopping;
};

static const char *state_name(uint32_t s) {
    switch (s) {
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING: return "pending";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_RUNNING: return "running";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE: return "done";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED: return "failed";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED: return "blocked";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_AWAITING_APPROVAL: return "awaiting approval";
    default: return "?";
    }
}

static int is_final(uint32_t s) {
    return s == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE || s == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED ||
           s == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED;
}

static void short_hex(char out[17], const unsigned char id[32]) {
    wire_hex(out, id, 8);
}

static int random_bytes(unsigned char *out, size_t len) {
    return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

/* ---- lookups ------------------------------------------------------------------------------ */

static int signer_index(const coord *c, const char *id) {
    for (size_t i = 0; i < c->cfg->n_signers; i++) {
        if (strcmp(c->signers[i].id, id) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static signer *signer_of_conn(coord *c, const net_conn *conn) {
    for (size_t i = 0; i < c->cfg->n_signers; i++) {
        if (c->signers[i].conn == conn) {
            return &c->signers[i];
        }
    }
    return NULL;
}

/* Keys live in the store; the ones in use are cached here. */
static coord_key *find_key(coord *c, const unsigned char key_id[32]) {
    store_key sk;
    coord_key *k;
    char id[65];
    for (k = c->keys; k != NULL; k = k->next) {
        if (memcmp(k->key_id, key_id, 32) == 0) {
            return k;
        }
    }
    wire_hex(id, key_id, 32);
    if (store_key_get(c->db, &sk, id) != STORE_OK || sk.status != STORE_KEY_USABLE || !sk.has_public ||
            sk.n > MPC_MAX_PARTIES || sk.signers.n != sk.n) {
        return NULL;
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        return NULL;
    }
    memcpy(k->key_id, key_id, 32);
    memcpy(k->public_key, sk.public_key, 33);
    memcpy(k->chain_code, sk.chain_code, 32);
    k->n = sk.n;
    k->t = sk.t;
    k->epoch = sk.epoch;
    for (uint32_t i = 0; i < sk.n; i++) {
        snprintf(k->signers[i], sizeof(k->signers[i]), "%.64s", sk.signers.ids[i]);
    }
    k->next = c->keys;
    c->keys = k;
    return k;
}

static request *find_request(coord *c, const unsigned char id[32]) {
    for (request *r = c->requests; r != NULL; r = r->next) {
        if (memcmp(r->rec.request_id, id, 32) == 0) {
            return r;
        }
    }
    return NULL;
}

static request *find_idem(coord *c, const char *requester, const char *idem) {
    for (request *r = c->requests; r != NULL; r = r->next) {
        if (strcmp(r->rec.requester, requester) == 0 && strcmp(r->rec.idempotency_key, idem) == 0) {
            return r;
        }
    }
    return NULL;
}

static request *find_session(coord *c, const unsigned char session_id[32]) {
    for (request *r = c->requests; r != NULL; r = r->next) {
        if (r->session_active && memcmp(r->session_id, session_id, 32) == 0) {
            return r;
        }
    }
    return NULL;
}

/* Party index of signer s within the running session of r, or 0. */
static uint32_t session_party(const coord *c, const request *r, const signer *s) {
    for (size_t i = 0; i < r->nparties; i++) {
        if (&c->signers[r->signer_of[i]] == s) {
            return r->party[i];
        }
    }
    return 0;
}

static int session_slot(const request *r, uint32_t party) {
    for (size_t i = 0; i < r->nparties; i++) {
        if (r->party[i] == party) {
            return (int)i;
        }
    }
    return -1;
}

/* ---- persistence -------------------------------------------------------------------------- */

static void hexid(char out[65], const unsigned char id[32]) {
    wire_hex(out, id, 32);
}

static void db_warn(coord *c, const char *what) {
    net_log(NET_LOG_WARN, "store: %s failed: %s", what, store_errmsg(c->db));
}

static void path_text(char *out, size_t cap, const uint32_t *path, size_t len) {
    size_t used = (size_t)snprintf(out, cap, "m");
    for (size_t i = 0; i < len && used < cap; i++) {
        used += (size_t)snprintf(out + used, cap - used, "/%u", path[i]);
    }
}

/* Moves a sign request's stored state (keygen ceremonies persist only their key). */
static int db_move(coord *c, request *r, store_request_status to, const char *reason) {
    char id[65];
    if (r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN || r->rec.sst == to) {
        return 0;
    }
    hexid(id, r->rec.request_id);
    if (store_request_transition(c->db, id, r->rec.sst, to, reason) != STORE_OK) {
        db_warn(c, "request transition");
        return -1;
    }
    r->rec.sst = to;
    return 0;
}

static void db_session_end(coord *c, request *r, store_session_state state, const char *reason) {
    char id[65];
    if (r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
        return;
    }
    hexid(id, r->session_id);
    if (store_session_end(c->db, id, state, state == STORE_SESSION_ABORTED ? reason : NULL) != STORE_OK) {
        db_warn(c, "session end");
    }
}

static void finish(coord *c, request *r, uint32_t state, const char *why) {
    char idh[17], reason[600];
    if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN && state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE) {
        store_result res;
        memset(&res, 0, sizeof(res));
        hexid(res.request_id, r->rec.request_id);
        memcpy(res.signature, r->rec.signature, 64);
        res.signature[64] = (uint8_t)r->rec.recovery_id;
        res.output = r->rec.out.output;
        res.output_len = r->rec.out.output_len;
        if (store_result_put(c->db, &res) != STORE_OK) {
            db_warn(c, "result");
            state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED;
            why = "the signature could not be stored";
            memset(r->rec.signature, 0, 64);
        } else {
            r->rec.sst = STORE_REQ_DONE;
        }
    }
    if (state != MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE) {
        /* The store knows one failed state; a blocked request says so in its reason. */
        snprintf(reason, sizeof(reason), "%s%s", state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED ?
                "blocked: " : "", why);
        (void)db_move(c, r, STORE_REQ_FAILED, reason);
    }
    r->rec.state = state;
    r->rec.finished_ms = wire_now_ms();
    r->deadline_ms = 0;
    snprintf(r->rec.error, sizeof(r->rec.error), "%s", why != NULL ? why : "");
    short_hex(idh, r->rec.request_id);
    net_log(state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE ? NET_LOG_INFO : NET_LOG_WARN,
            "request %s: %s%s%s", idh, state_name(state), why != NULL ? ": " : "", why != NULL ? why : "");
}

/* ---- sending ------------------------------------------------------------------------------ */

static int send_to(signer *s, const Mpc__Wire__Envelope *env) {
    int r;
    if (s->conn == NULL || !s->ready) {
        return NET_E_STATE;
    }
    r = wire_send(s->conn, env);
    if (r != NET_OK) {
        net_log(NET_LOG_WARN, "send to signer %s failed: %s", s->id, net_strerror(r));
    }
    return r;
}

static void fill_participants(coord *c, request *r, Mpc__Wire__Participant *parts, Mpc__Wire__Participant **pp) {
    for (size_t i = 0; i < r->nparties; i++) {
        signer *s = &c->signers[r->signer_of[i]];
        mpc__wire__participant__init(&parts[i]);
        parts[i].party_index = r->party[i];
        parts[i].signer_id = s->id;
        parts[i].identity_pk.data = s->identity_pk;
        parts[i].identity_pk.len = 32;
        pp[i] = &parts[i];
    }
}

static void clear_session(request *r) {
    for (size_t i = 0; i < MPC_MAX_PARTIES; i++) {
        free(r->output[i]);
        r->output[i] = NULL;
        r->output_len[i] = 0;
    }
    memset(r->reports, 0, sizeof(r->reports));
    r->session_active = 0;
    r->nparties = 0;
    r->round = 0;
}

static void abort_session(coord *c, request *r, const char *why) {
    Mpc__Wire__SessionAbort ab = MPC__WIRE__SESSION_ABORT__INIT;
    Mpc__Wire__Envelope env;
    char sh[17];
    ab.session_id.data = r->session_id;
    ab.session_id.len = 32;
    ab.reason = (char *)why;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_ABORT, &ab);
    short_hex(sh, r->session_id);
    net_log(NET_LOG_WARN, "session %s aborted: %s", sh, why);
    db_session_end(c, r, STORE_SESSION_ABORTED, why);
    for (size_t i = 0; i < r->nparties; i++) {
        (void)send_to(&c->signers[r->signer_of[i]], &env);
    }
    clear_session(r);
}

static void session_failed(coord *c, request *r, uint32_t blamed_party, const char *why);

/* ---- keygen ------------------------------------------------------------------------------- */

static void session_when_free(coord *c, request *r);

/* A DKG, or for a refresh request the same ceremony over the key's n signers; every one of
 * them must take part. It starts once none of them is in another session (keygen_session). */
static void keygen_begin(coord *c, request *r) {
    size_t have = 0;

    /* Enclaves have fixed party indices: a key of n signers is made (and refreshed) by configured
     * signers 1..n. */
    for (size_t i = 0; i < r->rec.n; i++) {
        if (c->signers[i].ready) {
            r->party[have] = (uint32_t)i + 1;
            r->signer_of[have] = (int)i;
            have++;
        }
    }
    if (have < r->rec.n) {
        char why[128];
        snprintf(why, sizeof(why), "only %zu of signers 1..%u are connected", have, r->rec.n);
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, why);
        return;
    }
    r->nparties = have;
    session_when_free(c, r);
}

static void keygen_session(coord *c, request *r) {
    Mpc__Wire__Participant parts[MPC_MAX_PARTIES], *pp[MPC_MAX_PARTIES];
    Mpc__Wire__KeygenStart ks = MPC__WIRE__KEYGEN_START__INIT;
    Mpc__Wire__Envelope env;
    int refresh = r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH;
    size_t have = r->nparties;
    char sh[17];

    r->start_waiting = 0;
    if (random_bytes(r->session_id, 32) != 0) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "no randomness");
        return;
    }
    r->session_active = 1;
    r->round = 0;
    r->deadline_ms = wire_now_ms() + c->cfg->round_ms;
    r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_RUNNING;
    fill_participants(c, r, parts, pp);
    ks.session_id.data = r->session_id;
    ks.session_id.len = 32;
    ks.n = r->rec.n;
    ks.t = r->rec.t;
    ks.n_participants = have;
    ks.participants = pp;
    if (refresh) {
        ks.key_id.data = r->rec.key_id;
        ks.key_id.len = 32;
    }
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_START, &ks);
    short_hex(sh, r->session_id);
    net_log(NET_LOG_INFO, "%s session %s: %u-of-%u started", refresh ? "refresh" : "keygen", sh, r->rec.t,
            r->rec.n);
    for (size_t i = 0; i < have; i++) {
        if (send_to(&c->signers[r->signer_of[i]], &env) != NET_OK) {
            abort_session(c, r, "a signer could not be reached");
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "a signer could not be reached");
            return;
        }
    }
}

/* A key all enclaves agreed on: created and activated in one transaction. A refreshed key is a new
 * key id at the refreshed epoch; the key it replaces (old, or NULL) is retired in the same
 * transaction, so the store never shows both usable or neither. */
static int db_put_key(coord *c, const coord_key *k, const coord_key *old) {
    char old_id[65];
    store_key sk;
    memset(&sk, 0, sizeof(sk));
    hexid(sk.key_id, k->key_id);
    sk.n = k->n;
    sk.t = k->t;
    sk.signers.n = k->n;
    for (uint32_t i = 0; i < k->n; i++) {
        snprintf(sk.signers.ids[i], sizeof(sk.signers.ids[i]), "%s", k->signers[i]);
    }
    if (store_begin(c->db) != STORE_OK) {
        db_warn(c, "begin");
        return -1;
    }
    if (old != NULL) {
        hexid(old_id, old->key_id);
    }
    if (store_key_create(c->db, &sk) != STORE_OK ||
            store_key_activate(c->db, sk.key_id, k->public_key, k->chain_code) != STORE_OK ||
            (k->epoch > 0 && store_key_set_epoch(c->db, sk.key_id, 0, k->epoch) != STORE_OK) ||
            (old != NULL && store_key_retire(c->db, old_id) != STORE_OK)) {
        db_warn(c, "key");
        store_rollback(c->db);
        return -1;
    }
    if (store_commit(c->db) != STORE_OK) {
        db_warn(c, "commit");
        return -1;
    }
    return 0;
}

/* The refreshed key's old id is retired in the store: its unfinished signing requests cannot
 * complete any more (the enclaves replaced the share), so they fail and the requester resubmits
 * with the new key id. */
static void retire_cached_key(coord *c, coord_key *old) {
    for (request *r = c->requests; r != NULL; r = r->next) {
        if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN && !is_final(r->rec.state) &&
                memcmp(r->rec.key_id, old->key_id, 32) == 0) {
            if (r->session_active) {
                abort_session(c, r, "the key was refreshed");
            }
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED,
                    "the key was refreshed during the request; resubmit with the new key id");
        }
    }
    for (coord_key **pp = &c->keys; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == old) {
            *pp = old->next;
            free(old);
            return;
        }
    }
}

static void on_keygen_result(coord *c, signer *s, const Mpc__Wire__KeygenResult *kr) {
    request *r = find_session(c, kr->session_id.data);
    Mpc__Wire__SessionCommit cm = MPC__WIRE__SESSION_COMMIT__INIT;
    Mpc__Wire__Envelope env;
    coord_key *k = NULL, *old = NULL;
    uint32_t party;
    int slot;

    if (kr->session_id.len != 32 || r == NULL || r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
        net_log(NET_LOG_WARN, "signer %s: keygen result for an unknown session; ignored", s->id);
        return;
    }
    party = session_party(c, r, s);
    slot = session_slot(r, party);
    if (slot < 0 || kr->key_id.len != 32 || kr->public_key.len != 33 || kr->chain_code.len != 32 ||
            kr->public_hash.len != 32 || r->reports[slot].have) {
        net_log(NET_LOG_WARN, "signer %s: malformed or duplicate keygen result; ignored", s->id);
        return;
    }
    r->reports[slot].have = 1;
    memcpy(r->reports[slot].key_id, kr->key_id.data, 32);
    memcpy(r->reports[slot].public_key, kr->public_key.data, 33);
    memcpy(r->reports[slot].chain_code, kr->chain_code.data, 32);
    memcpy(r->reports[slot].public_hash, kr->public_hash.data, 32);
    r->reports[slot].epoch = kr->epoch;
    for (size_t i = 0; i < r->nparties; i++) {
        if (!r->reports[i].have) {
            return;
        }
    }
    for (size_t i = 1; i < r->nparties; i++) {
        if (memcmp(&r->reports[i].key_id, &r->reports[0].key_id, 32) != 0 ||
                memcmp(r->reports[i].public_key, r->reports[0].public_key, 33) != 0 ||
                memcmp(r->reports[i].chain_code, r->reports[0].chain_code, 32) != 0 ||
                memcmp(r->reports[i].public_hash, r->reports[0].public_hash, 32) != 0 ||
                r->reports[i].epoch != r->reports[0].epoch) {
            abort_session(c, r, "signers reported different keys");
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED,
                    "the signers' public keys or public-state hashes differ");
            return;
        }
    }
    if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH) {
        old = find_key(c, r->rec.key_id);
        /* A refresh changes the shares, never the key: anything else is a broken or lying enclave. */
        if (old == NULL || memcmp(r->reports[0].public_key, old->public_key, 33) != 0 ||
                memcmp(r->reports[0].chain_code, old->chain_code, 32) != 0 ||
                r->reports[0].epoch != old->epoch + 1 || memcmp(r->reports[0].key_id, old->key_id, 32) == 0) {
            abort_session(c, r, "the refreshed key does not match the old one");
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED,
                    "the refreshed key's public key, chain code or epoch does not match the key");
            return;
        }
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        abort_session(c, r, "out of memory");
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "out of memory");
        return;
    }
    memcpy(k->key_id, r->reports[0].key_id, 32);
    memcpy(k->public_key, r->reports[0].public_key, 33);
    memcpy(k->chain_code, r->reports[0].chain_code, 32);
    k->epoch = r->reports[0].epoch;
    k->n = r->rec.n;
    k->t = r->rec.t;
    for (size_t i = 0; i < r->nparties; i++) {
        snprintf(k->signers[i], sizeof(k->signers[i]), "%s", c->signers[r->signer_of[i]].id);
    }
    if (db_put_key(c, k, old) != 0) {
        free(k);
        abort_session(c, r, "store failure");
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "the key could not be stored");
        return;
    }
    if (old != NULL) {
        retire_cached_key(c, old);
    }
    k->next = c->keys;
    c->keys = k;
    ProtobufCBinaryData hashes[MPC_MAX_PARTIES];
    for (size_t i = 0; i < r->nparties; i++) {
        hashes[i].data = r->reports[i].public_hash;
        hashes[i].len = 32;
    }
    cm.session_id.data = r->session_id;
    cm.session_id.len = 32;
    cm.key_id.data = k->key_id;
    cm.key_id.len = 32;
    cm.public_hashes = hashes;
    cm.n_public_hashes = r->nparties;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_COMMIT, &cm);
    for (size_t i = 0; i < r->nparties; i++) {
        (void)send_to(&c->signers[r->signer_of[i]], &env);
    }
    if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH) {
        memcpy(r->rec.new_key_id, k->key_id, 32);
    } else {
        memcpy(r->rec.key_id, k->key_id, 32);
    }
    memcpy(r->rec.public_key, k->public_key, 33);
    clear_session(r);
    finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE, NULL);
}

/* ---- signing ------------------------------------------------------------------------------ */

/* Party p of every key is the configured signer at position p (enclaves have fixed indices). */
static int key_party_signer(coord *c, const coord_key *k, uint32_t party) {
    return signer_index(c, k->signers[party - 1]);
}

static void key_info(mpc_keyshare_info *info, const coord_key *k) {
    memset(info, 0, sizeof(*info));
    info->n = k->n;
    info->t = k->t;
    info->epoch = k->epoch;
    memcpy(info->sid, k->key_id, 32);
    memcpy(info->pubkey, k->public_key, 33);
    memcpy(info->chaincode, k->chain_code, 32);
}

/* The public facts of the current attempt for digest (sigid, derived key). */
static int attempt_public(coord *c, mpc_sign_public *pub, const request *r, const coord_key *k,
        const unsigned char digest[32]) {
    mpc_keyshare_info info;
    mpc_sign_request req;
    key_info(&info, k);
    memset(&req, 0, sizeof(req));
    req.signers = r->party;
    req.signer_count = r->nparties;
    req.msg_digest32 = digest;
    req.path = r->rec.path_len > 0 ? r->rec.path : NULL;
    req.path_len = r->rec.path_len;
    req.coord_nonce32 = r->coord_nonce;
    return mpc_sign_public_init(c->mpc, pub, &info, &req);
}

/*
 * One signing attempt: a signing set P of t ready signers and a fresh coord_nonce. The payload goes
 * to every ready signer of the key on the first attempt for each digest (so that every digest can
 * be compared) and to the members of P on later ones (each needs a verdict for the new set and
 * nonce). The attempt signs digest r->digest_index of the payload.
 */
static void sign_attempt(coord *c, request *r, coord_key *k) {
    Mpc__Wire__SignPayload sp = MPC__WIRE__SIGN_PAYLOAD__INIT;
    Mpc__Wire__Envelope env;
    size_t have = 0;

    if (r->attempts - r->index_attempts_base >= MAX_ATTEMPTS) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "no signing session succeeded");
        return;
    }
    for (uint32_t p = 1; p <= k->n && have < k->t; p++) {
        int si = key_party_signer(c, k, p);
        if (si < 0 || !c->signers[si].ready || (r->excluded & (1u << p))) {
            continue;
        }
        r->party[have] = p;
        r->signer_of[have] = si;
        have++;
    }
    if (have < k->t) {
        char why[160];
        snprintf(why, sizeof(why), "only %zu of the %u signers needed are available", have, k->t);
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, why);
        return;
    }
    if (random_bytes(r->coord_nonce, 32) != 0) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "no randomness");
        return;
    }
    r->nparties = have;
    r->attempts++;
    r->asked = 0;
    r->answered = 0;
    for (size_t i = 0; i < have; i++) {
        view *v = &r->views[r->party[i] - 1];
        free(v->summary);
        memset(v, 0, sizeof(*v));
    }
    sp.request_id.data = r->rec.request_id;
    sp.request_id.len = 32;
    sp.key_id.data = r->rec.key_id;
    sp.key_id.len = 32;
    sp.payload_type = r->rec.payload_type;
    sp.payload.data = r->rec.payload;
    sp.payload.len = r->rec.payload_len;
    sp.path = r->rec.path;
    sp.n_path = r->rec.path_len;
    sp.signers = r->party;
    sp.n_signers = have;
    sp.coord_nonce.data = r->coord_nonce;
    sp.coord_nonce.len = 32;
    sp.digest_index = r->digest_index;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_PAYLOAD, &sp);
    for (uint32_t p = 1; p <= k->n; p++) {
        int si = key_party_signer(c, k, p);
        int member = 0;
        for (size_t i = 0; i < have; i++) {
            member |= r->party[i] == p;
        }
        if (si < 0 || !c->signers[si].ready || (!member && r->attempts - r->index_attempts_base > 1)) {
            continue;
        }
#ifdef MPC_COORD_TAMPER_TEST
        /* Test build only (mpc-coordinatord-tamper): a compromised coordinator that shows party 2
         * other payload bytes than the rest, which the digest comparison must catch. */
        static unsigned char tampered[COORD_MAX_PAYLOAD];
        memcpy(tampered, r->rec.payload, r->rec.payload_len);
        tampered[r->rec.payload_len - 1] ^= p == 2 ? 1u : 0u;
        sp.payload.data = tampered;
#endif
        if (send_to(&c->signers[si], &env) == NET_OK) {
            r->asked |= 1u << p;
        }
    }
    r->deadline_ms = wire_now_ms() + c->cfg->decode_ms;
}

static void sign_begin(coord *c, request *r) {
    coord_key *k = find_key(c, r->rec.key_id);
    if (k == NULL) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "unknown key");
        return;
    }
    if (db_move(c, r, STORE_REQ_DECODING, NULL) != 0) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "the store refused the request");
        return;
    }
    sign_attempt(c, r, k);
}

static int db_session_create(coord *c, request *r) {
    store_session ss;
    memset(&ss, 0, sizeof(ss));
    hexid(ss.session_id, r->session_id);
    hexid(ss.request_id, r->rec.request_id);
    hexid(ss.key_id, r->rec.key_id);
    ss.kind = STORE_SESSION_SIGN;
    ss.signers.n = r->nparties;
    for (size_t i = 0; i < r->nparties; i++) {
        snprintf(ss.signers.ids[i], sizeof(ss.signers.ids[i]), "%s", c->signers[r->signer_of[i]].id);
    }
    if (store_session_create(c->db, &ss) != STORE_OK) {
        db_warn(c, "session create");
        return -1;
    }
    return 0;
}

static void sign_start_session(coord *c, request *r) {
    Mpc__Wire__Participant parts[MPC_MAX_PARTIES], *pp[MPC_MAX_PARTIES];
    Mpc__Wire__SessionStart ss = MPC__WIRE__SESSION_START__INIT;
    Mpc__Wire__Envelope env;
    ProtobufCBinaryData approvals[POLICY_APPROVALS_MAX];
    store_request_status was = r->rec.sst;
    char sh[17], who[256] = "";

    r->start_waiting = 0;
    r->session_active = 1;
    r->round = 0;
    r->deadline_ms = wire_now_ms() + c->cfg->round_ms;
    r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_RUNNING;
    r->rec.n_quorum = r->nparties;
    for (size_t i = 0; i < r->nparties; i++) {
        size_t used = strlen(who);
        snprintf(r->rec.quorum[i], sizeof(r->rec.quorum[i]), "%s", c->signers[r->signer_of[i]].id);
        snprintf(who + used, sizeof(who) - used, "%s%s", i ? "," : "", c->signers[r->signer_of[i]].id);
    }
    /* One transaction (one fsync) for the request's move to signing and its session record. */
    if (store_begin(c->db) != STORE_OK || db_move(c, r, STORE_REQ_AWAITING_APPROVAL, NULL) != 0 ||
            db_move(c, r, STORE_REQ_SIGNING, NULL) != 0 || db_session_create(c, r) != 0 ||
            store_commit(c->db) != STORE_OK) {
        store_rollback(c->db);
        r->rec.sst = was;
        clear_session(r);
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "the session could not be stored");
        return;
    }
    fill_participants(c, r, parts, pp);
    ss.session_id.data = r->session_id;
    ss.session_id.len = 32;
    ss.request_id.data = r->rec.request_id;
    ss.request_id.len = 32;
    ss.key_id.data = r->rec.key_id;
    ss.key_id.len = 32;
    ss.n_participants = r->nparties;
    ss.participants = pp;
    for (size_t i = 0; i < r->n_approvals; i++) {
        approvals[i].data = r->approvals[i];
        approvals[i].len = POLICY_APPROVAL_BYTES;
    }
    ss.approvals = approvals;
    ss.n_approvals = r->n_approvals;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_START, &ss);
    short_hex(sh, r->session_id);
    net_log(NET_LOG_INFO, "signing session %s (attempt %d) with signers %s", sh, r->attempts, who);
    for (size_t i = 0; i < r->nparties; i++) {
        if (send_to(&c->signers[r->signer_of[i]], &env) != NET_OK) {
            session_failed(c, r, r->party[i], "a signer could not be reached");
            return;
        }
    }
}

/* Whether configured signer si is a member of a running session (an enclave runs one at a time). */
static int signer_busy(const coord *c, int si) {
    for (const request *o = c->requests; o != NULL; o = o->next) {
        for (size_t i = 0; o->session_active && i < o->nparties; i++) {
            if (o->signer_of[i] == si) {
                return 1;
            }
        }
    }
    return 0;
}

static void start_waiting_sessions(coord *c);

/* Start r's session (signing, keygen or refresh) now if none of its members is in another
 * session, else once they are free (start_waiting_sessions); a signing request's verdicts stay
 * valid meanwhile. */
static void session_when_free(coord *c, request *r) {
    r->start_waiting = 1;
    r->deadline_ms = wire_now_ms() + c->cfg->approval_ms;
    start_waiting_sessions(c);
}

static int waiting(const request *r) {
    return r->start_waiting && !is_final(r->rec.state);
}

static int share_member(const request *a, const request *b) {
    for (size_t i = 0; i < a->nparties; i++) {
        for (size_t j = 0; j < b->nparties; j++) {
            if (a->signer_of[i] == b->signer_of[j]) {
                return 1;
            }
        }
    }
    return 0;
}

/* Oldest first per signer: a waiting session starts when its members are free and no older
 * waiting session needs one of them, so a keygen waiting for all n signers is not overtaken
 * forever by signing sessions that need only t. */
static void start_waiting_sessions(coord *c) {
    for (;;) {
        request *next = NULL;
        for (request *r = c->requests; r != NULL && next == NULL; r = r->next) {
            int startable = waiting(r);
            for (size_t i = 0; startable && i < r->nparties; i++) {
                startable = !signer_busy(c, r->signer_of[i]);
            }
            for (const request *o = c->requests; startable && o != NULL; o = o->next) {
                startable = o == r || !waiting(o) || o->rec.created_ms > r->rec.created_ms ||
                            (o->rec.created_ms == r->rec.created_ms &&
                                    memcmp(o->rec.request_id, r->rec.request_id, 32) > 0) ||
                            !share_member(o, r);
            }
            next = startable ? r : NULL;
        }
        if (next == NULL) {
            return;
        }
        if (next->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
            sign_start_session(c, next);
        } else {
            keygen_session(c, next);
        }
    }
}

/* The signing set's enclaves want operator approvals first: wait for them (on_approval), at most
 * approval_ms from the first time. */
static void await_approvals(coord *c, request *r) {
    if (r->rec.state != MPC__WIRE__REQUEST_STATE__REQUEST_STATE_AWAITING_APPROVAL) {
        char idh[17];
        r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_AWAITING_APPROVAL;
        r->deadline_ms = wire_now_ms() + c->cfg->approval_ms;
        if (db_move(c, r, STORE_REQ_AWAITING_APPROVAL, NULL) != 0) {
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "the store refused the request");
            return;
        }
        short_hex(idh, r->rec.request_id);
        net_log(NET_LOG_INFO, "request %s: the signers agree on the digest; waiting for operator approvals", idh);
    }
}

/* The largest approval quorum among the signing set's enclaves (0: none holds a policy). */
static uint32_t approvals_needed(const request *r) {
    uint32_t required = 0;
    for (size_t i = 0; i < r->nparties; i++) {
        const view *v = &r->views[r->party[i] - 1];
        required = v->approvals_required > required ? v->approvals_required : required;
    }
    return required;
}

/* Every view of this attempt not stored yet, in one transaction (one fsync) once the attempt is
 * decided. A later attempt asks again with another signing set; the store keeps the first record
 * of each signer. */
static void db_views_put(coord *c, request *r, const coord_key *k) {
    if (store_begin(c->db) != STORE_OK) {
        db_warn(c, "begin");
        return;
    }
    for (uint32_t p = 1; p <= k->n; p++) {
        view *v = &r->views[p - 1];
        store_signer_result res;
        if (!v->have || v->stored) {
            continue;
        }
        memset(&res, 0, sizeof(res));
        hexid(res.request_id, r->rec.request_id);
        snprintf(res.signer_id, sizeof(res.signer_id), "%s", k->signers[p - 1]);
        memcpy(res.digest, v->digest, 32);
        snprintf(res.summary, sizeof(res.summary), "%s", v->summary);
        snprintf(res.fingerprint, sizeof(res.fingerprint), "%.*s", (int)v->fingerprint_len,
                (const char *)v->fingerprint);
        res.verdict = v->decision == MPC__WIRE__DECISION__DECISION_APPROVE ? STORE_VERDICT_ALLOW :
                      v->decision == MPC__WIRE__DECISION__DECISION_NEEDS_APPROVAL ? STORE_VERDICT_NEEDS_APPROVAL :
                      STORE_VERDICT_DENY;
        memcpy(res.identity_sig, v->identity_sig, 64);
        v->stored = 1;
        if (store_signer_result_put(c->db, &res) != STORE_OK && r->attempts == 1) {
            db_warn(c, "signer result");
        }
    }
    if (store_commit(c->db) != STORE_OK) {
        db_warn(c, "commit");
        store_rollback(c->db);
    }
}

/* The digest count a verdict reports; a signer daemon that predates the field sends 0, which can
 * only mean the one digest it knew how to sign. */
static uint32_t view_digest_count(const view *v) {
    return v->digest_count > 0 ? v->digest_count : 1;
}

/* Compare what the signers reported; start the session once every member of P allowed it and the
 * approvals its enclaves asked for are there. The allowing verdicts must agree on the digest count
 * and fingerprint subject too, and both must stay those of the request's first digest. */
static void sign_evaluate(coord *c, request *r, int deadline_passed) {
    coord_key *k = find_key(c, r->rec.key_id);
    const view *first = NULL, *allowing = NULL;
    mpc_sign_public pub;
    uint32_t required, count;
    char why[300];

    if (k == NULL) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "unknown key");
        return;
    }
    for (uint32_t p = 1; p <= k->n; p++) {
        const view *v = &r->views[p - 1];
        if (!v->have) {
            continue;
        }
        if (first != NULL && memcmp(first->digest, v->digest, 32) != 0) {
            db_views_put(c, r, k);
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED,
                    "signers computed different digests for this payload");
            return;
        }
        first = v;
        if (v->decision == MPC__WIRE__DECISION__DECISION_REJECT) {
            continue;
        }
        if (allowing != NULL && (view_digest_count(allowing) != view_digest_count(v) ||
                memcmp(allowing->subject, v->subject, 32) != 0)) {
            db_views_put(c, r, k);
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED,
                    "signers found different digest sets in this payload");
            return;
        }
        allowing = v;
    }
    if ((r->asked & ~r->answered) != 0 && !deadline_passed) {
        return;
    }
    db_views_put(c, r, k);
    for (size_t i = 0; i < r->nparties; i++) {
        const view *v = &r->views[r->party[i] - 1];
        const char *id = c->signers[r->signer_of[i]].id;
        if (!v->have) {
            snprintf(why, sizeof(why), "signer %s did not answer in time", id);
            session_failed(c, r, r->party[i], why);
            return;
        }
        if (v->decision == MPC__WIRE__DECISION__DECISION_REJECT) {
            const char *last = strrchr(v->summary, '\n');
            snprintf(why, sizeof(why), "signer %s refused: %.200s", id, last != NULL ? last + 1 : v->summary);
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED, why);
            return;
        }
    }
    required = approvals_needed(r);
    /* Every member allowed (a refusal ended the request above), so allowing is a member's view. */
    count = view_digest_count(allowing);
    if (r->digest_index == 0 && !r->has_subject) {
        r->digest_count = count;
        memcpy(r->approval_subject, count > 1 ? allowing->subject : allowing->digest, 32);
        r->has_subject = 1;
    } else if (count != r->digest_count || memcmp(r->approval_subject,
                       count > 1 ? allowing->subject : allowing->digest, 32) != 0) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED,
                "the signers' digest set changed between the digests of this request");
        return;
    }
    memcpy(r->rec.digest, first->digest, 32);
    r->rec.has_digest = 1;
    if (attempt_public(c, &pub, r, k, r->rec.digest) != MPC_OK) {
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "the signing set or path is invalid");
        return;
    }
    for (size_t i = 0; i < r->nparties; i++) {
        if (memcmp(r->views[r->party[i] - 1].sigid, pub.sigid, 32) != 0) {
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED,
                    "a signer reported a session id that does not match the request");
            return;
        }
    }
    memcpy(r->session_id, pub.sigid, 32);
    memcpy(r->rec.public_key, pub.pubkey, 33);
    if (r->n_approvals < required) {
        await_approvals(c, r);
        return;
    }
    session_when_free(c, r);
}

/* A session member failed: exclude it and try again with another signing set. */
static void session_failed(coord *c, request *r, uint32_t blamed_party, const char *why) {
    if (r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
        abort_session(c, r, why);
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, why);
        return;
    }
    if (blamed_party != 0) {
        r->excluded |= 1u << blamed_party;
    }
    if (r->session_active) {
        abort_session(c, r, why);
        if (db_move(c, r, STORE_REQ_AWAITING_APPROVAL, NULL) != 0) {
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, "the store refused the retry");
            return;
        }
    } else {
        net_log(NET_LOG_WARN, "signing attempt %d failed: %s", r->attempts, why);
    }
    r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING;
    r->start_waiting = 0;
    sign_attempt(c, r, find_key(c, r->rec.key_id));
}

/* The verdict signature (enclave/verdict.h), checked with the identity key pinned in the
 * configuration, so that only what an enclave really said is shown and acted on. */
static int verdict_valid(const signer *s, const Mpc__Wire__SignerResult *sr) {
    enc_verdict_fields f;
    memset(&f, 0, sizeof(f));
    f.version = sr->verdict_version;
    f.request_id = sr->request_id.data;
    f.request_id_len = sr->request_id.len;
    f.key_id = sr->key_id.data;
    f.payload_type = sr->payload_type;
    f.digest = sr->digest.data;
    f.sigid = sr->session_id.data;
    f.derived_pk = sr->public_key.data;
    f.decision = sr->decision == MPC__WIRE__DECISION__DECISION_REJECT ? ENC_VERDICT_DENY : ENC_VERDICT_ALLOW;
    f.fingerprint_subject = sr->fingerprint_subject.data;
    f.fingerprint_hex = (const char *)sr->fingerprint.data;
    f.fingerprint_hex_len = sr->fingerprint.len;
    f.fingerprint_words = sr->fingerprint_words;
    f.fingerprint_words_len = strlen(sr->fingerprint_words);
    f.summary = sr->summary;
    f.summary_len = strlen(sr->summary);
    return enc_verdict_verify(sr->signature.data, s->identity_pk, &f) == 0;
}

static void on_signer_result(coord *c, signer *s, const Mpc__Wire__SignerResult *sr) {
    request *r = sr->request_id.len == 32 ? find_request(c, sr->request_id.data) : NULL;
    coord_key *k;
    uint32_t party = 0;
    view *v;

    if (r == NULL || r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN ||
            r->rec.state != MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING) {
        net_log(NET_LOG_WARN, "signer %s: result for an unknown or settled request; ignored", s->id);
        return;
    }
    k = find_key(c, r->rec.key_id);
    for (uint32_t p = 1; k != NULL && p <= k->n; p++) {
        if (strcmp(k->signers[p - 1], s->id) == 0) {
            party = p;
        }
    }
    if (party == 0 || !(r->asked & (1u << party)) || (r->answered & (1u << party)) || sr->digest.len != 32 ||
            sr->session_id.len != 32 || sr->key_id.len != 32 || sr->public_key.len != 33 ||
            sr->signature.len != 64 || sr->fingerprint.len > sizeof(v->fingerprint) ||
            strlen(sr->fingerprint_words) > COORD_WORDS_MAX || sr->verdict_version > 2 ||
            (sr->verdict_version == 2) != (sr->fingerprint_subject.len == 32) ||
            (sr->verdict_version < 2 && sr->decision == MPC__WIRE__DECISION__DECISION_NEEDS_APPROVAL) ||
            memcmp(sr->key_id.data, r->rec.key_id, 32) != 0 || sr->coord_nonce.len != 32 ||
            sr->digest_index != r->digest_index) {
        net_log(NET_LOG_WARN, "signer %s: unexpected, malformed or duplicate result; ignored", s->id);
        return;
    }
    /* A signer that was frozen or slow may answer the payload of an earlier attempt after this
     * one asked it again; that verdict is about another signing set and nonce. */
    if (memcmp(sr->coord_nonce.data, r->coord_nonce, 32) != 0) {
        net_log(NET_LOG_WARN, "signer %s: verdict for an earlier signing attempt; ignored", s->id);
        return;
    }
    if (!verdict_valid(s, sr)) {
        net_log(NET_LOG_WARN, "signer %s: verdict signature does not verify under its enclave identity key; "
                "ignored", s->id);
        return;
    }
    r->answered |= 1u << party;
    v = &r->views[party - 1];
    free(v->summary);
    v->summary = strdup(sr->summary);
    if (v->summary == NULL) {
        return;
    }
    v->have = 1;
    memcpy(v->digest, sr->digest.data, 32);
    memcpy(v->sigid, sr->session_id.data, 32);
    memcpy(v->identity_sig, sr->signature.data, 64);
    if (sr->fingerprint.len > 0) {
        memcpy(v->fingerprint, sr->fingerprint.data, sr->fingerprint.len);
    }
    v->fingerprint_len = sr->fingerprint.len;
    snprintf(v->words, sizeof(v->words), "%s", sr->fingerprint_words);
    v->decision = sr->decision;
    v->approvals_required = sr->approvals_required;
    v->digest_count = sr->digest_count;
    if (sr->verdict_version == 2) {
        memcpy(v->subject, sr->fingerprint_subject.data, 32);
    }
    {
        char dh[65];
        wire_hex(dh, v->digest, 32);
        net_log(NET_LOG_INFO, "signer %s: digest %s, %s", s->id, dh,
                v->decision == MPC__WIRE__DECISION__DECISION_APPROVE ? "allowed" :
                v->decision == MPC__WIRE__DECISION__DECISION_NEEDS_APPROVAL ? "allowed once approved" : "refused");
    }
    sign_evaluate(c, r, 0);
}

/* The coordinator's own check of the combined signature (libsecp256k1, low-s), before anything
 * is stored or returned. */
static int signature_valid(coord *c, const unsigned char sig64[64], const unsigned char pk33[33],
        const unsigned char digest[32]) {
    secp256k1_ecdsa_signature sig;
    secp256k1_pubkey pk;
    return secp256k1_ec_pubkey_parse(c->secp, &pk, pk33, 33) &&
           secp256k1_ecdsa_signature_parse_compact(c->secp, &sig, sig64) &&
           secp256k1_ecdsa_verify(c->secp, &sig, digest, &pk) == 1;
}

/* The session of one digest of several ended well: the next digest gets its own attempts (new
 * signing set, coord nonce and verdicts) under the approvals already received. */
static void next_digest(coord *c, request *r, coord_key *k) {
    char idh[17];
    for (uint32_t p = 1; p <= k->n; p++) {
        view *v = &r->views[p - 1];
        free(v->summary);
        memset(v, 0, sizeof(*v));
    }
    r->digest_index++;
    r->index_attempts_base = r->attempts;
    r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING;
    r->start_waiting = 0;
    short_hex(idh, r->rec.request_id);
    net_log(NET_LOG_INFO, "request %s: digest %u of %u signed; signing the next", idh, r->digest_index,
            r->digest_count);
    sign_attempt(c, r, k);
}

static void on_session_output(coord *c, signer *s, const Mpc__Wire__SessionOutput *so) {
    request *r = so->session_id.len == 32 ? find_session(c, so->session_id.data) : NULL;
    mpc_msg_in in[MPC_MAX_PARTIES];
    mpc_sign_public pub;
    mpc_blame blame;
    coord_key *k;
    assemble_out next;
    const unsigned char *base;
    size_t base_len;
    unsigned char sig[64];
    char err[256];
    int recid, slot, rc;

    if (r == NULL || r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
        net_log(NET_LOG_WARN, "signer %s: output for an unknown session; ignored", s->id);
        return;
    }
    slot = session_slot(r, session_party(c, r, s));
    if (slot < 0 || r->output[slot] != NULL || so->data.len == 0) {
        net_log(NET_LOG_WARN, "signer %s: unexpected or duplicate session output; ignored", s->id);
        return;
    }
    r->output[slot] = malloc(so->data.len);
    if (r->output[slot] == NULL) {
        return;
    }
    memcpy(r->output[slot], so->data.data, so->data.len);
    r->output_len[slot] = so->data.len;
    for (size_t i = 0; i < r->nparties; i++) {
        if (r->output[i] == NULL) {
            return;
        }
        in[i].from = r->party[i];
        in[i].data = r->output[i];
        in[i].len = r->output_len[i];
    }
    memset(&blame, 0, sizeof(blame));
    base = r->rec.payload;
    base_len = r->rec.payload_len;
    k = find_key(c, r->rec.key_id);
    rc = k != NULL ? attempt_public(c, &pub, r, k, r->rec.digest) : MPC_E_STATE;
    if (rc == MPC_OK) {
        rc = mpc_sign_combine(c->mpc, sig, &recid, &blame, &pub, in, r->nparties);
    }
    if (rc != MPC_OK) {
        char why[160];
        snprintf(why, sizeof(why), "combining the signature failed: %s", mpc_strerror(rc));
        session_failed(c, r, blame.count > 0 ? blame.party[0] : 0, why);
        return;
    }
    if (!signature_valid(c, sig, pub.pubkey, r->rec.digest)) {
        session_failed(c, r, 0, "the combined signature does not verify");
        return;
    }
    /* The session's end and the result: one transaction, one fsync. */
    if (store_begin(c->db) != STORE_OK) {
        db_warn(c, "begin");
    }
    db_session_end(c, r, STORE_SESSION_COMPLETED, NULL);
    clear_session(r);
    /* After the first digest of several, the output so far (the PSBT with the signatures of the
     * earlier inputs) is what this digest's signature is added to. */
    if (r->digest_index > 0) {
        base = r->rec.out.output;
        base_len = r->rec.out.output_len;
    }
    memset(&next, 0, sizeof(next));
    if (assemble_output(err, sizeof(err), &next, r->rec.payload_type, base, base_len, sig, recid, pub.pubkey,
                r->rec.digest) != 0) {
        char why[320];
        snprintf(why, sizeof(why), "the signed output could not be assembled: %s", err);
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, why);
    } else {
        assemble_out_clear(&r->rec.out);
        r->rec.out = next;
        memcpy(r->rec.signature, sig, 64);
        r->rec.recovery_id = (uint32_t)recid;
        memcpy(r->rec.public_key, pub.pubkey, 33);
        if (r->digest_index + 1 < r->digest_count) {
            next_digest(c, r, k);
        } else {
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE, NULL);
        }
    }
    if (store_commit(c->db) != STORE_OK) {
        db_warn(c, "commit");
        store_rollback(c->db);
    }
    start_waiting_sessions(c);
}

/* An enclave found the approvals short of its quorum (or vetoed): nobody is to blame. The members
 * that did accept have used this attempt's session id, so a fresh attempt follows the next
 * approval; until then the request waits, showing why. */
static void approvals_refused(coord *c, request *r, const signer *s, const char *reason) {
    char why[CFG_ID_MAX + 320];
    snprintf(why, sizeof(why), "signer %s: %.250s", s->id, reason);
    abort_session(c, r, why);
    snprintf(r->rec.error, sizeof(r->rec.error), "%s", why);
    r->approvals_refused = 1;
    r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING;
    await_approvals(c, r);
    start_waiting_sessions(c);
}

/* One approval relayed by a signer from its operator (mpc-approve). The coordinator cannot judge
 * it against any policy (the enclaves do); it keeps well-formed approvals for this request's key
 * and approval subject (the digest, or the digest set's fingerprint subject), one per approver
 * key, and a rejection ends the request. */
static void on_approval(coord *c, signer *s, const Mpc__Wire__Approval *ap) {
    request *r = ap->request_id.len == 32 ? find_request(c, ap->request_id.data) : NULL;
    policy_approval pa;
    policy_err perr;
    store_approval sa;
    char idh[17], who[17];

    if (r == NULL || r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN || is_final(r->rec.state)) {
        net_log(NET_LOG_WARN, "signer %s: approval for an unknown or finished request; ignored", s->id);
        return;
    }
    if (policy_approval_parse(&perr, &pa, ap->approval.data, ap->approval.len) != POLICY_OK ||
            crypto_sign_verify_detached(pa.signature, ap->approval.data, POLICY_APPROVAL_STATEMENT_BYTES,
                    pa.statement.approver_pubkey) != 0) {
        net_log(NET_LOG_WARN, "signer %s: malformed approval or bad operator signature; ignored", s->id);
        return;
    }
    if (memcmp(pa.statement.request_id, r->rec.request_id, 32) != 0 ||
            memcmp(pa.statement.key_id, r->rec.key_id, 32) != 0 || !r->has_subject ||
            memcmp(pa.statement.subject, r->approval_subject, 32) != 0) {
        net_log(NET_LOG_WARN, "signer %s: approval for another request, key or digest; ignored", s->id);
        return;
    }
    wire_hex(who, pa.statement.approver_pubkey, 8);
    for (size_t i = 0; i < r->n_approvals; i++) {
        if (memcmp(r->approvals[i] + POLICY_APPROVAL_STATEMENT_BYTES - 32, pa.statement.approver_pubkey, 32) == 0) {
            net_log(NET_LOG_WARN, "signer %s: a second approval from operator key %s; ignored", s->id, who);
            return;
        }
    }
    if (r->n_approvals >= POLICY_APPROVALS_MAX ||
            (r->approvals == NULL && (r->approvals = calloc(POLICY_APPROVALS_MAX, POLICY_APPROVAL_BYTES)) == NULL)) {
        net_log(NET_LOG_WARN, "signer %s: no room for another approval; ignored", s->id);
        return;
    }
    memset(&sa, 0, sizeof(sa));
    hexid(sa.request_id, r->rec.request_id);
    memcpy(sa.operator_key, pa.statement.approver_pubkey, 32);
    sa.decision = pa.statement.decision == POLICY_DECISION_APPROVE ? STORE_DECISION_APPROVE : STORE_DECISION_REJECT;
    sa.expiry = (int64_t)pa.statement.expiry;
    memcpy(sa.signature, pa.signature, 64);
    if (store_approval_put(c->db, &sa) != STORE_OK) {
        db_warn(c, "approval");
        return;
    }
    memcpy(r->approvals[r->n_approvals++], ap->approval.data, POLICY_APPROVAL_BYTES);
    short_hex(idh, r->rec.request_id);
    net_log(NET_LOG_INFO, "request %s: %s from operator key %s (via signer %s), %zu received", idh,
            pa.statement.decision == POLICY_DECISION_APPROVE ? "approval" : "rejection", who, s->id, r->n_approvals);
    if (pa.statement.decision == POLICY_DECISION_REJECT) {
        char why[160];
        snprintf(why, sizeof(why), "an operator (key %s) rejected the request", who);
        if (r->session_active) {
            abort_session(c, r, why);
        }
        r->start_waiting = 0;
        finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED, why);
        start_waiting_sessions(c);
        return;
    }
    if (r->rec.state != MPC__WIRE__REQUEST_STATE__REQUEST_STATE_AWAITING_APPROVAL) {
        return;
    }
    if (r->approvals_refused) {
        r->approvals_refused = 0;
        r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING;
        sign_attempt(c, r, find_key(c, r->rec.key_id));
        return;
    }
    if (r->n_approvals >= approvals_needed(r)) {
        session_when_free(c, r);
    }
}

static void on_session_failed(coord *c, signer *s, const Mpc__Wire__SessionFailed *sf) {
    request *r = sf->session_id.len == 32 ? find_session(c, sf->session_id.data) : NULL;
    char why[300];
    uint32_t blamed = 0;
    if (r == NULL || session_party(c, r, s) == 0) {
        return;
    }
    if (sf->needs_approvals) {
        approvals_refused(c, r, s, sf->reason);
        return;
    }
    if (sf->n_blame > 0 && session_slot(r, sf->blame[0]) >= 0) {
        blamed = sf->blame[0];
    }
    snprintf(why, sizeof(why), "signer %s failed the session: %.200s", s->id, sf->reason);
    session_failed(c, r, blamed, why);
    start_waiting_sessions(c);
}

static void on_relay(coord *c, signer *s, const Mpc__Wire__Relay *rl) {
    request *r = rl->session_id.len == 32 ? find_session(c, rl->session_id.data) : NULL;
    Mpc__Wire__Envelope env;
    uint32_t sender;
    int to;

    if (r == NULL) {
        net_log(NET_LOG_DEBUG, "signer %s: relay for an unknown session dropped", s->id);
        return;
    }
    sender = session_party(c, r, s);
    to = session_slot(r, rl->receiver);
    if (sender == 0 || rl->sender != sender || to < 0 || rl->receiver == sender || rl->data.len == 0) {
        net_log(NET_LOG_WARN, "signer %s: relay with a wrong sender or receiver dropped", s->id);
        return;
    }
    if (rl->round > r->round) {
        r->round = rl->round;
        r->deadline_ms = wire_now_ms() + c->cfg->round_ms;
    }
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_RELAY, (void *)rl);
    if (send_to(&c->signers[r->signer_of[to]], &env) != NET_OK) {
        session_failed(c, r, rl->receiver, "relay to a session member failed");
    }
}

/* ---- requester calls ---------------------------------------------------------------------- */

static int requester_perms(const coord *c, const char *id) {
    for (size_t i = 0; i < c->cfg->n_requesters; i++) {
        if (strcmp(c->cfg->requesters[i].id, id) == 0) {
            return (int)c->cfg->requesters[i].perms;
        }
    }
    return 0;
}

static void send_reply(net_conn *conn, const Mpc__Wire__Envelope *env) {
    int rc = wire_send(conn, env);
    if (rc != NET_OK) {
        net_log(NET_LOG_WARN, "reply to %s failed: %s", net_conn_peer_id(conn), net_strerror(rc));
    }
}

static void reply_error(net_conn *conn, uint32_t call_id, uint32_t code, const char *msg) {
    Mpc__Wire__CallError ce = MPC__WIRE__CALL_ERROR__INIT;
    Mpc__Wire__Envelope env;
    ce.call_id = call_id;
    ce.code = code;
    ce.message = (char *)msg;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_CALL_ERROR, &ce);
    net_log(NET_LOG_WARN, "call from %s refused: %s", net_conn_peer_id(conn), msg);
    send_reply(conn, &env);
}

/* Fills info (pointing into r) for a reply; views need views_buf/vp arrays of MPC_MAX_PARTIES. */
static void fill_info(coord *c, Mpc__Wire__RequestInfo *info, const request *r, Mpc__Wire__SignerView *vb,
        Mpc__Wire__SignerView **vp, char **signers) {
    int refresh = r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH;
    int done = r->rec.state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE;
    /* A finished refresh retired its key id: its details are those of the new id. */
    const coord_key *k = find_key(c, refresh && done ? r->rec.new_key_id : r->rec.key_id);
    mpc__wire__request_info__init(info);
    info->request_id.data = (unsigned char *)r->rec.request_id;
    info->request_id.len = 32;
    info->kind = r->rec.kind;
    info->state = r->rec.state;
    info->error = (char *)r->rec.error;
    info->created_ms = r->rec.created_ms;
    info->finished_ms = r->rec.finished_ms;
    info->payload_type = r->rec.payload_type;
    info->approvals = (uint32_t)r->n_approvals;
    if (k != NULL || refresh) {
        info->key_id.data = (unsigned char *)r->rec.key_id;
        info->key_id.len = 32;
    }
    if (refresh && done) {
        info->new_key_id.data = (unsigned char *)r->rec.new_key_id;
        info->new_key_id.len = 32;
    }
    if (r->rec.state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE) {
        info->public_key.data = (unsigned char *)r->rec.public_key;
        info->public_key.len = 33;
        if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
            info->signature.data = (unsigned char *)r->rec.signature;
            info->signature.len = 64;
            info->recovery_id = r->rec.recovery_id;
            info->output.data = r->rec.out.output;
            info->output.len = r->rec.out.output_len;
            info->final_tx.data = r->rec.out.final_tx;
            info->final_tx.len = r->rec.out.final_tx_len;
        } else if (k != NULL) {
            info->chain_code.data = (unsigned char *)k->chain_code;
            info->chain_code.len = 32;
        }
    }
    if (r->rec.has_digest) {
        info->digest.data = (unsigned char *)r->rec.digest;
        info->digest.len = 32;
    }
    info->n_views = 0;
    for (uint32_t p = 1; k != NULL && p <= k->n; p++) {
        const view *v = &r->views[p - 1];
        Mpc__Wire__SignerView *w = &vb[info->n_views];
        if (!v->have) {
            continue;
        }
        mpc__wire__signer_view__init(w);
        w->signer_id = (char *)k->signers[p - 1];
        w->digest.data = (unsigned char *)v->digest;
        w->digest.len = 32;
        w->summary = v->summary;
        w->fingerprint.data = (unsigned char *)v->fingerprint;
        w->fingerprint.len = v->fingerprint_len;
        w->fingerprint_words = (char *)v->words;
        w->decision = v->decision;
        w->approvals_required = v->approvals_required;
        vp[info->n_views++] = w;
    }
    info->views = vp;
    if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
        for (size_t i = 0; i < r->rec.n_quorum; i++) {
            signers[i] = (char *)r->rec.quorum[i];
        }
        info->n_signers = r->rec.n_quorum;
    } else if (k != NULL && r->rec.state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE) {
        for (size_t i = 0; i < k->n; i++) {
            signers[i] = (char *)k->signers[i];
        }
        info->n_signers = k->n;
    }
    info->signers = signers;
}

static void reply_request(coord *c, net_conn *conn, uint32_t call_id, const request *r, int existing) {
    Mpc__Wire__SignerView vb[MPC_MAX_PARTIES], *vp[MPC_MAX_PARTIES];
    Mpc__Wire__RequestInfo info;
    Mpc__Wire__RequestReply rr = MPC__WIRE__REQUEST_REPLY__INIT;
    Mpc__Wire__Envelope env;
    char *signers[MPC_MAX_PARTIES];
    fill_info(c, &info, r, vb, vp, signers);
    info.existing = existing != 0;
    rr.call_id = call_id;
    rr.info = &info;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY, &rr);
    send_reply(conn, &env);
}

static request *new_request(uint32_t kind, const char *requester, const char *idem) {
    request *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    if (random_bytes(r->rec.request_id, 32) != 0) {
        free(r);
        return NULL;
    }
    r->rec.kind = kind;
    r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING;
    r->rec.created_ms = wire_now_ms();
    snprintf(r->rec.requester, sizeof(r->rec.requester), "%s", requester);
    snprintf(r->rec.idempotency_key, sizeof(r->rec.idempotency_key), "%s", idem);
    return r;
}

static void link_request(coord *c, request *r) {
    r->next = c->requests;
    c->requests = r;
}

enum { CALL_E_PERM = 1, CALL_E_ARG = 2, CALL_E_UNKNOWN = 3, CALL_E_CONFLICT = 4, CALL_E_INTERNAL = 5 };

static void on_keygen_call(coord *c, net_conn *conn, const Mpc__Wire__KeygenCall *kc) {
    const char *who = net_conn_peer_id(conn);
    request *r;
    if (!(requester_perms(c, who) & CFG_PERM_KEYGEN)) {
        reply_error(conn, kc->call_id, CALL_E_PERM, "this requester may not start key generation");
        return;
    }
    if (kc->t < 2 || kc->t > kc->n || kc->n > c->cfg->n_signers || kc->n > MPC_MAX_PARTIES) {
        reply_error(conn, kc->call_id, CALL_E_ARG, "need 2 <= t <= n <= number of configured signers");
        return;
    }
    if (kc->idempotency_key[0] != '\0' && (r = find_idem(c, who, kc->idempotency_key)) != NULL) {
        if (r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_KEYGEN || r->rec.n != kc->n || r->rec.t != kc->t) {
            reply_error(conn, kc->call_id, CALL_E_CONFLICT, "idempotency key already used for a different request");
            return;
        }
        reply_request(c, conn, kc->call_id, r, 1);
        return;
    }
    r = new_request(MPC__WIRE__REQUEST_KIND__REQUEST_KIND_KEYGEN, who, kc->idempotency_key);
    if (r == NULL) {
        reply_error(conn, kc->call_id, CALL_E_INTERNAL, "out of memory");
        return;
    }
    r->rec.n = kc->n;
    r->rec.t = kc->t;
    link_request(c, r);
    keygen_begin(c, r);
    reply_request(c, conn, kc->call_id, r, 0);
}

/* Refresh: the same ceremony as keygen over the key's n signers (keygen_begin). */
static void on_refresh_call(coord *c, net_conn *conn, const Mpc__Wire__RefreshCall *rc) {
    const char *who = net_conn_peer_id(conn);
    const coord_key *k;
    request *r;
    if (!(requester_perms(c, who) & CFG_PERM_REFRESH)) {
        reply_error(conn, rc->call_id, CALL_E_PERM, "this requester may not start share refreshes");
        return;
    }
    if (rc->idempotency_key[0] == '\0') {
        reply_error(conn, rc->call_id, CALL_E_ARG, "an idempotency key is required");
        return;
    }
    if ((r = find_idem(c, who, rc->idempotency_key)) != NULL) {
        if (r->rec.kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH || rc->key_id.len != 32 ||
                memcmp(r->rec.key_id, rc->key_id.data, 32) != 0) {
            reply_error(conn, rc->call_id, CALL_E_CONFLICT, "idempotency key already used for a different request");
            return;
        }
        reply_request(c, conn, rc->call_id, r, 1);
        return;
    }
    if (rc->key_id.len != 32 || (k = find_key(c, rc->key_id.data)) == NULL) {
        reply_error(conn, rc->call_id, CALL_E_UNKNOWN, "unknown key");
        return;
    }
    for (request *o = c->requests; o != NULL; o = o->next) {
        if (o->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH && !is_final(o->rec.state) &&
                memcmp(o->rec.key_id, k->key_id, 32) == 0) {
            reply_error(conn, rc->call_id, CALL_E_CONFLICT, "a refresh of this key is already running");
            return;
        }
    }
    r = new_request(MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH, who, rc->idempotency_key);
    if (r == NULL) {
        reply_error(conn, rc->call_id, CALL_E_INTERNAL, "out of memory");
        return;
    }
    memcpy(r->rec.key_id, k->key_id, 32);
    r->rec.n = k->n;
    r->rec.t = k->t;
    link_request(c, r);
    keygen_begin(c, r);
    reply_request(c, conn, rc->call_id, r, 0);
}

static request *load_request(coord *c, const unsigned char id[32]);
static int derive(coord *c, unsigned char out33[33], char addr[PAYLOAD_ETH_ADDR_STR_SIZE], const coord_key *k,
        const uint32_t *path, size_t path_len);

static void on_sign_call(coord *c, net_conn *conn, const Mpc__Wire__SignCall *sc) {
    const char *who = net_conn_peer_id(conn);
    store_request_new in;
    store_request stored;
    char rid[65], kid[65], path[STORE_PATH_MAX + 1];
    unsigned char existing_id[32];
    request *r = NULL;
    int created = 0, rc;

    memset(&stored, 0, sizeof(stored));
    if (!(requester_perms(c, who) & CFG_PERM_SIGN)) {
        reply_error(conn, sc->call_id, CALL_E_PERM, "this requester may not submit signing requests");
        return;
    }
    if (sc->idempotency_key[0] == '\0') {
        reply_error(conn, sc->call_id, CALL_E_ARG, "an idempotency key is required");
        return;
    }
    if (sc->key_id.len != 32 || find_key(c, sc->key_id.data) == NULL) {
        reply_error(conn, sc->call_id, CALL_E_UNKNOWN, "unknown key");
        return;
    }
    if (sc->payload.len == 0 || sc->payload.len > COORD_MAX_PAYLOAD || sc->n_path > COORD_MAX_PATH ||
            sc->payload_type == 0 || payload_type_name(sc->payload_type) == NULL) {
        reply_error(conn, sc->call_id, CALL_E_ARG,
                "unsupported payload type, empty or oversized payload, or derivation path too long");
        return;
    }
    for (size_t i = 0; i < sc->n_path; i++) {
        if (sc->path[i] >= MPC_BIP32_HARDENED) {
            reply_error(conn, sc->call_id, CALL_E_ARG, "hardened derivation is not possible on a threshold key");
            return;
        }
    }
    r = new_request(MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN, who, sc->idempotency_key);
    if (r == NULL || (r->rec.payload = malloc(sc->payload.len)) == NULL) {
        free(r);
        reply_error(conn, sc->call_id, CALL_E_INTERNAL, "out of memory");
        return;
    }
    memcpy(r->rec.key_id, sc->key_id.data, 32);
    r->rec.payload_type = sc->payload_type;
    memcpy(r->rec.payload, sc->payload.data, sc->payload.len);
    r->rec.payload_len = sc->payload.len;
    if (sc->n_path > 0) {
        memcpy(r->rec.path, sc->path, sc->n_path * sizeof(uint32_t));
    }
    r->rec.path_len = sc->n_path;
    r->rec.sst = STORE_REQ_RECEIVED;
    /* The store decides whether this idempotency key is new, a retry, or a conflicting reuse. */
    hexid(rid, r->rec.request_id);
    hexid(kid, r->rec.key_id);
    path_text(path, sizeof(path), r->rec.path, r->rec.path_len);
    memset(&in, 0, sizeof(in));
    in.request_id = rid;
    in.idempotency_key = sc->idempotency_key;
    in.requester_id = who;
    in.key_id = kid;
    in.derivation_path = path;
    in.payload_type = payload_type_name(r->rec.payload_type);
    in.payload = r->rec.payload;
    in.payload_len = r->rec.payload_len;
    /* The new request and its move to decoding: one transaction, one fsync. */
    rc = store_begin(c->db);
    if (rc == STORE_OK) {
        rc = store_request_submit(c->db, &stored, &created, &in);
    }
    if (rc == STORE_OK && created && db_move(c, r, STORE_REQ_DECODING, NULL) != 0) {
        rc = STORE_E_INTERNAL;
    }
    if (rc == STORE_OK && store_commit(c->db) != STORE_OK) {
        rc = STORE_E_INTERNAL;
    }
    if (rc != STORE_OK) {
        store_rollback(c->db);
        r->rec.sst = STORE_REQ_RECEIVED;
    }
    if (rc == STORE_E_CONFLICT) {
        reply_error(conn, sc->call_id, CALL_E_CONFLICT, "idempotency key already used for a different request");
        goto out;
    }
    if (rc == STORE_E_ARG) {
        reply_error(conn, sc->call_id, CALL_E_ARG, "the idempotency key may use only A-Z a-z 0-9 . _ : -");
        goto out;
    }
    if (rc != STORE_OK) {
        db_warn(c, "request submit");
        reply_error(conn, sc->call_id, CALL_E_INTERNAL, "the request could not be stored");
        goto out;
    }
    if (!created) {
        request *old = NULL;
        if (wire_unhex(existing_id, 32, stored.request_id) == NET_OK) {
            old = find_request(c, existing_id);
            if (old == NULL) {
                old = load_request(c, existing_id);
            }
        }
        if (old == NULL) {
            reply_error(conn, sc->call_id, CALL_E_INTERNAL, "the earlier request is not loaded");
            goto out;
        }
        net_log(NET_LOG_INFO, "%s resubmitted idempotency key %s: returning the existing request", who,
                sc->idempotency_key);
        reply_request(c, conn, sc->call_id, old, 1);
        goto out;
    }
    link_request(c, r);
    sign_begin(c, r);
    reply_request(c, conn, sc->call_id, r, 0);
    r = NULL;
out:
    store_request_clear(&stored);
    if (r != NULL) {
        free(r->rec.payload);
        free(r);
    }
}

/* The output of a request finished by an earlier run: assembled again from the stored payload and
 * signature (assembly is deterministic), which also yields the finalized PSBT transaction. */
static void loaded_output(coord *c, request *r, const store_request *sr, const store_result *res) {
    const coord_key *k = find_key(c, r->rec.key_id);
    char addr[PAYLOAD_ETH_ADDR_STR_SIZE], err[256], *end = NULL;
    uint32_t path[COORD_MAX_PATH];
    size_t n = 0;
    const char *p = sr->derivation_path + 1;

    /* path_text wrote "m" followed by "/<index>" per step. */
    while (k != NULL && *p == '/' && n < COORD_MAX_PATH) {
        path[n++] = (uint32_t)strtoul(p + 1, &end, 10);
        p = end;
    }
    /* A PSBT may have been signed one input per session: only the stored output has every
     * signature, so it is checked against the payload and finalized again instead. */
    if (k == NULL || *p != '\0' || derive(c, r->rec.public_key, addr, k, path, n) != 0 ||
            (r->rec.payload_type == PAYLOAD_TYPE_PSBT ?
                    assemble_psbt_restore(err, sizeof(err), &r->rec.out, sr->payload, sr->payload_len, res->output,
                            res->output_len, r->rec.public_key) :
                    assemble_output(err, sizeof(err), &r->rec.out, r->rec.payload_type, sr->payload, sr->payload_len,
                            r->rec.signature, (int)r->rec.recovery_id, r->rec.public_key, r->rec.digest)) != 0) {
        net_log(NET_LOG_WARN, "the output of an earlier request could not be assembled again");
    }
}

/* A sign request from an earlier run of the coordinator, rebuilt from the store (final by now). */
static request *load_request(coord *c, const unsigned char id[32]) {
    store_request sr;
    store_result res;
    store_signer_result *views = NULL;
    size_t nviews = 0;
    request *r = NULL;
    char hid[65];

    memset(&sr, 0, sizeof(sr));
    memset(&res, 0, sizeof(res));
    hexid(hid, id);
    if (store_request_get(c->db, &sr, hid) != STORE_OK) {
        goto out;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL || wire_unhex(r->rec.key_id, 32, sr.key_id) != NET_OK) {
        free(r);
        r = NULL;
        goto out;
    }
    memcpy(r->rec.request_id, id, 32);
    r->rec.kind = MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN;
    r->rec.sst = sr.status;
    r->rec.created_ms = (uint64_t)sr.created * 1000u;
    r->rec.finished_ms = (uint64_t)sr.updated * 1000u;
    snprintf(r->rec.requester, sizeof(r->rec.requester), "%.64s", sr.requester_id);
    snprintf(r->rec.idempotency_key, sizeof(r->rec.idempotency_key), "%s", sr.idempotency_key);
    snprintf(r->rec.error, sizeof(r->rec.error), "%.511s", sr.failure);
    r->rec.payload_type = payload_type_from_name(sr.payload_type);
    if (sr.status == STORE_REQ_DONE && store_result_get(c->db, &res, hid) == STORE_OK) {
        r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE;
        memcpy(r->rec.signature, res.signature, 64);
        r->rec.recovery_id = res.signature[64];
    } else if (sr.status == STORE_REQ_FAILED) {
        r->rec.state = strncmp(sr.failure, "blocked: ", 9) == 0 ? MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED
                                                                : MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED;
    } else {
        r->rec.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING;
    }
    if (store_signer_results_get(c->db, &views, &nviews, hid) == STORE_OK) {
        coord_key *k = find_key(c, r->rec.key_id);
        for (size_t i = 0; k != NULL && i < nviews; i++) {
            for (uint32_t p = 1; p <= k->n; p++) {
                if (strcmp(k->signers[p - 1], views[i].signer_id) == 0) {
                    view *v = &r->views[p - 1];
                    v->summary = strdup(views[i].summary);
                    v->have = v->summary != NULL;
                    memcpy(v->digest, views[i].digest, 32);
                    v->decision = views[i].verdict == STORE_VERDICT_ALLOW ? MPC__WIRE__DECISION__DECISION_APPROVE :
                                  views[i].verdict == STORE_VERDICT_NEEDS_APPROVAL ?
                                  MPC__WIRE__DECISION__DECISION_NEEDS_APPROVAL : MPC__WIRE__DECISION__DECISION_REJECT;
                    memcpy(r->rec.digest, views[i].digest, 32);
                    r->rec.has_digest = 1;
                }
            }
        }
        store_signer_results_free(views, nviews);
    }
    if (r->rec.state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE) {
        loaded_output(c, r, &sr, &res);
    }
    link_request(c, r);
out:
    store_request_clear(&sr);
    store_result_clear(&res);
    return r;
}

static void on_status_call(coord *c, net_conn *conn, const Mpc__Wire__StatusCall *st) {
    request *r = st->request_id.len == 32 ? find_request(c, st->request_id.data) : NULL;
    if (r == NULL && st->request_id.len == 32) {
        r = load_request(c, st->request_id.data);
    }
    if (r == NULL || strcmp(r->rec.requester, net_conn_peer_id(conn)) != 0) {
        reply_error(conn, st->call_id, CALL_E_UNKNOWN, "unknown request");
        return;
    }
    reply_request(c, conn, st->call_id, r, 0);
}

static void on_list_call(coord *c, net_conn *conn, const Mpc__Wire__ListCall *lc) {
    Mpc__Wire__ListReply lr = MPC__WIRE__LIST_REPLY__INIT;
    Mpc__Wire__Envelope env;
    Mpc__Wire__KeyInfo *kis = NULL, **kp = NULL;
    char **names = NULL;
    size_t n = 0, i = 0;
    for (coord_key *k = c->keys; k != NULL; k = k->next) {
        n++;
    }
    kis = calloc(n + 1, sizeof(*kis));
    kp = calloc(n + 1, sizeof(*kp));
    names = calloc((n + 1) * MPC_MAX_PARTIES, sizeof(*names));
    if (kis == NULL || kp == NULL || names == NULL) {
        reply_error(conn, lc->call_id, CALL_E_INTERNAL, "out of memory");
        goto out;
    }
    for (coord_key *k = c->keys; k != NULL; k = k->next, i++) {
        mpc__wire__key_info__init(&kis[i]);
        kis[i].key_id.data = k->key_id;
        kis[i].key_id.len = 32;
        kis[i].n = k->n;
        kis[i].t = k->t;
        kis[i].epoch = k->epoch;
        kis[i].public_key.data = k->public_key;
        kis[i].public_key.len = 33;
        kis[i].chain_code.data = k->chain_code;
        kis[i].chain_code.len = 32;
        for (uint32_t p = 0; p < k->n; p++) {
            names[i * MPC_MAX_PARTIES + p] = k->signers[p];
        }
        kis[i].signers = &names[i * MPC_MAX_PARTIES];
        kis[i].n_signers = k->n;
        kp[i] = &kis[i];
    }
    lr.call_id = lc->call_id;
    lr.keys = kp;
    lr.n_keys = n;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_REPLY, &lr);
    send_reply(conn, &env);
out:
    free(kis);
    free(kp);
    free(names);
}

/* Derived public key (compressed) and its EIP-55 address. Returns 0 or -1. */
static int derive(coord *c, unsigned char out33[33], char addr[PAYLOAD_ETH_ADDR_STR_SIZE], const coord_key *k,
        const uint32_t *path, size_t path_len) {
    mpc_bip32_xpub root, child;
    mpc_scalar tau;
    secp256k1_pubkey pk;
    unsigned char full[65];
    uint8_t a20[20];
    size_t flen = sizeof(full);

    memset(&root, 0, sizeof(root));
    if (mpc_point_parse(c->mpc, &root.pk, k->public_key) != MPC_OK) {
        return -1;
    }
    memcpy(root.chain_code, k->chain_code, 32);
    child = root;
    if (path_len > 0 && mpc_bip32_derive_path(c->mpc, &child, &tau, &root, path, path_len) != MPC_OK) {
        return -1;
    }
    if (mpc_point_serialize(c->mpc, out33, &child.pk) != MPC_OK ||
            !secp256k1_ec_pubkey_parse(c->secp, &pk, out33, 33) ||
            !secp256k1_ec_pubkey_serialize(c->secp, full, &flen, &pk, SECP256K1_EC_UNCOMPRESSED)) {
        return -1;
    }
    payload_eth_addr_from_pubkey(a20, full + 1);
    payload_eth_addr_checksum(addr, a20);
    return 0;
}

static void on_address_call(coord *c, net_conn *conn, const Mpc__Wire__AddressCall *ac) {
    Mpc__Wire__AddressReply ar = MPC__WIRE__ADDRESS_REPLY__INIT;
    Mpc__Wire__Envelope env;
    coord_key *k = ac->key_id.len == 32 ? find_key(c, ac->key_id.data) : NULL;
    unsigned char pk[33];
    char addr[PAYLOAD_ETH_ADDR_STR_SIZE];
    if (k == NULL) {
        reply_error(conn, ac->call_id, CALL_E_UNKNOWN, "unknown key");
        return;
    }
    for (size_t i = 0; i < ac->n_path; i++) {
        if (ac->path[i] >= MPC_BIP32_HARDENED) {
            reply_error(conn, ac->call_id, CALL_E_ARG, "hardened derivation is not possible on a threshold key");
            return;
        }
    }
    if (ac->n_path > COORD_MAX_PATH || derive(c, pk, addr, k, ac->path, ac->n_path) != 0) {
        reply_error(conn, ac->call_id, CALL_E_ARG, "this path cannot be derived");
        return;
    }
    ar.call_id = ac->call_id;
    ar.key_id = ac->key_id;
    ar.path = ac->path;
    ar.n_path = ac->n_path;
    ar.public_key.data = pk;
    ar.public_key.len = 33;
    ar.eth_address = addr;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_REPLY, &ar);
    send_reply(conn, &env);
}

/* ---- connections -------------------------------------------------------------------------- */

static void on_signer_info(coord *c, signer *s, const Mpc__Wire__SignerInfo *si) {
    uint32_t expected = (uint32_t)(s - c->signers) + 1;
    if (si->identity_pk.len != 32 || CRYPTO_memcmp(si->identity_pk.data, s->identity_pk, 32) != 0) {
        net_log(NET_LOG_WARN, "signer %s: enclave identity key does not match the configured one; "
                "closing the connection", s->id);
        net_conn_close(s->conn);
        return;
    }
    if (si->party_index != expected) {
        net_log(NET_LOG_WARN, "signer %s: enclave party index %u, but it is signer %u in the configuration; "
                "closing the connection", s->id, si->party_index, expected);
        net_conn_close(s->conn);
        return;
    }
    s->ready = 1;
    net_log(NET_LOG_INFO, "signer %s ready (party %u)", s->id, expected);
}

static void on_ready(net_conn *conn, net_role role, const char *id, void *data) {
    coord *c = data;
    if (role == NET_ROLE_SIGNER) {
        int i = signer_index(c, id);
        if (i < 0) {
            net_conn_close(conn);
            return;
        }
        if (c->signers[i].conn != NULL) {
            net_log(NET_LOG_WARN, "signer %s connected again; closing its previous connection", id);
            net_conn *old = c->signers[i].conn;
            c->signers[i].conn = NULL;
            c->signers[i].ready = 0;
            net_conn_close(old);
        }
        c->signers[i].conn = conn;
        c->signers[i].ready = 0;
    }
    net_log(NET_LOG_INFO, "%s %s connected", net_role_name(role), id);
}

static void signer_gone(coord *c, signer *s) {
    s->conn = NULL;
    s->ready = 0;
    for (request *r = c->requests; r != NULL; r = r->next) {
        char why[128];
        uint32_t p;
        /* A member of a running session, or of the signing set still waiting for its verdict:
         * retry at once instead of waiting for the timeout. */
        if (is_final(r->rec.state) || (p = session_party(c, r, s)) == 0 ||
                (!r->session_active && (r->answered & (1u << p)) != 0)) {
            continue;
        }
        snprintf(why, sizeof(why), "signer %s disconnected during the %s", s->id,
                r->session_active ? "session" : "decoding of the payload");
        session_failed(c, r, p, why);
    }
}

static void on_close(net_conn *conn, int reason, void *data) {
    coord *c = data;
    signer *s = signer_of_conn(c, conn);
    /* The transport already logged why a connection that never became ready was closed. */
    if (reason != NET_E_CLOSED && reason != NET_E_EOF && net_conn_peer_role(conn) != NET_ROLE_NONE) {
        net_log(NET_LOG_WARN, "connection from %s %s closed: %s", net_role_name(net_conn_peer_role(conn)),
                net_conn_peer_id(conn), net_strerror(reason));
    }
    if (s != NULL && !c->stopping) {
        net_log(NET_LOG_INFO, "signer %s disconnected", s->id);
        signer_gone(c, s);
    } else if (s != NULL) {
        s->conn = NULL;
        s->ready = 0;
    }
}

static void on_frame(net_conn *conn, const unsigned char *frame, size_t len, void *data) {
    coord *c = data;
    Mpc__Wire__Envelope *env = NULL;
    net_role role = net_conn_peer_role(conn);
    signer *s = role == NET_ROLE_SIGNER ? signer_of_conn(c, conn) : NULL;
    int r = wire_unpack(&env, frame, len);

    if (r != NET_OK) {
        net_log(NET_LOG_WARN, "%s %s sent a malformed message (%s); closing its connection", net_role_name(role),
                net_conn_peer_id(conn), net_strerror(r));
        net_conn_close(conn);
        return;
    }
    if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO) {
        if ((net_role)env->hello->role != role || strcmp(env->hello->id, net_conn_peer_id(conn)) != 0) {
            net_log(NET_LOG_WARN, "%s %s: Hello does not match its certificate; closing", net_role_name(role),
                    net_conn_peer_id(conn));
            net_conn_close(conn);
        }
        goto out;
    }
    if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_ERROR) {
        net_log(NET_LOG_WARN, "%s %s reports error %u: %s", net_role_name(role), net_conn_peer_id(conn),
                env->error->code, env->error->message);
        goto out;
    }
    if (role == NET_ROLE_REQUESTER) {
        switch (env->type) {
        case MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_CALL: on_keygen_call(c, conn, env->keygen_call); goto out;
        case MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_CALL: on_sign_call(c, conn, env->sign_call); goto out;
        case MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL: on_status_call(c, conn, env->status_call); goto out;
        case MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_CALL: on_list_call(c, conn, env->list_call); goto out;
        case MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_CALL: on_address_call(c, conn, env->address_call); goto out;
        case MPC__WIRE__MSG_TYPE__MSG_TYPE_REFRESH_CALL: on_refresh_call(c, conn, env->refresh_call); goto out;
        default: break;
        }
    } else if (s != NULL) {
        if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGNER_INFO) {
            on_signer_info(c, s, env->signer_info);
            goto out;
        }
        if (s->ready) {
            switch (env->type) {
            case MPC__WIRE__MSG_TYPE__MSG_TYPE_RELAY: on_relay(c, s, env->relay); goto out;
            case MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_RESULT: on_keygen_result(c, s, env->keygen_result); goto out;
            case MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGNER_RESULT: on_signer_result(c, s, env->signer_result); goto out;
            case MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_OUTPUT: on_session_output(c, s, env->session_output); goto out;
            case MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_FAILED: on_session_failed(c, s, env->session_failed); goto out;
            case MPC__WIRE__MSG_TYPE__MSG_TYPE_APPROVAL: on_approval(c, s, env->approval); goto out;
            default: break;
            }
        }
    }
    net_log(NET_LOG_WARN, "%s %s sent message type %d, which its role may not send here; closing",
            net_role_name(role), net_conn_peer_id(conn), (int)env->type);
    net_conn_close(conn);
out:
    net_env_free(env);
}

/* ---- timers ------------------------------------------------------------------------------- */

static void on_tick(uv_timer_t *t) {
    coord *c = t->data;
    uint64_t now = wire_now_ms();
    for (request *r = c->requests; r != NULL; r = r->next) {
        if (is_final(r->rec.state) || r->deadline_ms == 0 || now < r->deadline_ms) {
            continue;
        }
        if (r->session_active) {
            uint32_t slow = 0;
            /* Blame the first member that produced nothing yet, so the retry avoids it. */
            for (size_t i = 0; i < r->nparties && slow == 0; i++) {
                if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN ? r->output[i] == NULL
                                                                               : !r->reports[i].have) {
                    slow = r->party[i];
                }
            }
            session_failed(c, r, slow, "round timeout");
        } else if (r->start_waiting) {
            session_when_free(c, r);
        } else if (r->rec.state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_AWAITING_APPROVAL) {
            char why[160];
            snprintf(why, sizeof(why), "the operator approvals did not reach the signers' quorum within %u s",
                    c->cfg->approval_ms / 1000u);
            finish(c, r, MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED, why);
        } else if (r->rec.kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN &&
                r->rec.state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING) {
            r->deadline_ms = 0;
            sign_evaluate(c, r, 1);
        }
    }
    start_waiting_sessions(c);
}

/* ---- start and stop ----------------------------------------------------------------------- */

/* A session is never resumed (ARCHITECTURE.md 5): after a restart every running session is aborted
 * and every unfinished request failed; the requester resubmits with a new idempotency key. */
static int fail_interrupted(coord *c) {
    store_request *left = NULL;
    size_t n = 0, aborted = 0;
    if (store_sessions_abort_running(c->db, &aborted, "coordinator restarted") != STORE_OK ||
            store_requests_resumable(c->db, &left, &n) != STORE_OK) {
        db_warn(c, "restart recovery");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (store_request_transition(c->db, left[i].request_id, left[i].status, STORE_REQ_FAILED,
                    "the coordinator restarted while the request was in progress") != STORE_OK) {
            db_warn(c, "failing an interrupted request");
        }
    }
    if (n > 0 || aborted > 0) {
        net_log(NET_LOG_WARN, "restart: %zu unfinished request(s) failed, %zu running session(s) aborted", n, aborted);
    }
    store_requests_free(left, n);
    return 0;
}

/* Every usable key into the cache, so that list shows them all after a restart. */
static int load_keys(coord *c) {
    store_key *keys = NULL;
    size_t n = 0, loaded = 0;
    if (store_keys_usable(c->db, &keys, &n) != STORE_OK) {
        db_warn(c, "listing the keys");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char id[32];
        if (wire_unhex(id, 32, keys[i].key_id) != NET_OK || find_key(c, id) == NULL) {
            net_log(NET_LOG_WARN, "stored key %.64s is not a key this coordinator can use; skipped", keys[i].key_id);
            continue;
        }
        loaded++;
    }
    free(keys);
    net_log(NET_LOG_INFO, "%zu usable key(s) loaded", loaded);
    return 0;
}

int coord_start(coord **out, uv_loop_t *loop, const cfg_coordinator *cfg) {
    net_tls_peer allow[CFG_MAX_SIGNERS + CFG_MAX_REQUESTERS];
    net_tls_config tc;
    net_conn_limits lim;
    coord *c = calloc(1, sizeof(*c));
    size_t na = 0;
    int r;

    *out = NULL;
    if (c == NULL) {
        return -1;
    }
    c->loop = loop;
    c->cfg = cfg;
    for (size_t i = 0; i < cfg->n_signers; i++) {
        snprintf(c->signers[i].id, sizeof(c->signers[i].id), "%s", cfg->signers[i].id);
        memcpy(c->signers[i].identity_pk, cfg->signers[i].identity_pk, 32);
        allow[na++] = (net_tls_peer){NET_ROLE_SIGNER, cfg->signers[i].id};
    }
    for (size_t i = 0; i < cfg->n_requesters; i++) {
        allow[na++] = (net_tls_peer){NET_ROLE_REQUESTER, cfg->requesters[i].id};
    }
    c->mpc = mpc_context_create();
    c->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (c->mpc == NULL || c->secp == NULL) {
        goto fail;
    }
    {
        char err[STORE_ERR_MAX];
        store_options opt = {(int)cfg->db_busy_ms, 0};
        if (store_open(&c->db, err, sizeof(err), &store_backend_sqlite, cfg->database, &opt) != STORE_OK) {
            net_log(NET_LOG_WARN, "cannot open the store %s: %s", cfg->database, err);
            goto fail;
        }
    }
    if (fail_interrupted(c) != 0 || load_keys(c) != 0) {
        goto fail;
    }
    memset(&tc, 0, sizeof(tc));
    tc.is_server = 1;
    tc.ca_file = cfg->tls.ca;
    tc.cert_file = cfg->tls.cert;
    tc.key_file = cfg->tls.key;
    tc.crl_file = cfg->tls.crl[0] != '\0' ? cfg->tls.crl : NULL;
    tc.allow = allow;
    tc.allow_len = na;
    if (net_tls_ctx_new(&c->tls, &tc) != NET_OK) {
        goto fail;
    }
    memset(&lim, 0, sizeof(lim));
    lim.max_frame = WIRE_MAX_FRAME;
    lim.heartbeat_ms = cfg->heartbeat_ms;
    /* A signer sends nothing, not even heartbeats, while its enclave computes (a DKG round with
     * OT setup can take seconds on a slow host); only a silence much longer than that is a dead link.
     * A crashed peer is noticed at once anyway (connection reset). */
    lim.idle_timeout_ms = 3 * cfg->heartbeat_ms > MIN_IDLE_MS ? 3 * cfg->heartbeat_ms : MIN_IDLE_MS;
    r = net_listener_start(&c->listener, loop, c->tls, cfg->listen_address, cfg->port, &lim,
            &(net_conn_callbacks){on_ready, on_frame, on_close, c});
    if (r != NET_OK) {
        net_log(NET_LOG_WARN, "cannot listen on %s port %u: %s", cfg->listen_address, cfg->port, net_strerror(r));
        goto fail;
    }
    uv_timer_init(loop, &c->tick);
    c->tick.data = c;
    uv_timer_start(&c->tick, on_tick, TICK_MS, TICK_MS);
    net_log(NET_LOG_INFO, "listening on %s port %u", cfg->listen_address, net_listener_port(c->listener));
    *out = c;
    return 0;
fail:
    coord_free(c);
    return -1;
}

uint16_t coord_port(const coord *c) {
    return net_listener_port(c->listener);
}

void coord_stop(coord *c) {
    if (c->stopping) {
        return;
    }
    c->stopping = 1;
    if (c->listener != NULL) {
        net_listener_close(c->listener);
        c->listener = NULL;
    }
    if (!uv_is_closing((uv_handle_t *)&c->tick)) {
        uv_close((uv_handle_t *)&c->tick, NULL);
    }
}

void coord_free(coord *c) {
    if (c == NULL) {
        return;
    }
    while (c->requests != NULL) {
        request *r = c->requests;
        c->requests = r->next;
        clear_session(r);
        for (size_t i = 0; i < MPC_MAX_PARTIES; i++) {
            free(r->views[i].summary);
        }
        free(r->rec.payload);
        free(r->approvals);
        assemble_out_clear(&r->rec.out);
        free(r);
    }
    while (c->keys != NULL) {
        coord_key *k = c->keys;
        c->keys = k->next;
        free(k);
    }
    store_close(c->db);
    net_tls_ctx_free(c->tls);
    if (c->secp != NULL) {
        secp256k1_context_destroy(c->secp);
    }
    mpc_context_destroy(c->mpc);
    free(c);
}
