/*
 * The store_* entry points: argument checks every backend relies on, then a call through the
 * backend table. The rules that need the stored state (idempotency, transitions, one signature)
 * are enforced by the backends inside their transactions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static const char *const key_status_names[] = {"pending", "usable", "retired"};
static const char *const req_status_names[] = {"received", "decoding", "awaiting_approval",
                                               "signing", "done", "failed"};
static const char *const session_kind_names[] = {"keygen", "sign", "refresh"};
static const char *const session_state_names[] = {"running", "completed", "aborted"};
static const char *const verdict_names[] = {"allow", "needs_approval", "deny"};
static const char *const decision_names[] = {"approve", "reject"};

static const char *const *table_names(store__table t, size_t *n) {
#define TABLE(arr)                       \
    do {                                 \
        *n = sizeof arr / sizeof arr[0]; \
        return arr;                      \
    } while (0)
    switch (t) {
    case STORE__KEY_STATUS: TABLE(key_status_names);
    case STORE__REQ_STATUS: TABLE(req_status_names);
    case STORE__SESSION_KIND: TABLE(session_kind_names);
    case STORE__SESSION_STATE: TABLE(session_state_names);
    case STORE__VERDICT: TABLE(verdict_names);
    case STORE__DECISION: TABLE(decision_names);
    }
#undef TABLE
    *n = 0;
    return NULL;
}

const char *store__name(store__table t, int v) {
    size_t n;
    const char *const *names = table_names(t, &n);
    if (v < 0 || (size_t)v >= n) {
        return NULL;
    }
    return names[v];
}

int store__parse_name(store__table t, const char *s) {
    size_t n;
    const char *const *names = table_names(t, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *store_request_status_name(store_request_status s) {
    return store__name(STORE__REQ_STATUS, (int)s);
}

const char *store_key_status_name(store_key_status s) {
    return store__name(STORE__KEY_STATUS, (int)s);
}

int store__edge_allowed(store_request_status from, store_request_status to) {
    switch (from) {
    case STORE_REQ_RECEIVED:
        return to == STORE_REQ_DECODING || to == STORE_REQ_FAILED;
    case STORE_REQ_DECODING:
        return to == STORE_REQ_AWAITING_APPROVAL || to == STORE_REQ_FAILED;
    case STORE_REQ_AWAITING_APPROVAL:
        return to == STORE_REQ_SIGNING || to == STORE_REQ_FAILED;
    case STORE_REQ_SIGNING:
        return to == STORE_REQ_AWAITING_APPROVAL || to == STORE_REQ_FAILED;
    case STORE_REQ_DONE:
    case STORE_REQ_FAILED:
        return 0;
    }
    return 0;
}

int store__id_valid(const char *s) {
    size_t n = strnlen(s, STORE_ID_MAX + 1);
    if (n == 0 || n > STORE_ID_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == ':' || c == '-';
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

int store__text_valid(const char *s, size_t max) {
    size_t n = strnlen(s, max + 1);
    if (n == 0 || n > max) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

int store__fail(store *st, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    return code;
}

static int signer_set_valid(store *st, const store_signer_set *set) {
    if (set->n == 0 || set->n > STORE_MAX_SIGNERS) {
        return store__fail(st, STORE_E_ARG, "signer set must have 1..%d signers", STORE_MAX_SIGNERS);
    }
    for (size_t i = 0; i < set->n; i++) {
        if (!store__id_valid(set->ids[i])) {
            return store__fail(st, STORE_E_ARG, "signer set: entry %zu is not a valid id", i);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(set->ids[i], set->ids[j]) == 0) {
                return store__fail(st, STORE_E_ARG, "signer set: '%s' appears twice", set->ids[i]);
            }
        }
    }
    return STORE_OK;
}

#define CHECK_ID(st, what, s)                                                        \
    do {                                                                             \
        if (!store__id_valid(s)) {                                                   \
            return store__fail(st, STORE_E_ARG, "%s is not a valid id", what);       \
        }                                                                            \
    } while (0)

int store_open(store **out, char *err, size_t errlen, const store_backend *backend, const char *target,
               const store_options *opt) {
    *out = NULL;
    if (errlen > 0) {
        err[0] = '\0';
    }
    return backend->open(out, err, errlen, target, opt);
}

void store_close(store *st) {
    if (st != NULL) {
        st->backend->close(st);
    }
}

const char *store_errmsg(const store *st) {
    return st->err;
}

int store_begin(store *st) {
    return st->backend->begin(st);
}

int store_commit(store *st) {
    return st->backend->commit(st);
}

int store_rollback(store *st) {
    return st->backend->rollback(st);
}

int store_schema_version(store *st, int *out) {
    return st->backend->schema_version(st, out);
}

int store_key_create(store *st, const store_key *key) {
    CHECK_ID(st, "key id", key->key_id);
    int r = signer_set_valid(st, &key->signers);
    if (r != STORE_OK) {
        return r;
    }
    if (key->n != key->signers.n || key->t < 1 || key->t > key->n) {
        return store__fail(st, STORE_E_ARG, "key %s: need 1 <= t <= n = number of signers", key->key_id);
    }
    return st->backend->key_create(st, key);
}

int store_key_activate(store *st, const char *key_id, const uint8_t public_key[33], const uint8_t chain_code[32]) {
    CHECK_ID(st, "key id", key_id);
    if (public_key[0] != 0x02 && public_key[0] != 0x03) {
        return store__fail(st, STORE_E_ARG, "key %s: public key is not a compressed point", key_id);
    }
    return st->backend->key_activate(st, key_id, public_key, chain_code);
}

int store_key_set_epoch(store *st, const char *key_id, uint32_t from_epoch, uint32_t to_epoch) {
    CHECK_ID(st, "key id", key_id);
    if (to_epoch <= from_epoch) {
        return store__fail(st, STORE_E_ARG, "key %s: new epoch %u is not after %u", key_id, (unsigned)to_epoch,
                           (unsigned)from_epoch);
    }
    return st->backend->key_set_epoch(st, key_id, from_epoch, to_epoch);
}

int store_key_retire(store *st, const char *key_id) {
    CHECK_ID(st, "key id", key_id);
    return st->backend->key_retire(st, key_id);
}

int store_key_get(store *st, store_key *out, const char *key_id) {
    memset(out, 0, sizeof *out);
    CHECK_ID(st, "key id", key_id);
    return st->backend->key_get(st, out, key_id);
}

int store_keys_usable(store *st, store_key **out, size_t *n) {
    *out = NULL;
    *n = 0;
    return st->backend->keys_usable(st, out, n);
}

int store_request_submit(store *st, store_request *out, int *created, const store_request_new *in) {
    memset(out, 0, sizeof *out);
    *created = 0;
    if (in->request_id == NULL || in->idempotency_key == NULL || in->requester_id == NULL ||
        in->key_id == NULL || in->derivation_path == NULL || in->payload_type == NULL || in->payload == NULL) {
        return store__fail(st, STORE_E_ARG, "request: missing field");
    }
    CHECK_ID(st, "request id", in->request_id);
    CHECK_ID(st, "idempotency key", in->idempotency_key);
    CHECK_ID(st, "requester id", in->requester_id);
    CHECK_ID(st, "key id", in->key_id);
    CHECK_ID(st, "payload type", in->payload_type);
    if (!store__text_valid(in->derivation_path, STORE_PATH_MAX) || strchr(in->derivation_path, '\n') != NULL) {
        return store__fail(st, STORE_E_ARG, "request: derivation path must be 1..%d printable characters",
                           STORE_PATH_MAX);
    }
    if (in->payload_len == 0 || in->payload_len > STORE_PAYLOAD_MAX) {
        return store__fail(st, STORE_E_ARG, "request: payload must be 1..%u bytes", STORE_PAYLOAD_MAX);
    }
    return st->backend->request_submit(st, out, created, in);
}

int store_request_get(store *st, store_request *out, const char *request_id) {
    memset(out, 0, sizeof *out);
    CHECK_ID(st, "request id", request_id);
    return st->backend->request_get(st, out, request_id);
}

int store_request_transition(store *st, const char *request_id, store_request_status from,
                             store_request_status to, const char *reason) {
    CHECK_ID(st, "request id", request_id);
    const char *fn = store_request_status_name(from);
    const char *tn = store_request_status_name(to);
    if (fn == NULL || tn == NULL) {
        return store__fail(st, STORE_E_ARG, "request %s: unknown state", request_id);
    }
    if (to == STORE_REQ_DONE) {
        return store__fail(st, STORE_E_STATE, "request %s: done is reached only by storing the result",
                           request_id);
    }
    if (!store__edge_allowed(from, to)) {
        return store__fail(st, STORE_E_STATE, "request %s: transition %s -> %s not allowed", request_id, fn, tn);
    }
    if ((to == STORE_REQ_FAILED) != (reason != NULL)) {
        return store__fail(st, STORE_E_ARG, "request %s: a reason is required for failed and only for it",
                           request_id);
    }
    if (reason != NULL && !store__text_valid(reason, STORE_TEXT_MAX)) {
        return store__fail(st, STORE_E_ARG, "request %s: reason must be 1..%d characters of text", request_id,
                           STORE_TEXT_MAX);
    }
    return st->backend->request_transition(st, request_id, from, to, reason);
}

int store_requests_resumable(store *st, store_request **out, size_t *n) {
    *out = NULL;
    *n = 0;
    return st->backend->requests_resumable(st, out, n);
}

void store_request_clear(store_request *r) {
    if (r != NULL) {
        free(r->payload);
        memset(r, 0, sizeof *r);
    }
}

void store_requests_free(store_request *arr, size_t n) {
    if (arr == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        store_request_clear(&arr[i]);
    }
    free(arr);
}

int store_signer_result_put(store *st, const store_signer_result *res) {
    CHECK_ID(st, "request id", res->request_id);
    CHECK_ID(st, "signer id", res->signer_id);
    if (store__name(STORE__VERDICT, (int)res->verdict) == NULL) {
        return store__fail(st, STORE_E_ARG, "signer result: unknown verdict");
    }
    if (!store__text_valid(res->summary, STORE_TEXT_MAX)) {
        return store__fail(st, STORE_E_ARG, "signer result: summary must be 1..%d characters of text",
                           STORE_TEXT_MAX);
    }
    if (!store__text_valid(res->fingerprint, STORE_FINGERPRINT_MAX) || strchr(res->fingerprint, '\n') != NULL) {
        return store__fail(st, STORE_E_ARG, "signer result: fingerprint must be 1..%d printable characters",
                           STORE_FINGERPRINT_MAX);
    }
    return st->backend->signer_result_put(st, res);
}

int store_signer_results_get(store *st, store_signer_result **out, size_t *n, const char *request_id) {
    *out = NULL;
    *n = 0;
    CHECK_ID(st, "request id", request_id);
    return st->backend->signer_results_get(st, out, n, request_id);
}

void store_signer_results_free(store_signer_result *arr, size_t n) {
    (void)n;
    free(arr);
}

int store_approval_put(store *st, const store_approval *ap) {
    CHECK_ID(st, "request id", ap->request_id);
    if (store__name(STORE__DECISION, (int)ap->decision) == NULL) {
        return store__fail(st, STORE_E_ARG, "approval: unknown decision");
    }
    if (ap->expiry <= 0) {
        return store__fail(st, STORE_E_ARG, "approval: expiry must be a positive unix time");
    }
    return st->backend->approval_put(st, ap);
}

int store_approvals_get(store *st, store_approval **out, size_t *n, const char *request_id) {
    *out = NULL;
    *n = 0;
    CHECK_ID(st, "request id", request_id);
    return st->backend->approvals_get(st, out, n, request_id);
}

void store_approvals_free(store_approval *arr, size_t n) {
    (void)n;
    free(arr);
}

int store_session_create(store *st, const store_session *s) {
    CHECK_ID(st, "session id", s->session_id);
    CHECK_ID(st, "key id", s->key_id);
    if (store__name(STORE__SESSION_KIND, (int)s->kind) == NULL) {
        return store__fail(st, STORE_E_ARG, "session %s: unknown kind", s->session_id);
    }
    if (s->kind == STORE_SESSION_SIGN) {
        CHECK_ID(st, "request id", s->request_id);
    } else if (s->request_id[0] != '\0') {
        return store__fail(st, STORE_E_ARG, "session %s: only sign sessions belong to a request", s->session_id);
    }
    int r = signer_set_valid(st, &s->signers);
    if (r != STORE_OK) {
        return r;
    }
    return st->backend->session_create(st, s);
}

int store_session_end(store *st, const char *session_id, store_session_state state, const char *reason) {
    CHECK_ID(st, "session id", session_id);
    if (state != STORE_SESSION_COMPLETED && state != STORE_SESSION_ABORTED) {
        return store__fail(st, STORE_E_ARG, "session %s: can only end as completed or aborted", session_id);
    }
    if ((state == STORE_SESSION_ABORTED) != (reason != NULL)) {
        return store__fail(st, STORE_E_ARG, "session %s: a reason is required for aborted and only for it",
                           session_id);
    }
    if (reason != NULL && !store__text_valid(reason, STORE_TEXT_MAX)) {
        return store__fail(st, STORE_E_ARG, "session %s: reason must be 1..%d characters of text", session_id,
                           STORE_TEXT_MAX);
    }
    return st->backend->session_end(st, session_id, state, reason);
}

int store_session_get(store *st, store_session *out, const char *session_id) {
    memset(out, 0, sizeof *out);
    CHECK_ID(st, "session id", session_id);
    return st->backend->session_get(st, out, session_id);
}

int store_sessions_abort_running(store *st, size_t *aborted, const char *reason) {
    *aborted = 0;
    if (!store__text_valid(reason, STORE_TEXT_MAX)) {
        return store__fail(st, STORE_E_ARG, "abort reason must be 1..%d characters of text", STORE_TEXT_MAX);
    }
    return st->backend->sessions_abort_running(st, aborted, reason);
}

int store_result_put(store *st, const store_result *res) {
    CHECK_ID(st, "request id", res->request_id);
    if (res->output == NULL || res->output_len == 0 || res->output_len > STORE_OUTPUT_MAX) {
        return store__fail(st, STORE_E_ARG, "result: output must be 1..%u bytes", STORE_OUTPUT_MAX);
    }
    return st->backend->result_put(st, res);
}

int store_result_get(store *st, store_result *out, const char *request_id) {
    memset(out, 0, sizeof *out);
    CHECK_ID(st, "request id", request_id);
    return st->backend->result_get(st, out, request_id);
}

void store_result_clear(store_result *r) {
    if (r != NULL) {
        free(r->output);
        memset(r, 0, sizeof *r);
    }
}
