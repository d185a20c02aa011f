#ifndef MPC_COORDINATOR_STORE_INTERNAL_H
#define MPC_COORDINATOR_STORE_INTERNAL_H
/* Shared by store.c (the checked wrappers) and the backends; not for store users. */
#include "store.h"

/* Name tables: the strings stored in the database and shown in messages. */
typedef enum {
    STORE__KEY_STATUS,
    STORE__REQ_STATUS,
    STORE__SESSION_KIND,
    STORE__SESSION_STATE,
    STORE__VERDICT,
    STORE__DECISION
} store__table;

/* NULL if v is out of range. */
const char *store__name(store__table t, int v);
/* The value named s, or -1. */
int store__parse_name(store__table t, const char *s);

/* 1 if the request state machine has the edge from -> to (done excluded: see store_result_put). */
int store__edge_allowed(store_request_status from, store_request_status to);

/* 1 if s is a well-formed id: [A-Za-z0-9._:-], 1..STORE_ID_MAX bytes. */
int store__id_valid(const char *s);
/* 1 if s is NUL-terminated within max + 1 bytes, non-empty and has no control bytes (UTF-8 allowed). */
int store__text_valid(const char *s, size_t max);

/* Sets the handle's message and returns code, so that "return store__fail(...)" reads naturally. */
int store__fail(store *st, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
