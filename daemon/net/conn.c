#include "conn.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "frame.h"

#define CONN_IO_BUF 16384u
/* How long an orderly close may wait for the peer to take our last bytes. */
#define CONN_CLOSE_LINGER_MS 1000u
#define DEFAULT_HANDSHAKE_MS 10000u
#define DEFAULT_HEARTBEAT_MS 5000u
#define DEFAULT_IDLE_MS 15000u
#define DEFAULT_BACKOFF_INITIAL_MS 100u
#define DEFAULT_BACKOFF_MAX_MS 30000u
#define LISTEN_BACKLOG 128

enum conn_state {
    ST_CONNECTING, /* client: TCP connect in progress */
    ST_HANDSHAKE,  /* TLS handshake in progress */
    ST_CONFIRM,    /* client: handshake done, waiting for the server's first frame */
    ST_READY,
    ST_CLOSING
};

struct net_conn {
    uv_tcp_t tcp;
    uv_timer_t deadline;  /* handshake timeout, then idle timeout, then close linger */
    uv_timer_t heartbeat; /* restarted on every write; fires after heartbeat_ms of silence */
    uv_connect_t connect_req;
    uv_shutdown_t shutdown_req;
    net_tls *tls;
    net_frame_decoder dec;
    net_conn_callbacks cb;
    net_conn_limits lim;
    net_listener *listener; /* owner: exactly one of listener and client is set */
    net_client *client;
    net_conn *prev, *next;  /* the listener's list */
    enum conn_state state;
    int reason;
    int handles;            /* initialised handles whose close callback has not run */
    int handles_closing;
    char peer[64];          /* address for log lines */
    unsigned char rbuf[CONN_IO_BUF]; /* ciphertext from uv_read */
    unsigned char pbuf[CONN_IO_BUF]; /* plaintext from the TLS engine */
};

typedef struct {
    uv_write_t req;
    size_t len;
    unsigned char data[];
} write_req;

struct net_listener {
    uv_tcp_t tcp;
    net_tls_ctx *tls;
    net_conn_limits lim;
    net_conn_callbacks cb;
    net_conn *conns;
    int closing;
    int handle_open;
};

struct net_client {
    uv_timer_t retry;
    uv_loop_t *loop;
    net_tls_ctx *tls;
    struct sockaddr_storage addr;
    char peer[64];
    net_conn_limits lim;
    net_backoff backoff;
    net_conn_callbacks cb;
    net_conn *conn;
    unsigned attempt;
    int closing;
    int handle_open;
};

static void conn_begin_close(net_conn *c, int reason);
static void client_conn_closed(net_client *cl);
static void listener_conn_closed(net_listener *l, net_conn *c);

static int limits_resolve(net_conn_limits *out, const net_conn_limits *in) {
    net_conn_limits l = *in;
    if (l.max_frame == 0) {
        l.max_frame = NET_FRAME_DEFAULT_MAX;
    }
    if (l.max_frame > NET_FRAME_MAX_LIMIT) {
        return NET_E_ARG;
    }
    if (l.handshake_timeout_ms == 0) {
        l.handshake_timeout_ms = DEFAULT_HANDSHAKE_MS;
    }
    if (l.heartbeat_ms == 0) {
        l.heartbeat_ms = DEFAULT_HEARTBEAT_MS;
    }
    if (l.idle_timeout_ms == 0) {
        l.idle_timeout_ms = DEFAULT_IDLE_MS;
    }
    if (l.max_write_queue == 0) {
        l.max_write_queue = 4 * (size_t)l.max_frame + 65536;
    }
    *out = l;
    return NET_OK;
}

static int parse_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port) {
    memset(ss, 0, sizeof(*ss));
    if (uv_ip4_addr(ip, port, (struct sockaddr_in *)ss) == 0 ||
            uv_ip6_addr(ip, port, (struct sockaddr_in6 *)ss) == 0) {
        return NET_OK;
    }
    return NET_E_ARG;
}

static void addr_name(char *out, size_t cap, const struct sockaddr_storage *ss) {
    char ip[48] = "?";
    unsigned port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        (void)uv_ip4_name(a, ip, sizeof(ip));
        port = ntohs(a->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        (void)uv_ip6_name(a, ip, sizeof(ip));
        port = ntohs(a->sin6_port);
    }
    snprintf(out, cap, "%s:%u", ip, port);
}

static void conn_free(net_conn *c) {
    net_tls_free(c->tls);
    net_frame_decoder_clear(&c->dec);
    free(c);
}

/* A connection with its three handles initialised (each counted in c->handles). */
static int conn_new(net_conn **out, uv_loop_t *loop, net_tls_ctx *tls, const net_conn_limits *lim,
        const net_conn_callbacks *cbs) {
    net_conn *c = calloc(1, sizeof(*c));
    int r = NET_E_NOMEM;

    *out = NULL;
    if (c == NULL) {
        goto out;
    }
    c->lim = *lim;
    c->cb = *cbs;
    c->reason = NET_OK;
    snprintf(c->peer, sizeof(c->peer), "?");
    r = net_frame_decoder_init(&c->dec, lim->max_frame);
    if (r != NET_OK) {
        goto out;
    }
    r = net_tls_new(&c->tls, tls);
    if (r != NET_OK) {
        goto out;
    }
    r = NET_E_INTERNAL;
    if (uv_tcp_init(loop, &c->tcp) != 0) {
        goto out;
    }
    /* uv_timer_init cannot fail; from here on, c is released only through its close callbacks. */
    (void)uv_timer_init(loop, &c->deadline);
    (void)uv_timer_init(loop, &c->heartbeat);
    c->handles = 3;
    c->tcp.data = c;
    c->deadline.data = c;
    c->heartbeat.data = c;
    c->connect_req.data = c;
    c->shutdown_req.data = c;
    *out = c;
    c = NULL;
    r = NET_OK;
out:
    if (c != NULL) {
        conn_free(c);
    }
    return r;
}

static void on_handle_closed(uv_handle_t *h) {
    net_conn *c = h->data;
    if (--c->handles > 0) {
        return;
    }
    if (c->cb.on_close != NULL) {
        c->cb.on_close(c, c->reason, c->cb.data);
    }
    if (c->listener != NULL) {
        listener_conn_closed(c->listener, c);
    }
    if (c->client != NULL) {
        client_conn_closed(c->client);
    }
    conn_free(c);
}

static void conn_close_handles(net_conn *c) {
    if (c->handles_closing) {
        return;
    }
    c->handles_closing = 1;
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->deadline, on_handle_closed);
    uv_close((uv_handle_t *)&c->heartbeat, on_handle_closed);
}

static void on_write(uv_write_t *req, int status) {
    net_conn *c = req->handle->data;
    free(req);
    if (status < 0 && status != UV_ECANCELED) {
        net_log(NET_LOG_WARN, "conn %s: write failed: %s", c->peer, uv_strerror(status));
        conn_begin_close(c, NET_E_IO);
    }
}

static void on_heartbeat(uv_timer_t *t);

/* Hands all ciphertext the engine produced to uv_write. */
static int conn_flush(net_conn *c) {
    size_t pending;
    int wrote = 0;

    while ((pending = net_tls_pending(c->tls)) > 0) {
        write_req *w = malloc(sizeof(*w) + pending);
        uv_buf_t buf;
        if (w == NULL) {
            return NET_E_NOMEM;
        }
        w->len = net_tls_drain(c->tls, w->data, pending);
        buf = uv_buf_init((char *)w->data, (unsigned)w->len);
        if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write) != 0) {
            free(w);
            return NET_E_IO;
        }
        wrote = 1;
    }
    if (wrote && c->state == ST_READY) {
        uv_timer_start(&c->heartbeat, on_heartbeat, c->lim.heartbeat_ms, 0);
    }
    return NET_OK;
}

/* Header and payload through the TLS engine, then to the socket. len == 0 is a heartbeat. */
static int conn_write_frame(net_conn *c, const unsigned char *frame, size_t len) {
    unsigned char hdr[NET_FRAME_HEADER_LEN];
    int r;
    net_frame_put_header(hdr, (uint32_t)len);
    r = net_tls_write(c->tls, hdr, sizeof(hdr));
    if (r == NET_OK) {
        r = net_tls_write(c->tls, frame, len);
    }
    if (r == NET_OK) {
        r = conn_flush(c);
    }
    return r;
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    (void)status;
    conn_close_handles(req->data);
}

static int is_tls_reason(int reason) {
    return reason == NET_E_NOT_TLS || reason == NET_E_TLS_VERSION || reason == NET_E_TLS ||
           reason == NET_E_PEER_CERT || reason == NET_E_PEER_IDENTITY || reason == NET_E_PEER_ROLE ||
           reason == NET_E_PEER_ID || reason == NET_E_PEER_REJECTED;
}

static void on_deadline(uv_timer_t *t);

/* Starts closing: no more user callbacks except on_close, which runs from the last close callback. */
static void conn_begin_close(net_conn *c, int reason) {
    enum conn_state was = c->state;

    if (was == ST_CLOSING) {
        return;
    }
    c->state = ST_CLOSING;
    c->reason = reason;
    c->cb.on_peer_ready = NULL;
    c->cb.on_frame = NULL;
    if (is_tls_reason(reason)) {
        net_log(NET_LOG_WARN, "conn %s: closing: %s (%s)", c->peer, net_strerror(reason),
                net_tls_error_detail(c->tls));
    } else {
        net_log(reason == NET_E_CLOSED || reason == NET_E_EOF ? NET_LOG_INFO : NET_LOG_WARN,
                "conn %s: closing: %s", c->peer, net_strerror(reason));
    }
    uv_timer_stop(&c->heartbeat);
    uv_timer_stop(&c->deadline);
    if (was == ST_CONNECTING || reason == NET_E_IO || reason == NET_E_CONNECT) {
        conn_close_handles(c);
        return;
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    /* Say goodbye properly: a close_notify, or the alert the engine queued for a failed handshake. */
    net_tls_close_notify(c->tls);
    if (conn_flush(c) != NET_OK ||
            uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
        conn_close_handles(c);
        return;
    }
    uv_timer_start(&c->deadline, on_deadline, CONN_CLOSE_LINGER_MS, 0);
}

static void on_deadline(uv_timer_t *t) {
    net_conn *c = t->data;
    switch (c->state) {
    case ST_CLOSING:
        conn_close_handles(c);
        break;
    case ST_READY:
        conn_begin_close(c, NET_E_IDLE_TIMEOUT);
        break;
    default:
        conn_begin_close(c, NET_E_HANDSHAKE_TIMEOUT);
        break;
    }
}

static void on_heartbeat(uv_timer_t *t) {
    net_conn *c = t->data;
    int r;
    if (c->state != ST_READY) {
        return;
    }
    r = conn_write_frame(c, NULL, 0);
    if (r != NET_OK) {
        conn_begin_close(c, r);
    }
}

static void conn_become_ready(net_conn *c) {
    c->state = ST_READY;
    if (c->client != NULL) {
        c->client->attempt = 0;
    }
    uv_timer_start(&c->deadline, on_deadline, c->lim.idle_timeout_ms, 0);
    uv_timer_start(&c->heartbeat, on_heartbeat, c->lim.heartbeat_ms, 0);
    net_log(NET_LOG_INFO, "conn %s: peer ready: %s %s", c->peer,
            net_role_name(net_tls_peer_role(c->tls)), net_tls_peer_id(c->tls));
    if (c->cb.on_peer_ready != NULL) {
        c->cb.on_peer_ready(c, net_tls_peer_role(c->tls), net_tls_peer_id(c->tls), c->cb.data);
    }
}

/* The handshake just completed and the peer's identity was accepted. */
static int conn_tls_established(net_conn *c) {
    int r;
    if (c->client != NULL) {
        c->state = ST_CONFIRM;
        return NET_OK;
    }
    /* Tell the client we accepted it: the first frame, an empty one (conn.h). */
    c->state = ST_READY;
    r = conn_write_frame(c, NULL, 0);
    if (r != NET_OK) {
        return r;
    }
    conn_become_ready(c);
    return NET_OK;
}

/* Decodes frames from len bytes of plaintext in c->pbuf. Returns NET_OK, or an error once the
 * connection is closing. */
static int conn_feed_frames(net_conn *c, size_t len) {
    const unsigned char *p = c->pbuf;

    while (len > 0) {
        unsigned char *frame = NULL;
        size_t frame_len = 0, used = 0;
        int r = net_frame_decode(&c->dec, &frame, &frame_len, &used, p, len);
        p += used;
        len -= used;
        if (r < 0) {
            if (r == NET_E_FRAME_TOO_BIG) {
                net_log(NET_LOG_WARN, "conn %s: oversized frame: header announces %lu bytes, maximum is %lu",
                        c->peer, (unsigned long)c->dec.rejected_len, (unsigned long)c->lim.max_frame);
            }
            conn_begin_close(c, r);
            return r;
        }
        if (r == NET_OK) {
            break;
        }
        if (c->state == ST_CONFIRM) {
            conn_become_ready(c);
        }
        if (frame_len > 0 && c->state == ST_READY && c->cb.on_frame != NULL) {
            c->cb.on_frame(c, frame, frame_len, c->cb.data);
        }
        free(frame);
        if (c->state == ST_CLOSING) {
            return NET_E_CLOSED;
        }
    }
    return NET_OK;
}

/* Runs the engine over whatever ciphertext it holds, delivers frames, flushes the answer. */
static void conn_pump(net_conn *c) {
    int r;
    for (;;) {
        size_t n = 0;
        r = net_tls_read(c->tls, c->pbuf, &n, sizeof(c->pbuf));
        if (r != NET_OK) {
            conn_begin_close(c, r);
            return;
        }
        if (c->state == ST_HANDSHAKE && net_tls_established(c->tls)) {
            r = conn_tls_established(c);
            if (r != NET_OK) {
                conn_begin_close(c, r);
                return;
            }
            if (c->state == ST_CLOSING) {
                return;
            }
        }
        if (n == 0) {
            break;
        }
        if (conn_feed_frames(c, n) != NET_OK) {
            return;
        }
    }
    r = conn_flush(c);
    if (r != NET_OK) {
        conn_begin_close(c, r);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    net_conn *c = h->data;
    (void)suggested;
    *buf = uv_buf_init((char *)c->rbuf, sizeof(c->rbuf));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    net_conn *c = s->data;
    int r;

    if (c->state == ST_CLOSING || nread == 0) {
        return;
    }
    if (nread < 0) {
        r = nread == UV_EOF ? NET_E_EOF : NET_E_IO;
        if (r == NET_E_EOF && net_frame_finish(&c->dec) == NET_E_TRUNCATED) {
            r = NET_E_TRUNCATED;
        }
        if (r == NET_E_IO) {
            net_log(NET_LOG_WARN, "conn %s: read failed: %s", c->peer, uv_strerror((int)nread));
        }
        conn_begin_close(c, r);
        return;
    }
    r = net_tls_feed(c->tls, buf->base, (size_t)nread);
    if (r != NET_OK) {
        conn_begin_close(c, r);
        return;
    }
    if (c->state == ST_READY) {
        uv_timer_start(&c->deadline, on_deadline, c->lim.idle_timeout_ms, 0);
    }
    conn_pump(c);
}

/* TCP is up: start the handshake clock and reading. */
static int conn_start(net_conn *c) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        addr_name(c->peer, sizeof(c->peer), &ss);
    }
    (void)uv_tcp_nodelay(&c->tcp, 1);
    c->state = ST_HANDSHAKE;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
        return NET_E_IO;
    }
    return NET_OK;
}

int net_conn_send(net_conn *c, const unsigned char *frame, size_t len) {
    int r;
    if (c->state != ST_READY) {
        return NET_E_STATE;
    }
    if (len == 0) {
        return NET_E_ARG;
    }
    if (len > c->lim.max_frame) {
        return NET_E_FRAME_TOO_BIG;
    }
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) + len > c->lim.max_write_queue) {
        return NET_E_BACKPRESSURE;
    }
    r = conn_write_frame(c, frame, len);
    if (r != NET_OK) {
        conn_begin_close(c, r);
    }
    return r;
}

void net_conn_close(net_conn *c) {
    conn_begin_close(c, NET_E_CLOSED);
}

net_role net_conn_peer_role(const net_conn *c) {
    return c->state == ST_READY ? net_tls_peer_role(c->tls) : NET_ROLE_NONE;
}

const char *net_conn_peer_id(const net_conn *c) {
    return c->state == ST_READY ? net_tls_peer_id(c->tls) : "";
}

/* ---- listener ---- */

static void listener_maybe_free(net_listener *l) {
    if (l->closing && !l->handle_open && l->conns == NULL) {
        net_tls_ctx_free(l->tls);
        free(l);
    }
}

static void listener_conn_closed(net_listener *l, net_conn *c) {
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        l->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    listener_maybe_free(l);
}

static void free_handle(uv_handle_t *h) {
    free(h);
}

static void on_connection(uv_stream_t *server, int status) {
    net_listener *l = server->data;
    net_conn *c = NULL;
    int r;

    if (status < 0) {
        net_log(NET_LOG_WARN, "listener: accept failed: %s", uv_strerror(status));
        return;
    }
    r = conn_new(&c, server->loop, l->tls, &l->lim, &l->cb);
    if (r != NET_OK) {
        /* Accept and drop it: libuv stops accepting until the pending connection is taken. */
        uv_tcp_t *drop = malloc(sizeof(*drop));
        net_log(NET_LOG_WARN, "listener: cannot take a new connection: %s", net_strerror(r));
        if (drop != NULL && uv_tcp_init(server->loop, drop) == 0) {
            (void)uv_accept(server, (uv_stream_t *)drop);
            uv_close((uv_handle_t *)drop, free_handle);
        } else {
            free(drop);
        }
        return;
    }
    c->listener = l;
    c->next = l->conns;
    if (l->conns != NULL) {
        l->conns->prev = c;
    }
    l->conns = c;
    c->state = ST_HANDSHAKE;
    uv_timer_start(&c->deadline, on_deadline, c->lim.handshake_timeout_ms, 0);
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || conn_start(c) != NET_OK) {
        conn_begin_close(c, NET_E_IO);
    }
}

int net_listener_start(net_listener **out, uv_loop_t *loop, net_tls_ctx *tls, const char *ip, uint16_t port,
        const net_conn_limits *limits, const net_conn_callbacks *cbs) {
    struct sockaddr_storage ss;
    net_listener *l = NULL;
    int r, uv;

    *out = NULL;
    r = parse_addr(&ss, ip, port);
    if (r != NET_OK) {
        goto out;
    }
    r = NET_E_NOMEM;
    l = calloc(1, sizeof(*l));
    if (l == NULL) {
        goto out;
    }
    r = limits_resolve(&l->lim, limits);
    if (r != NET_OK) {
        goto out;
    }
    l->cb = *cbs;
    r = NET_E_INTERNAL;
    if (uv_tcp_init(loop, &l->tcp) != 0) {
        goto out;
    }
    l->tcp.data = l;
    l->handle_open = 1;
    l->tls = net_tls_ctx_ref(tls);
    uv = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&ss, 0);
    if (uv == 0) {
        uv = uv_listen((uv_stream_t *)&l->tcp, LISTEN_BACKLOG, on_connection);
    }
    if (uv != 0) {
        net_log(NET_LOG_WARN, "listener: cannot listen on %s port %u: %s", ip, (unsigned)port, uv_strerror(uv));
        r = NET_E_IO;
        goto out;
    }
    *out = l;
    l = NULL;
    r = NET_OK;
out:
    if (l != NULL) {
        if (l->handle_open) {
            net_listener_close(l);
        } else {
            free(l);
        }
    }
    return r;
}

uint16_t net_listener_port(const net_listener *l) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&ss, &len) != 0) {
        return 0;
    }
    if (ss.ss_family == AF_INET) {
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void on_listener_closed(uv_handle_t *h) {
    net_listener *l = h->data;
    l->handle_open = 0;
    listener_maybe_free(l);
}

void net_listener_close(net_listener *l) {
    if (l->closing) {
        return;
    }
    l->closing = 1;
    uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
    for (net_conn *c = l->conns; c != NULL; c = c->next) {
        net_conn_close(c);
    }
}

/* ---- client ---- */

uint32_t net_backoff_delay(const net_backoff *b, unsigned attempt, uint32_t random32) {
    uint64_t max = b->max_ms != 0 ? b->max_ms : DEFAULT_BACKOFF_MAX_MS;
    uint64_t d = b->initial_ms != 0 ? b->initial_ms : DEFAULT_BACKOFF_INITIAL_MS;
    uint64_t half;
    for (unsigned i = 0; i < attempt && d < max; i++) {
        d *= 2;
    }
    if (d > max) {
        d = max;
    }
    half = d / 2;
    return (uint32_t)(half + (uint64_t)random32 % (d - half + 1));
}

static void client_maybe_free(net_client *cl) {
    if (cl->closing && !cl->handle_open && cl->conn == NULL) {
        net_tls_ctx_free(cl->tls);
        free(cl);
    }
}

static void on_connect(uv_connect_t *req, int status) {
    net_conn *c = req->data;
    int r;
    if (c->state != ST_CONNECTING) {
        return; /* closed while connecting: UV_ECANCELED */
    }
    if (status < 0) {
        net_log(NET_LOG_WARN, "conn %s: connect failed: %s", c->peer, uv_strerror(status));
        conn_begin_close(c, NET_E_CONNECT);
        return;
    }
    r = conn_start(c);
    if (r != NET_OK) {
        conn_begin_close(c, r);
        return;
    }
    conn_pump(c); /* produces the ClientHello */
}

static void client_connect(net_client *cl) {
    net_conn *c = NULL;
    int r = conn_new(&c, cl->loop, cl->tls, &cl->lim, &cl->cb);
    if (r != NET_OK) {
        net_log(NET_LOG_WARN, "client %s: cannot create a connection: %s", cl->peer, net_strerror(r));
        client_conn_closed(cl);
        return;
    }
    c->client = cl;
    c->state = ST_CONNECTING;
    snprintf(c->peer, sizeof(c->peer), "%s", cl->peer);
    cl->conn = c;
    uv_timer_start(&c->deadline, on_deadline, c->lim.handshake_timeout_ms, 0);
    if (uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&cl->addr, on_connect) != 0) {
        conn_begin_close(c, NET_E_CONNECT);
    }
}

static void on_retry(uv_timer_t *t) {
    client_connect(t->data);
}

/* The current connection is gone (or could not be created): schedule the next attempt. */
static void client_conn_closed(net_client *cl) {
    uint32_t random32 = 0, delay;
    cl->conn = NULL;
    if (cl->closing) {
        client_maybe_free(cl);
        return;
    }
    /* Jitter only spreads reconnects; if RAND_bytes fails the delay is simply the lower bound. */
    if (RAND_bytes((unsigned char *)&random32, sizeof(random32)) != 1) {
        random32 = 0;
    }
    delay = net_backoff_delay(&cl->backoff, cl->attempt, random32);
    if (cl->attempt < 64) {
        cl->attempt++;
    }
    net_log(NET_LOG_INFO, "client %s: reconnecting in %lu ms", cl->peer, (unsigned long)delay);
    uv_timer_start(&cl->retry, on_retry, delay, 0);
}

int net_client_start(net_client **out, uv_loop_t *loop, net_tls_ctx *tls, const char *ip, uint16_t port,
        const net_conn_limits *limits, const net_backoff *backoff, const net_conn_callbacks *cbs) {
    net_client *cl = NULL;
    int r = NET_E_NOMEM;

    *out = NULL;
    cl = calloc(1, sizeof(*cl));
    if (cl == NULL) {
        goto out;
    }
    r = parse_addr(&cl->addr, ip, port);
    if (r != NET_OK) {
        goto out;
    }
    r = limits_resolve(&cl->lim, limits);
    if (r != NET_OK) {
        goto out;
    }
    addr_name(cl->peer, sizeof(cl->peer), &cl->addr);
    cl->backoff = *backoff;
    cl->cb = *cbs;
    cl->loop = loop;
    (void)uv_timer_init(loop, &cl->retry);
    cl->retry.data = cl;
    cl->handle_open = 1;
    cl->tls = net_tls_ctx_ref(tls);
    /* The first attempt also goes through the timer so that nothing runs inside this call. */
    uv_timer_start(&cl->retry, on_retry, 0, 0);
    *out = cl;
    cl = NULL;
    r = NET_OK;
out:
    free(cl);
    return r;
}

static void on_client_timer_closed(uv_handle_t *h) {
    net_client *cl = h->data;
    cl->handle_open = 0;
    client_maybe_free(cl);
}

void net_client_close(net_client *cl) {
    if (cl->closing) {
        return;
    }
    cl->closing = 1;
    uv_close((uv_handle_t *)&cl->retry, on_client_timer_closed);
    if (cl->conn != NULL) {
        net_conn_close(cl->conn);
    }
}
