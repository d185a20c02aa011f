/*
 * SQLite backend of the coordinator store.
 *
 * Durability: WAL journal, synchronous=FULL (a committed request survives power loss), foreign
 * keys on, a busy timeout so that two handles (or processes) wait for each other instead of
 * failing at once. Hardening against a tampered file: defensive mode and untrusted schema, and
 * PRAGMA quick_check at open.
 *
 * Every value reaches SQL as a bound parameter of a constant statement; no SQL text is built at
 * run time. The state rules are checked in the statements themselves (compare-and-set
 * UPDATEs, UNIQUE constraints) and again by triggers, so a bug in this file cannot move a final
 * request or replace a signature.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"

typedef struct sq_store {
    struct store base; /* first: a store * is a sq_store * */
    sqlite3 *db;
    int user_tx;       /* store_begin is open: operations use savepoints */
} sq_store;

/* Migration n (1-based) brings the schema from version n - 1 to n. Never edit a released one. */
static const char *const migrations[] = {
    /* 1: initial schema */
    "CREATE TABLE keys ("
    "  key_id TEXT PRIMARY KEY,"
    "  n INTEGER NOT NULL CHECK (n BETWEEN 1 AND 32),"
    "  t INTEGER NOT NULL CHECK (t BETWEEN 1 AND n),"
    "  signers TEXT NOT NULL,"
    "  public_key BLOB CHECK (public_key IS NULL OR length(public_key) = 33),"
    "  chain_code BLOB CHECK (chain_code IS NULL OR length(chain_code) = 32),"
    "  epoch INTEGER NOT NULL CHECK (epoch BETWEEN 0 AND 4294967295),"
    "  status TEXT NOT NULL CHECK (status IN ('pending', 'usable', 'retired')),"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  CHECK (status <> 'usable' OR (public_key IS NOT NULL AND chain_code IS NOT NULL))"
    ") STRICT;"
    "CREATE TABLE requests ("
    "  request_id TEXT PRIMARY KEY,"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  requester_id TEXT NOT NULL,"
    "  key_id TEXT NOT NULL REFERENCES keys (key_id),"
    "  derivation_path TEXT NOT NULL,"
    "  payload_type TEXT NOT NULL,"
    "  payload BLOB NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('received', 'decoding', 'awaiting_approval', 'signing',"
    "                                          'done', 'failed')),"
    "  failure TEXT,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  CHECK ((status = 'failed') = (failure IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX requests_open ON requests (created) WHERE status NOT IN ('done', 'failed');"
    "CREATE TABLE signer_results ("
    "  request_id TEXT NOT NULL REFERENCES requests (request_id),"
    "  signer_id TEXT NOT NULL,"
    "  digest BLOB NOT NULL CHECK (length(digest) = 32),"
    "  summary TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL,"
    "  verdict TEXT NOT NULL CHECK (verdict IN ('allow', 'needs_approval', 'deny')),"
    "  identity_sig BLOB NOT NULL CHECK (length(identity_sig) = 64),"
    "  received INTEGER NOT NULL,"
    "  PRIMARY KEY (request_id, signer_id)"
    ") STRICT;"
    "CREATE TABLE approvals ("
    "  request_id TEXT NOT NULL REFERENCES requests (request_id),"
    "  operator_key BLOB NOT NULL CHECK (length(operator_key) = 32),"
    "  decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),"
    "  expiry INTEGER NOT NULL,"
    "  signature BLOB NOT NULL CHECK (length(signature) = 64),"
    "  received INTEGER NOT NULL,"
    "  PRIMARY KEY (request_id, operator_key)"
    ") STRICT;"
    "CREATE TABLE sessions ("
    "  session_id TEXT PRIMARY KEY,"
    "  request_id TEXT REFERENCES requests (request_id),"
    "  key_id TEXT NOT NULL REFERENCES keys (key_id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('keygen', 'sign', 'refresh')),"
    "  signers TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('running', 'completed', 'aborted')),"
    "  started INTEGER NOT NULL,"
    "  ended INTEGER,"
    "  abort_reason TEXT,"
    "  CHECK ((kind = 'sign') = (request_id IS NOT NULL)),"
    "  CHECK ((state = 'running') = (ended IS NULL)),"
    "  CHECK ((state = 'aborted') = (abort_reason IS NOT NULL))"
    ") STRICT;"
    "CREATE UNIQUE INDEX sessions_one_running ON sessions (request_id)"
    "  WHERE state = 'running' AND request_id IS NOT NULL;"
    "CREATE INDEX sessions_running ON sessions (started) WHERE state = 'running';"
    "CREATE TABLE results ("
    "  request_id TEXT PRIMARY KEY REFERENCES requests (request_id),"
    "  signature BLOB NOT NULL CHECK (length(signature) = 65),"
    "  output BLOB NOT NULL,"
    "  created INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TRIGGER requests_final BEFORE UPDATE ON requests"
    "  WHEN OLD.status IN ('done', 'failed')"
    "  BEGIN SELECT RAISE(ABORT, 'request is final'); END;"
    "CREATE TRIGGER requests_done_needs_result BEFORE UPDATE OF status ON requests"
    "  WHEN NEW.status = 'done' AND NOT EXISTS (SELECT 1 FROM results WHERE request_id = NEW.request_id)"
    "  BEGIN SELECT RAISE(ABORT, 'request done without a result'); END;"
    "CREATE TRIGGER results_no_update BEFORE UPDATE ON results"
    "  BEGIN SELECT RAISE(ABORT, 'results are immutable'); END;"
    "CREATE TRIGGER results_no_delete BEFORE DELETE ON results"
    "  BEGIN SELECT RAISE(ABORT, 'results are immutable'); END;"
    "CREATE TRIGGER sessions_final BEFORE UPDATE ON sessions"
    "  WHEN OLD.state <> 'running'"
    "  BEGIN SELECT RAISE(ABORT, 'session has ended'); END;",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

#define REQ_COLS \
    "request_id, idempotency_key, requester_id, key_id, derivation_path, payload_type, payload, status, " \
    "failure, created, updated"

static sq_store *sq(store *st) {
    return (sq_store *)st;
}

static int64_t now_s(void) {
    return (int64_t)time(NULL);
}

static int map_rc(int rc) {
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_E_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return STORE_E_CORRUPT;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return STORE_E_IO;
    case SQLITE_NOMEM:
        return STORE_E_NOMEM;
    case SQLITE_CONSTRAINT:
        return STORE_E_CONFLICT;
    default:
        return STORE_E_INTERNAL;
    }
}

/* SQLite's message never holds a bound value, so it is safe to show. */
static int sq_fail(sq_store *s, int rc, const char *what) {
    return store__fail(&s->base, map_rc(rc), "%s: %s", what, sqlite3_errmsg(s->db));
}

static int corrupt(sq_store *s, const char *what) {
    return store__fail(&s->base, STORE_E_CORRUPT, "stored %s is malformed", what);
}

#define BIND(call)                                  \
    do {                                            \
        int brc_ = (call);                          \
        if (brc_ != SQLITE_OK) {                    \
            r = sq_fail(s, brc_, "binding a value"); \
            goto out;                               \
        }                                           \
    } while (0)

/* Preparing reads the schema, so at open this is where a damaged file shows first: what names
 * the step for the message. */
static int prep_what(sq_store *s, sqlite3_stmt **q, const char *sql, const char *what) {
    int rc = sqlite3_prepare_v2(s->db, sql, -1, q, NULL);
    if (rc != SQLITE_OK) {
        *q = NULL;
        return sq_fail(s, rc, what);
    }
    return STORE_OK;
}

static int prep(sq_store *s, sqlite3_stmt **q, const char *sql) {
    return prep_what(s, q, sql, "preparing a statement");
}

static int exec_sql(sq_store *s, const char *sql, const char *what) {
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? STORE_OK : sq_fail(s, rc, what);
}

static int bind_text(sqlite3_stmt *q, int i, const char *v) {
    return sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

static int bind_blob(sqlite3_stmt *q, int i, const void *v, size_t len) {
    return sqlite3_bind_blob64(q, i, v, (sqlite3_uint64)len, SQLITE_STATIC);
}

static int col_text(sq_store *s, char *dst, size_t cap, sqlite3_stmt *q, int i, const char *what) {
    const unsigned char *t = sqlite3_column_text(q, i);
    int n = sqlite3_column_bytes(q, i);
    if (sqlite3_column_type(q, i) != SQLITE_TEXT || t == NULL || n < 0 || (size_t)n >= cap) {
        return corrupt(s, what);
    }
    memcpy(dst, t, (size_t)n);
    dst[n] = '\0';
    return STORE_OK;
}

static int col_blob_exact(sq_store *s, uint8_t *dst, size_t len, sqlite3_stmt *q, int i, const char *what) {
    const void *b = sqlite3_column_blob(q, i);
    int n = sqlite3_column_bytes(q, i);
    if (sqlite3_column_type(q, i) != SQLITE_BLOB || b == NULL || n < 0 || (size_t)n != len) {
        return corrupt(s, what);
    }
    memcpy(dst, b, len);
    return STORE_OK;
}

/* A copy of a non-empty blob in fresh memory. */
static int col_blob_alloc(sq_store *s, uint8_t **dst, size_t *len, size_t max, sqlite3_stmt *q, int i,
                          const char *what) {
    const void *b = sqlite3_column_blob(q, i);
    int n = sqlite3_column_bytes(q, i);
    if (sqlite3_column_type(q, i) != SQLITE_BLOB || b == NULL || n <= 0 || (size_t)n > max) {
        return corrupt(s, what);
    }
    *dst = malloc((size_t)n);
    if (*dst == NULL) {
        return store__fail(&s->base, STORE_E_NOMEM, "out of memory reading %s", what);
    }
    memcpy(*dst, b, (size_t)n);
    *len = (size_t)n;
    return STORE_OK;
}

static int col_enum(sq_store *s, int *out, store__table t, sqlite3_stmt *q, int i, const char *what) {
    const unsigned char *txt = sqlite3_column_text(q, i);
    int v = txt == NULL ? -1 : store__parse_name(t, (const char *)txt);
    if (v < 0) {
        return corrupt(s, what);
    }
    *out = v;
    return STORE_OK;
}

/* Signer sets are stored as the ids joined by ','; ids cannot contain one. */
static void join_signers(char *out, const store_signer_set *set) {
    size_t pos = 0;
    for (size_t i = 0; i < set->n; i++) {
        size_t len = strlen(set->ids[i]);
        if (i > 0) {
            out[pos++] = ',';
        }
        memcpy(out + pos, set->ids[i], len);
        pos += len;
    }
    out[pos] = '\0';
}

#define SIGNERS_TEXT_MAX (STORE_MAX_SIGNERS * (STORE_ID_MAX + 1))

static int col_signers(sq_store *s, store_signer_set *set, sqlite3_stmt *q, int i) {
    char buf[SIGNERS_TEXT_MAX + 1];
    int r = col_text(s, buf, sizeof buf, q, i, "signer set");
    if (r != STORE_OK) {
        return r;
    }
    memset(set, 0, sizeof *set);
    const char *p = buf;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (set->n == STORE_MAX_SIGNERS || len == 0 || len > STORE_ID_MAX) {
            return corrupt(s, "signer set");
        }
        memcpy(set->ids[set->n], p, len);
        set->ids[set->n][len] = '\0';
        if (!store__id_valid(set->ids[set->n])) {
            return corrupt(s, "signer set");
        }
        set->n++;
        if (comma == NULL) {
            return STORE_OK;
        }
        p = comma + 1;
    }
}

static int signer_in(const store_signer_set *set, const char *id) {
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->ids[i], id) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Operations that take several statements run in their own transaction, or in a savepoint inside
 * the caller's store_begin. The write lock is taken at the start (BEGIN IMMEDIATE) so that two
 * writers queue on the busy timeout rather than deadlock on a lock upgrade. */
static int op_begin(sq_store *s) {
    return exec_sql(s, s->user_tx ? "SAVEPOINT op" : "BEGIN IMMEDIATE", "starting a transaction");
}

static int op_end(sq_store *s, int r) {
    if (r == STORE_OK) {
        r = exec_sql(s, s->user_tx ? "RELEASE op" : "COMMIT", "committing");
        if (r == STORE_OK) {
            return STORE_OK;
        }
    }
    /* The message of the first failure stays in s->base.err. */
    if (s->user_tx) {
        (void)sqlite3_exec(s->db, "ROLLBACK TO op; RELEASE op", NULL, NULL, NULL);
    } else if (!sqlite3_get_autocommit(s->db)) {
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return r;
}

static int sq_begin(store *st) {
    sq_store *s = sq(st);
    if (s->user_tx) {
        return store__fail(st, STORE_E_STATE, "a transaction is already open");
    }
    int r = exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction");
    if (r == STORE_OK) {
        s->user_tx = 1;
    }
    return r;
}

static int sq_commit(store *st) {
    sq_store *s = sq(st);
    if (!s->user_tx) {
        return store__fail(st, STORE_E_STATE, "no transaction is open");
    }
    int r = exec_sql(s, "COMMIT", "committing");
    /* A busy COMMIT leaves the transaction open for a retry; other failures end it. */
    if (r == STORE_OK || sqlite3_get_autocommit(s->db)) {
        s->user_tx = 0;
    }
    return r;
}

static int sq_rollback(store *st) {
    sq_store *s = sq(st);
    if (!s->user_tx) {
        return store__fail(st, STORE_E_STATE, "no transaction is open");
    }
    s->user_tx = 0;
    if (sqlite3_get_autocommit(s->db)) {
        return STORE_OK;
    }
    return exec_sql(s, "ROLLBACK", "rolling back");
}

static int query_int(sq_store *s, int64_t *out, const char *sql, const char *what) {
    sqlite3_stmt *q = NULL;
    int r = prep_what(s, &q, sql, what);
    if (r != STORE_OK) {
        return r;
    }
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(q, 0);
    } else {
        r = sq_fail(s, rc, what);
    }
    sqlite3_finalize(q);
    return r;
}

static int migrate(sq_store *s) {
    int64_t version = 0;
    int r = exec_sql(s, "BEGIN IMMEDIATE", "starting the schema migration");
    if (r != STORE_OK) {
        return r;
    }
    r = exec_sql(s,
                 "CREATE TABLE IF NOT EXISTS schema_version ("
                 "  version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT",
                 "creating the schema version table");
    if (r == STORE_OK) {
        r = query_int(s, &version, "SELECT coalesce(max(version), 0) FROM schema_version",
                      "reading the schema version");
    }
    if (r == STORE_OK && version > N_MIGRATIONS) {
        r = store__fail(&s->base, STORE_E_SCHEMA, "database schema version %lld is newer than this program's (%d)",
                        (long long)version, N_MIGRATIONS);
    }
    for (int v = (int)version + 1; r == STORE_OK && v <= N_MIGRATIONS; v++) {
        sqlite3_stmt *q = NULL;
        char what[64];
        snprintf(what, sizeof what, "applying schema migration %d", v);
        r = exec_sql(s, migrations[v - 1], what);
        if (r == STORE_OK) {
            r = prep(s, &q, "INSERT INTO schema_version (version, applied) VALUES (?1, ?2)");
        }
        if (r == STORE_OK) {
            int rc = sqlite3_bind_int(q, 1, v);
            if (rc == SQLITE_OK) {
                rc = sqlite3_bind_int64(q, 2, now_s());
            }
            if (rc == SQLITE_OK) {
                rc = sqlite3_step(q);
            }
            if (rc != SQLITE_DONE) {
                r = sq_fail(s, rc, what);
            }
        }
        sqlite3_finalize(q);
    }
    return op_end(s, r);
}

static int set_journal_wal(sq_store *s) {
    sqlite3_stmt *q = NULL;
    int r = prep_what(s, &q, "PRAGMA journal_mode = WAL", "enabling the WAL journal");
    if (r != STORE_OK) {
        return r;
    }
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        r = sq_fail(s, rc, "enabling the WAL journal");
    } else {
        const unsigned char *mode = sqlite3_column_text(q, 0);
        if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
            r = store__fail(&s->base, STORE_E_IO, "enabling the WAL journal: journal mode stayed %s",
                            mode ? (const char *)mode : "unknown");
        }
    }
    sqlite3_finalize(q);
    return r;
}

static int quick_check(sq_store *s) {
    sqlite3_stmt *q = NULL;
    int r = prep_what(s, &q, "PRAGMA quick_check(1)", "integrity check");
    if (r != STORE_OK) {
        return r;
    }
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        r = sq_fail(s, rc, "integrity check");
    } else {
        const unsigned char *res = sqlite3_column_text(q, 0);
        if (res == NULL || strcmp((const char *)res, "ok") != 0) {
            /* SQLite's report spans lines; keep the message on one. */
            char report[201];
            snprintf(report, sizeof report, "%s", res ? (const char *)res : "no result");
            for (char *p = report; *p; p++) {
                if ((unsigned char)*p < 0x20) {
                    *p = ' ';
                }
            }
            r = store__fail(&s->base, STORE_E_CORRUPT, "integrity check failed: %s", report);
        }
    }
    sqlite3_finalize(q);
    return r;
}

/* Both pragmas are silently ignored by a library built without the feature: read them back. */
static int check_settings(sq_store *s) {
    int64_t sync = -1, fk = -1;
    int r = query_int(s, &sync, "PRAGMA synchronous", "reading synchronous");
    if (r == STORE_OK) {
        r = query_int(s, &fk, "PRAGMA foreign_keys", "reading foreign_keys");
    }
    if (r == STORE_OK && (sync != 2 || fk != 1)) {
        r = store__fail(&s->base, STORE_E_INTERNAL, "SQLite kept synchronous = %lld, foreign_keys = %lld",
                        (long long)sync, (long long)fk);
    }
    return r;
}

static void sq_close(store *st) {
    sq_store *s = sq(st);
    if (s->db != NULL) {
        if (!sqlite3_get_autocommit(s->db)) {
            (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        }
        sqlite3_close_v2(s->db);
    }
    free(s);
}

static int sq_open(store **out, char *err, size_t errlen, const char *path, const store_options *opt) {
    int r;
    int busy_ms = opt != NULL && opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 5000;
    sq_store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return STORE_E_NOMEM;
    }
    s->base.backend = &store_backend_sqlite;
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        r = store__fail(&s->base, map_rc(rc) == STORE_E_NOMEM ? STORE_E_NOMEM : STORE_E_IO, "cannot open: %s",
                        s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(s->db, busy_ms);
    /* A database file is input: refuse schema tricks and writes that could corrupt it further. */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    r = exec_sql(s, "PRAGMA foreign_keys = ON", "enabling foreign keys");
    if (r == STORE_OK) {
        r = set_journal_wal(s);
    }
    if (r == STORE_OK) {
        r = exec_sql(s, "PRAGMA synchronous = FULL", "setting synchronous = FULL");
    }
    if (r == STORE_OK) {
        r = check_settings(s);
    }
    if (r == STORE_OK && (opt == NULL || !opt->skip_integrity_check)) {
        r = quick_check(s);
    }
    if (r == STORE_OK) {
        r = migrate(s);
    }
out:
    if (r != STORE_OK) {
        snprintf(err, errlen, "%s: %s%s", path,
                 r == STORE_E_CORRUPT ? "corrupt or not an SQLite database: " : "", s->base.err);
        sq_close(&s->base);
        return r;
    }
    s->base.err[0] = '\0';
    *out = &s->base;
    return STORE_OK;
}

static int sq_schema_version(store *st, int *out) {
    int64_t v = 0;
    int r = query_int(sq(st), &v, "SELECT coalesce(max(version), 0) FROM schema_version", "reading the schema version");
    *out = (int)v;
    return r;
}

/* ---- keys ---- */

static int sq_key_create(store *st, const store_key *key) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    char signers[SIGNERS_TEXT_MAX + 1];
    int64_t now = now_s();
    join_signers(signers, &key->signers);
    int r = prep(s, &q,
                 "INSERT INTO keys (key_id, n, t, signers, epoch, status, created, updated)"
                 " VALUES (?1, ?2, ?3, ?4, 0, 'pending', ?5, ?5)");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, key->key_id));
    BIND(sqlite3_bind_int64(q, 2, key->n));
    BIND(sqlite3_bind_int64(q, 3, key->t));
    BIND(bind_text(q, 4, signers));
    BIND(sqlite3_bind_int64(q, 5, now));
    int rc = sqlite3_step(q);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        r = store__fail(st, STORE_E_CONFLICT, "key %s already exists", key->key_id);
    } else if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "creating a key");
    }
out:
    sqlite3_finalize(q);
    return r;
}

typedef int (*row_reader)(sq_store *s, void *elem, sqlite3_stmt *q);

/* The row sql selects for key (its ?1), read by read into elem; *found = 0 and STORE_OK when no
 * row matches. what names the read in a database error. */
static int read_one(sq_store *s, void *elem, int *found, row_reader read, const char *sql, const char *key,
                    const char *what) {
    sqlite3_stmt *q = NULL;
    *found = 0;
    int r = prep(s, &q, sql);
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, key));
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = 1;
        r = read(s, elem, q);
    } else if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, what);
    }
out:
    sqlite3_finalize(q);
    return r;
}

static int read_key(sq_store *s, void *elem, sqlite3_stmt *q) {
    store_key *k = elem;
    int status = 0;
    int64_t n = sqlite3_column_int64(q, 1), t = sqlite3_column_int64(q, 2), epoch = sqlite3_column_int64(q, 6);
    int r = col_text(s, k->key_id, sizeof k->key_id, q, 0, "key id");
    if (r == STORE_OK) {
        r = col_signers(s, &k->signers, q, 3);
    }
    if (r == STORE_OK) {
        r = col_enum(s, &status, STORE__KEY_STATUS, q, 7, "key status");
    }
    if (r == STORE_OK && (n < 1 || n > STORE_MAX_SIGNERS || (size_t)n != k->signers.n || t < 1 || t > n ||
                          epoch < 0 || epoch > UINT32_MAX)) {
        r = corrupt(s, "key parameters");
    }
    if (r == STORE_OK && sqlite3_column_type(q, 4) != SQLITE_NULL) {
        r = col_blob_exact(s, k->public_key, sizeof k->public_key, q, 4, "public key");
        if (r == STORE_OK) {
            r = col_blob_exact(s, k->chain_code, sizeof k->chain_code, q, 5, "chain code");
        }
        k->has_public = 1;
    }
    if (r == STORE_OK && status == STORE_KEY_USABLE && !k->has_public) {
        r = corrupt(s, "usable key without public key");
    }
    k->n = (uint32_t)n;
    k->t = (uint32_t)t;
    k->epoch = (uint32_t)epoch;
    k->status = (store_key_status)status;
    k->created = sqlite3_column_int64(q, 8);
    k->updated = sqlite3_column_int64(q, 9);
    return r;
}

static int sq_key_get(store *st, store_key *out, const char *key_id) {
    int found = 0;
    int r = read_one(sq(st), out, &found, read_key,
                     "SELECT key_id, n, t, signers, public_key, chain_code, epoch, status, created, updated"
                     " FROM keys WHERE key_id = ?1",
                     key_id, "reading a key");
    if (r == STORE_OK && !found) {
        r = store__fail(st, STORE_E_NOTFOUND, "key %s not found", key_id);
    }
    if (r != STORE_OK) {
        memset(out, 0, sizeof *out);
    }
    return r;
}

/* After a compare-and-set UPDATE on keys changed nothing: say why. */
static int key_not_changed(sq_store *s, const char *key_id, const char *expected) {
    store_key k;
    int r = sq_key_get(&s->base, &k, key_id);
    if (r != STORE_OK) {
        return r;
    }
    return store__fail(&s->base, STORE_E_STATE, "key %s is %s (epoch %u), expected %s", key_id,
                       store_key_status_name(k.status), (unsigned)k.epoch, expected);
}

static int run_key_update(sq_store *s, sqlite3_stmt *q, const char *key_id, const char *expected) {
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        return sq_fail(s, rc, "updating a key");
    }
    return sqlite3_changes(s->db) == 1 ? STORE_OK : key_not_changed(s, key_id, expected);
}

static int sq_key_activate(store *st, const char *key_id, const uint8_t public_key[33], const uint8_t chain_code[32]) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    int r = prep(s, &q,
                 "UPDATE keys SET status = 'usable', public_key = ?2, chain_code = ?3, updated = ?4"
                 " WHERE key_id = ?1 AND status = 'pending'");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, key_id));
    BIND(bind_blob(q, 2, public_key, 33));
    BIND(bind_blob(q, 3, chain_code, 32));
    BIND(sqlite3_bind_int64(q, 4, now_s()));
    r = run_key_update(s, q, key_id, "pending");
out:
    sqlite3_finalize(q);
    return r;
}

static int sq_key_set_epoch(store *st, const char *key_id, uint32_t from_epoch, uint32_t to_epoch) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    char expected[48];
    snprintf(expected, sizeof expected, "usable at epoch %u", (unsigned)from_epoch);
    int r = prep(s, &q,
                 "UPDATE keys SET epoch = ?3, updated = ?4"
                 " WHERE key_id = ?1 AND status = 'usable' AND epoch = ?2");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, key_id));
    BIND(sqlite3_bind_int64(q, 2, from_epoch));
    BIND(sqlite3_bind_int64(q, 3, to_epoch));
    BIND(sqlite3_bind_int64(q, 4, now_s()));
    r = run_key_update(s, q, key_id, expected);
out:
    sqlite3_finalize(q);
    return r;
}

static int sq_key_retire(store *st, const char *key_id) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    int r = prep(s, &q,
                 "UPDATE keys SET status = 'retired', updated = ?2"
                 " WHERE key_id = ?1 AND status IN ('pending', 'usable')");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, key_id));
    BIND(sqlite3_bind_int64(q, 2, now_s()));
    r = run_key_update(s, q, key_id, "pending or usable");
out:
    sqlite3_finalize(q);
    return r;
}

/* ---- requests ---- */

static int read_request(sq_store *s, void *elem, sqlite3_stmt *q) {
    store_request *o = elem;
    int status = 0;
    int r = col_text(s, o->request_id, sizeof o->request_id, q, 0, "request id");
    if (r == STORE_OK) {
        r = col_text(s, o->idempotency_key, sizeof o->idempotency_key, q, 1, "idempotency key");
    }
    if (r == STORE_OK) {
        r = col_text(s, o->requester_id, sizeof o->requester_id, q, 2, "requester id");
    }
    if (r == STORE_OK) {
        r = col_text(s, o->key_id, sizeof o->key_id, q, 3, "key id");
    }
    if (r == STORE_OK) {
        r = col_text(s, o->derivation_path, sizeof o->derivation_path, q, 4, "derivation path");
    }
    if (r == STORE_OK) {
        r = col_text(s, o->payload_type, sizeof o->payload_type, q, 5, "payload type");
    }
    if (r == STORE_OK) {
        r = col_blob_alloc(s, &o->payload, &o->payload_len, STORE_PAYLOAD_MAX, q, 6, "payload");
    }
    if (r == STORE_OK) {
        r = col_enum(s, &status, STORE__REQ_STATUS, q, 7, "request status");
    }
    if (r == STORE_OK && sqlite3_column_type(q, 8) != SQLITE_NULL) {
        r = col_text(s, o->failure, sizeof o->failure, q, 8, "failure reason");
    }
    o->status = (store_request_status)status;
    o->created = sqlite3_column_int64(q, 9);
    o->updated = sqlite3_column_int64(q, 10);
    return r;
}

/* *found = 0 and STORE_OK when no row matches. sql selects REQ_COLS with one text parameter. */
static int fetch_request(sq_store *s, store_request *out, int *found, const char *sql, const char *arg) {
    int r = read_one(s, out, found, read_request, sql, arg, "reading a request");
    if (r != STORE_OK) {
        store_request_clear(out);
    }
    return r;
}

/* Which field of a resubmission differs from the stored request, or NULL. */
static const char *request_difference(const store_request *have, const store_request_new *in) {
    if (strcmp(have->requester_id, in->requester_id) != 0) {
        return "requester";
    }
    if (strcmp(have->key_id, in->key_id) != 0) {
        return "key id";
    }
    if (strcmp(have->derivation_path, in->derivation_path) != 0) {
        return "derivation path";
    }
    if (strcmp(have->payload_type, in->payload_type) != 0) {
        return "payload type";
    }
    if (have->payload_len != in->payload_len || memcmp(have->payload, in->payload, in->payload_len) != 0) {
        return "payload";
    }
    return NULL;
}

static int key_status(sq_store *s, int *status, const char *key_id) {
    sqlite3_stmt *q = NULL;
    int r = prep(s, &q, "SELECT status FROM keys WHERE key_id = ?1");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, key_id));
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        r = store__fail(&s->base, STORE_E_NOTFOUND, "key %s not found", key_id);
    } else if (rc != SQLITE_ROW) {
        r = sq_fail(s, rc, "reading a key");
    } else {
        r = col_enum(s, status, STORE__KEY_STATUS, q, 0, "key status");
    }
out:
    sqlite3_finalize(q);
    return r;
}

static int insert_request(sq_store *s, const store_request_new *in) {
    sqlite3_stmt *q = NULL;
    int r = prep(s, &q,
                 "INSERT INTO requests (request_id, idempotency_key, requester_id, key_id, derivation_path,"
                 " payload_type, payload, status, failure, created, updated)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'received', NULL, ?8, ?8)");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, in->request_id));
    BIND(bind_text(q, 2, in->idempotency_key));
    BIND(bind_text(q, 3, in->requester_id));
    BIND(bind_text(q, 4, in->key_id));
    BIND(bind_text(q, 5, in->derivation_path));
    BIND(bind_text(q, 6, in->payload_type));
    BIND(bind_blob(q, 7, in->payload, in->payload_len));
    BIND(sqlite3_bind_int64(q, 8, now_s()));
    int rc = sqlite3_step(q);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        r = store__fail(&s->base, STORE_E_CONFLICT, "request id %s already exists", in->request_id);
    } else if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "storing a request");
    }
out:
    sqlite3_finalize(q);
    return r;
}

static int sq_request_submit(store *st, store_request *out, int *created, const store_request_new *in) {
    sq_store *s = sq(st);
    int found = 0;
    int status = 0;
    int r = op_begin(s);
    if (r != STORE_OK) {
        return r;
    }
    r = fetch_request(s, out, &found, "SELECT " REQ_COLS " FROM requests WHERE idempotency_key = ?1",
                      in->idempotency_key);
    if (r != STORE_OK) {
        goto out;
    }
    if (found) {
        const char *diff = request_difference(out, in);
        if (diff != NULL) {
            r = store__fail(st, STORE_E_CONFLICT,
                            "idempotency key %s already used for request %s with a different %s",
                            in->idempotency_key, out->request_id, diff);
        }
        goto out;
    }
    r = key_status(s, &status, in->key_id);
    if (r == STORE_OK && status != STORE_KEY_USABLE) {
        r = store__fail(st, STORE_E_STATE, "key %s is %s, not usable", in->key_id,
                        store_key_status_name((store_key_status)status));
    }
    if (r == STORE_OK) {
        r = insert_request(s, in);
    }
    if (r == STORE_OK) {
        r = fetch_request(s, out, &found, "SELECT " REQ_COLS " FROM requests WHERE request_id = ?1", in->request_id);
    }
    if (r == STORE_OK && !found) {
        r = store__fail(st, STORE_E_INTERNAL, "request %s vanished after insert", in->request_id);
    }
    if (r == STORE_OK) {
        *created = 1;
    }
out:
    r = op_end(s, r);
    if (r != STORE_OK) {
        store_request_clear(out);
        *created = 0;
    }
    return r;
}

static int sq_request_get(store *st, store_request *out, const char *request_id) {
    int found = 0;
    int r = fetch_request(sq(st), out, &found, "SELECT " REQ_COLS " FROM requests WHERE request_id = ?1", request_id);
    if (r == STORE_OK && !found) {
        r = store__fail(st, STORE_E_NOTFOUND, "request %s not found", request_id);
    }
    return r;
}

static int read_status(sq_store *s, void *elem, sqlite3_stmt *q) {
    int v = 0;
    int r = col_enum(s, &v, STORE__REQ_STATUS, q, 0, "request status");
    *(store_request_status *)elem = (store_request_status)v;
    return r;
}

/* The request's status, or STORE_E_NOTFOUND. */
static int request_status(sq_store *s, store_request_status *status, const char *request_id) {
    int found = 0;
    int r = read_one(s, status, &found, read_status, "SELECT status FROM requests WHERE request_id = ?1", request_id,
                     "reading a request");
    if (r == STORE_OK && !found) {
        r = store__fail(&s->base, STORE_E_NOTFOUND, "request %s not found", request_id);
    }
    return r;
}

typedef void (*row_clear)(void *elem);

/* Every row sql selects, each read by read into a zeroed element of elem_size, in a fresh array
 * (NULL when there are no rows). With request_id, sql takes it as ?1 and the request must exist.
 * On failure nothing is handed over: clear, where elements own memory, releases each one read so
 * far, the failing one included. what names the list in messages. */
static int list_rows(sq_store *s, void **out, size_t *n, size_t elem_size, row_reader read, row_clear clear,
                     const char *sql, const char *request_id, const char *what) {
    sqlite3_stmt *q = NULL;
    unsigned char *arr = NULL;
    size_t count = 0, cap = 0;
    store_request_status status;
    int rc;
    int r = request_id != NULL ? request_status(s, &status, request_id) : STORE_OK;
    if (r != STORE_OK) {
        return r;
    }
    r = prep(s, &q, sql);
    if (r != STORE_OK) {
        goto out;
    }
    if (request_id != NULL) {
        BIND(bind_text(q, 1, request_id));
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            unsigned char *grown = ncap <= SIZE_MAX / elem_size ? realloc(arr, ncap * elem_size) : NULL;
            if (grown == NULL) {
                r = store__fail(&s->base, STORE_E_NOMEM, "out of memory listing %s", what);
                goto out;
            }
            arr = grown;
            cap = ncap;
        }
        memset(arr + count * elem_size, 0, elem_size);
        count++;
        r = read(s, arr + (count - 1) * elem_size, q);
        if (r != STORE_OK) {
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        r = store__fail(&s->base, map_rc(rc), "listing %s: %s", what, sqlite3_errmsg(s->db));
    }
out:
    sqlite3_finalize(q);
    if (r != STORE_OK) {
        for (size_t i = 0; clear != NULL && i < count; i++) {
            clear(arr + i * elem_size);
        }
        free(arr);
        return r;
    }
    *out = arr;
    *n = count;
    return STORE_OK;
}

static int sq_request_transition(store *st, const char *request_id, store_request_status from,
                                 store_request_status to, const char *reason) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    store_request_status now_status = STORE_REQ_RECEIVED;
    int r = prep(s, &q,
                 "UPDATE requests SET status = ?2, failure = ?3, updated = ?4"
                 " WHERE request_id = ?1 AND status = ?5");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, request_id));
    BIND(bind_text(q, 2, store_request_status_name(to)));
    BIND(reason != NULL ? bind_text(q, 3, reason) : sqlite3_bind_null(q, 3));
    BIND(sqlite3_bind_int64(q, 4, now_s()));
    BIND(bind_text(q, 5, store_request_status_name(from)));
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "updating a request");
    } else if (sqlite3_changes(s->db) != 1) {
        r = request_status(s, &now_status, request_id);
        if (r == STORE_OK) {
            r = store__fail(st, STORE_E_STATE, "request %s is %s, not %s", request_id,
                            store_request_status_name(now_status), store_request_status_name(from));
        }
    }
out:
    sqlite3_finalize(q);
    return r;
}

static void clear_request(void *elem) {
    store_request_clear(elem);
}

static int sq_keys_usable(store *st, store_key **out, size_t *n) {
    void *arr = NULL;
    int r = list_rows(sq(st), &arr, n, sizeof **out, read_key, NULL,
                      "SELECT key_id, n, t, signers, public_key, chain_code, epoch, status, created, updated"
                      " FROM keys WHERE status = 'usable' ORDER BY created, rowid",
                      NULL, "keys");
    if (r == STORE_OK) {
        *out = arr;
    }
    return r;
}

static int sq_requests_resumable(store *st, store_request **out, size_t *n) {
    void *arr = NULL;
    int r = list_rows(sq(st), &arr, n, sizeof **out, read_request, clear_request,
                      "SELECT " REQ_COLS " FROM requests WHERE status NOT IN ('done', 'failed')"
                      " ORDER BY created, rowid",
                      NULL, "requests");
    if (r == STORE_OK) {
        *out = arr;
    }
    return r;
}

/* ---- signer results and approvals ---- */

static int require_open_request(sq_store *s, const char *request_id, const char *what) {
    store_request_status status = STORE_REQ_RECEIVED;
    int r = request_status(s, &status, request_id);
    if (r == STORE_OK && (status == STORE_REQ_DONE || status == STORE_REQ_FAILED)) {
        r = store__fail(&s->base, STORE_E_STATE, "request %s is %s: no more %s", request_id,
                        store_request_status_name(status), what);
    }
    return r;
}

static int read_signer_result(sq_store *s, void *elem, sqlite3_stmt *q) {
    store_signer_result *o = elem;
    int verdict = 0;
    int r = col_text(s, o->request_id, sizeof o->request_id, q, 0, "request id");
    if (r == STORE_OK) {
        r = col_text(s, o->signer_id, sizeof o->signer_id, q, 1, "signer id");
    }
    if (r == STORE_OK) {
        r = col_blob_exact(s, o->digest, sizeof o->digest, q, 2, "digest");
    }
    if (r == STORE_OK) {
        r = col_text(s, o->summary, sizeof o->summary, q, 3, "summary");
    }
    if (r == STORE_OK) {
        r = col_text(s, o->fingerprint, sizeof o->fingerprint, q, 4, "fingerprint");
    }
    if (r == STORE_OK) {
        r = col_enum(s, &verdict, STORE__VERDICT, q, 5, "verdict");
    }
    if (r == STORE_OK) {
        r = col_blob_exact(s, o->identity_sig, sizeof o->identity_sig, q, 6, "identity signature");
    }
    o->verdict = (store_verdict)verdict;
    return r;
}

#define SIGNER_RESULT_COLS "request_id, signer_id, digest, summary, fingerprint, verdict, identity_sig"

static int sq_signer_result_put(store *st, const store_signer_result *res) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    store_signer_result *have = NULL;
    int r = op_begin(s);
    if (r != STORE_OK) {
        return r;
    }
    r = require_open_request(s, res->request_id, "signer results");
    if (r != STORE_OK) {
        goto out;
    }
    r = prep(s, &q, "SELECT " SIGNER_RESULT_COLS " FROM signer_results WHERE request_id = ?1 AND signer_id = ?2");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, res->request_id));
    BIND(bind_text(q, 2, res->signer_id));
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        have = calloc(1, sizeof *have);
        if (have == NULL) {
            r = store__fail(st, STORE_E_NOMEM, "out of memory");
            goto out;
        }
        r = read_signer_result(s, have, q);
        if (r == STORE_OK &&
            (memcmp(have->digest, res->digest, sizeof res->digest) != 0 || strcmp(have->summary, res->summary) != 0 ||
             strcmp(have->fingerprint, res->fingerprint) != 0 || have->verdict != res->verdict ||
             memcmp(have->identity_sig, res->identity_sig, sizeof res->identity_sig) != 0)) {
            r = store__fail(st, STORE_E_CONFLICT, "signer %s already reported a different result for request %s",
                            res->signer_id, res->request_id);
        }
        goto out;
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "reading a signer result");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    r = prep(s, &q,
             "INSERT INTO signer_results (" SIGNER_RESULT_COLS ", received)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, res->request_id));
    BIND(bind_text(q, 2, res->signer_id));
    BIND(bind_blob(q, 3, res->digest, sizeof res->digest));
    BIND(bind_text(q, 4, res->summary));
    BIND(bind_text(q, 5, res->fingerprint));
    BIND(bind_text(q, 6, store__name(STORE__VERDICT, (int)res->verdict)));
    BIND(bind_blob(q, 7, res->identity_sig, sizeof res->identity_sig));
    BIND(sqlite3_bind_int64(q, 8, now_s()));
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "storing a signer result");
    }
out:
    sqlite3_finalize(q);
    free(have);
    return op_end(s, r);
}

static int sq_signer_results_get(store *st, store_signer_result **out, size_t *n, const char *request_id) {
    void *arr = NULL;
    int r = list_rows(sq(st), &arr, n, sizeof **out, read_signer_result, NULL,
                      "SELECT " SIGNER_RESULT_COLS " FROM signer_results WHERE request_id = ?1 ORDER BY signer_id",
                      request_id, "signer results");
    if (r == STORE_OK) {
        *out = arr;
    }
    return r;
}

static int read_approval(sq_store *s, void *elem, sqlite3_stmt *q) {
    store_approval *o = elem;
    int decision = 0;
    int r = col_text(s, o->request_id, sizeof o->request_id, q, 0, "request id");
    if (r == STORE_OK) {
        r = col_blob_exact(s, o->operator_key, sizeof o->operator_key, q, 1, "operator key");
    }
    if (r == STORE_OK) {
        r = col_enum(s, &decision, STORE__DECISION, q, 2, "decision");
    }
    if (r == STORE_OK) {
        r = col_blob_exact(s, o->signature, sizeof o->signature, q, 4, "approval signature");
    }
    o->decision = (store_decision)decision;
    o->expiry = sqlite3_column_int64(q, 3);
    return r;
}

#define APPROVAL_COLS "request_id, operator_key, decision, expiry, signature"

static int sq_approval_put(store *st, const store_approval *ap) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    store_approval have;
    int r = op_begin(s);
    if (r != STORE_OK) {
        return r;
    }
    r = require_open_request(s, ap->request_id, "approvals");
    if (r != STORE_OK) {
        goto out;
    }
    r = prep(s, &q, "SELECT " APPROVAL_COLS " FROM approvals WHERE request_id = ?1 AND operator_key = ?2");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, ap->request_id));
    BIND(bind_blob(q, 2, ap->operator_key, sizeof ap->operator_key));
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        memset(&have, 0, sizeof have);
        r = read_approval(s, &have, q);
        if (r == STORE_OK && (have.decision != ap->decision || have.expiry != ap->expiry ||
                              memcmp(have.signature, ap->signature, sizeof ap->signature) != 0)) {
            r = store__fail(st, STORE_E_CONFLICT, "this operator already sent a different approval for request %s",
                            ap->request_id);
        }
        goto out;
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "reading an approval");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    r = prep(s, &q, "INSERT INTO approvals (" APPROVAL_COLS ", received) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, ap->request_id));
    BIND(bind_blob(q, 2, ap->operator_key, sizeof ap->operator_key));
    BIND(bind_text(q, 3, store__name(STORE__DECISION, (int)ap->decision)));
    BIND(sqlite3_bind_int64(q, 4, ap->expiry));
    BIND(bind_blob(q, 5, ap->signature, sizeof ap->signature));
    BIND(sqlite3_bind_int64(q, 6, now_s()));
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "storing an approval");
    }
out:
    sqlite3_finalize(q);
    return op_end(s, r);
}

static int sq_approvals_get(store *st, store_approval **out, size_t *n, const char *request_id) {
    void *arr = NULL;
    int r = list_rows(sq(st), &arr, n, sizeof **out, read_approval, NULL,
                      "SELECT " APPROVAL_COLS " FROM approvals WHERE request_id = ?1 ORDER BY operator_key", request_id,
                      "approvals");
    if (r == STORE_OK) {
        *out = arr;
    }
    return r;
}

/* ---- sessions ---- */

/* The session's signers must fit its kind and key (see store_session_create). */
static int check_session_parties(sq_store *s, const store_session *ss) {
    store_key key;
    store_request_status rstatus = STORE_REQ_RECEIVED;
    store_request req;
    int found = 0;
    int r = sq_key_get(&s->base, &key, ss->key_id);
    if (r != STORE_OK) {
        return r;
    }
    for (size_t i = 0; i < ss->signers.n; i++) {
        if (!signer_in(&key.signers, ss->signers.ids[i])) {
            return store__fail(&s->base, STORE_E_ARG, "session %s: %s is not a signer of key %s", ss->session_id,
                               ss->signers.ids[i], ss->key_id);
        }
    }
    store_key_status want = ss->kind == STORE_SESSION_KEYGEN ? STORE_KEY_PENDING : STORE_KEY_USABLE;
    if (key.status != want) {
        return store__fail(&s->base, STORE_E_STATE, "session %s: key %s is %s, a %s session needs it %s",
                           ss->session_id, ss->key_id, store_key_status_name(key.status),
                           store__name(STORE__SESSION_KIND, (int)ss->kind), store_key_status_name(want));
    }
    if (ss->kind == STORE_SESSION_KEYGEN && ss->signers.n != key.signers.n) {
        return store__fail(&s->base, STORE_E_ARG, "session %s: key generation needs all %u signers", ss->session_id,
                           (unsigned)key.n);
    }
    if (ss->signers.n < key.t) {
        return store__fail(&s->base, STORE_E_ARG, "session %s: %zu signers, key %s needs %u", ss->session_id,
                           ss->signers.n, ss->key_id, (unsigned)key.t);
    }
    if (ss->kind != STORE_SESSION_SIGN) {
        return STORE_OK;
    }
    r = request_status(s, &rstatus, ss->request_id);
    if (r == STORE_OK && rstatus != STORE_REQ_SIGNING) {
        r = store__fail(&s->base, STORE_E_STATE, "session %s: request %s is %s, not signing", ss->session_id,
                        ss->request_id, store_request_status_name(rstatus));
    }
    if (r == STORE_OK) {
        memset(&req, 0, sizeof req);
        r = fetch_request(s, &req, &found, "SELECT " REQ_COLS " FROM requests WHERE request_id = ?1", ss->request_id);
        if (r == STORE_OK && (!found || strcmp(req.key_id, ss->key_id) != 0)) {
            r = store__fail(&s->base, STORE_E_ARG, "session %s: request %s is for another key", ss->session_id,
                            ss->request_id);
        }
        store_request_clear(&req);
    }
    return r;
}

static int sq_session_create(store *st, const store_session *ss) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    char signers[SIGNERS_TEXT_MAX + 1];
    int r = op_begin(s);
    if (r != STORE_OK) {
        return r;
    }
    r = check_session_parties(s, ss);
    if (r != STORE_OK) {
        goto out;
    }
    join_signers(signers, &ss->signers);
    r = prep(s, &q,
             "INSERT INTO sessions (session_id, request_id, key_id, kind, signers, state, started)"
             " VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, ss->session_id));
    BIND(ss->kind == STORE_SESSION_SIGN ? bind_text(q, 2, ss->request_id) : sqlite3_bind_null(q, 2));
    BIND(bind_text(q, 3, ss->key_id));
    BIND(bind_text(q, 4, store__name(STORE__SESSION_KIND, (int)ss->kind)));
    BIND(bind_text(q, 5, signers));
    BIND(sqlite3_bind_int64(q, 6, now_s()));
    int rc = sqlite3_step(q);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        r = store__fail(st, STORE_E_CONFLICT,
                        "session %s: session id already used, or its request already has a running session",
                        ss->session_id);
    } else if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "storing a session");
    }
out:
    sqlite3_finalize(q);
    return op_end(s, r);
}

#define SESSION_COLS "session_id, request_id, key_id, kind, signers, state, started, ended, abort_reason"

static int read_session(sq_store *s, void *elem, sqlite3_stmt *q) {
    store_session *out = elem;
    int kind = 0, state = 0;
    int r = col_text(s, out->session_id, sizeof out->session_id, q, 0, "session id");
    if (r == STORE_OK && sqlite3_column_type(q, 1) != SQLITE_NULL) {
        r = col_text(s, out->request_id, sizeof out->request_id, q, 1, "request id");
    }
    if (r == STORE_OK) {
        r = col_text(s, out->key_id, sizeof out->key_id, q, 2, "key id");
    }
    if (r == STORE_OK) {
        r = col_enum(s, &kind, STORE__SESSION_KIND, q, 3, "session kind");
    }
    if (r == STORE_OK) {
        r = col_signers(s, &out->signers, q, 4);
    }
    if (r == STORE_OK) {
        r = col_enum(s, &state, STORE__SESSION_STATE, q, 5, "session state");
    }
    if (r == STORE_OK && sqlite3_column_type(q, 8) != SQLITE_NULL) {
        r = col_text(s, out->abort_reason, sizeof out->abort_reason, q, 8, "abort reason");
    }
    out->kind = (store_session_kind)kind;
    out->state = (store_session_state)state;
    out->started = sqlite3_column_int64(q, 6);
    out->ended = sqlite3_column_int64(q, 7);
    return r;
}

static int sq_session_get(store *st, store_session *out, const char *session_id) {
    int found = 0;
    int r = read_one(sq(st), out, &found, read_session, "SELECT " SESSION_COLS " FROM sessions WHERE session_id = ?1",
                     session_id, "reading a session");
    if (r == STORE_OK && !found) {
        r = store__fail(st, STORE_E_NOTFOUND, "session %s not found", session_id);
    }
    if (r != STORE_OK) {
        memset(out, 0, sizeof *out);
    }
    return r;
}

static int sq_session_end(store *st, const char *session_id, store_session_state state, const char *reason) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    int r = prep(s, &q,
                 "UPDATE sessions SET state = ?2, ended = ?3, abort_reason = ?4"
                 " WHERE session_id = ?1 AND state = 'running'");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, session_id));
    BIND(bind_text(q, 2, store__name(STORE__SESSION_STATE, (int)state)));
    BIND(sqlite3_bind_int64(q, 3, now_s()));
    BIND(reason != NULL ? bind_text(q, 4, reason) : sqlite3_bind_null(q, 4));
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "ending a session");
    } else if (sqlite3_changes(s->db) != 1) {
        store_session have;
        r = sq_session_get(st, &have, session_id);
        if (r == STORE_OK) {
            r = store__fail(st, STORE_E_STATE, "session %s has already ended (%s)", session_id,
                            store__name(STORE__SESSION_STATE, (int)have.state));
        }
    }
out:
    sqlite3_finalize(q);
    return r;
}

static int sq_sessions_abort_running(store *st, size_t *aborted, const char *reason) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    int r = prep(s, &q,
                 "UPDATE sessions SET state = 'aborted', ended = ?1, abort_reason = ?2 WHERE state = 'running'");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(sqlite3_bind_int64(q, 1, now_s()));
    BIND(bind_text(q, 2, reason));
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "aborting running sessions");
    } else {
        *aborted = (size_t)sqlite3_changes(s->db);
    }
out:
    sqlite3_finalize(q);
    return r;
}

/* ---- results ---- */

static int read_result(sq_store *s, void *elem, sqlite3_stmt *q) {
    store_result *out = elem;
    int r = col_text(s, out->request_id, sizeof out->request_id, q, 0, "request id");
    if (r == STORE_OK) {
        r = col_blob_exact(s, out->signature, sizeof out->signature, q, 1, "signature");
    }
    if (r == STORE_OK) {
        r = col_blob_alloc(s, &out->output, &out->output_len, STORE_OUTPUT_MAX, q, 2, "signed output");
    }
    return r;
}

static int fetch_result(sq_store *s, store_result *out, int *found, const char *request_id) {
    int r = read_one(s, out, found, read_result,
                     "SELECT request_id, signature, output FROM results WHERE request_id = ?1", request_id,
                     "reading a result");
    if (r != STORE_OK) {
        store_result_clear(out);
    }
    return r;
}

static int sq_result_put(store *st, const store_result *res) {
    sq_store *s = sq(st);
    sqlite3_stmt *q = NULL;
    store_result have;
    store_request_status status = STORE_REQ_RECEIVED;
    int found = 0;
    memset(&have, 0, sizeof have);
    int r = op_begin(s);
    if (r != STORE_OK) {
        return r;
    }
    r = request_status(s, &status, res->request_id);
    if (r == STORE_OK) {
        r = fetch_result(s, &have, &found, res->request_id);
    }
    if (r != STORE_OK) {
        goto out;
    }
    if (found) {
        if (memcmp(have.signature, res->signature, sizeof res->signature) != 0 ||
            have.output_len != res->output_len || memcmp(have.output, res->output, res->output_len) != 0) {
            r = store__fail(st, STORE_E_CONFLICT, "request %s already has a different signature", res->request_id);
        }
        goto out;
    }
    if (status != STORE_REQ_SIGNING) {
        r = store__fail(st, STORE_E_STATE, "request %s is %s, not signing", res->request_id,
                        store_request_status_name(status));
        goto out;
    }
    r = prep(s, &q, "INSERT INTO results (request_id, signature, output, created) VALUES (?1, ?2, ?3, ?4)");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, res->request_id));
    BIND(bind_blob(q, 2, res->signature, sizeof res->signature));
    BIND(bind_blob(q, 3, res->output, res->output_len));
    BIND(sqlite3_bind_int64(q, 4, now_s()));
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "storing a result");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    r = prep(s, &q,
             "UPDATE requests SET status = 'done', updated = ?2 WHERE request_id = ?1 AND status = 'signing'");
    if (r != STORE_OK) {
        goto out;
    }
    BIND(bind_text(q, 1, res->request_id));
    BIND(sqlite3_bind_int64(q, 2, now_s()));
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, rc, "marking a request done");
    } else if (sqlite3_changes(s->db) != 1) {
        r = store__fail(st, STORE_E_STATE, "request %s left state signing during the result", res->request_id);
    }
out:
    sqlite3_finalize(q);
    store_result_clear(&have);
    return op_end(s, r);
}

static int sq_result_get(store *st, store_result *out, const char *request_id) {
    int found = 0;
    int r = fetch_result(sq(st), out, &found, request_id);
    if (r == STORE_OK && !found) {
        r = store__fail(st, STORE_E_NOTFOUND, "no result for request %s", request_id);
    }
    return r;
}

const store_backend store_backend_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .schema_version = sq_schema_version,
    .key_create = sq_key_create,
    .key_activate = sq_key_activate,
    .key_set_epoch = sq_key_set_epoch,
    .key_retire = sq_key_retire,
    .key_get = sq_key_get,
    .keys_usable = sq_keys_usable,
    .request_submit = sq_request_submit,
    .request_get = sq_request_get,
    .request_transition = sq_request_transition,
    .requests_resumable = sq_requests_resumable,
    .signer_result_put = sq_signer_result_put,
    .signer_results_get = sq_signer_results_get,
    .approval_put = sq_approval_put,
    .approvals_get = sq_approvals_get,
    .session_create = sq_session_create,
    .session_end = sq_session_end,
    .session_get = sq_session_get,
    .sessions_abort_running = sq_sessions_abort_running,
    .result_put = sq_result_put,
    .result_get = sq_result_get,
};
