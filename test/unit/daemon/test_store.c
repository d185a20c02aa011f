/* Coordinator store, SQLite backend (daemon/coordinator/store.h): persistence across reopen,
 * idempotency, the request state machine, the one-signature rule, the resume list, WAL mode,
 * corrupt files, two handles on one database. Where a property is about the file (journal mode,
 * triggers, schema version) it is checked through an independent sqlite3 connection. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

typedef struct fixture {
    char dir[64];
    char path[128];
    store *st;
} fixture;

static const uint8_t PUB[33] = {0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0,
                                0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d,
                                0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98};
static const uint8_t CHAIN[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
/* Bytes that would break string-built SQL; they must round-trip exactly. */
static const uint8_t PAYLOAD[] = "\x02\xf8'); DROP TABLE requests; --\x00\xff";

static store *open_store(const fixture *f, int busy_ms) {
    store *st = NULL;
    char err[STORE_ERR_MAX];
    store_options opt = {busy_ms, 0};
    int r = store_open(&st, err, sizeof err, &store_backend_sqlite, f->path, &opt);
    if (r != STORE_OK) {
        fail_msg("store_open: %d %s", r, err);
    }
    return st;
}

static void remove_db(const fixture *f) {
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/mpc-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/coordinator.db", f->dir);
    f->st = open_store(f, 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    store_close(f->st);
    remove_db(f);
    rmdir(f->dir);
    free(f);
    return 0;
}

#define OK(call)                                                           \
    do {                                                                   \
        int r_ = (call);                                                   \
        if (r_ != STORE_OK) {                                              \
            fail_msg("%s -> %d: %s", #call, r_, store_errmsg(f->st));       \
        }                                                                  \
    } while (0)

static void make_key(fixture *f, const char *key_id, int usable) {
    store_key k;
    memset(&k, 0, sizeof k);
    snprintf(k.key_id, sizeof k.key_id, "%s", key_id);
    k.n = 3;
    k.t = 2;
    k.signers.n = 3;
    strcpy(k.signers.ids[0], "signer-1");
    strcpy(k.signers.ids[1], "signer-2");
    strcpy(k.signers.ids[2], "signer-3");
    OK(store_key_create(f->st, &k));
    if (usable) {
        OK(store_key_activate(f->st, key_id, PUB, CHAIN));
    }
}

static store_request_new new_req(const char *rid, const char *idem) {
    store_request_new in = {
        .request_id = rid,
        .idempotency_key = idem,
        .requester_id = "backend",
        .key_id = "key-1",
        .derivation_path = "m/44'/60'/0'/0/7",
        .payload_type = "eth_tx_1559",
        .payload = PAYLOAD,
        .payload_len = sizeof PAYLOAD,
    };
    return in;
}

static void submit(fixture *f, const char *rid, const char *idem) {
    store_request out;
    int created = 0;
    store_request_new in = new_req(rid, idem);
    OK(store_request_submit(f->st, &out, &created, &in));
    assert_int_equal(created, 1);
    store_request_clear(&out);
}

static void move(fixture *f, const char *rid, store_request_status from, store_request_status to) {
    OK(store_request_transition(f->st, rid, from, to, NULL));
}

static void to_signing(fixture *f, const char *rid) {
    move(f, rid, STORE_REQ_RECEIVED, STORE_REQ_DECODING);
    move(f, rid, STORE_REQ_DECODING, STORE_REQ_AWAITING_APPROVAL);
    move(f, rid, STORE_REQ_AWAITING_APPROVAL, STORE_REQ_SIGNING);
}

static store_request_status status_of(fixture *f, const char *rid) {
    store_request r;
    OK(store_request_get(f->st, &r, rid));
    store_request_status s = r.status;
    store_request_clear(&r);
    return s;
}

/* A value read through an independent connection. */
static void query_text(const char *path, const char *sql, char *out, size_t cap) {
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Runs sql through an independent connection; returns SQLite's result code. */
static int exec_raw(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static void test_schema_and_reopen(void **state) {
    fixture *f = *state;
    int v = 0;
    char text[64];
    OK(store_schema_version(f->st, &v));
    assert_int_equal(v, 1);
    query_text(f->path, "SELECT group_concat(version) FROM schema_version", text, sizeof text);
    assert_string_equal(text, "1");
    make_key(f, "key-1", 1);
    submit(f, "req-1", "idem-1");
    move(f, "req-1", STORE_REQ_RECEIVED, STORE_REQ_DECODING);
    store_close(f->st);

    f->st = open_store(f, 0);
    OK(store_schema_version(f->st, &v));
    assert_int_equal(v, 1); /* migrations are not applied twice */
    query_text(f->path, "SELECT count(*) FROM schema_version", text, sizeof text);
    assert_string_equal(text, "1");
    store_key k;
    OK(store_key_get(f->st, &k, "key-1"));
    assert_int_equal(k.status, STORE_KEY_USABLE);
    assert_int_equal(k.n, 3);
    assert_int_equal(k.t, 2);
    assert_int_equal(k.signers.n, 3);
    assert_string_equal(k.signers.ids[2], "signer-3");
    assert_true(k.has_public);
    assert_memory_equal(k.public_key, PUB, 33);
    assert_memory_equal(k.chain_code, CHAIN, 32);
    store_request r;
    OK(store_request_get(f->st, &r, "req-1"));
    assert_string_equal(r.idempotency_key, "idem-1");
    assert_string_equal(r.requester_id, "backend");
    assert_string_equal(r.derivation_path, "m/44'/60'/0'/0/7");
    assert_string_equal(r.payload_type, "eth_tx_1559");
    assert_int_equal(r.payload_len, sizeof PAYLOAD);
    assert_memory_equal(r.payload, PAYLOAD, sizeof PAYLOAD);
    assert_int_equal(r.status, STORE_REQ_DECODING);
    assert_string_equal(r.failure, "");
    assert_true(r.created > 0 && r.updated >= r.created);
    store_request_clear(&r);
    query_text(f->path, "SELECT count(*) FROM requests", text, sizeof text);
    assert_string_equal(text, "1"); /* the payload's SQL text did nothing */
}

static void test_pragmas(void **state) {
    fixture *f = *state;
    char mode[32];
    query_text(f->path, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    make_key(f, "key-1", 1);
    /* foreign keys are enforced on the store's connection: a request for a missing key never
     * reaches the table (the store checks first), and the schema itself refuses one */
    store_request out;
    int created = 0;
    store_request_new in = new_req("req-x", "idem-x");
    in.key_id = "no-such-key";
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_NOTFOUND);
    assert_string_equal(store_errmsg(f->st), "key no-such-key not found");
    assert_int_equal(exec_raw(f->path,
                              "PRAGMA foreign_keys = ON;"
                              "INSERT INTO requests VALUES ('r', 'i', 'q', 'nokey', 'm', 't', x'00', 'received',"
                              " NULL, 1, 1)"),
                     SQLITE_CONSTRAINT);
}

static void test_idempotency(void **state) {
    fixture *f = *state;
    store_request out;
    int created = -1;
    make_key(f, "key-1", 1);
    store_request_new in = new_req("req-1", "idem-1");
    OK(store_request_submit(f->st, &out, &created, &in));
    assert_int_equal(created, 1);
    assert_string_equal(out.request_id, "req-1");
    store_request_clear(&out);

    /* a retry with a fresh candidate id gets the existing request */
    in.request_id = "req-2";
    OK(store_request_submit(f->st, &out, &created, &in));
    assert_int_equal(created, 0);
    assert_string_equal(out.request_id, "req-1");
    assert_memory_equal(out.payload, PAYLOAD, sizeof PAYLOAD);
    store_request_clear(&out);

    /* same key, different content: refused, nothing new stored */
    static const uint8_t other[] = "\x02\xf8 another transaction";
    in.payload = other;
    in.payload_len = sizeof other;
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_CONFLICT);
    assert_int_equal(created, 0);
    assert_null(out.payload);
    assert_string_equal(store_errmsg(f->st), "idempotency key idem-1 already used for request req-1 with a different payload");
    in = new_req("req-2", "idem-1");
    in.derivation_path = "m/0";
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_CONFLICT);
    assert_string_equal(store_errmsg(f->st),
                        "idempotency key idem-1 already used for request req-1 with a different derivation path");
    in = new_req("req-2", "idem-1");
    in.requester_id = "someone-else";
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_CONFLICT);
    char text[32];
    query_text(f->path, "SELECT count(*) FROM requests", text, sizeof text);
    assert_string_equal(text, "1");

    /* a new idempotency key reusing an existing request id is refused */
    in = new_req("req-1", "idem-2");
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_CONFLICT);
    assert_string_equal(store_errmsg(f->st), "request id req-1 already exists");

    /* still idempotent once the request is final */
    OK(store_request_transition(f->st, "req-1", STORE_REQ_RECEIVED, STORE_REQ_FAILED, "payload rejected"));
    in = new_req("req-9", "idem-1");
    OK(store_request_submit(f->st, &out, &created, &in));
    assert_int_equal(created, 0);
    assert_int_equal(out.status, STORE_REQ_FAILED);
    assert_string_equal(out.failure, "payload rejected");
    store_request_clear(&out);
}

/* Only usable keys are listed, oldest first, with their epoch, also after reopening. */
static void test_keys_usable(void **state) {
    fixture *f = *state;
    store_key *keys = NULL;
    size_t n = 99;
    OK(store_keys_usable(f->st, &keys, &n));
    assert_int_equal(n, 0);
    free(keys);
    make_key(f, "key-a", 1);
    make_key(f, "key-b", 0); /* pending: not listed */
    make_key(f, "key-c", 1);
    OK(store_key_retire(f->st, "key-c")); /* retired (a refreshed key's old id): not listed */
    make_key(f, "key-d", 1);
    OK(store_key_set_epoch(f->st, "key-d", 0, 2));
    store_close(f->st);
    f->st = open_store(f, 0);
    OK(store_keys_usable(f->st, &keys, &n));
    assert_int_equal(n, 2);
    assert_string_equal(keys[0].key_id, "key-a");
    assert_int_equal(keys[0].epoch, 0);
    assert_string_equal(keys[1].key_id, "key-d");
    assert_int_equal(keys[1].epoch, 2);
    assert_int_equal(keys[1].status, STORE_KEY_USABLE);
    assert_int_equal(keys[1].n, 3);
    assert_int_equal(keys[1].t, 2);
    assert_string_equal(keys[1].signers.ids[1], "signer-2");
    assert_memory_equal(keys[1].public_key, PUB, 33);
    assert_memory_equal(keys[1].chain_code, CHAIN, 32);
    free(keys);
}

static void test_submit_needs_usable_key(void **state) {
    fixture *f = *state;
    store_request out;
    int created = 0;
    make_key(f, "key-1", 0);
    store_request_new in = new_req("req-1", "idem-1");
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_STATE);
    assert_string_equal(store_errmsg(f->st), "key key-1 is pending, not usable");
    OK(store_key_activate(f->st, "key-1", PUB, CHAIN));
    assert_int_equal(store_key_activate(f->st, "key-1", PUB, CHAIN), STORE_E_STATE);
    assert_string_equal(store_errmsg(f->st), "key key-1 is usable (epoch 0), expected pending");
    OK(store_key_set_epoch(f->st, "key-1", 0, 1));
    assert_int_equal(store_key_set_epoch(f->st, "key-1", 0, 2), STORE_E_STATE);
    OK(store_key_retire(f->st, "key-1"));
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_STATE);
    assert_string_equal(store_errmsg(f->st), "key key-1 is retired, not usable");
    assert_int_equal(store_key_retire(f->st, "key-1"), STORE_E_STATE);
    store_key k;
    memset(&k, 0, sizeof k);
    strcpy(k.key_id, "key-1");
    k.n = k.t = k.signers.n = 1;
    strcpy(k.signers.ids[0], "s");
    assert_int_equal(store_key_create(f->st, &k), STORE_E_CONFLICT);
    k.t = 2;
    strcpy(k.key_id, "key-2");
    assert_int_equal(store_key_create(f->st, &k), STORE_E_ARG);
}

static void test_state_machine(void **state) {
    fixture *f = *state;
    make_key(f, "key-1", 1);
    submit(f, "req-1", "idem-1");
    /* skipping a state, a stale "from", done by transition: refused without change */
    assert_int_equal(store_request_transition(f->st, "req-1", STORE_REQ_RECEIVED, STORE_REQ_SIGNING, NULL),
                     STORE_E_STATE);
    assert_string_equal(store_errmsg(f->st), "request req-1: transition received -> signing not allowed");
    move(f, "req-1", STORE_REQ_RECEIVED, STORE_REQ_DECODING);
    assert_int_equal(store_request_transition(f->st, "req-1", STORE_REQ_RECEIVED, STORE_REQ_DECODING, NULL),
                     STORE_E_STATE);
    assert_string_equal(store_errmsg(f->st), "request req-1 is decoding, not received");
    move(f, "req-1", STORE_REQ_DECODING, STORE_REQ_AWAITING_APPROVAL);
    move(f, "req-1", STORE_REQ_AWAITING_APPROVAL, STORE_REQ_SIGNING);
    move(f, "req-1", STORE_REQ_SIGNING, STORE_REQ_AWAITING_APPROVAL); /* session aborted */
    move(f, "req-1", STORE_REQ_AWAITING_APPROVAL, STORE_REQ_SIGNING);
    assert_int_equal(store_request_transition(f->st, "req-1", STORE_REQ_SIGNING, STORE_REQ_DONE, NULL),
                     STORE_E_STATE);
    assert_int_equal(status_of(f, "req-1"), STORE_REQ_SIGNING);
    /* failed needs a reason, and only failed takes one */
    assert_int_equal(store_request_transition(f->st, "req-1", STORE_REQ_SIGNING, STORE_REQ_FAILED, NULL),
                     STORE_E_ARG);
    assert_int_equal(store_request_transition(f->st, "req-1", STORE_REQ_SIGNING, STORE_REQ_AWAITING_APPROVAL, "x"),
                     STORE_E_ARG);
    assert_int_equal(store_request_transition(f->st, "req-1", STORE_REQ_SIGNING, STORE_REQ_FAILED, "bad\x01"),
                     STORE_E_ARG);
    OK(store_request_transition(f->st, "req-1", STORE_REQ_SIGNING, STORE_REQ_FAILED, "signer 2 banned"));
    /* failed is final */
    for (int to = STORE_REQ_RECEIVED; to <= STORE_REQ_FAILED; to++) {
        assert_int_not_equal(store_request_transition(f->st, "req-1", STORE_REQ_FAILED, (store_request_status)to,
                                                      to == STORE_REQ_FAILED ? "again" : NULL),
                             STORE_OK);
    }
    assert_int_equal(store_request_transition(f->st, "nope", STORE_REQ_RECEIVED, STORE_REQ_DECODING, NULL),
                     STORE_E_NOTFOUND);
    assert_int_equal(store_request_transition(f->st, "bad id", STORE_REQ_RECEIVED, STORE_REQ_DECODING, NULL),
                     STORE_E_ARG);
    /* the database refuses to move a final request even when asked directly */
    assert_int_equal(exec_raw(f->path, "UPDATE requests SET status = 'signing', failure = NULL"), SQLITE_CONSTRAINT);
    assert_int_equal(status_of(f, "req-1"), STORE_REQ_FAILED);
}

static void test_one_signature(void **state) {
    fixture *f = *state;
    static const uint8_t out1[] = "signed tx 1";
    static const uint8_t out2[] = "signed tx 2";
    store_result res = {.output = (uint8_t *)(uintptr_t)out1, .output_len = sizeof out1};
    strcpy(res.request_id, "req-1");
    memset(res.signature, 0x11, sizeof res.signature);
    make_key(f, "key-1", 1);
    submit(f, "req-1", "idem-1");
    move(f, "req-1", STORE_REQ_RECEIVED, STORE_REQ_DECODING);
    move(f, "req-1", STORE_REQ_DECODING, STORE_REQ_AWAITING_APPROVAL);
    assert_int_equal(store_result_put(f->st, &res), STORE_E_STATE); /* not signing yet */
    assert_string_equal(store_errmsg(f->st), "request req-1 is awaiting_approval, not signing");
    move(f, "req-1", STORE_REQ_AWAITING_APPROVAL, STORE_REQ_SIGNING);
    OK(store_result_put(f->st, &res));
    assert_int_equal(status_of(f, "req-1"), STORE_REQ_DONE);
    OK(store_result_put(f->st, &res)); /* the identical result again: accepted, no change */

    store_result other = res;
    other.signature[64] = 0x12;
    assert_int_equal(store_result_put(f->st, &other), STORE_E_CONFLICT);
    assert_string_equal(store_errmsg(f->st), "request req-1 already has a different signature");
    other = res;
    other.output = (uint8_t *)(uintptr_t)out2;
    assert_int_equal(store_result_put(f->st, &other), STORE_E_CONFLICT);

    store_result got;
    OK(store_result_get(f->st, &got, "req-1"));
    assert_memory_equal(got.signature, res.signature, 65);
    assert_int_equal(got.output_len, sizeof out1);
    assert_memory_equal(got.output, out1, sizeof out1);
    store_result_clear(&got);
    assert_int_equal(store_request_transition(f->st, "req-1", STORE_REQ_DONE, STORE_REQ_FAILED, "late"), STORE_E_STATE);
    /* the stored signature cannot be replaced or removed behind the store's back */
    assert_int_equal(exec_raw(f->path, "UPDATE results SET signature = zeroblob(65)"), SQLITE_CONSTRAINT);
    assert_int_equal(exec_raw(f->path, "DELETE FROM results"), SQLITE_CONSTRAINT);
    /* and done cannot be set without a result */
    submit(f, "req-2", "idem-2");
    assert_int_equal(exec_raw(f->path, "UPDATE requests SET status = 'done' WHERE request_id = 'req-2'"),
                     SQLITE_CONSTRAINT);
    assert_int_equal(store_result_get(f->st, &got, "req-2"), STORE_E_NOTFOUND);
}

static void test_resume_after_reopen(void **state) {
    fixture *f = *state;
    static const uint8_t out[] = "signed";
    make_key(f, "key-1", 1);
    submit(f, "req-a", "idem-a"); /* stays received */
    submit(f, "req-b", "idem-b");
    to_signing(f, "req-b");
    submit(f, "req-c", "idem-c");
    to_signing(f, "req-c");
    store_result res = {.output = (uint8_t *)(uintptr_t)out, .output_len = sizeof out};
    strcpy(res.request_id, "req-c");
    OK(store_result_put(f->st, &res)); /* done */
    submit(f, "req-d", "idem-d");
    OK(store_request_transition(f->st, "req-d", STORE_REQ_RECEIVED, STORE_REQ_FAILED, "decoding failed"));
    store_session s;
    memset(&s, 0, sizeof s);
    strcpy(s.session_id, "sess-1");
    strcpy(s.request_id, "req-b");
    strcpy(s.key_id, "key-1");
    s.kind = STORE_SESSION_SIGN;
    s.signers.n = 2;
    strcpy(s.signers.ids[0], "signer-1");
    strcpy(s.signers.ids[1], "signer-3");
    OK(store_session_create(f->st, &s));
    store_close(f->st);

    f->st = open_store(f, 0);
    store_request *list = NULL;
    size_t n = 99;
    OK(store_requests_resumable(f->st, &list, &n));
    assert_int_equal(n, 2);
    assert_string_equal(list[0].request_id, "req-a");
    assert_int_equal(list[0].status, STORE_REQ_RECEIVED);
    assert_string_equal(list[1].request_id, "req-b");
    assert_int_equal(list[1].status, STORE_REQ_SIGNING);
    assert_memory_equal(list[1].payload, PAYLOAD, sizeof PAYLOAD);
    store_requests_free(list, n);
    /* sessions are never resumed: every running one is aborted at start-up */
    size_t aborted = 0;
    OK(store_sessions_abort_running(f->st, &aborted, "coordinator restarted"));
    assert_int_equal(aborted, 1);
    store_session got;
    OK(store_session_get(f->st, &got, "sess-1"));
    assert_int_equal(got.state, STORE_SESSION_ABORTED);
    assert_string_equal(got.abort_reason, "coordinator restarted");
    assert_true(got.ended >= got.started);
    assert_int_equal(got.signers.n, 2);
    assert_string_equal(got.signers.ids[1], "signer-3");
    OK(store_sessions_abort_running(f->st, &aborted, "again"));
    assert_int_equal(aborted, 0);
}

static void test_sessions(void **state) {
    fixture *f = *state;
    store_session s;
    make_key(f, "key-1", 1);
    submit(f, "req-1", "idem-1");
    memset(&s, 0, sizeof s);
    strcpy(s.session_id, "sess-1");
    strcpy(s.request_id, "req-1");
    strcpy(s.key_id, "key-1");
    s.kind = STORE_SESSION_SIGN;
    s.signers.n = 2;
    strcpy(s.signers.ids[0], "signer-1");
    strcpy(s.signers.ids[1], "signer-2");
    assert_int_equal(store_session_create(f->st, &s), STORE_E_STATE); /* request not signing */
    to_signing(f, "req-1");
    s.signers.n = 1;
    assert_int_equal(store_session_create(f->st, &s), STORE_E_ARG); /* fewer than t */
    s.signers.n = 2;
    strcpy(s.signers.ids[1], "signer-9");
    assert_int_equal(store_session_create(f->st, &s), STORE_E_ARG);
    assert_string_equal(store_errmsg(f->st), "session sess-1: signer-9 is not a signer of key key-1");
    strcpy(s.signers.ids[1], "signer-1");
    assert_int_equal(store_session_create(f->st, &s), STORE_E_ARG); /* duplicate signer */
    strcpy(s.signers.ids[1], "signer-2");
    OK(store_session_create(f->st, &s));
    strcpy(s.session_id, "sess-2");
    assert_int_equal(store_session_create(f->st, &s), STORE_E_CONFLICT); /* one running per request */
    OK(store_session_end(f->st, "sess-1", STORE_SESSION_ABORTED, "round 2 timeout"));
    assert_int_equal(store_session_end(f->st, "sess-1", STORE_SESSION_COMPLETED, NULL), STORE_E_STATE);
    assert_string_equal(store_errmsg(f->st), "session sess-1 has already ended (aborted)");
    strcpy(s.session_id, "sess-1");
    assert_int_equal(store_session_create(f->st, &s), STORE_E_CONFLICT); /* never reuse a session id */
    strcpy(s.session_id, "sess-2");
    OK(store_session_create(f->st, &s));
    OK(store_session_end(f->st, "sess-2", STORE_SESSION_COMPLETED, NULL));
    /* keygen: all signers, pending key, no request */
    make_key(f, "key-2", 0);
    memset(&s, 0, sizeof s);
    strcpy(s.session_id, "kg-1");
    strcpy(s.key_id, "key-2");
    s.kind = STORE_SESSION_KEYGEN;
    s.signers.n = 2;
    strcpy(s.signers.ids[0], "signer-1");
    strcpy(s.signers.ids[1], "signer-2");
    assert_int_equal(store_session_create(f->st, &s), STORE_E_ARG);
    s.signers.n = 3;
    strcpy(s.signers.ids[2], "signer-3");
    OK(store_session_create(f->st, &s));
    store_session got;
    OK(store_session_get(f->st, &got, "kg-1"));
    assert_string_equal(got.request_id, "");
    assert_int_equal(got.kind, STORE_SESSION_KEYGEN);
    assert_int_equal(got.state, STORE_SESSION_RUNNING);
    assert_int_equal(got.ended, 0);
}

static void test_signer_results_and_approvals(void **state) {
    fixture *f = *state;
    store_signer_result res;
    make_key(f, "key-1", 1);
    submit(f, "req-1", "idem-1");
    memset(&res, 0, sizeof res);
    strcpy(res.request_id, "req-1");
    strcpy(res.signer_id, "signer-2");
    memset(res.digest, 0xab, 32);
    strcpy(res.summary, "send 1.5 ETH to 0x00000000219ab540356cbb839cbe05303d7705fa\nfee 0.001 ETH");
    strcpy(res.fingerprint, "e0b52197 916ca452 8d05e8ab fe4fd902 e91dbd31 37a42385 6228e737 d984f6b2");
    res.verdict = STORE_VERDICT_NEEDS_APPROVAL;
    memset(res.identity_sig, 0x5a, 64);
    OK(store_signer_result_put(f->st, &res));
    OK(store_signer_result_put(f->st, &res));
    strcpy(res.signer_id, "signer-1");
    res.digest[0] = 0xac;
    OK(store_signer_result_put(f->st, &res));
    res.verdict = STORE_VERDICT_DENY;
    assert_int_equal(store_signer_result_put(f->st, &res), STORE_E_CONFLICT);
    assert_string_equal(store_errmsg(f->st), "signer signer-1 already reported a different result for request req-1");
    store_signer_result *list = NULL;
    size_t n = 0;
    OK(store_signer_results_get(f->st, &list, &n, "req-1"));
    assert_int_equal(n, 2);
    assert_string_equal(list[0].signer_id, "signer-1");
    assert_int_equal(list[0].digest[0], 0xac);
    assert_int_equal(list[0].verdict, STORE_VERDICT_NEEDS_APPROVAL);
    assert_string_equal(list[1].summary, res.summary);
    assert_string_equal(list[1].fingerprint, "e0b52197 916ca452 8d05e8ab fe4fd902 e91dbd31 37a42385 6228e737 d984f6b2");
    assert_int_equal(list[1].digest[0], 0xab);
    store_signer_results_free(list, n);
    assert_int_equal(store_signer_results_get(f->st, &list, &n, "req-404"), STORE_E_NOTFOUND);

    store_approval ap;
    memset(&ap, 0, sizeof ap);
    strcpy(ap.request_id, "req-1");
    memset(ap.operator_key, 0x77, 32);
    ap.decision = STORE_DECISION_APPROVE;
    ap.expiry = 1900000000;
    memset(ap.signature, 0x33, 64);
    OK(store_approval_put(f->st, &ap));
    OK(store_approval_put(f->st, &ap));
    ap.decision = STORE_DECISION_REJECT;
    assert_int_equal(store_approval_put(f->st, &ap), STORE_E_CONFLICT);
    ap.operator_key[0] = 0x01;
    OK(store_approval_put(f->st, &ap));
    store_approval *aps = NULL;
    OK(store_approvals_get(f->st, &aps, &n, "req-1"));
    assert_int_equal(n, 2);
    assert_int_equal(aps[0].operator_key[0], 0x01);
    assert_int_equal(aps[0].decision, STORE_DECISION_REJECT);
    assert_int_equal(aps[1].decision, STORE_DECISION_APPROVE);
    assert_int_equal(aps[1].expiry, 1900000000);
    store_approvals_free(aps, n);

    /* nothing more once the request is final */
    OK(store_request_transition(f->st, "req-1", STORE_REQ_RECEIVED, STORE_REQ_FAILED, "digest mismatch"));
    strcpy(res.signer_id, "signer-3");
    assert_int_equal(store_signer_result_put(f->st, &res), STORE_E_STATE);
    ap.operator_key[0] = 0x02;
    assert_int_equal(store_approval_put(f->st, &ap), STORE_E_STATE);
}

static void test_user_transaction(void **state) {
    fixture *f = *state;
    store_request out;
    int created = 0;
    make_key(f, "key-1", 1);
    OK(store_begin(f->st));
    assert_int_equal(store_begin(f->st), STORE_E_STATE);
    submit(f, "req-1", "idem-1");
    /* a failing operation inside the transaction undoes only itself */
    store_request_new in = new_req("req-1", "idem-2");
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_CONFLICT);
    submit(f, "req-2", "idem-3");
    OK(store_rollback(f->st));
    assert_int_equal(store_request_get(f->st, &out, "req-1"), STORE_E_NOTFOUND);
    OK(store_begin(f->st));
    submit(f, "req-1", "idem-1");
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_CONFLICT);
    submit(f, "req-2", "idem-3");
    OK(store_commit(f->st));
    assert_int_equal(status_of(f, "req-1"), STORE_REQ_RECEIVED);
    assert_int_equal(status_of(f, "req-2"), STORE_REQ_RECEIVED);
    assert_int_equal(store_commit(f->st), STORE_E_STATE);
}

static void test_arguments(void **state) {
    fixture *f = *state;
    store_request out;
    int created = 0;
    make_key(f, "key-1", 1);
    store_request_new in = new_req("req 1", "idem-1");
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_ARG);
    assert_string_equal(store_errmsg(f->st), "request id is not a valid id");
    in = new_req("req-1", "idem'1");
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_ARG);
    in = new_req("req-1", "idem-1");
    in.payload_len = 0;
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_ARG);
    in.payload_len = STORE_PAYLOAD_MAX + 1;
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_ARG);
    in = new_req("req-1", "idem-1");
    in.derivation_path = "m/0\n";
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_ARG);
    char longid[STORE_ID_MAX + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    in = new_req(longid, "idem-1");
    assert_int_equal(store_request_submit(f->st, &out, &created, &in), STORE_E_ARG);
    longid[STORE_ID_MAX] = '\0';
    in = new_req(longid, "idem-1");
    OK(store_request_submit(f->st, &out, &created, &in));
    assert_string_equal(out.request_id, longid);
    store_request_clear(&out);
}

static void test_corrupt_file(void **state) {
    fixture *f = *state;
    store *st = NULL;
    char err[STORE_ERR_MAX], want[STORE_ERR_MAX];
    store_close(f->st);
    f->st = NULL;
    remove_db(f);
    /* not a database at all */
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 512; i++) {
        fputs("this is not an sqlite file ", fp);
    }
    fclose(fp);
    assert_int_equal(store_open(&st, err, sizeof err, &store_backend_sqlite, f->path, NULL), STORE_E_CORRUPT);
    assert_null(st);
    snprintf(want, sizeof want, "%s: corrupt or not an SQLite database: enabling the WAL journal: file is not a database",
             f->path);
    assert_string_equal(err, want);
    remove_db(f);

    /* a real database with a damaged table page: caught by the integrity check at open */
    f->st = open_store(f, 0);
    make_key(f, "key-1", 1);
    for (int i = 0; i < 40; i++) {
        char rid[32], idem[32];
        snprintf(rid, sizeof rid, "req-%d", i);
        snprintf(idem, sizeof idem, "idem-%d", i);
        submit(f, rid, idem);
    }
    store_close(f->st);
    f->st = NULL;
    /* Damage the b-tree page header of the requests table's root page only: the schema still
     * reads, so only the integrity check can notice. */
    char page_size[32], root[32];
    query_text(f->path, "PRAGMA page_size", page_size, sizeof page_size);
    query_text(f->path, "SELECT rootpage FROM sqlite_schema WHERE name = 'requests'", root, sizeof root);
    long ps = atol(page_size), pg = atol(root);
    assert_true(pg >= 2);
    int fd = open(f->path, O_WRONLY);
    assert_true(fd >= 0);
    uint8_t junk[64];
    memset(junk, 0xee, sizeof junk);
    assert_int_equal(pwrite(fd, junk, sizeof junk, (off_t)((pg - 1) * ps)), (ssize_t)sizeof junk);
    close(fd);
    int r = store_open(&st, err, sizeof err, &store_backend_sqlite, f->path, NULL);
    assert_int_equal(r, STORE_E_CORRUPT);
    assert_null(st);
    snprintf(want, sizeof want, "%s: corrupt or not an SQLite database: integrity check failed: ", f->path);
    if (strncmp(err, want, strlen(want)) != 0 || strchr(err, '\n') != NULL) {
        fail_msg("unexpected: %s", err);
    }
}

static void test_newer_schema(void **state) {
    fixture *f = *state;
    store *st = NULL;
    char err[STORE_ERR_MAX], want[STORE_ERR_MAX];
    store_close(f->st);
    f->st = NULL;
    assert_int_equal(exec_raw(f->path, "INSERT INTO schema_version VALUES (2, 0)"), SQLITE_OK);
    assert_int_equal(store_open(&st, err, sizeof err, &store_backend_sqlite, f->path, NULL), STORE_E_SCHEMA);
    snprintf(want, sizeof want, "%s: database schema version 2 is newer than this program's (1)", f->path);
    assert_string_equal(err, want);
    assert_int_equal(store_open(&st, err, sizeof err, &store_backend_sqlite, "/nonexistent-dir/x.db", NULL),
                     STORE_E_IO);
    assert_non_null(strstr(err, "/nonexistent-dir/x.db: cannot open: "));
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_two_handles(void **state) {
    fixture *f = *state;
    make_key(f, "key-1", 1);
    submit(f, "req-1", "idem-1");
    store *b = open_store(f, 200);
    store_request out;
    int created = 0;

    /* handle a holds the write lock */
    OK(store_begin(f->st));
    submit(f, "req-2", "idem-2");
    /* b can still read (WAL) and does not see a's uncommitted request */
    assert_int_equal(store_request_get(b, &out, "req-1"), STORE_OK);
    store_request_clear(&out);
    assert_int_equal(store_request_get(b, &out, "req-2"), STORE_E_NOTFOUND);
    /* b's write waits for the busy timeout, then fails cleanly */
    store_request_new in = new_req("req-3", "idem-3");
    double t0 = now_ms();
    assert_int_equal(store_request_submit(b, &out, &created, &in), STORE_E_BUSY);
    double waited = now_ms() - t0;
    assert_true(waited >= 150.0);
    assert_true(waited < 5000.0);
    assert_null(out.payload);
    OK(store_commit(f->st));

    /* after the commit b writes and both see everything */
    assert_int_equal(store_request_submit(b, &out, &created, &in), STORE_OK);
    assert_int_equal(created, 1);
    store_request_clear(&out);
    assert_int_equal(store_request_get(b, &out, "req-2"), STORE_OK);
    store_request_clear(&out);
    assert_int_equal(status_of(f, "req-3"), STORE_REQ_RECEIVED);
    /* the same idempotency key through the other handle is the same request */
    in = new_req("req-4", "idem-1");
    assert_int_equal(store_request_submit(b, &out, &created, &in), STORE_OK);
    assert_int_equal(created, 0);
    assert_string_equal(out.request_id, "req-1");
    store_request_clear(&out);
    store_close(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_usable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_submit_needs_usable_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_machine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signer_results_and_approvals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_handles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
