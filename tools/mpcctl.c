/* mpcctl: a requester's command line for mpc-coordinatord (mutual TLS with a requester certificate). */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <uv.h>

#include "conn.h"
#include "envelope.h"
#include "tls.h"
#include "wire.h"

enum {
    EXIT_OK = 0,
    EXIT_USAGE = 1,     /* bad command line */
    EXIT_CONFIG = 2,    /* configuration, certificate or input file unusable */
    EXIT_CONNECT = 3,   /* the coordinator could not be reached or rejected our certificate */
    EXIT_REFUSED = 4,   /* the coordinator refused the call (permission, unknown key, bad argument,
                           idempotency key reused with different content) */
    EXIT_FAILED = 5,    /* the request ended failed */
    EXIT_BLOCKED = 6,   /* the request is blocked (digest disagreement or a signer refused) */
    EXIT_TIMEOUT = 7    /* no final answer within --timeout */
};

static const char usage[] =
    "usage: mpcctl [--config FILE] [--json] [--timeout SECONDS] [--no-wait] COMMAND ...\n"
    "commands:\n"
    "  keygen --n N --t T [--idempotency-key K]   generate a t-of-n key on signers 1..n\n"
    "  sign --key ID --type eip191 --file F [--path m/0/1] --idempotency-key K\n"
    "                                             sign the raw payload in F (EIP-191: the message)\n"
    "  status REQUEST_ID                          show a request\n"
    "  list                                       list keys\n"
    "  address --key ID [--path m/0/1]            derived public key and Ethereum address\n"
    "  refresh --key ID --idempotency-key K       proactive share refresh (new key id, same key)\n"
    "options:\n"
    "  --config FILE   requester configuration (default /etc/mpc/mpcctl.ini):\n"
    "                    [requester] id = the id in our certificate (mpc://requester/ID)\n"
    "                    [coordinator] address = IP, port = N, id = the coordinator's certificate\n"
    "                                  id (only mpc://coordinator/ID is accepted)\n"
    "                    [tls] ca = PEM, cert = PEM, key = PEM (mode 0600)\n"
    "  --json          one JSON object on stdout instead of text\n"
    "  --timeout S     give up after S seconds (default 120)\n"
    "  --no-wait       keygen/sign: print the request as accepted, do not wait for the result\n"
    "Ids are 64 hex digits. Resubmitting an idempotency key returns the earlier request.\n"
    "exit status:\n"
    "  0  success (the request is done)\n"
    "  1  usage error\n"
    "  2  configuration, certificate or input file error\n"
    "  3  cannot connect, or the TLS handshake was rejected\n"
    "  4  the coordinator refused the call (permission, unknown key, bad argument, idempotency\n"
    "     key reused with different content)\n"
    "  5  the request failed\n"
    "  6  the request is blocked (signers disagree on the digest, or a signer refused)\n"
    "  7  timed out waiting for the result\n";

typedef struct {
    char id[NET_ID_MAX + 1];
    char address[256];
    char port[16];
    char coordinator_id[NET_ID_MAX + 1];
    char ca[512], cert[512], key[512];
} ctl_config;

typedef struct {
    ctl_config cfg;
    const char *command;
    int json, wait;
    unsigned timeout_s;
    /* arguments */
    uint32_t n, t;
    unsigned char key_id[32];
    int have_key;
    uint32_t path[16];
    size_t path_len;
    const char *idem;
    const char *file;
    unsigned char *payload;
    size_t payload_len;
    unsigned char request_id[32];
    /* run state */
    uv_loop_t loop;
    net_tls_ctx *tls;
    net_client *client;
    net_conn *conn;
    uv_timer_t poll, deadline;
    uint32_t next_call;
    int exit_code;
    int done;
    int address_pending; /* keygen done: also fetch the root address */
    Mpc__Wire__RequestInfo *shown;
} ctl;

static ctl g;

static int on_ini(void *user, const char *section, const char *name, const char *value) {
    ctl_config *c = user;
    char *dst = NULL;
    size_t cap = 0;
    if (strcmp(section, "requester") == 0 && strcmp(name, "id") == 0) {
        dst = c->id, cap = sizeof(c->id);
    } else if (strcmp(section, "coordinator") == 0 && strcmp(name, "address") == 0) {
        dst = c->address, cap = sizeof(c->address);
    } else if (strcmp(section, "coordinator") == 0 && strcmp(name, "port") == 0) {
        dst = c->port, cap = sizeof(c->port);
    } else if (strcmp(section, "coordinator") == 0 && strcmp(name, "id") == 0) {
        dst = c->coordinator_id, cap = sizeof(c->coordinator_id);
    } else if (strcmp(section, "tls") == 0 && strcmp(name, "ca") == 0) {
        dst = c->ca, cap = sizeof(c->ca);
    } else if (strcmp(section, "tls") == 0 && strcmp(name, "cert") == 0) {
        dst = c->cert, cap = sizeof(c->cert);
    } else if (strcmp(section, "tls") == 0 && strcmp(name, "key") == 0) {
        dst = c->key, cap = sizeof(c->key);
    }
    if (dst == NULL || dst[0] != '\0' || strlen(value) >= cap) {
        fprintf(stderr, "mpcctl: configuration: unknown, repeated or too long key '%s' in [%s]\n", name, section);
        return 0;
    }
    memcpy(dst, value, strlen(value) + 1);
    return 1;
}

static int parse_path(uint32_t *out, size_t *len, const char *s) {
    *len = 0;
    if (strcmp(s, "m") == 0) {
        return 0;
    }
    if (strncmp(s, "m/", 2) != 0) {
        return -1;
    }
    s += 2;
    for (;;) {
        char *end;
        unsigned long v;
        if (!isdigit((unsigned char)*s) || *len == 16) {
            return -1;
        }
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || v >= 0x80000000ul || (end - s > 1 && *s == '0')) {
            return -1;
        }
        out[(*len)++] = (uint32_t)v;
        if (*end == '\0') {
            return 0;
        }
        if (*end != '/') {
            return -1;
        }
        s = end + 1;
    }
}

static void path_string(char *out, size_t cap, const uint32_t *path, size_t len) {
    size_t used = (size_t)snprintf(out, cap, "m");
    for (size_t i = 0; i < len && used < cap; i++) {
        used += (size_t)snprintf(out + used, cap - used, "/%u", path[i]);
    }
}

/* ---- output ------------------------------------------------------------------------------- */

static const char *state_name(Mpc__Wire__RequestState s) {
    switch (s) {
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_PENDING: return "pending";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_RUNNING: return "running";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE: return "done";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED: return "failed";
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED: return "blocked";
    default: return "unknown";
    }
}

static void hexbuf(char *out, const ProtobufCBinaryData *b) {
    wire_hex(out, b->data, b->len <= 64 ? b->len : 64);
}

static void json_string(const char *s) {
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            printf("\\%c", ch);
        } else if (ch < 0x20) {
            printf("\\u%04x", ch);
        } else {
            putchar(ch);
        }
    }
    putchar('"');
}

static void json_hex(const char *name, const ProtobufCBinaryData *b, int comma) {
    char h[129];
    hexbuf(h, b);
    printf("%s\"%s\":\"%s\"", comma ? "," : "", name, h);
}

static const char *kind_name(uint32_t kind) {
    switch (kind) {
    case MPC__WIRE__REQUEST_KIND__REQUEST_KIND_KEYGEN: return "keygen";
    case MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN: return "sign";
    case MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH: return "refresh";
    default: return "?";
    }
}

static void print_request(const Mpc__Wire__RequestInfo *in, const Mpc__Wire__AddressReply *addr) {
    char h[129];
    if (g.json) {
        printf("{");
        json_hex("request_id", &in->request_id, 0);
        printf(",\"kind\":\"%s\",\"state\":\"%s\"", kind_name(in->kind), state_name(in->state));
        if (in->key_id.len) {
            json_hex("key_id", &in->key_id, 1);
        }
        if (in->new_key_id.len) {
            json_hex("new_key_id", &in->new_key_id, 1);
        }
        if (in->public_key.len) {
            json_hex("public_key", &in->public_key, 1);
        }
        if (in->chain_code.len) {
            json_hex("chain_code", &in->chain_code, 1);
        }
        if (addr != NULL) {
            printf(",\"eth_address\":");
            json_string(addr->eth_address);
        }
        if (in->digest.len) {
            json_hex("digest", &in->digest, 1);
        }
        if (in->signature.len) {
            json_hex("signature", &in->signature, 1);
            printf(",\"recovery_id\":%u", in->recovery_id);
        }
        printf(",\"existing\":%s,\"created_ms\":%llu,\"finished_ms\":%llu", in->existing ? "true" : "false",
                (unsigned long long)in->created_ms, (unsigned long long)in->finished_ms);
        printf(",\"error\":");
        json_string(in->error);
        printf(",\"signers\":[");
        for (size_t i = 0; i < in->n_signers; i++) {
            printf("%s", i ? "," : "");
            json_string(in->signers[i]);
        }
        printf("],\"views\":[");
        for (size_t i = 0; i < in->n_views; i++) {
            const Mpc__Wire__SignerView *v = in->views[i];
            char fp[128];
            snprintf(fp, sizeof(fp), "%.*s", (int)v->fingerprint.len, (const char *)v->fingerprint.data);
            printf("%s{\"signer\":", i ? "," : "");
            json_string(v->signer_id);
            json_hex("digest", &v->digest, 1);
            printf(",\"decision\":%u,\"fingerprint\":", v->decision);
            json_string(fp);
            printf(",\"summary\":");
            json_string(v->summary);
            printf("}");
        }
        printf("]}\n");
        return;
    }
    hexbuf(h, &in->request_id);
    printf("request     %s\nkind        %s\nstate       %s%s\n", h, kind_name(in->kind), state_name(in->state),
            in->existing ? " (existing request for this idempotency key)" : "");
    if (in->error[0] != '\0') {
        printf("error       %s\n", in->error);
    }
    if (in->key_id.len) {
        hexbuf(h, &in->key_id);
        printf("key         %s\n", h);
    }
    if (in->new_key_id.len) {
        hexbuf(h, &in->new_key_id);
        printf("new key     %s (the refreshed shares; the key above is retired)\n", h);
    }
    if (in->public_key.len) {
        hexbuf(h, &in->public_key);
        printf("public key  %s\n", h);
    }
    if (in->chain_code.len) {
        hexbuf(h, &in->chain_code);
        printf("chain code  %s\n", h);
    }
    if (addr != NULL) {
        printf("address     %s\n", addr->eth_address);
    }
    if (in->n_signers > 0) {
        printf("signers    ");
        for (size_t i = 0; i < in->n_signers; i++) {
            printf(" %s", in->signers[i]);
        }
        printf("\n");
    }
    for (size_t i = 0; i < in->n_views; i++) {
        const Mpc__Wire__SignerView *v = in->views[i];
        hexbuf(h, &v->digest);
        printf("--- signer %s: %s\n    digest %s\n    %.*s\n", v->signer_id,
                v->decision == MPC__WIRE__DECISION__DECISION_APPROVE ? "allowed" : "refused", h,
                (int)v->fingerprint.len, (const char *)v->fingerprint.data);
        for (const char *p = v->summary; *p != '\0';) {
            const char *nl = strchr(p, '\n');
            int n = nl != NULL ? (int)(nl - p) : (int)strlen(p);
            printf("    | %.*s\n", n, p);
            p += n + (nl != NULL);
        }
    }
    if (in->digest.len) {
        hexbuf(h, &in->digest);
        printf("digest      %s\n", h);
    }
    if (in->signature.len == 64) {
        hexbuf(h, &in->signature);
        printf("signature   r=%.64s\n            s=%s\n            v=%u (recovery id)\n", h, h + 64, in->recovery_id);
    }
    if (in->finished_ms > in->created_ms) {
        printf("took        %llu ms\n", (unsigned long long)(in->finished_ms - in->created_ms));
    }
}

/* ---- protocol ----------------------------------------------------------------------------- */

static void finish(int code) {
    if (g.done) {
        return;
    }
    g.done = 1;
    g.exit_code = code;
    uv_timer_stop(&g.poll);
    uv_timer_stop(&g.deadline);
    if (g.client != NULL) {
        net_client_close(g.client);
        g.client = NULL;
    }
}

static void send_env(Mpc__Wire__Envelope *env) {
    int r = wire_send(g.conn, env);
    if (r != NET_OK) {
        fprintf(stderr, "mpcctl: send failed: %s\n", net_strerror(r));
        finish(EXIT_CONNECT);
    }
}

static void send_status(void) {
    Mpc__Wire__StatusCall sc = MPC__WIRE__STATUS_CALL__INIT;
    Mpc__Wire__Envelope env;
    sc.call_id = ++g.next_call;
    sc.request_id.data = g.request_id;
    sc.request_id.len = 32;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL, &sc);
    send_env(&env);
}

static void send_address(const unsigned char key_id[32], const uint32_t *path, size_t path_len) {
    Mpc__Wire__AddressCall ac = MPC__WIRE__ADDRESS_CALL__INIT;
    Mpc__Wire__Envelope env;
    ac.call_id = ++g.next_call;
    ac.key_id.data = (unsigned char *)key_id;
    ac.key_id.len = 32;
    ac.path = (uint32_t *)path;
    ac.n_path = path_len;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_CALL, &ac);
    send_env(&env);
}

static void on_poll(uv_timer_t *t) {
    (void)t;
    if (g.conn != NULL && !g.done) {
        send_status();
    }
}

static void on_deadline(uv_timer_t *t) {
    (void)t;
    fprintf(stderr, "mpcctl: no final answer within %u s\n", g.timeout_s);
    if (g.shown != NULL) {
        print_request(g.shown, NULL);
    }
    finish(EXIT_TIMEOUT);
}

static int request_exit(const Mpc__Wire__RequestInfo *in) {
    switch (in->state) {
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE: return EXIT_OK;
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED: return EXIT_FAILED;
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED: return EXIT_BLOCKED;
    default: return -1;
    }
}

static void on_request_reply(Mpc__Wire__Envelope *env) {
    const Mpc__Wire__RequestInfo *in = env->request_reply->info;
    int code;
    if (in == NULL || in->request_id.len != 32) {
        fprintf(stderr, "mpcctl: malformed reply\n");
        finish(EXIT_FAILED);
        return;
    }
    memcpy(g.request_id, in->request_id.data, 32);
    code = request_exit(in);
    if (code < 0 && g.wait && strcmp(g.command, "status") != 0) {
        uv_timer_start(&g.poll, on_poll, 200, 0);
        return;
    }
    if (code == EXIT_OK && in->kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_KEYGEN && in->key_id.len == 32) {
        /* Show the new key's root address too. */
        if (g.shown != NULL) {
            mpc__wire__request_info__free_unpacked(g.shown, NULL);
        }
        g.shown = (Mpc__Wire__RequestInfo *)in;
        env->request_reply->info = NULL;
        g.address_pending = 1;
        send_address(in->key_id.data, NULL, 0);
        return;
    }
    print_request(in, NULL);
    finish(code < 0 ? EXIT_OK : code);
}

static void on_frame(net_conn *c, const unsigned char *frame, size_t len, void *data) {
    Mpc__Wire__Envelope *env = NULL;
    int r = wire_unpack(&env, frame, len);
    (void)c;
    (void)data;
    if (r != NET_OK) {
        fprintf(stderr, "mpcctl: malformed message from the coordinator: %s\n", net_strerror(r));
        finish(EXIT_CONNECT);
        return;
    }
    switch (env->type) {
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO: break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY: on_request_reply(env); break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_CALL_ERROR:
        if (g.json) {
            printf("{\"error\":");
            json_string(env->call_error->message);
            printf(",\"code\":%u}\n", env->call_error->code);
        } else {
            fprintf(stderr, "mpcctl: refused: %s\n", env->call_error->message);
        }
        finish(EXIT_REFUSED);
        break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_REPLY: {
        const Mpc__Wire__AddressReply *a = env->address_reply;
        if (g.address_pending && g.shown != NULL) {
            print_request(g.shown, a);
            finish(EXIT_OK);
            break;
        }
        if (g.json) {
            printf("{");
            json_hex("key_id", &a->key_id, 0);
            printf(",\"path\":");
            {
                char p[256];
                path_string(p, sizeof(p), a->path, a->n_path);
                json_string(p);
            }
            json_hex("public_key", &a->public_key, 1);
            printf(",\"eth_address\":");
            json_string(a->eth_address);
            printf("}\n");
        } else {
            char h[129], p[256];
            path_string(p, sizeof(p), a->path, a->n_path);
            hexbuf(h, &a->public_key);
            printf("path        %s\npublic key  %s\naddress     %s\n", p, h, a->eth_address);
        }
        finish(EXIT_OK);
        break;
    }
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_REPLY: {
        const Mpc__Wire__ListReply *l = env->list_reply;
        if (g.json) {
            printf("{\"keys\":[");
        }
        for (size_t i = 0; i < l->n_keys; i++) {
            char h[129], pk[129];
            hexbuf(h, &l->keys[i]->key_id);
            hexbuf(pk, &l->keys[i]->public_key);
            if (g.json) {
                printf("%s{\"key_id\":\"%s\",\"n\":%u,\"t\":%u,\"epoch\":%u,\"public_key\":\"%s\"}", i ? "," : "", h,
                        l->keys[i]->n, l->keys[i]->t, l->keys[i]->epoch, pk);
            } else {
                printf("%s  %u-of-%u  epoch %u  %s\n", h, l->keys[i]->t, l->keys[i]->n, l->keys[i]->epoch, pk);
            }
        }
        if (g.json) {
            printf("]}\n");
        } else if (l->n_keys == 0) {
            printf("no keys\n");
        }
        finish(EXIT_OK);
        break;
    }
    default:
        fprintf(stderr, "mpcctl: unexpected message type %d\n", (int)env->type);
        finish(EXIT_CONNECT);
        break;
    }
    net_env_free(env);
}

static void on_ready(net_conn *c, net_role role, const char *id, void *data) {
    Mpc__Wire__Hello hello = MPC__WIRE__HELLO__INIT;
    Mpc__Wire__Envelope env;
    (void)role;
    (void)id;
    (void)data;
    g.conn = c;
    if (g.done) {
        return;
    }
    hello.role = MPC__WIRE__ROLE__ROLE_REQUESTER;
    hello.id = g.cfg.id;
    hello.software_version = (char *)"mpcctl 0.1.0";
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO, &hello);
    send_env(&env);
    if (strcmp(g.command, "keygen") == 0) {
        Mpc__Wire__KeygenCall kc = MPC__WIRE__KEYGEN_CALL__INIT;
        kc.call_id = ++g.next_call;
        kc.n = g.n;
        kc.t = g.t;
        kc.idempotency_key = (char *)(g.idem != NULL ? g.idem : "");
        wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_CALL, &kc);
        send_env(&env);
    } else if (strcmp(g.command, "sign") == 0) {
        Mpc__Wire__SignCall sc = MPC__WIRE__SIGN_CALL__INIT;
        sc.call_id = ++g.next_call;
        sc.key_id.data = g.key_id;
        sc.key_id.len = 32;
        sc.payload_type = MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP191;
        sc.payload.data = g.payload;
        sc.payload.len = g.payload_len;
        sc.path = g.path;
        sc.n_path = g.path_len;
        sc.idempotency_key = (char *)g.idem;
        wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_CALL, &sc);
        send_env(&env);
    } else if (strcmp(g.command, "status") == 0) {
        send_status();
    } else if (strcmp(g.command, "list") == 0) {
        Mpc__Wire__ListCall lc = MPC__WIRE__LIST_CALL__INIT;
        lc.call_id = ++g.next_call;
        wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_CALL, &lc);
        send_env(&env);
    } else if (strcmp(g.command, "address") == 0) {
        send_address(g.key_id, g.path, g.path_len);
    } else {
        Mpc__Wire__RefreshCall rc = MPC__WIRE__REFRESH_CALL__INIT;
        rc.call_id = ++g.next_call;
        rc.key_id.data = g.key_id;
        rc.key_id.len = 32;
        rc.idempotency_key = (char *)g.idem;
        wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_REFRESH_CALL, &rc);
        send_env(&env);
    }
}

static void on_close(net_conn *c, int reason, void *data) {
    (void)data;
    if (g.conn == c) {
        g.conn = NULL;
    }
    if (!g.done) {
        fprintf(stderr, "mpcctl: connection to the coordinator failed: %s\n", net_strerror(reason));
        finish(EXIT_CONNECT);
    }
}

static void quiet_log(net_log_level level, const char *line, void *data) {
    (void)data;
    if (level == NET_LOG_WARN) {
        fprintf(stderr, "mpcctl: %s\n", line);
    }
}

static int read_payload(const char *path) {
    FILE *f = fopen(path, "rb");
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || n > (1l << 20) ||
            fseek(f, 0, SEEK_SET) != 0 || (g.payload = malloc((size_t)n)) == NULL ||
            fread(g.payload, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "mpcctl: cannot read %s (must hold 1 byte to 1 MiB)\n", path);
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    fclose(f);
    g.payload_len = (size_t)n;
    return 0;
}

static int usage_error(const char *what) {
    fprintf(stderr, "mpcctl: %s (see mpcctl --help)\n", what);
    return EXIT_USAGE;
}

int main(int argc, char **argv) {
    const char *config = "/etc/mpc/mpcctl.ini";
    const char *type = NULL, *key = NULL, *path = NULL;
    net_tls_peer allow = {NET_ROLE_COORDINATOR, NULL};
    net_tls_config tc;
    net_conn_limits lim;
    net_backoff bo = {100, 1000};
    unsigned long port;
    char *end;
    int i, r;

    g.wait = 1;
    g.timeout_s = 120;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            g.json = 1;
        } else if (strcmp(argv[i], "--no-wait") == 0) {
            g.wait = 0;
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            g.timeout_s = (unsigned)strtoul(argv[++i], &end, 10);
            if (*end != '\0' || g.timeout_s == 0) {
                return usage_error("--timeout needs a positive number of seconds");
            }
        } else if (strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else {
            return usage_error("unknown option");
        }
    }
    if (i >= argc) {
        return usage_error("no command");
    }
    g.command = argv[i++];
    if (strcmp(g.command, "status") == 0) {
        if (i + 1 != argc || wire_unhex(g.request_id, 32, argv[i]) != NET_OK) {
            return usage_error("status needs one request id (64 hex digits)");
        }
        i++;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            return usage_error("option without a value");
        }
        if (strcmp(a, "--n") == 0) {
            g.n = (uint32_t)strtoul(argv[++i], &end, 10);
        } else if (strcmp(a, "--t") == 0) {
            g.t = (uint32_t)strtoul(argv[++i], &end, 10);
        } else if (strcmp(a, "--key") == 0) {
            key = argv[++i];
            end = (char *)"";
        } else if (strcmp(a, "--type") == 0) {
            type = argv[++i];
            end = (char *)"";
        } else if (strcmp(a, "--file") == 0) {
            g.file = argv[++i];
            end = (char *)"";
        } else if (strcmp(a, "--path") == 0) {
            path = argv[++i];
            end = (char *)"";
        } else if (strcmp(a, "--idempotency-key") == 0) {
            g.idem = argv[++i];
            end = (char *)"";
        } else {
            return usage_error("unknown argument");
        }
        if (*end != '\0') {
            return usage_error("not a number");
        }
    }
    if (key != NULL) {
        if (wire_unhex(g.key_id, 32, key) != NET_OK) {
            return usage_error("--key needs a key id of 64 hex digits");
        }
        g.have_key = 1;
    }
    if (path != NULL && parse_path(g.path, &g.path_len, path) != 0) {
        return usage_error("--path must look like m/0/1 (non-hardened indices, at most 16 levels)");
    }
    if (g.idem != NULL && (strlen(g.idem) == 0 || strlen(g.idem) > WIRE_IDEMPOTENCY_MAX)) {
        return usage_error("--idempotency-key needs 1..128 characters");
    }
    if (strcmp(g.command, "keygen") == 0) {
        if (g.n < 2 || g.t < 2 || g.t > g.n) {
            return usage_error("keygen needs --n N --t T with 2 <= T <= N");
        }
    } else if (strcmp(g.command, "sign") == 0) {
        if (!g.have_key || g.file == NULL || g.idem == NULL || type == NULL) {
            return usage_error("sign needs --key, --type, --file and --idempotency-key");
        }
        if (strcmp(type, "eip191") != 0) {
            return usage_error("--type: only eip191 is supported");
        }
        if (read_payload(g.file) != 0) {
            return EXIT_CONFIG;
        }
    } else if (strcmp(g.command, "address") == 0) {
        if (!g.have_key) {
            return usage_error("address needs --key");
        }
    } else if (strcmp(g.command, "refresh") == 0) {
        if (!g.have_key || g.idem == NULL) {
            return usage_error("refresh needs --key and --idempotency-key");
        }
    } else if (strcmp(g.command, "status") != 0 && strcmp(g.command, "list") != 0) {
        return usage_error("unknown command");
    }
    r = ini_parse(config, on_ini, &g.cfg);
    if (r != 0) {
        if (r > 0) {
            fprintf(stderr, "mpcctl: %s:%d: configuration error\n", config, r);
        } else {
            fprintf(stderr, "mpcctl: cannot read %s\n", config);
        }
        return EXIT_CONFIG;
    }
    port = strtoul(g.cfg.port, &end, 10);
    if (!net_id_valid(g.cfg.id, strlen(g.cfg.id)) || g.cfg.address[0] == '\0' ||
            !net_id_valid(g.cfg.coordinator_id, strlen(g.cfg.coordinator_id)) || *end != '\0' || port == 0 || port > 65535 || g.cfg.ca[0] == '\0' ||
            g.cfg.cert[0] == '\0' || g.cfg.key[0] == '\0') {
        fprintf(stderr, "mpcctl: %s: needs [requester] id, [coordinator] address, port and id, [tls] ca, cert and key\n", config);
        return EXIT_CONFIG;
    }
    signal(SIGPIPE, SIG_IGN);
    net_set_log(quiet_log, NULL);
    memset(&tc, 0, sizeof(tc));
    tc.ca_file = g.cfg.ca;
    tc.cert_file = g.cfg.cert;
    tc.key_file = g.cfg.key;
    allow.id = g.cfg.coordinator_id;
    tc.allow = &allow;
    tc.allow_len = 1;
    if (net_tls_ctx_new(&g.tls, &tc) != NET_OK) {
        return EXIT_CONFIG;
    }
    memset(&lim, 0, sizeof(lim));
    lim.max_frame = WIRE_MAX_FRAME;
    uv_loop_init(&g.loop);
    uv_timer_init(&g.loop, &g.poll);
    uv_timer_init(&g.loop, &g.deadline);
    uv_timer_start(&g.deadline, on_deadline, (uint64_t)g.timeout_s * 1000u, 0);
    if (net_client_start(&g.client, &g.loop, g.tls, g.cfg.address, (uint16_t)port, &lim, &bo,
                &(net_conn_callbacks){on_ready, on_frame, on_close, NULL}) != NET_OK) {
        fprintf(stderr, "mpcctl: bad coordinator address %s\n", g.cfg.address);
        g.exit_code = EXIT_CONFIG;
        g.done = 1;
    }
    net_tls_ctx_free(g.tls);
    uv_run(&g.loop, UV_RUN_ONCE);
    while (!g.done && uv_run(&g.loop, UV_RUN_ONCE) != 0) {
    }
    uv_close((uv_handle_t *)&g.poll, NULL);
    uv_close((uv_handle_t *)&g.deadline, NULL);
    uv_run(&g.loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(&g.loop);
    if (g.shown != NULL) {
        mpc__wire__request_info__free_unpacked(g.shown, NULL);
    }
    free(g.payload);
    return g.exit_code;
}
