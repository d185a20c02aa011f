/*
 * A requester's connection to mpc-coordinatord (static library mpc_requester, used by mpcctl and
 * mpc-bench cluster): the requester configuration file, a mutual-TLS connection with the
 * requester certificate, calls sent with a call_id, and replies matched to their call_id.
 *
 * The interface is blocking: every function that waits runs the connection's own libuv loop until
 * what it waits for has arrived, the connection failed, or an absolute deadline (requester_now_ms
 * milliseconds) passed. Several calls may be in flight on one connection (pipelining): a reply
 * that arrives while the caller waits for another call stays queued, in arrival order, until
 * requester_wait asks for its call_id or requester_wait_any takes it.
 *
 * Failures end the connection (no reconnect): after REQ_E_CONNECT or REQ_E_PROTOCOL only
 * requester_error and requester_close are useful. REQ_E_TIMEOUT leaves the connection usable.
 * The process must ignore SIGPIPE (daemon/net/conn.h); transport log lines go to the net_set_log
 * sink the caller chose.
 */
#ifndef MPC_REQUESTER_H
#define MPC_REQUESTER_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "wire.pb-c.h"

enum {
    REQ_OK = 0,
    REQ_E_CONFIG = -1,   /* configuration file, certificate, key or CA unusable; bad address */
    REQ_E_CONNECT = -2,  /* the coordinator could not be reached, rejected us, or the connection broke */
    REQ_E_TIMEOUT = -3,  /* the deadline passed first */
    REQ_E_PROTOCOL = -4, /* the coordinator sent a malformed or unexpected message */
    REQ_E_NOMEM = -5,
    REQ_E_ARG = -6       /* the call does not pass wire_check (a bug of the caller) */
};

/* The requester configuration (INI):
 *   [requester]   id = the id in our certificate (mpc://requester/ID)
 *   [coordinator] address = IP, port = N, id = the coordinator certificate's id
 *   [tls]         ca = PEM, cert = PEM, key = PEM (mode 0600) */
typedef struct {
    char id[NET_ID_MAX + 1];
    char address[256];
    uint16_t port;
    char coordinator_id[NET_ID_MAX + 1];
    char ca[512], cert[512], key[512];
} requester_config;

/* Reads and validates the file at path. Returns REQ_OK, or REQ_E_CONFIG with err (err_cap bytes)
 * naming the file, the line where there is one, and the problem. */
int requester_config_load(requester_config *out, char *err, size_t err_cap, const char *path)
        NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2, 4);

typedef struct requester requester;

/* Milliseconds of a monotonic clock: the time base of every deadline here. */
uint64_t requester_now_ms(void);

/* Connects to the coordinator of cfg, waits until both sides accepted each other's certificate,
 * and sends Hello (software_version is informational). Returns REQ_OK, or REQ_E_CONFIG,
 * REQ_E_CONNECT, REQ_E_TIMEOUT or REQ_E_NOMEM with err (err_cap bytes) saying why. */
int requester_open(requester **out, char *err, size_t err_cap, const requester_config *cfg,
        const char *software_version, uint64_t deadline_ms) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2, 4, 5);

/* Closes the connection and frees rq and every reply still queued. NULL is allowed. */
void requester_close(requester *rq);

/* A fresh call_id (1, 2, ...) for the body of the next call. */
uint32_t requester_next_call_id(requester *rq) NET_ARG_NONNULL(1);

/* Sends one call; body is the call message of type (KeygenCall for MSG_TYPE_KEYGEN_CALL, ...) with
 * its call_id set. Returns REQ_OK, REQ_E_CONNECT or REQ_E_ARG. */
int requester_send(requester *rq, Mpc__Wire__MsgType type, void *body) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 3);

/* The reply (RequestReply, ListReply, AddressReply or CallError) to call_id. On REQ_OK the caller
 * owns *reply and releases it with net_env_free. Returns REQ_OK, REQ_E_TIMEOUT, REQ_E_CONNECT or
 * REQ_E_PROTOCOL. */
int requester_wait(requester *rq, Mpc__Wire__Envelope **reply, uint32_t call_id, uint64_t deadline_ms)
        NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);

/* The oldest reply to any call, as requester_wait. */
int requester_wait_any(requester *rq, Mpc__Wire__Envelope **reply, uint64_t deadline_ms)
        NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);

/* Services the connection (heartbeats, queueing replies) until until_ms. Returns REQ_OK,
 * REQ_E_CONNECT or REQ_E_PROTOCOL. */
int requester_pause(requester *rq, uint64_t until_ms) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1);

/* The call_id a reply answers (0 for anything that is not a reply). */
uint32_t requester_reply_call_id(const Mpc__Wire__Envelope *env) NET_ARG_NONNULL(1);

/* What went wrong last, for a message ("" if nothing did). */
const char *requester_error(const requester *rq) NET_ARG_NONNULL(1);

#endif
