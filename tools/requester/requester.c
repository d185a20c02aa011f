/* A requester's blocking connection to mpc-coordinatord (requester.h). */
#include "requester.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <uv.h>

#include "conn.h"
#include "envelope.h"
#include "tls.h"
#include "wire.h"

typedef struct reply {
    Mpc__Wire__Envelope *env;
    struct reply *next;
} reply;

struct requester {
    uv_loop_t loop;
    uv_timer_t timer;
    net_client *client;
    net_conn *conn;     /* the ready connection; NULL before on_peer_ready and after on_close */
    int failed;         /* REQ_E_CONNECT or REQ_E_PROTOCOL once the connection is unusable */
    uint32_t next_call;
    reply *head, *tail; /* replies not yet taken, in arrival order */
    char error[256];
};

/* ---- configuration ---------------------------------------------------------------------- */

typedef struct {
    requester_config *cfg;
    char port[16];
    char problem[200];
} ini_state;

static int on_ini(void *user, const char *section, const char *name, const char *value) {
    ini_state *st = user;
    requester_config *c = st->cfg;
    char *dst = NULL;
    size_t cap = 0;
    if (strcmp(section, "requester") == 0 && strcmp(name, "id") == 0) {
        dst = c->id, cap = sizeof(c->id);
    } else if (strcmp(section, "coordinator") == 0 && strcmp(name, "address") == 0) {
        dst = c->address, cap = sizeof(c->address);
    } else if (strcmp(section, "coordinator") == 0 && strcmp(name, "port") == 0) {
        dst = st->port, cap = sizeof(st->port);
    } else if (strcmp(section, "coordinator") == 0 && strcmp(name, "id") == 0) {
        dst = c->coordinator_id, cap = sizeof(c->coordinator_id);
    } else if (strcmp(section, "tls") == 0 && strcmp(name, "ca") == 0) {
        dst = c->ca, cap = sizeof(c->ca);
    } else if (strcmp(section, "tls") == 0 && strcmp(name, "cert") == 0) {
        dst = c->cert, cap = sizeof(c->cert);
    } else if (strcmp(section, "tls") == 0 && strcmp(name, "key") == 0) {
        dst = c->key, cap = sizeof(c->key);
    }
    if (dst == NULL) {
        snprintf(st->problem, sizeof(st->problem), "unknown key '%.40s' in [%.40s]", name, section);
        return 0;
    }
    if (dst[0] != '\0') {
        snprintf(st->problem, sizeof(st->problem), "'%.40s' repeated in [%.40s]", name, section);
        return 0;
    }
    if (value[0] == '\0' || strlen(value) >= cap) {
        snprintf(st->problem, sizeof(st->problem), "'%.40s' in [%.40s] is empty or longer than %zu characters",
                name, section, cap - 1);
        return 0;
    }
    memcpy(dst, value, strlen(value) + 1);
    return 1;
}

int requester_config_load(requester_config *out, char *err, size_t err_cap, const char *path) {
    ini_state st;
    unsigned long port;
    char *end;
    int line;

    memset(out, 0, sizeof(*out));
    memset(&st, 0, sizeof(st));
    st.cfg = out;
    line = ini_parse(path, on_ini, &st);
    if (line < 0) {
        snprintf(err, err_cap, "cannot read %s", path);
        return REQ_E_CONFIG;
    }
    if (line > 0) {
        snprintf(err, err_cap, "%s:%d: %s", path, line, st.problem[0] != '\0' ? st.problem : "syntax error");
        return REQ_E_CONFIG;
    }
    errno = 0;
    port = strtoul(st.port, &end, 10);
    if (!net_id_valid(out->id, strlen(out->id)) || out->address[0] == '\0' ||
            !net_id_valid(out->coordinator_id, strlen(out->coordinator_id)) || st.port[0] == '\0' || *end != '\0' ||
            errno != 0 || port == 0 || port > 65535 || out->ca[0] == '\0' || out->cert[0] == '\0' ||
            out->key[0] == '\0') {
        snprintf(err, err_cap,
                "%s: needs [requester] id, [coordinator] address, port (1..65535) and id, [tls] ca, cert and key "
                "(ids: 1..64 of A-Z a-z 0-9 . _ -)",
                path);
        return REQ_E_CONFIG;
    }
    out->port = (uint16_t)port;
    return REQ_OK;
}

/* ---- connection ------------------------------------------------------------------------- */

uint64_t requester_now_ms(void) {
    return uv_hrtime() / 1000000u;
}

static void set_error(requester *rq, const char *fmt, ...) NET_PRINTF(2, 3);

static void set_error(requester *rq, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rq->error, sizeof(rq->error), fmt, ap);
    va_end(ap);
}

/* The connection is unusable from now on: stop the client's reconnecting and keep the first reason. */
static void fail(requester *rq, int code) {
    if (rq->failed == 0) {
        rq->failed = code;
    }
    if (rq->client != NULL) {
        net_client_close(rq->client);
        rq->client = NULL;
    }
}

uint32_t requester_reply_call_id(const Mpc__Wire__Envelope *env) {
    switch (env->type) {
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY: return env->request_reply->call_id;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_REPLY: return env->list_reply->call_id;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_REPLY: return env->address_reply->call_id;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_CALL_ERROR: return env->call_error->call_id;
    default: return 0;
    }
}

static void on_ready(net_conn *c, net_role role, const char *id, void *data) {
    requester *rq = data;
    (void)role;
    (void)id;
    rq->conn = c;
    uv_stop(&rq->loop);
}

static void on_frame(net_conn *c, const unsigned char *frame, size_t len, void *data) {
    requester *rq = data;
    Mpc__Wire__Envelope *env = NULL;
    reply *node;
    int r = wire_unpack(&env, frame, len);
    (void)c;
    uv_stop(&rq->loop); /* run_until looks at what changed */
    if (rq->failed != 0) {
        if (r == NET_OK) {
            net_env_free(env);
        }
        return;
    }
    if (r != NET_OK) {
        set_error(rq, "malformed message from the coordinator: %s", net_strerror(r));
        fail(rq, REQ_E_PROTOCOL);
        return;
    }
    if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO) {
        net_env_free(env);
        return;
    }
    if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_ERROR) {
        set_error(rq, "the coordinator closed the connection: %.200s", env->error->message);
        net_env_free(env);
        fail(rq, REQ_E_CONNECT);
        return;
    }
    if (requester_reply_call_id(env) == 0) {
        set_error(rq, "unexpected message type %d from the coordinator", (int)env->type);
        net_env_free(env);
        fail(rq, REQ_E_PROTOCOL);
        return;
    }
    node = malloc(sizeof(*node));
    if (node == NULL) {
        set_error(rq, "out of memory");
        net_env_free(env);
        fail(rq, REQ_E_PROTOCOL);
        return;
    }
    node->env = env;
    node->next = NULL;
    if (rq->tail != NULL) {
        rq->tail->next = node;
    } else {
        rq->head = node;
    }
    rq->tail = node;
}

static void on_close(net_conn *c, int reason, void *data) {
    requester *rq = data;
    if (rq->conn == c) {
        rq->conn = NULL;
    }
    if (rq->failed == 0) {
        set_error(rq, "connection to the coordinator failed: %s", net_strerror(reason));
        fail(rq, REQ_E_CONNECT);
    }
    uv_stop(&rq->loop);
}

static void on_timer(uv_timer_t *t) {
    requester *rq = t->data;
    uv_stop(&rq->loop);
}

/* What run_until waits for. */
typedef enum { UNTIL_READY, UNTIL_REPLY, UNTIL_ANY_REPLY, UNTIL_TIME } until_kind;

static int reached(const requester *rq, until_kind kind, uint32_t call_id) {
    switch (kind) {
    case UNTIL_READY: return rq->conn != NULL;
    case UNTIL_ANY_REPLY: return rq->head != NULL;
    case UNTIL_REPLY:
        for (const reply *p = rq->head; p != NULL; p = p->next) {
            if (requester_reply_call_id(p->env) == call_id) {
                return 1;
            }
        }
        return 0;
    default: return 0;
    }
}

/* Runs the loop until the condition holds, the connection failed or deadline_ms passed (for
 * UNTIL_TIME the deadline is the condition). Every callback that may change the condition stops the
 * loop, and so does the deadline timer: with UV_RUN_ONCE instead, a timer already due when uv_run
 * starts would run before the poll, which then blocks until the next unrelated event (such as the
 * coordinator's heartbeat, a second later). */
static int run_until(requester *rq, until_kind kind, uint32_t call_id, uint64_t deadline_ms) {
    for (;;) {
        uint64_t now;
        if (reached(rq, kind, call_id)) {
            return REQ_OK;
        }
        if (rq->failed != 0) {
            return rq->failed;
        }
        now = requester_now_ms();
        if (now >= deadline_ms) {
            if (kind == UNTIL_TIME) {
                return REQ_OK;
            }
            set_error(rq, "no answer from the coordinator in time");
            return REQ_E_TIMEOUT;
        }
        uv_update_time(&rq->loop);
        uv_timer_start(&rq->timer, on_timer, deadline_ms - now, 0);
        uv_run(&rq->loop, UV_RUN_DEFAULT);
        uv_timer_stop(&rq->timer);
    }
}

static Mpc__Wire__Envelope *take(requester *rq, until_kind kind, uint32_t call_id) {
    for (reply **pp = &rq->head, *prev = NULL; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
        reply *node = *pp;
        Mpc__Wire__Envelope *env = node->env;
        if (kind == UNTIL_REPLY && requester_reply_call_id(env) != call_id) {
            continue;
        }
        *pp = node->next;
        if (rq->tail == node) {
            rq->tail = prev;
        }
        free(node);
        return env;
    }
    return NULL;
}

static int wait_reply(requester *rq, Mpc__Wire__Envelope **out, until_kind kind, uint32_t call_id,
        uint64_t deadline_ms) {
    int r = run_until(rq, kind, call_id, deadline_ms);
    *out = NULL;
    if (r == REQ_OK) {
        *out = take(rq, kind, call_id);
    }
    return r;
}

int requester_wait(requester *rq, Mpc__Wire__Envelope **reply_out, uint32_t call_id, uint64_t deadline_ms) {
    return wait_reply(rq, reply_out, UNTIL_REPLY, call_id, deadline_ms);
}

int requester_wait_any(requester *rq, Mpc__Wire__Envelope **reply_out, uint64_t deadline_ms) {
    return wait_reply(rq, reply_out, UNTIL_ANY_REPLY, 0, deadline_ms);
}

int requester_pause(requester *rq, uint64_t until_ms) {
    return run_until(rq, UNTIL_TIME, 0, until_ms);
}

uint32_t requester_next_call_id(requester *rq) {
    if (++rq->next_call == 0) {
        rq->next_call = 1;
    }
    return rq->next_call;
}

int requester_send(requester *rq, Mpc__Wire__MsgType type, void *body) {
    Mpc__Wire__Envelope env;
    int r;
    if (rq->failed != 0 || rq->conn == NULL) {
        return rq->failed != 0 ? rq->failed : REQ_E_CONNECT;
    }
    wire_init(&env, type, body);
    r = wire_send(rq->conn, &env);
    if (r == NET_OK) {
        return REQ_OK;
    }
    set_error(rq, "send failed: %s", net_strerror(r));
    if (r <= NET_E_ENV_DECODE && r >= NET_E_ENV_TOO_BIG) {
        return REQ_E_ARG;
    }
    fail(rq, REQ_E_CONNECT);
    return REQ_E_CONNECT;
}

const char *requester_error(const requester *rq) {
    return rq->error;
}

int requester_open(requester **out, char *err, size_t err_cap, const requester_config *cfg,
        const char *software_version, uint64_t deadline_ms) {
    net_tls_peer allow = {NET_ROLE_COORDINATOR, cfg->coordinator_id};
    net_tls_config tc;
    net_tls_ctx *tls = NULL;
    net_conn_limits lim;
    const net_backoff bo = {100, 1000};
    Mpc__Wire__Hello hello = MPC__WIRE__HELLO__INIT;
    requester *rq;
    int r = REQ_E_NOMEM;

    *out = NULL;
    err[0] = '\0';
    rq = calloc(1, sizeof(*rq));
    if (rq == NULL) {
        snprintf(err, err_cap, "out of memory");
        return REQ_E_NOMEM;
    }
    if (uv_loop_init(&rq->loop) != 0) {
        free(rq);
        snprintf(err, err_cap, "cannot create an event loop");
        return REQ_E_NOMEM;
    }
    uv_timer_init(&rq->loop, &rq->timer);
    rq->timer.data = rq;
    memset(&tc, 0, sizeof(tc));
    tc.ca_file = cfg->ca;
    tc.cert_file = cfg->cert;
    tc.key_file = cfg->key;
    tc.allow = &allow;
    tc.allow_len = 1;
    if (net_tls_ctx_new(&tls, &tc) != NET_OK) {
        snprintf(err, err_cap, "the TLS files of the configuration are unusable (CA %s, certificate %s, key %s)",
                cfg->ca, cfg->cert, cfg->key);
        r = REQ_E_CONFIG;
        goto out;
    }
    memset(&lim, 0, sizeof(lim));
    lim.max_frame = WIRE_MAX_FRAME;
    if (net_client_start(&rq->client, &rq->loop, tls, cfg->address, cfg->port, &lim, &bo,
                &(net_conn_callbacks){on_ready, on_frame, on_close, rq}) != NET_OK) {
        rq->client = NULL;
        snprintf(err, err_cap, "bad coordinator address %s", cfg->address);
        r = REQ_E_CONFIG;
        goto out;
    }
    r = run_until(rq, UNTIL_READY, 0, deadline_ms);
    if (r != REQ_OK) {
        snprintf(err, err_cap, "%s", rq->error);
        goto out;
    }
    hello.role = MPC__WIRE__ROLE__ROLE_REQUESTER;
    hello.id = (char *)cfg->id;
    hello.software_version = (char *)software_version;
    r = requester_send(rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO, &hello);
    if (r != REQ_OK) {
        snprintf(err, err_cap, "%s", rq->error);
        goto out;
    }
    *out = rq;
    rq = NULL;
out:
    net_tls_ctx_free(tls);
    requester_close(rq);
    return r;
}

void requester_close(requester *rq) {
    if (rq == NULL) {
        return;
    }
    if (rq->client != NULL) {
        net_client_close(rq->client);
        rq->client = NULL;
    }
    uv_close((uv_handle_t *)&rq->timer, NULL);
    /* on_close stops the loop: run it again until every handle has closed */
    while (uv_run(&rq->loop, UV_RUN_DEFAULT) != 0) {
    }
    (void)uv_loop_close(&rq->loop);
    while (rq->head != NULL) {
        reply *node = rq->head;
        rq->head = node->next;
        net_env_free(node->env);
        free(node);
    }
    free(rq);
}
