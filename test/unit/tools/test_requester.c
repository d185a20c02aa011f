/*
 * tools/requester: the requester configuration file, and the connection against a stand-in
 * coordinator (daemon/net listener on 127.0.0.1 on its own thread and loop, certificates issued at
 * run time by mpc_netca) that answers pipelined calls in reverse order, so that replies must be
 * matched to their call ids; deadlines, a refused connection and a coordinator with another id.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "ca.h"
#include "conn.h"
#include "envelope.h"
#include "requester.h"
#include "wire.h"

#define PATH_LEN 512
#define PIPELINED 3
/* The stand-in ignores status calls for this request id. */
#define UNANSWERED 0xee

static char g_dir[128];

static const char *path(char *buf, const char *name) {
    snprintf(buf, PATH_LEN, "%s/%s", g_dir, name);
    return buf;
}

static int issue(const char *out, net_role role, const char *id) {
    char dir[PATH_LEN], prefix[PATH_LEN];
    static const char *const ips[] = {"127.0.0.1"};
    net_ca_request req;
    memset(&req, 0, sizeof(req));
    req.role = role;
    req.id = id;
    req.ips = ips;
    req.ips_len = 1;
    req.days = 2;
    return net_ca_issue(path(dir, "ca"), path(prefix, out), &req);
}

static int pki_setup(void **state) {
    char p[PATH_LEN];
    (void)state;
    snprintf(g_dir, sizeof(g_dir), "/tmp/mpc-requester-test-XXXXXX");
    if (mkdtemp(g_dir) == NULL || net_ca_init(path(p, "ca")) != NET_OK ||
            issue("coord", NET_ROLE_COORDINATOR, "main") != NET_OK ||
            issue("req", NET_ROLE_REQUESTER, "ops") != NET_OK) {
        return -1;
    }
    return 0;
}

static int pki_teardown(void **state) {
    static const char *const files[] = {"ca/ca.key", "ca/ca.crt", "coord.key", "coord.crt", "req.key", "req.crt",
            "requester.ini"};
    char p[PATH_LEN];
    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        unlink(path(p, files[i]));
    }
    rmdir(path(p, "ca"));
    rmdir(g_dir);
    return 0;
}

/* Writes requester.ini with body and returns its path. */
static const char *write_ini(char *buf, const char *body) {
    FILE *f = fopen(path(buf, "requester.ini"), "w");
    assert_non_null(f);
    assert_true(fputs(body, f) >= 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void valid_ini(char *out, size_t cap, unsigned port, const char *coordinator_id) {
    char ca[PATH_LEN], cert[PATH_LEN], key[PATH_LEN];
    snprintf(out, cap,
            "[requester]\nid = ops\n\n[coordinator]\naddress = 127.0.0.1\nport = %u\nid = %s\n\n"
            "[tls]\nca = %s\ncert = %s\nkey = %s\n",
            port, coordinator_id, path(ca, "ca/ca.crt"), path(cert, "req.crt"), path(key, "req.key"));
}

/* ---------------------------------------------------------------- configuration */

static void expect_config_error(const char *body, const char *why) {
    char p[PATH_LEN], err[512];
    requester_config cfg;
    assert_int_equal(requester_config_load(&cfg, err, sizeof(err), write_ini(p, body)), REQ_E_CONFIG);
    if (strstr(err, why) == NULL) {
        fail_msg("error '%s' does not say '%s'", err, why);
    }
}

static void test_config(void **state) {
    char p[PATH_LEN], err[512], body[4 * PATH_LEN], bad[4 * PATH_LEN + 64];
    requester_config cfg;
    (void)state;
    valid_ini(body, sizeof(body), 4433, "main");
    assert_int_equal(requester_config_load(&cfg, err, sizeof(err), write_ini(p, body)), REQ_OK);
    assert_string_equal(cfg.id, "ops");
    assert_string_equal(cfg.address, "127.0.0.1");
    assert_int_equal(cfg.port, 4433);
    assert_string_equal(cfg.coordinator_id, "main");
    assert_non_null(strstr(cfg.key, "req.key"));

    assert_int_equal(requester_config_load(&cfg, err, sizeof(err), "/nonexistent/requester.ini"), REQ_E_CONFIG);
    assert_non_null(strstr(err, "cannot read /nonexistent/requester.ini"));
    snprintf(bad, sizeof(bad), "%s[tls]\nkeyfile = x\n", body);
    expect_config_error(bad, "requester.ini:14: unknown key 'keyfile' in [tls]");
    snprintf(bad, sizeof(bad), "%s[coordinator]\nport = 5\n", body);
    expect_config_error(bad, "requester.ini:14: 'port' repeated in [coordinator]");
    expect_config_error("[requester]\nid = ops\n[requester]\nid = ops2\n", "requester.ini:4: 'id' repeated in [requester]");
    expect_config_error("[requester]\nid =\n", "requester.ini:2: 'id' in [requester] is empty");
    expect_config_error("[requester]\nid = ops\n", "needs [requester] id, [coordinator] address, port");
    for (int i = 0; i < 4; i++) {
        static const char *const ports[] = {"0", "65536", "12x", "-1"};
        char with_port[4 * PATH_LEN + 64];
        valid_ini(body, sizeof(body), 1, "main");
        snprintf(with_port, sizeof(with_port), "%s", body);
        /* replace "port = 1" by the bad value */
        {
            char *at = strstr(with_port, "port = 1\n");
            assert_non_null(at);
            snprintf(bad, sizeof(bad), "%.*sport = %s\n%s", (int)(at - with_port), with_port, ports[i],
                    at + strlen("port = 1\n"));
        }
        expect_config_error(bad, "port (1..65535)");
    }
    valid_ini(body, sizeof(body), 4433, "main/evil");
    expect_config_error(body, "ids: 1..64");
}

/* ---------------------------------------------------------------- stand-in coordinator */

typedef struct {
    uv_loop_t loop;
    uv_async_t stop;
    net_listener *l;
    pthread_t thread;
    uint16_t port;
    /* pipelined status calls held back until PIPELINED arrived */
    uint32_t held_call[PIPELINED];
    unsigned char held_id[PIPELINED];
    size_t held;
} server;

static void reply_status(net_conn *c, uint32_t call_id, unsigned char id_byte) {
    unsigned char id[32];
    Mpc__Wire__RequestInfo info = MPC__WIRE__REQUEST_INFO__INIT;
    Mpc__Wire__RequestReply rr = MPC__WIRE__REQUEST_REPLY__INIT;
    Mpc__Wire__Envelope env;
    memset(id, id_byte, sizeof(id));
    info.request_id.data = id;
    info.request_id.len = 32;
    info.kind = MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN;
    info.state = MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING;
    rr.call_id = call_id;
    rr.info = &info;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY, &rr);
    assert_int_equal(wire_send(c, &env), NET_OK);
}

static void srv_frame(net_conn *c, const unsigned char *frame, size_t len, void *data) {
    server *s = data;
    Mpc__Wire__Envelope *env = NULL;
    assert_int_equal(wire_unpack(&env, frame, len), NET_OK);
    if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL && env->status_call->request_id.data[0] != UNANSWERED) {
        assert_true(s->held < PIPELINED);
        s->held_call[s->held] = env->status_call->call_id;
        s->held_id[s->held] = env->status_call->request_id.data[0];
        if (++s->held == PIPELINED) {
            while (s->held > 0) {
                s->held--;
                reply_status(c, s->held_call[s->held], s->held_id[s->held]);
            }
        }
    } else if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_CALL) {
        Mpc__Wire__CallError ce = MPC__WIRE__CALL_ERROR__INIT;
        Mpc__Wire__Envelope out;
        ce.call_id = env->list_call->call_id;
        ce.code = 1;
        ce.message = (char *)"not for you";
        wire_init(&out, MPC__WIRE__MSG_TYPE__MSG_TYPE_CALL_ERROR, &ce);
        assert_int_equal(wire_send(c, &out), NET_OK);
    }
    net_env_free(env);
}

static void srv_stop(uv_async_t *a) {
    server *s = a->data;
    net_listener_close(s->l);
    uv_close((uv_handle_t *)a, NULL);
}

static void *srv_main(void *arg) {
    server *s = arg;
    uv_run(&s->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void server_start(server *s) {
    char ca[PATH_LEN], cert[PATH_LEN], key[PATH_LEN];
    net_tls_peer allow = {NET_ROLE_REQUESTER, "ops"};
    net_tls_config tc;
    net_tls_ctx *tls = NULL;
    net_conn_limits lim;
    memset(s, 0, sizeof(*s));
    memset(&tc, 0, sizeof(tc));
    tc.is_server = 1;
    tc.ca_file = path(ca, "ca/ca.crt");
    tc.cert_file = path(cert, "coord.crt");
    tc.key_file = path(key, "coord.key");
    tc.allow = &allow;
    tc.allow_len = 1;
    assert_int_equal(net_tls_ctx_new(&tls, &tc), NET_OK);
    memset(&lim, 0, sizeof(lim));
    lim.max_frame = WIRE_MAX_FRAME;
    assert_int_equal(uv_loop_init(&s->loop), 0);
    assert_int_equal(uv_async_init(&s->loop, &s->stop, srv_stop), 0);
    s->stop.data = s;
    assert_int_equal(net_listener_start(&s->l, &s->loop, tls, "127.0.0.1", 0, &lim,
                             &(net_conn_callbacks){NULL, srv_frame, NULL, s}),
            NET_OK);
    net_tls_ctx_free(tls);
    s->port = net_listener_port(s->l);
    assert_int_equal(pthread_create(&s->thread, NULL, srv_main, s), 0);
}

static void server_stop(server *s) {
    assert_int_equal(uv_async_send(&s->stop), 0);
    assert_int_equal(pthread_join(s->thread, NULL), 0);
    assert_int_equal(uv_loop_close(&s->loop), 0);
}

static void load_config(requester_config *cfg, unsigned port, const char *coordinator_id) {
    char p[PATH_LEN], err[512], body[4 * PATH_LEN];
    valid_ini(body, sizeof(body), port, coordinator_id);
    assert_int_equal(requester_config_load(cfg, err, sizeof(err), write_ini(p, body)), REQ_OK);
}

static uint32_t send_status(requester *rq, unsigned char id_byte) {
    Mpc__Wire__StatusCall sc = MPC__WIRE__STATUS_CALL__INIT;
    unsigned char id[32];
    memset(id, id_byte, sizeof(id));
    sc.call_id = requester_next_call_id(rq);
    sc.request_id.data = id;
    sc.request_id.len = 32;
    assert_int_equal(requester_send(rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL, &sc), REQ_OK);
    return sc.call_id;
}

/* The reply env answers call_id about the request whose id bytes are all id_byte. */
static void check_reply(Mpc__Wire__Envelope *env, uint32_t call_id, unsigned char id_byte) {
    assert_non_null(env);
    assert_int_equal(env->type, MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY);
    assert_int_equal(requester_reply_call_id(env), call_id);
    assert_int_equal(env->request_reply->info->request_id.len, 32);
    assert_int_equal(env->request_reply->info->request_id.data[31], id_byte);
    net_env_free(env);
}

static void test_pipelined_calls(void **state) {
    server s;
    requester_config cfg;
    requester *rq = NULL;
    Mpc__Wire__Envelope *env = NULL;
    Mpc__Wire__ListCall lc = MPC__WIRE__LIST_CALL__INIT;
    uint32_t call[PIPELINED];
    uint64_t t0;
    char err[512];
    (void)state;
    server_start(&s);
    load_config(&cfg, s.port, "main");
    assert_int_equal(requester_open(&rq, err, sizeof(err), &cfg, "test", requester_now_ms() + 10000), REQ_OK);
    for (int i = 0; i < PIPELINED; i++) {
        call[i] = send_status(rq, (unsigned char)(0x10 + i));
    }
    /* the stand-in answers 3, 2, 1: the middle one is taken first, then the oldest queued (3) */
    assert_int_equal(requester_wait(rq, &env, call[1], requester_now_ms() + 10000), REQ_OK);
    check_reply(env, call[1], 0x11);
    assert_int_equal(requester_wait_any(rq, &env, requester_now_ms() + 10000), REQ_OK);
    check_reply(env, call[2], 0x12);
    assert_int_equal(requester_wait(rq, &env, call[0], requester_now_ms() + 10000), REQ_OK);
    check_reply(env, call[0], 0x10);

    /* the deadline ends a pause and a wait, not some later event (the stand-in's next heartbeat
     * comes after 5 s), also after time spent outside the loop */
    nanosleep(&(struct timespec){0, 300000000L}, NULL);
    t0 = requester_now_ms();
    assert_int_equal(requester_pause(rq, t0 + 100), REQ_OK);
    assert_true(requester_now_ms() - t0 >= 100 && requester_now_ms() - t0 < 900);
    (void)send_status(rq, UNANSWERED);
    t0 = requester_now_ms();
    assert_int_equal(requester_wait_any(rq, &env, t0 + 200), REQ_E_TIMEOUT);
    assert_null(env);
    assert_true(requester_now_ms() - t0 >= 200);
    assert_true(requester_now_ms() - t0 < 1000);

    /* a CallError is a reply too; the connection stays usable after a timeout */
    lc.call_id = requester_next_call_id(rq);
    assert_int_equal(requester_send(rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_CALL, &lc), REQ_OK);
    assert_int_equal(requester_wait(rq, &env, lc.call_id, requester_now_ms() + 10000), REQ_OK);
    assert_int_equal(env->type, MPC__WIRE__MSG_TYPE__MSG_TYPE_CALL_ERROR);
    assert_string_equal(env->call_error->message, "not for you");
    net_env_free(env);
    requester_close(rq);
    server_stop(&s);
}

static void test_connect_failures(void **state) {
    server s;
    requester_config cfg;
    requester *rq = NULL;
    char err[512];
    uint16_t port;
    (void)state;
    /* a coordinator whose certificate has another id is refused during the handshake */
    server_start(&s);
    load_config(&cfg, s.port, "other");
    assert_int_equal(requester_open(&rq, err, sizeof(err), &cfg, "test", requester_now_ms() + 10000),
            REQ_E_CONNECT);
    assert_null(rq);
    assert_non_null(strstr(err, "connection to the coordinator failed"));
    port = s.port;
    server_stop(&s);
    /* nobody listens any more */
    load_config(&cfg, port, "main");
    assert_int_equal(requester_open(&rq, err, sizeof(err), &cfg, "test", requester_now_ms() + 10000),
            REQ_E_CONNECT);
    assert_null(rq);
    assert_non_null(strstr(err, "connect"));
    /* an unusable certificate is a configuration error */
    snprintf(cfg.cert, sizeof(cfg.cert), "%s/missing.crt", g_dir);
    assert_int_equal(requester_open(&rq, err, sizeof(err), &cfg, "test", requester_now_ms() + 10000),
            REQ_E_CONFIG);
    assert_null(rq);
}

static void quiet(net_log_level level, const char *line, void *data) {
    (void)level;
    (void)line;
    (void)data;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_pipelined_calls),
        cmocka_unit_test(test_connect_failures),
    };
    signal(SIGPIPE, SIG_IGN);
    net_set_log(quiet, NULL);
    return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
