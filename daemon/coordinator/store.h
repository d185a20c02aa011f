#ifndef MPC_COORDINATOR_STORE_H
#define MPC_COORDINATOR_STORE_H
/*
 * The coordinator's persistent state: keys, requests, the signers' independently computed digests,
 * operator approvals, protocol sessions and final results.
 *
 * A backend is a table of function pointers (store_backend); SQLite (store_backend_sqlite) is the
 * default, a PostgreSQL backend for several coordinators fits the same table. Callers use the
 * store_* wrappers below, never a backend's functions directly.
 *
 * Rules every backend enforces (not the caller):
 *   - idempotency: a request is identified by its idempotency key; submitting the same key again
 *     returns the existing request (created = 0) if every field is identical and is refused with
 *     STORE_E_CONFLICT if anything differs, so a retried submission never makes a second withdrawal;
 *   - request states move only along
 *         received -> decoding -> awaiting_approval -> signing -> done
 *                                         ^------------'
 *     (signing -> awaiting_approval when a session aborted and signers must get ready again), and any
 *     non-final state -> failed (with a reason). done and failed are final;
 *   - a transition names the state it expects to leave (compare-and-set), so two coordinators, or a
 *     stale in-memory view, cannot both move one request;
 *   - done is reached only through store_result_put, which stores exactly one signature per request:
 *     repeating the identical result is accepted, a different one is refused (STORE_E_CONFLICT);
 *   - keys move pending -> usable -> retired (pending -> retired for a failed ceremony); requests
 *     can only be submitted for a usable key;
 *   - a session that ended is final; sessions still running when the coordinator starts are aborted
 *     by store_sessions_abort_running (a session is never resumed, ARCHITECTURE.md section 5).
 *
 * Transactions: every operation is atomic on its own. store_begin/store_commit/store_rollback group
 * several operations into one transaction (writes take the write lock at begin); operations inside
 * it use savepoints, so a failed operation undoes only itself.
 *
 * Errors: STORE_OK (0) or a negative STORE_E_*; store_errmsg(st) then describes the last error
 * (never containing payload bytes). Strings in the structs are NUL-terminated; ids use
 * [A-Za-z0-9._:-], 1..STORE_ID_MAX bytes.
 *
 * A handle is used by one thread at a time; several handles (processes) may open one database.
 */
#include <stddef.h>
#include <stdint.h>

#define STORE_OK 0
#define STORE_E_INTERNAL (-1)
#define STORE_E_ARG (-2)      /* invalid argument (id syntax, length, enum out of range) */
#define STORE_E_NOTFOUND (-3)
#define STORE_E_CONFLICT (-4) /* idempotency key reused with other content, second result, duplicate */
#define STORE_E_STATE (-5)    /* transition not allowed from the current state */
#define STORE_E_BUSY (-6)     /* the database stayed locked longer than the busy timeout */
#define STORE_E_CORRUPT (-7)  /* not a database, or failed integrity check */
#define STORE_E_IO (-8)       /* cannot open / read / write the database file */
#define STORE_E_SCHEMA (-9)   /* database schema is newer than this program */
#define STORE_E_NOMEM (-10)

#define STORE_ID_MAX 64            /* as NET_ID_MAX: signer and requester ids are TLS identities */
#define STORE_FINGERPRINT_MAX 255
#define STORE_PATH_MAX 255        /* derivation path text, e.g. "m/0/17" */
#define STORE_TEXT_MAX 4096       /* summaries, failure and abort reasons */
#define STORE_PAYLOAD_MAX (1u << 20)
#define STORE_OUTPUT_MAX (2u << 20)
#define STORE_MAX_SIGNERS 32
#define STORE_ERR_MAX 512

typedef enum {
    STORE_KEY_PENDING = 0,
    STORE_KEY_USABLE = 1,
    STORE_KEY_RETIRED = 2
} store_key_status;

typedef enum {
    STORE_REQ_RECEIVED = 0,
    STORE_REQ_DECODING = 1,
    STORE_REQ_AWAITING_APPROVAL = 2,
    STORE_REQ_SIGNING = 3,
    STORE_REQ_DONE = 4,
    STORE_REQ_FAILED = 5
} store_request_status;

typedef enum { STORE_SESSION_KEYGEN = 0, STORE_SESSION_SIGN = 1, STORE_SESSION_REFRESH = 2 } store_session_kind;
typedef enum { STORE_SESSION_RUNNING = 0, STORE_SESSION_COMPLETED = 1, STORE_SESSION_ABORTED = 2 } store_session_state;
typedef enum { STORE_VERDICT_ALLOW = 0, STORE_VERDICT_NEEDS_APPROVAL = 1, STORE_VERDICT_DENY = 2 } store_verdict;
typedef enum { STORE_DECISION_APPROVE = 0, STORE_DECISION_REJECT = 1 } store_decision;

typedef struct store_signer_set {
    size_t n;
    char ids[STORE_MAX_SIGNERS][STORE_ID_MAX + 1]; /* distinct */
} store_signer_set;

typedef struct store_key {
    char key_id[STORE_ID_MAX + 1];
    uint32_t n, t;             /* 1 <= t <= n == signers.n */
    store_signer_set signers;
    int has_public;            /* public_key and chain_code are set once the key is usable */
    uint8_t public_key[33];    /* compressed secp256k1 point */
    uint8_t chain_code[32];
    uint32_t epoch;
    store_key_status status;
    int64_t created, updated;  /* unix seconds */
} store_key;

/* What a requester submits. */
typedef struct store_request_new {
    const char *request_id;      /* fresh id chosen by the caller; ignored if the key is known */
    const char *idempotency_key; /* 1..STORE_ID_MAX bytes, same syntax as ids */
    const char *requester_id;
    const char *key_id;
    const char *derivation_path; /* printable ASCII, 1..STORE_PATH_MAX bytes */
    const char *payload_type;    /* an id, e.g. "eth_tx_1559" */
    const uint8_t *payload;
    size_t payload_len;          /* 1..STORE_PAYLOAD_MAX */
} store_request_new;

typedef struct store_request {
    char request_id[STORE_ID_MAX + 1];
    char idempotency_key[STORE_ID_MAX + 1];
    char requester_id[STORE_ID_MAX + 1];
    char key_id[STORE_ID_MAX + 1];
    char derivation_path[STORE_PATH_MAX + 1];
    char payload_type[STORE_ID_MAX + 1];
    uint8_t *payload;            /* owned; release with store_request_clear */
    size_t payload_len;
    store_request_status status;
    char failure[STORE_TEXT_MAX + 1]; /* "" unless failed */
    int64_t created, updated;
} store_request;

typedef struct store_signer_result {
    char request_id[STORE_ID_MAX + 1];
    char signer_id[STORE_ID_MAX + 1];
    uint8_t digest[32];
    char summary[STORE_TEXT_MAX + 1];
    char fingerprint[STORE_FINGERPRINT_MAX + 1]; /* printable ASCII, no line break */
    store_verdict verdict;
    uint8_t identity_sig[64];    /* Ed25519 signature of the enclave identity key */
} store_signer_result;

typedef struct store_approval {
    char request_id[STORE_ID_MAX + 1];
    uint8_t operator_key[32];    /* Ed25519 public key of the operator */
    store_decision decision;
    int64_t expiry;              /* unix seconds */
    uint8_t signature[64];
} store_approval;

typedef struct store_session {
    char session_id[STORE_ID_MAX + 1];
    char request_id[STORE_ID_MAX + 1]; /* "" for keygen and refresh */
    char key_id[STORE_ID_MAX + 1];
    store_session_kind kind;
    store_signer_set signers;
    store_session_state state;
    int64_t started, ended;      /* ended is 0 while running */
    char abort_reason[STORE_TEXT_MAX + 1];
} store_session;

typedef struct store_result {
    char request_id[STORE_ID_MAX + 1];
    uint8_t signature[65];       /* r || s || v */
    uint8_t *output;             /* owned on get; release with store_result_clear */
    size_t output_len;           /* 1..STORE_OUTPUT_MAX */
} store_result;

typedef struct store store;

typedef struct store_options {
    int busy_timeout_ms;  /* how long a write waits for another handle's lock; 0 means 5000 */
    int skip_integrity_check; /* 0: run PRAGMA quick_check at open (recommended) */
} store_options;

/* The backend interface. Every function follows the contract of its store_* wrapper. */
typedef struct store_backend {
    const char *name;
    int (*open)(store **out, char *err, size_t errlen, const char *target, const store_options *opt);
    void (*close)(store *st);
    int (*begin)(store *st);
    int (*commit)(store *st);
    int (*rollback)(store *st);
    int (*schema_version)(store *st, int *out);
    int (*key_create)(store *st, const store_key *key);
    int (*key_activate)(store *st, const char *key_id, const uint8_t public_key[33], const uint8_t chain_code[32]);
    int (*key_set_epoch)(store *st, const char *key_id, uint32_t from_epoch, uint32_t to_epoch);
    int (*key_retire)(store *st, const char *key_id);
    int (*key_get)(store *st, store_key *out, const char *key_id);
    int (*keys_usable)(store *st, store_key **out, size_t *n);
    int (*request_submit)(store *st, store_request *out, int *created, const store_request_new *in);
    int (*request_get)(store *st, store_request *out, const char *request_id);
    int (*request_transition)(store *st, const char *request_id, store_request_status from,
                              store_request_status to, const char *reason);
    int (*requests_resumable)(store *st, store_request **out, size_t *n);
    int (*signer_result_put)(store *st, const store_signer_result *res);
    int (*signer_results_get)(store *st, store_signer_result **out, size_t *n, const char *request_id);
    int (*approval_put)(store *st, const store_approval *ap);
    int (*approvals_get)(store *st, store_approval **out, size_t *n, const char *request_id);
    int (*session_create)(store *st, const store_session *s);
    int (*session_end)(store *st, const char *session_id, store_session_state state, const char *reason);
    int (*session_get)(store *st, store_session *out, const char *session_id);
    int (*sessions_abort_running)(store *st, size_t *aborted, const char *reason);
    int (*result_put)(store *st, const store_result *res);
    int (*result_get)(store *st, store_result *out, const char *request_id);
} store_backend;

/* Every backend's handle starts with this; its own state follows. */
struct store {
    const store_backend *backend;
    char err[STORE_ERR_MAX];
};

extern const store_backend store_backend_sqlite;

#define STORE_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define STORE_ARG_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))

/* Opens (creating if needed) the store at target (SQLite: a file path) and applies pending schema
 * migrations. opt may be NULL. On error *out is NULL and err holds the reason. */
int store_open(store **out, char *err, size_t errlen, const store_backend *backend, const char *target,
               const store_options *opt) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 4, 5);
/* NULL-safe. Rolls back an open transaction. */
void store_close(store *st);
/* The last error's description ("" if none). */
const char *store_errmsg(const store *st) STORE_ARG_NONNULL(1);

int store_begin(store *st) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1);
int store_commit(store *st) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1);
int store_rollback(store *st) STORE_ARG_NONNULL(1);
/* The highest applied migration. */
int store_schema_version(store *st, int *out) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);

/* Creates a pending key (status, epoch, has_public and times in *key are ignored). */
int store_key_create(store *st, const store_key *key) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
/* pending -> usable with the public key and chain code all enclaves confirmed. */
int store_key_activate(store *st, const char *key_id, const uint8_t public_key[33], const uint8_t chain_code[32])
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3, 4);
/* After a refresh: the epoch moves from from_epoch to to_epoch > from_epoch (usable keys only). */
int store_key_set_epoch(store *st, const char *key_id, uint32_t from_epoch, uint32_t to_epoch)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
int store_key_retire(store *st, const char *key_id) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
int store_key_get(store *st, store_key *out, const char *key_id) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3);
/* Every usable key, oldest first (pending and retired keys are left out); free *out with free().
 * On error *out is NULL and *n is 0. */
int store_keys_usable(store *st, store_key **out, size_t *n) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3);

/* See the idempotency rule above. On success *out is the stored request (new or existing) and
 * *created is 1 if this call created it. The key must exist and be usable. */
int store_request_submit(store *st, store_request *out, int *created, const store_request_new *in)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3, 4);
int store_request_get(store *st, store_request *out, const char *request_id)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3);
/* from -> to, if the request is in state from and the edge is allowed (to != done: use
 * store_result_put). reason is required for failed and must be NULL otherwise.
 * STORE_E_STATE if the request is in another state or the edge is not allowed. */
int store_request_transition(store *st, const char *request_id, store_request_status from,
                             store_request_status to, const char *reason)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
/* Every request that is neither done nor failed, in submission order; free with
 * store_requests_free. */
int store_requests_resumable(store *st, store_request **out, size_t *n) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3);
void store_request_clear(store_request *r);
void store_requests_free(store_request *arr, size_t n);

/* One signer's (digest, summary, fingerprint, verdict) for a request that is not final. Storing
 * the identical record again is accepted; a different record for the same signer is refused. */
int store_signer_result_put(store *st, const store_signer_result *res) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
/* In signer id order; free with store_signer_results_free. */
int store_signer_results_get(store *st, store_signer_result **out, size_t *n, const char *request_id)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3, 4);
void store_signer_results_free(store_signer_result *arr, size_t n);

/* One approval per (request, operator key), same identical/different rule as signer results. */
int store_approval_put(store *st, const store_approval *ap) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
int store_approvals_get(store *st, store_approval **out, size_t *n, const char *request_id)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3, 4);
void store_approvals_free(store_approval *arr, size_t n);

/* A new running session (state, times and abort_reason in *s are ignored). A sign session needs
 * a request in state signing and a signer set of at least t signers of the key. */
int store_session_create(store *st, const store_session *s) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
/* running -> completed (reason NULL) or aborted (reason required). */
int store_session_end(store *st, const char *session_id, store_session_state state, const char *reason)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
int store_session_get(store *st, store_session *out, const char *session_id)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3);
/* At start-up: aborts every running session with reason; *aborted is how many. */
int store_sessions_abort_running(store *st, size_t *aborted, const char *reason)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3);

/* Stores the request's one signature and output and moves it signing -> done in one transaction. */
int store_result_put(store *st, const store_result *res) STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2);
int store_result_get(store *st, store_result *out, const char *request_id)
    STORE_WARN_UNUSED_RESULT STORE_ARG_NONNULL(1, 2, 3);
void store_result_clear(store_result *r);

/* Names used in the database and in messages ("awaiting_approval", ...); NULL if out of range. */
const char *store_request_status_name(store_request_status s);
const char *store_key_status_name(store_key_status s);

#endif
