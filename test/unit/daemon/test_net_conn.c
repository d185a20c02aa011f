/*
 * The TLS transport end to end: real TLS 1.3 over 127.0.0.1 with a libuv loop, certificates
 * issued at run time by mpc_netca into a temporary directory. Misbehaving peers (plaintext, TLS
 * 1.2 only, hand-made frame streams) are independent blocking OpenSSL clients on a thread, so the
 * server under test sees bytes that its own code did not produce.
 * Every test ends with uv_loop_close() == 0.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ca.h"
#include "conn.h"
#include "frame.h"
#include "tls.h"

#define PATH_LEN 512
/* Upper bound for any single wait (generous so that valgrind runs pass); a passing test returns
 * as soon as its condition holds. */
#define STEP_MS 10000

/* ---------------------------------------------------------------- PKI in a temporary dir */

static char g_dir[128];

static const char *const g_files[] = {
    "ca/ca.key", "ca/ca.crt", "ca2/ca.key", "ca2/ca.crt",
    "coord.key", "coord.crt", "s1.key", "s1.crt", "s2.key", "s2.crt", "s9.key", "s9.crt",
    "req.key", "req.crt", "evil.key", "evil.crt", "revoke-s1.crl",
};

static const char *path(char *buf, const char *name) {
    snprintf(buf, PATH_LEN, "%s/%s", g_dir, name);
    return buf;
}

static int issue(const char *ca, const char *out, net_role role, const char *id) {
    char dir[PATH_LEN], prefix[PATH_LEN];
    static const char *const ips[] = {"127.0.0.1"};
    net_ca_request req;
    memset(&req, 0, sizeof(req));
    req.role = role;
    req.id = id;
    req.ips = ips;
    req.ips_len = 1;
    req.days = 2;
    return net_ca_issue(path(dir, ca), path(prefix, out), &req);
}

static int pki_setup(void **state) {
    char p[PATH_LEN];
    (void)state;
    snprintf(g_dir, sizeof(g_dir), "/tmp/mpc-net-test-XXXXXX");
    if (mkdtemp(g_dir) == NULL || net_ca_init(path(p, "ca")) != NET_OK ||
            net_ca_init(path(p, "ca2")) != NET_OK ||
            issue("ca", "coord", NET_ROLE_COORDINATOR, "main") != NET_OK ||
            issue("ca", "s1", NET_ROLE_SIGNER, "1") != NET_OK ||
            issue("ca", "s2", NET_ROLE_SIGNER, "2") != NET_OK ||
            issue("ca", "s9", NET_ROLE_SIGNER, "9") != NET_OK ||
            issue("ca", "req", NET_ROLE_REQUESTER, "ops") != NET_OK ||
            issue("ca2", "evil", NET_ROLE_SIGNER, "1") != NET_OK) {
        return -1;
    }
    return 0;
}

static int pki_teardown(void **state) {
    char p[PATH_LEN];
    (void)state;
    for (size_t i = 0; i < sizeof(g_files) / sizeof(g_files[0]); i++) {
        unlink(path(p, g_files[i]));
    }
    rmdir(path(p, "ca"));
    rmdir(path(p, "ca2"));
    rmdir(g_dir);
    return 0;
}

/* ---------------------------------------------------------------- log capture */

static char g_log[32768];
static size_t g_log_len;

static void log_capture(net_log_level level, const char *line, void *data) {
    size_t n = strlen(line);
    (void)data;
    if (getenv("NET_TEST_VERBOSE") != NULL) {
        fprintf(stderr, "[%d] %s\n", (int)level, line);
    }
    if (g_log_len + n + 2 < sizeof(g_log)) {
        memcpy(g_log + g_log_len, line, n);
        g_log_len += n;
        g_log[g_log_len++] = '\n';
        g_log[g_log_len] = '\0';
    }
}

static int log_has(const char *needle) {
    return strstr(g_log, needle) != NULL;
}

/* ---------------------------------------------------------------- fixture */

typedef struct fx fx;

typedef struct {
    fx *f;
    int ready, closed, frames;
    int last_reason;
    int echo;
    net_role role;
    char id[NET_ID_MAX + 1];
    size_t bytes;
    uint32_t sum;
    net_conn *conn;
    uint64_t ready_at;
    uint64_t close_at[64];
} side;

struct fx {
    uv_loop_t loop;
    uv_timer_t guard;
    net_tls_ctx *srv_tls;
    net_listener *l;
    uint16_t port;
    net_conn_limits srv_lim;
    side srv, cli;
    net_client *client;
    int client_oneshot; /* stop the client after its first connection closes */
};

static uint32_t checksum(uint32_t sum, const unsigned char *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        sum = sum * 16777619u ^ p[i];
    }
    return sum;
}

static void on_ready(net_conn *c, net_role role, const char *id, void *data) {
    side *s = data;
    s->ready++;
    s->ready_at = uv_now(&s->f->loop);
    s->role = role;
    snprintf(s->id, sizeof(s->id), "%s", id);
    s->conn = c;
}

static void on_frame(net_conn *c, const unsigned char *frame, size_t len, void *data) {
    side *s = data;
    s->frames++;
    s->bytes += len;
    s->sum = checksum(s->sum, frame, len);
    if (s->echo) {
        assert_int_equal(net_conn_send(c, frame, len), NET_OK);
    }
}

static void on_close(net_conn *c, int reason, void *data) {
    side *s = data;
    if (s->closed < 64) {
        s->close_at[s->closed] = uv_now(&s->f->loop);
    }
    s->closed++;
    s->last_reason = reason;
    if (s->conn == c) {
        s->conn = NULL;
    }
    if (s == &s->f->cli && s->f->client_oneshot && s->f->client != NULL) {
        net_client_close(s->f->client);
        s->f->client = NULL;
    }
}

static void guard_cb(uv_timer_t *t) {
    (void)t;
}

/* Runs the loop until cond holds or ms elapsed (a guard timer bounds every wait). */
#define RUN_UNTIL(f, cond, ms)                                            \
    do {                                                                  \
        uint64_t end_ = uv_now(&(f)->loop) + (ms);                        \
        uv_timer_start(&(f)->guard, guard_cb, (ms), 0);                   \
        while (!(cond) && uv_now(&(f)->loop) < end_) {                    \
            uv_run(&(f)->loop, UV_RUN_ONCE);                              \
        }                                                                 \
        uv_timer_stop(&(f)->guard);                                       \
    } while (0)

static const net_tls_peer g_signers[] = {{NET_ROLE_SIGNER, "1"}, {NET_ROLE_SIGNER, "2"}};

static void fx_listen(fx *f) {
    assert_int_equal(net_listener_start(&f->l, &f->loop, f->srv_tls, "127.0.0.1", f->port, &f->srv_lim,
                             &(net_conn_callbacks){on_ready, on_frame, on_close, &f->srv}),
            NET_OK);
    f->port = net_listener_port(f->l);
    assert_true(f->port != 0);
}

/* A listener on 127.0.0.1 with the certificate <who>.crt, accepting signers 1 and 2. */
static void fx_init_server(fx *f, const net_conn_limits *srv_lim, const char *who, const char *crl) {
    char ca[PATH_LEN], crt[PATH_LEN], key[PATH_LEN], crl_path[PATH_LEN], n1[64], n2[64];
    net_tls_config cfg = {1, path(ca, "ca/ca.crt"), NULL, NULL, NULL, g_signers, 2};
    snprintf(n1, sizeof(n1), "%s.crt", who);
    snprintf(n2, sizeof(n2), "%s.key", who);
    cfg.cert_file = path(crt, n1);
    cfg.key_file = path(key, n2);
    cfg.crl_file = crl != NULL ? path(crl_path, crl) : NULL;
    memset(f, 0, sizeof(*f));
    f->srv.f = f;
    f->cli.f = f;
    g_log_len = 0;
    g_log[0] = '\0';
    net_set_log(log_capture, NULL);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(uv_timer_init(&f->loop, &f->guard), 0);
    if (srv_lim != NULL) {
        f->srv_lim = *srv_lim;
    }
    assert_int_equal(net_tls_ctx_new(&f->srv_tls, &cfg), NET_OK);
    fx_listen(f);
}

static void fx_init(fx *f, const net_conn_limits *srv_lim) {
    fx_init_server(f, srv_lim, "coord", NULL);
}

static void fx_client(fx *f, const char *ca_dir, const char *who, const char *expect_id,
        const net_conn_limits *lim, const net_backoff *backoff) {
    char ca[PATH_LEN], crt[PATH_LEN], key[PATH_LEN], n1[64], n2[64], n3[64];
    net_tls_peer coord = {NET_ROLE_COORDINATOR, expect_id};
    net_tls_config cfg = {0, NULL, NULL, NULL, NULL, &coord, 1};
    net_conn_limits none = {0, 0, 0, 0, 0};
    net_backoff fast = {20, 80};
    net_tls_ctx *tls = NULL;

    snprintf(n1, sizeof(n1), "%s/ca.crt", ca_dir);
    snprintf(n2, sizeof(n2), "%s.crt", who);
    snprintf(n3, sizeof(n3), "%s.key", who);
    cfg.ca_file = path(ca, n1);
    cfg.cert_file = path(crt, n2);
    cfg.key_file = path(key, n3);
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_OK);
    assert_int_equal(net_client_start(&f->client, &f->loop, tls, "127.0.0.1", f->port, lim ? lim : &none,
                             backoff ? backoff : &fast,
                             &(net_conn_callbacks){on_ready, on_frame, on_close, &f->cli}),
            NET_OK);
    net_tls_ctx_free(tls); /* the client keeps its own reference */
}

static void fx_finish(fx *f) {
    if (f->client != NULL) {
        net_client_close(f->client);
        f->client = NULL;
    }
    if (f->l != NULL) {
        net_listener_close(f->l);
        f->l = NULL;
    }
    uv_close((uv_handle_t *)&f->guard, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    net_tls_ctx_free(f->srv_tls);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    net_set_log(NULL, NULL);
}

/* A good signer connects, exchanges a frame with the echoing server and leaves: proves that the
 * server still serves after whatever the test did before. */
static void check_good_client(fx *f) {
    int srv_ready = f->srv.ready, cli_ready = f->cli.ready, cli_frames = f->cli.frames;
    f->srv.echo = 1;
    f->client_oneshot = 1;
    fx_client(f, "ca", "s2", "main", NULL, NULL);
    RUN_UNTIL(f, f->cli.ready == cli_ready + 1, STEP_MS);
    assert_int_equal(f->cli.ready, cli_ready + 1);
    assert_int_equal(f->srv.ready, srv_ready + 1);
    assert_string_equal(f->srv.id, "2");
    assert_int_equal(net_conn_send(f->cli.conn, (const unsigned char *)"ping", 4), NET_OK);
    RUN_UNTIL(f, f->cli.frames == cli_frames + 1, STEP_MS);
    assert_int_equal(f->cli.frames, cli_frames + 1);
}

/* ---------------------------------------------------------------- blocking test peers */

enum { PEER_RAW, PEER_TLS12, PEER_TLS13 };

typedef struct {
    uint16_t port;
    int mode;
    const char *who;            /* certificate prefix for TLS modes */
    const unsigned char *script; /* bytes to send (plaintext inside TLS for PEER_TLS13) */
    size_t script_len;
    size_t chunk;               /* send the first split_len bytes in writes of this size */
    size_t split_len;
    unsigned delay_us;          /* pause between those writes */
    int close_notify;           /* PEER_TLS13: send close_notify after the script */
    int handshake_ok;           /* result */
    pthread_t thread;
} peer;

static void *peer_main(void *arg) {
    peer *p = arg;
    char ca[PATH_LEN], crt[PATH_LEN], key[PATH_LEN], n[64];
    struct sockaddr_in a;
    struct timeval tv = {5, 0};
    SSL_CTX *ctx = NULL;
    SSL *ssl = NULL;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    unsigned char buf[4096];

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(p->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        goto out;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (p->mode == PEER_RAW) {
        if (p->script_len > 0 && send(fd, p->script, p->script_len, 0) != (ssize_t)p->script_len) {
            goto out;
        }
        while (recv(fd, buf, sizeof(buf), 0) > 0) {
        }
        goto out;
    }
    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        goto out;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, p->mode == PEER_TLS12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    snprintf(n, sizeof(n), "%s.crt", p->who);
    SSL_CTX_use_certificate_file(ctx, path(crt, n), SSL_FILETYPE_PEM);
    snprintf(n, sizeof(n), "%s.key", p->who);
    SSL_CTX_use_PrivateKey_file(ctx, path(key, n), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(ctx, path(ca, "ca/ca.crt"), NULL);
    ssl = SSL_new(ctx);
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
        goto out;
    }
    p->handshake_ok = SSL_connect(ssl) == 1;
    if (!p->handshake_ok) {
        goto out;
    }
    for (size_t off = 0; off < p->script_len;) {
        size_t len = off < p->split_len ? p->chunk : p->script_len - off;
        if (len > p->script_len - off) {
            len = p->script_len - off;
        }
        if (SSL_write(ssl, p->script + off, (int)len) != (int)len) {
            goto out;
        }
        off += len;
        if (off < p->split_len && p->delay_us > 0) {
            struct timespec ts = {0, (long)p->delay_us * 1000L};
            nanosleep(&ts, NULL);
        }
    }
    if (p->close_notify) {
        SSL_shutdown(ssl);
    }
    while (SSL_read(ssl, buf, sizeof(buf)) > 0) {
    }
out:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

static void peer_start(peer *p) {
    assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

static void peer_join(peer *p) {
    assert_int_equal(pthread_join(p->thread, NULL), 0);
}

/* ---------------------------------------------------------------- handshake */

static void test_handshake_ok(void **state) {
    fx f;
    (void)state;
    fx_init(&f, NULL);
    f.srv.echo = 1;
    fx_client(&f, "ca", "s1", "main", NULL, NULL);
    RUN_UNTIL(&f, f.cli.ready == 1 && f.srv.ready == 1, STEP_MS);
    assert_int_equal(f.srv.ready, 1);
    assert_int_equal(f.srv.role, NET_ROLE_SIGNER);
    assert_string_equal(f.srv.id, "1");
    assert_int_equal(f.cli.ready, 1);
    assert_int_equal(f.cli.role, NET_ROLE_COORDINATOR);
    assert_string_equal(f.cli.id, "main");
    assert_int_equal(net_conn_peer_role(f.srv.conn), NET_ROLE_SIGNER);
    assert_string_equal(net_conn_peer_id(f.cli.conn), "main");
    assert_int_equal(net_conn_send(f.cli.conn, (const unsigned char *)"hello", 5), NET_OK);
    RUN_UNTIL(&f, f.cli.frames == 1, STEP_MS);
    assert_int_equal(f.srv.frames, 1);
    assert_int_equal(f.cli.frames, 1);
    assert_int_equal(f.cli.sum, checksum(0, (const unsigned char *)"hello", 5));
    /* Orderly close from the client: the server sees the peer's close_notify. */
    net_client_close(f.client);
    f.client = NULL;
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.cli.last_reason, NET_E_CLOSED);
    assert_int_equal(f.srv.last_reason, NET_E_EOF);
    fx_finish(&f);
}

/* A client certificate from a client that trusts our CA, but whose own cert is from another CA. */
static void test_reject_other_ca(void **state) {
    fx f;
    (void)state;
    fx_init(&f, NULL);
    f.client_oneshot = 1;
    fx_client(&f, "ca", "evil", "main", NULL, NULL);
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.srv.ready, 0);
    assert_int_equal(f.cli.ready, 0);
    assert_int_equal(f.srv.last_reason, NET_E_PEER_CERT);
    assert_int_equal(f.cli.last_reason, NET_E_PEER_REJECTED);
    assert_true(log_has("peer certificate rejected (unable to get local issuer certificate)"));
    check_good_client(&f);
    fx_finish(&f);
}

static void test_reject_wrong_role(void **state) {
    fx f;
    (void)state;
    fx_init(&f, NULL);
    f.client_oneshot = 1;
    fx_client(&f, "ca", "req", "main", NULL, NULL);
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.srv.ready, 0);
    assert_int_equal(f.cli.ready, 0);
    assert_int_equal(f.srv.last_reason, NET_E_PEER_ROLE);
    assert_int_equal(f.cli.last_reason, NET_E_PEER_REJECTED);
    assert_true(log_has("wrong role for this link (requester ops has a role not accepted on this link)"));
    check_good_client(&f);
    fx_finish(&f);
}

static void test_reject_unlisted_id(void **state) {
    fx f;
    (void)state;
    fx_init(&f, NULL);
    f.client_oneshot = 1;
    fx_client(&f, "ca", "s9", "main", NULL, NULL);
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.srv.ready, 0);
    assert_int_equal(f.srv.last_reason, NET_E_PEER_ID);
    assert_int_equal(f.cli.last_reason, NET_E_PEER_REJECTED);
    assert_true(log_has("not in the allow-list (signer 9 is not in the allow-list)"));
    check_good_client(&f);
    fx_finish(&f);
}

/* The client side pins the coordinator's id too. */
static void test_client_rejects_wrong_server(void **state) {
    fx f;
    (void)state;
    fx_init(&f, NULL);
    f.client_oneshot = 1;
    fx_client(&f, "ca", "s1", "backup", NULL, NULL);
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.srv.ready, 0);
    assert_int_equal(f.cli.ready, 0);
    assert_int_equal(f.cli.last_reason, NET_E_PEER_ID);
    assert_int_equal(f.srv.last_reason, NET_E_PEER_REJECTED);
    assert_true(log_has("coordinator main is not in the allow-list"));
    check_good_client(&f);
    fx_finish(&f);
}

static void test_reject_plaintext(void **state) {
    static const char garbage[] = "hello coordinator, this is not TLS at all\r\n\r\n";
    peer p = {0};
    fx f;
    (void)state;
    fx_init(&f, NULL);
    p.port = f.port;
    p.mode = PEER_RAW;
    p.script = (const unsigned char *)garbage;
    p.script_len = sizeof(garbage) - 1;
    peer_start(&p);
    RUN_UNTIL(&f, f.srv.closed == 1, STEP_MS);
    peer_join(&p);
    assert_int_equal(f.srv.ready, 0);
    assert_int_equal(f.srv.last_reason, NET_E_NOT_TLS);
    assert_true(log_has("peer is not speaking TLS"));
    check_good_client(&f);
    fx_finish(&f);
}

static void test_reject_tls12(void **state) {
    peer p = {0};
    fx f;
    (void)state;
    fx_init(&f, NULL);
    p.port = f.port;
    p.mode = PEER_TLS12;
    p.who = "s1";
    peer_start(&p);
    RUN_UNTIL(&f, f.srv.closed == 1, STEP_MS);
    peer_join(&p);
    assert_false(p.handshake_ok);
    assert_int_equal(f.srv.ready, 0);
    assert_int_equal(f.srv.last_reason, NET_E_TLS_VERSION);
    assert_true(log_has("peer does not support TLS 1.3"));
    check_good_client(&f);
    fx_finish(&f);
}

/* ---------------------------------------------------------------- frames */

#define RT_FRAMES 150
#define RT_BIG (400u * 1024u)

static void rt_fill(unsigned char *p, size_t len, unsigned seed) {
    for (size_t i = 0; i < len; i++) {
        p[i] = (unsigned char)((i * 7 + seed * 13) & 0xff);
    }
}

/* Many frames back to back plus one frame much larger than a TLS record, echoed by the server. */
static void test_frames_roundtrip(void **state) {
    net_conn_limits lim = {512u * 1024u, 0, 0, 0, 0};
    unsigned char *big = malloc(RT_BIG);
    unsigned char small[3000];
    uint32_t sum = 0;
    size_t bytes = 0;
    fx f;
    (void)state;
    assert_non_null(big);
    fx_init(&f, &lim);
    f.srv.echo = 1;
    fx_client(&f, "ca", "s1", "main", &lim, NULL);
    RUN_UNTIL(&f, f.cli.ready == 1, STEP_MS);
    assert_int_equal(f.cli.ready, 1);
    for (unsigned i = 0; i < RT_FRAMES; i++) {
        size_t len = 1 + (i * 37u) % sizeof(small);
        rt_fill(small, len, i);
        assert_int_equal(net_conn_send(f.cli.conn, small, len), NET_OK);
        sum = checksum(sum, small, len);
        bytes += len;
    }
    rt_fill(big, RT_BIG, 99);
    assert_int_equal(net_conn_send(f.cli.conn, big, RT_BIG), NET_OK);
    sum = checksum(sum, big, RT_BIG);
    bytes += RT_BIG;
    RUN_UNTIL(&f, f.cli.frames == RT_FRAMES + 1, STEP_MS);
    assert_int_equal(f.srv.frames, RT_FRAMES + 1);
    assert_int_equal(f.cli.frames, RT_FRAMES + 1);
    assert_int_equal(f.srv.bytes, bytes);
    assert_int_equal(f.cli.bytes, bytes);
    assert_int_equal(f.srv.sum, sum);
    assert_int_equal(f.cli.sum, sum);
    assert_int_equal(f.srv.closed + f.cli.closed, 0);
    /* Local misuse is refused without closing anything. */
    assert_int_equal(net_conn_send(f.cli.conn, small, 0), NET_E_ARG);
    assert_int_equal(net_conn_send(f.cli.conn, big, lim.max_frame + 1u), NET_E_FRAME_TOO_BIG);
    free(big);
    fx_finish(&f);
}

static size_t put_frame(unsigned char *out, const unsigned char *payload, size_t len) {
    out[0] = (unsigned char)(len >> 24);
    out[1] = (unsigned char)(len >> 16);
    out[2] = (unsigned char)(len >> 8);
    out[3] = (unsigned char)len;
    memcpy(out + 4, payload, len);
    return 4 + len;
}

/* A hand-framed stream from an independent TLS client: one frame dribbled out in 7-byte TLS
 * records over many TCP writes, then 40 frames and heartbeats in a single write. */
static void test_frames_split_and_batched(void **state) {
    static unsigned char script[2000 + 4 + 40 * (4 + 100) + 3 * 4];
    unsigned char payload[2000];
    uint32_t sum = 0;
    size_t len = 0, bytes = 0;
    peer p = {0};
    fx f;
    (void)state;

    rt_fill(payload, 2000, 1);
    len += put_frame(script + len, payload, 2000);
    sum = checksum(sum, payload, 2000);
    bytes += 2000;
    size_t split = len;
    for (unsigned i = 0; i < 40; i++) {
        rt_fill(payload, 100, i + 2);
        len += put_frame(script + len, payload, 100);
        sum = checksum(sum, payload, 100);
        bytes += 100;
        if (i % 15 == 0) {
            len += put_frame(script + len, payload, 0); /* heartbeat: never reaches on_frame */
        }
    }
    assert_true(len <= sizeof(script));
    fx_init(&f, NULL);
    p.port = f.port;
    p.mode = PEER_TLS13;
    p.who = "s1";
    p.script = script;
    p.script_len = len;
    p.split_len = split;
    p.chunk = 7;
    p.delay_us = 200;
    p.close_notify = 1;
    peer_start(&p);
    RUN_UNTIL(&f, f.srv.closed == 1, STEP_MS);
    peer_join(&p);
    assert_true(p.handshake_ok);
    assert_int_equal(f.srv.ready, 1);
    assert_int_equal(f.srv.frames, 41);
    assert_int_equal(f.srv.bytes, bytes);
    assert_int_equal(f.srv.sum, sum);
    assert_int_equal(f.srv.last_reason, NET_E_EOF);
    fx_finish(&f);
}

/* A header announcing max + 1 closes that connection only; another client carries on. */
static void test_oversized_frame_closes_only_that_conn(void **state) {
    net_conn_limits lim = {1000, 0, 0, 0, 0};
    unsigned char script[4 + 16] = {0, 0, 0x03, 0xe9}; /* 1001 */
    peer p = {0};
    fx f;
    (void)state;
    fx_init(&f, &lim);
    f.srv.echo = 1;
    fx_client(&f, "ca", "s2", "main", NULL, NULL);
    RUN_UNTIL(&f, f.cli.ready == 1, STEP_MS);
    assert_int_equal(f.srv.ready, 1);

    p.port = f.port;
    p.mode = PEER_TLS13;
    p.who = "s1";
    p.script = script;
    p.script_len = sizeof(script);
    peer_start(&p);
    RUN_UNTIL(&f, f.srv.closed == 1, STEP_MS);
    peer_join(&p);
    assert_true(p.handshake_ok);
    assert_int_equal(f.srv.ready, 2);
    assert_int_equal(f.srv.frames, 0);
    assert_int_equal(f.srv.last_reason, NET_E_FRAME_TOO_BIG);
    assert_true(log_has("oversized frame: header announces 1001 bytes, maximum is 1000"));

    assert_int_equal(f.cli.closed, 0);
    assert_int_equal(net_conn_send(f.cli.conn, (const unsigned char *)"still here", 10), NET_OK);
    RUN_UNTIL(&f, f.cli.frames == 1, STEP_MS);
    assert_int_equal(f.cli.frames, 1);
    assert_int_equal(f.srv.closed, 1);
    fx_finish(&f);
}

/* ---------------------------------------------------------------- timers */

static void test_handshake_timeout(void **state) {
    net_conn_limits lim = {0, 500, 0, 0, 0};
    peer p = {0};
    uint64_t start;
    fx f;
    (void)state;
    fx_init(&f, &lim);
    p.port = f.port;
    p.mode = PEER_RAW; /* connects and says nothing */
    start = uv_now(&f.loop);
    peer_start(&p);
    RUN_UNTIL(&f, f.srv.closed == 1, STEP_MS);
    peer_join(&p);
    assert_int_equal(f.srv.last_reason, NET_E_HANDSHAKE_TIMEOUT);
    assert_true(f.srv.close_at[0] - start >= 500);
    assert_true(log_has("handshake timeout"));
    check_good_client(&f);
    fx_finish(&f);
}

/* A client that sends no heartbeats is dropped by the server's idle timer. */
static void test_idle_timeout(void **state) {
    net_conn_limits srv_lim = {0, 0, 10000, 200, 0};
    net_conn_limits silent = {0, 0, 10000, 10000, 0};
    fx f;
    (void)state;
    fx_init(&f, &srv_lim);
    f.client_oneshot = 1;
    fx_client(&f, "ca", "s1", "main", &silent, NULL);
    RUN_UNTIL(&f, f.cli.ready == 1, STEP_MS);
    assert_int_equal(f.cli.ready, 1);
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.srv.last_reason, NET_E_IDLE_TIMEOUT);
    assert_int_equal(f.cli.last_reason, NET_E_EOF);
    /* The server heard nothing after its handshake: its idle clock started at its on_peer_ready. */
    assert_true(f.srv.close_at[0] - f.srv.ready_at >= 200);
    assert_true(log_has("idle timeout"));
    fx_finish(&f);
}

/* Heartbeats every 50 ms keep a connection with a 300 ms idle timeout alive on both sides for
 * three idle periods without any application traffic. */
static void test_heartbeat_keeps_alive(void **state) {
    net_conn_limits lim = {0, 0, 50, 300, 0};
    uint64_t until;
    fx f;
    (void)state;
    fx_init(&f, &lim);
    fx_client(&f, "ca", "s1", "main", &lim, NULL);
    RUN_UNTIL(&f, f.cli.ready == 1, STEP_MS);
    assert_int_equal(f.cli.ready, 1);
    until = uv_now(&f.loop) + 900;
    RUN_UNTIL(&f, uv_now(&f.loop) >= until || f.srv.closed + f.cli.closed > 0, STEP_MS);
    assert_int_equal(f.srv.closed, 0);
    assert_int_equal(f.cli.closed, 0);
    assert_int_equal(f.srv.frames + f.cli.frames, 0); /* heartbeats never reach on_frame */
    fx_finish(&f);
}

/* The server goes away; the client backs off (20 ms doubling to 80 ms, with jitter) and is back
 * as soon as a server listens on the same port again. */
static void test_reconnect_backoff(void **state) {
    net_backoff backoff = {20, 80};
    uint64_t down_at;
    int failures;
    fx f;
    (void)state;
    fx_init(&f, NULL);
    fx_client(&f, "ca", "s1", "main", NULL, &backoff);
    RUN_UNTIL(&f, f.cli.ready == 1, STEP_MS);
    assert_int_equal(f.cli.ready, 1);

    net_listener_close(f.l);
    f.l = NULL;
    down_at = uv_now(&f.loop);
    RUN_UNTIL(&f, f.cli.closed >= 5, STEP_MS);
    assert_true(f.cli.closed >= 5);
    assert_int_equal(f.cli.last_reason, NET_E_CONNECT);
    /* Attempt k waits between d/2 and d, d = 20 * 2^k capped at 80, so the gaps between failed
     * attempts 1, 2, 3 are at least 20, 40, 40 ms (less 2 ms for timer granularity). */
    assert_true(f.cli.close_at[2] - f.cli.close_at[1] >= 18);
    assert_true(f.cli.close_at[3] - f.cli.close_at[2] >= 38);
    assert_true(f.cli.close_at[4] - f.cli.close_at[3] >= 38);
    failures = f.cli.closed;
    assert_true(uv_now(&f.loop) - down_at < 1000);

    fx_listen(&f);
    RUN_UNTIL(&f, f.cli.ready == 2, STEP_MS);
    assert_int_equal(f.cli.ready, 2);
    assert_int_equal(f.srv.ready, 2);
    /* A bounded number of attempts: at most one every 40 ms once the backoff has grown. */
    assert_true(f.cli.closed - failures <= 3);
    fx_finish(&f);
}

/* ---------------------------------------------------------------- certificate policy */

/* Extended key usage is enforced: a signer certificate (clientAuth only) cannot serve. */
static void test_server_needs_server_auth(void **state) {
    fx f;
    (void)state;
    fx_init_server(&f, NULL, "s2", NULL);
    f.client_oneshot = 1;
    fx_client(&f, "ca", "s1", "main", NULL, NULL);
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.srv.ready + f.cli.ready, 0);
    assert_int_equal(f.cli.last_reason, NET_E_PEER_CERT);
    assert_true(log_has("peer certificate rejected (unsuitable certificate purpose)"));
    fx_finish(&f);
}

/* A CRL made here with OpenSSL directly (not with the code under test), revoking s1's serial. */
static void write_crl_revoking(const char *out_name, const char *cert_name) {
    char p[PATH_LEN];
    FILE *f;
    EVP_PKEY *ca_key;
    X509 *ca, *victim;
    X509_CRL *crl = X509_CRL_new();
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_TIME *t = ASN1_TIME_new();

    assert_non_null(crl);
    assert_non_null(rev);
    assert_non_null(t);
    assert_non_null(f = fopen(path(p, "ca/ca.key"), "r"));
    assert_non_null(ca_key = PEM_read_PrivateKey(f, NULL, NULL, NULL));
    fclose(f);
    assert_non_null(f = fopen(path(p, "ca/ca.crt"), "r"));
    assert_non_null(ca = PEM_read_X509(f, NULL, NULL, NULL));
    fclose(f);
    assert_non_null(f = fopen(path(p, cert_name), "r"));
    assert_non_null(victim = PEM_read_X509(f, NULL, NULL, NULL));
    fclose(f);
    assert_int_equal(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
    assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)), 1);
    assert_non_null(X509_gmtime_adj(t, -60));
    assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
    assert_int_equal(X509_REVOKED_set_revocationDate(rev, t), 1);
    assert_non_null(X509_gmtime_adj(t, 3600));
    assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
    assert_int_equal(X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(victim)), 1);
    assert_int_equal(X509_CRL_add0_revoked(crl, rev), 1);
    assert_int_equal(X509_CRL_sort(crl), 1);
    assert_true(X509_CRL_sign(crl, ca_key, EVP_sha256()) > 0);
    assert_non_null(f = fopen(path(p, out_name), "w"));
    assert_int_equal(PEM_write_X509_CRL(f, crl), 1);
    fclose(f);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
    X509_free(ca);
    X509_free(victim);
    EVP_PKEY_free(ca_key);
}

static void test_crl_revokes(void **state) {
    fx f;
    (void)state;
    write_crl_revoking("revoke-s1.crl", "s1.crt");
    fx_init_server(&f, NULL, "coord", "revoke-s1.crl");
    f.client_oneshot = 1;
    fx_client(&f, "ca", "s1", "main", NULL, NULL);
    RUN_UNTIL(&f, f.srv.closed == 1 && f.cli.closed == 1, STEP_MS);
    assert_int_equal(f.srv.ready, 0);
    assert_int_equal(f.srv.last_reason, NET_E_PEER_CERT);
    assert_true(log_has("peer certificate rejected (certificate revoked)"));
    check_good_client(&f); /* s2 is not revoked */
    fx_finish(&f);
}

/* ---------------------------------------------------------------- configuration errors */

static void test_config_errors(void **state) {
    char ca[PATH_LEN], crt[PATH_LEN], key[PATH_LEN], other_key[PATH_LEN];
    net_tls_config cfg = {1, path(ca, "ca/ca.crt"), path(crt, "coord.crt"), path(other_key, "s1.key"), NULL,
                          g_signers, 2};
    net_tls_peer bad_id = {NET_ROLE_SIGNER, "a/b"};
    net_tls_ctx *tls = (net_tls_ctx *)&tls;
    (void)state;
    g_log_len = 0;
    g_log[0] = '\0';
    net_set_log(log_capture, NULL);
    /* Key of another certificate. */
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_E_CONFIG);
    assert_null(tls);
    assert_true(log_has("cannot load private key"));
    assert_true(log_has("key values mismatch"));
    cfg.key_file = path(key, "coord.key");
    /* A private key readable by the group is refused. */
    assert_int_equal(chmod(key, 0640), 0);
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_E_CONFIG);
    assert_true(log_has("has mode 640: it must not be accessible by group or others"));
    assert_int_equal(chmod(key, 0600), 0);
    tls = NULL;
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_OK);
    net_tls_ctx_free(tls);
    cfg.ca_file = "/nonexistent/ca.crt";
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_E_CONFIG);
    assert_true(log_has("cannot load CA file /nonexistent/ca.crt"));
    cfg.ca_file = ca;
    cfg.crl_file = "/nonexistent/ca.crl";
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_E_CONFIG);
    assert_true(log_has("cannot load CRL"));
    cfg.crl_file = NULL;
    cfg.allow = &bad_id;
    cfg.allow_len = 1;
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_E_ARG);
    cfg.allow_len = 0;
    assert_int_equal(net_tls_ctx_new(&tls, &cfg), NET_E_ARG);
    net_set_log(NULL, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_ok),
        cmocka_unit_test(test_reject_other_ca),
        cmocka_unit_test(test_reject_wrong_role),
        cmocka_unit_test(test_reject_unlisted_id),
        cmocka_unit_test(test_client_rejects_wrong_server),
        cmocka_unit_test(test_reject_plaintext),
        cmocka_unit_test(test_reject_tls12),
        cmocka_unit_test(test_frames_roundtrip),
        cmocka_unit_test(test_frames_split_and_batched),
        cmocka_unit_test(test_oversized_frame_closes_only_that_conn),
        cmocka_unit_test(test_handshake_timeout),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_heartbeat_keeps_alive),
        cmocka_unit_test(test_reconnect_backoff),
        cmocka_unit_test(test_server_needs_server_auth),
        cmocka_unit_test(test_crl_revokes),
        cmocka_unit_test(test_config_errors),
    };
    /* As in the daemons (conn.h): a peer that resets must give EPIPE, not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
