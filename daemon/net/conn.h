/*
 * TLS connections over libuv: a listener for the coordinator and a reconnecting client for the
 * daemons that dial out. Each connection wraps one TLS engine (tls.h) and one frame decoder
 * (frame.h); the application sees whole frames, never bytes or records.
 *
 * Connection life:
 *   TCP connect/accept -> TLS handshake with identity check (within handshake_timeout_ms)
 *   -> on_peer_ready -> on_frame* -> on_close (exactly once, always the last callback).
 * The server side sends a heartbeat (an empty frame, frame.h) as soon as it has accepted the
 * client's certificate; the client reports on_peer_ready only when that first frame arrives,
 * because in TLS 1.3 the client finishes its handshake before the server has judged the client
 * certificate. So on_peer_ready on either side means both sides accepted each other.
 *
 * Liveness: each side sends a heartbeat when it has written nothing for heartbeat_ms, and closes
 * the connection (NET_E_IDLE_TIMEOUT) when nothing at all arrived for idle_timeout_ms. Choose
 * idle_timeout_ms at least twice the peer's heartbeat_ms.
 *
 * Lifetime rules (libuv): a net_conn is owned by the transport. It stays valid until on_close
 * returns and is freed right after; the application must drop its pointer in on_close. No
 * callback ever runs inside the net_* call that caused it (net_conn_close's on_close comes from a
 * later loop iteration). Once closing starts, on_peer_ready and on_frame are never called again.
 * A frame with an oversized header, bad TLS or a timeout closes only that connection.
 *
 * The process must ignore SIGPIPE (signal(SIGPIPE, SIG_IGN) before starting the loop): libuv
 * writes with write(2), and a peer that resets the connection must cost an EPIPE, not the process.
 * A library does not change signal dispositions behind its caller's back, so this is the daemon's job.
 */
#ifndef MPC_NET_CONN_H
#define MPC_NET_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net.h"
#include "tls.h"

typedef struct net_conn net_conn;
typedef struct net_listener net_listener;
typedef struct net_client net_client;

typedef struct {
    /* Both sides accepted each other; role and id come from the peer's certificate. */
    void (*on_peer_ready)(net_conn *c, net_role role, const char *id, void *data);
    /* One application frame (len >= 1); the bytes are valid only during the call. */
    void (*on_frame)(net_conn *c, const unsigned char *frame, size_t len, void *data);
    /* Called once per connection, including connections that never became ready; reason is a
     * NET_E_* code. c is freed when this returns. May be NULL. */
    void (*on_close)(net_conn *c, int reason, void *data);
    void *data;
} net_conn_callbacks;

/* Every field: 0 selects the default given in brackets. */
typedef struct {
    uint32_t max_frame;            /* largest frame either way [NET_FRAME_DEFAULT_MAX] */
    uint32_t handshake_timeout_ms; /* TCP connect + TLS handshake + confirmation [10000] */
    uint32_t heartbeat_ms;         /* send a heartbeat after this long without writing [5000] */
    uint32_t idle_timeout_ms;      /* close after this long without receiving anything [15000] */
    size_t max_write_queue;        /* bytes queued to the socket before sends fail
                                      [4 * max_frame + 64 KiB] */
} net_conn_limits;

/*
 * Queues one frame (1..max_frame bytes; empty frames are reserved for heartbeats). Only after
 * on_peer_ready. Returns NET_OK, NET_E_STATE, NET_E_ARG, NET_E_FRAME_TOO_BIG, NET_E_BACKPRESSURE
 * (nothing queued, connection stays up), or NET_E_TLS/NET_E_IO/NET_E_NOMEM (the connection is
 * being closed and on_close will follow).
 */
int net_conn_send(net_conn *c, const unsigned char *frame, size_t len) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);

/* Orderly close: TLS close_notify, flush, TCP shutdown, then on_close(NET_E_CLOSED) later.
 * No effect if the connection is already closing. */
void net_conn_close(net_conn *c);

net_role net_conn_peer_role(const net_conn *c);
const char *net_conn_peer_id(const net_conn *c);

/*
 * Listens on ip:port (port 0: any free port, see net_listener_port). Accepted connections use the
 * server-side tls context (a reference is kept) and report through cbs. Returns NET_OK, NET_E_ARG
 * (bad address or limits), NET_E_IO (bind/listen failed; logged) or NET_E_NOMEM. After an error
 * the caller has nothing to release (an internal handle closes on the next loop iteration).
 */
int net_listener_start(net_listener **out, uv_loop_t *loop, net_tls_ctx *tls, const char *ip, uint16_t port,
        const net_conn_limits *limits, const net_conn_callbacks *cbs) NET_WARN_UNUSED_RESULT
        NET_ARG_NONNULL(1, 2, 3, 4, 6, 7);

/* The bound port. */
uint16_t net_listener_port(const net_listener *l);

/* Stops accepting and closes every connection of this listener (each gets on_close with
 * NET_E_CLOSED). The listener is freed once all its handles have closed. */
void net_listener_close(net_listener *l);

/* Reconnect delay: attempt 0 waits about initial_ms, each further attempt doubles it up to max_ms;
 * the actual delay is drawn uniformly from [d/2, d] so that many signers restarting together do not
 * reconnect in lockstep. */
typedef struct {
    uint32_t initial_ms; /* [100] */
    uint32_t max_ms;     /* [30000] */
} net_backoff;

/* The delay before reconnect attempt `attempt` (0-based) given 32 random bits. Pure. */
uint32_t net_backoff_delay(const net_backoff *b, unsigned attempt, uint32_t random32);

/*
 * Dials ip:port now and again after every close (with net_backoff_delay) until net_client_close.
 * Each attempt is a new net_conn reported through cbs; a failed attempt gets on_close with
 * NET_E_CONNECT, a rejected handshake the TLS error. The backoff restarts from attempt 0 after a
 * connection became ready. Returns NET_OK, NET_E_ARG or NET_E_NOMEM.
 */
int net_client_start(net_client **out, uv_loop_t *loop, net_tls_ctx *tls, const char *ip, uint16_t port,
        const net_conn_limits *limits, const net_backoff *backoff, const net_conn_callbacks *cbs)
        NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2, 3, 4, 6, 7, 8);

/* Stops reconnecting and closes the current connection (on_close with NET_E_CLOSED). The client
 * is freed once all its handles have closed. */
void net_client_close(net_client *cl);

#endif
