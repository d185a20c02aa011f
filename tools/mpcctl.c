/* mpcctl: a requester's command line for mpc-coordinatord (mutual TLS with a requester certificate). */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "payload_file.h"
#include "requester.h"
#include "wire.h"

enum {
    EXIT_OK = 0,
    EXIT_USAGE = 1,     /* bad command line */
    EXIT_CONFIG = 2,    /* configuration, certificate, input file or output file unusable */
    EXIT_CONNECT = 3,   /* the coordinator could not be reached or rejected our certificate */
    EXIT_REFUSED = 4,   /* the coordinator refused the call (permission, unknown key, bad argument,
                           idempotency key reused with different content) */
    EXIT_FAILED = 5,    /* the request ended failed */
    EXIT_BLOCKED = 6,   /* the request is blocked (digest disagreement or a signer refused) */
    EXIT_TIMEOUT = 7    /* no final answer within --timeout */
};

/* Between two status calls while waiting for a request. */
#define POLL_MS 200u

static const char usage[] =
    "usage: mpcctl [--config FILE] [--json] [--timeout SECONDS] [--no-wait] COMMAND ...\n"
    "commands:\n"
    "  keygen --n N --t T [--idempotency-key K]   generate a t-of-n key on signers 1..n\n"
    "  sign --key ID [--type TYPE] --payload FILE [--path m/0/1] --idempotency-key K\n"
    "       [--out FILE] [--final-tx-out FILE]\n"
    "                                             sign the raw payload in FILE (--file FILE is the\n"
    "                                             same); every signer decodes it itself\n"
    "  status REQUEST_ID [--out FILE] [--final-tx-out FILE]\n"
    "                                             show a request\n"
    "  list                                       list keys\n"
    "  address --key ID [--path m/0/1]            derived public key and Ethereum address (the path\n"
    "                                             may also be written 0/1)\n"
    "  refresh --key ID --idempotency-key K       proactive share refresh (new key id, same key)\n"
    "payload types (--type, default eip191) and their files:\n"
    "  eip191          the exact message bytes (EIP-191 personal message)\n"
    "  eth-tx, erc20   unsigned EIP-155, EIP-2930 or EIP-1559 transaction: binary, or hex text\n"
    "                  (optional 0x, whitespace ignored)\n"
    "  eip712, safe-tx eth_signTypedData_v4 JSON (safe-tx: a Safe SafeTx)\n"
    "  psbt            PSBT version 0: binary, hex or base64\n"
    "sign and status, once the request is done:\n"
    "  --out FILE           write the output bytes: the signed transaction (eth-tx, erc20), the\n"
    "                       65-byte r || s || v signature (eip191, eip712, safe-tx) or the PSBT\n"
    "                       with our partial signature (binary)\n"
    "  --final-tx-out FILE  write the finalized network transaction of a PSBT whose every input is\n"
    "                       ours (if there is none, a note says so and FILE is not written)\n"
    "options:\n"
    "  --config FILE   requester configuration (default /etc/mpc/mpcctl.ini):\n"
    "                    [requester] id = the id in our certificate (mpc://requester/ID)\n"
    "                    [coordinator] address = IP, port = N, id = the coordinator's certificate\n"
    "                                  id (only mpc://coordinator/ID is accepted)\n"
    "                    [tls] ca = PEM, cert = PEM, key = PEM (mode 0600)\n"
    "  --json          one JSON object on stdout instead of text (bytes as lowercase hex)\n"
    "  --timeout S     give up after S seconds (default 120)\n"
    "  --no-wait       keygen/sign: print the request as accepted, do not wait for the result\n"
    "Ids are 64 hex digits. Resubmitting an idempotency key returns the earlier request.\n"
    "A sign request waiting for operator approvals (mpc-approve on each operator's own signer) is\n"
    "not finished: mpcctl says so once and keeps waiting until a final state or --timeout.\n"
    "exit status:\n"
    "  0  success (the request is done; with --no-wait or status: the request was shown)\n"
    "  1  usage error\n"
    "  2  configuration, certificate or input file error, or an output file could not be written\n"
    "  3  cannot connect, the TLS handshake was rejected, or the connection broke\n"
    "  4  the coordinator refused the call (permission, unknown key, bad argument, idempotency\n"
    "     key reused with different content)\n"
    "  5  the request failed (or, with --out, it is done but came without output)\n"
    "  6  the request is blocked (signers disagree on the digest, or a signer refused)\n"
    "  7  timed out waiting for the result (also while waiting for operator approvals)\n";

typedef struct {
    const char *command;
    int json, wait;
    unsigned timeout_s;
    uint64_t deadline_ms;
    uint32_t n, t;
    unsigned char key_id[32];
    int have_key;
    uint32_t path[16];
    size_t path_len;
    const char *idem;
    const char *file;
    const char *out_file, *final_tx_file;
    uint32_t payload_type;
    unsigned char *payload;
    size_t payload_len;
    unsigned char request_id[32];
} ctl;

/* A non-hardened path below the key's root: "m", "m/0/1" or "0/1". */
static int parse_path(uint32_t *out, size_t *len, const char *s) {
    *len = 0;
    if (strcmp(s, "m") == 0) {
        return 0;
    }
    if (strncmp(s, "m/", 2) == 0) {
        s += 2;
    }
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
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_AWAITING_APPROVAL: return "awaiting_approval";
    default: return "unknown";
    }
}

static const char *kind_name(uint32_t kind) {
    switch (kind) {
    case MPC__WIRE__REQUEST_KIND__REQUEST_KIND_KEYGEN: return "keygen";
    case MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN: return "sign";
    case MPC__WIRE__REQUEST_KIND__REQUEST_KIND_REFRESH: return "refresh";
    default: return "?";
    }
}

static const char *decision_name(uint32_t d) {
    switch (d) {
    case MPC__WIRE__DECISION__DECISION_APPROVE: return "allowed";
    case MPC__WIRE__DECISION__DECISION_REJECT: return "refused";
    case MPC__WIRE__DECISION__DECISION_NEEDS_APPROVAL: return "needs_approval";
    default: return "unknown";
    }
}

/* What RequestInfo.output holds for a payload type (proto/wire.proto). */
static const char *output_name(uint32_t payload_type) {
    switch (payload_type) {
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ETH_TX:
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ERC20: return "signed transaction";
    case MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_PSBT: return "psbt";
    default: return "signature";
    }
}

static void put_hex(const unsigned char *p, size_t len) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        putchar(digits[p[i] >> 4]);
        putchar(digits[p[i] & 15]);
    }
}

/* A JSON string of len bytes; bytes outside printable ASCII are escaped one by one. */
static void json_bytes_string(const char *s, size_t len) {
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            printf("\\%c", ch);
        } else if (ch < 0x20 || ch >= 0x7f) {
            printf("\\u%04x", ch);
        } else {
            putchar(ch);
        }
    }
    putchar('"');
}

static void json_string(const char *s) {
    json_bytes_string(s, strlen(s));
}

static void json_hex(const char *name, const ProtobufCBinaryData *b, int comma) {
    printf("%s\"%s\":\"", comma ? "," : "", name);
    put_hex(b->data, b->len);
    putchar('"');
}

static int digests_differ(const Mpc__Wire__RequestInfo *in) {
    for (size_t i = 1; i < in->n_views; i++) {
        const ProtobufCBinaryData *a = &in->views[0]->digest, *b = &in->views[i]->digest;
        if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0) {
            return 1;
        }
    }
    return 0;
}

static void print_request_json(const Mpc__Wire__RequestInfo *in, const Mpc__Wire__AddressReply *addr) {
    int sign = in->kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN;
    printf("{");
    json_hex("request_id", &in->request_id, 0);
    printf(",\"kind\":\"%s\",\"state\":\"%s\"", kind_name(in->kind), state_name(in->state));
    if (sign) {
        const char *type = requester_payload_type_name(in->payload_type);
        printf(",\"payload_type\":");
        json_string(type != NULL ? type : "unknown");
        printf(",\"approvals\":%u", in->approvals);
    }
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
    if (in->output.len) {
        json_hex("output", &in->output, 1);
        printf(",\"output_kind\":");
        json_string(output_name(in->payload_type));
    }
    if (in->final_tx.len) {
        json_hex("final_tx", &in->final_tx, 1);
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
    printf("],\"digests_differ\":%s,\"views\":[", digests_differ(in) ? "true" : "false");
    for (size_t i = 0; i < in->n_views; i++) {
        const Mpc__Wire__SignerView *v = in->views[i];
        printf("%s{\"signer\":", i ? "," : "");
        json_string(v->signer_id);
        json_hex("digest", &v->digest, 1);
        printf(",\"decision\":%u,\"decision_name\":\"%s\",\"approvals_required\":%u,\"fingerprint\":", v->decision,
                decision_name(v->decision), v->approvals_required);
        json_bytes_string((const char *)v->fingerprint.data, v->fingerprint.len);
        printf(",\"fingerprint_words\":");
        json_string(v->fingerprint_words);
        printf(",\"summary\":");
        json_string(v->summary);
        printf("}");
    }
    printf("]}\n");
}

/* One block per signer, so that the operators' screens can be compared with each of them. */
static void print_views(const Mpc__Wire__RequestInfo *in) {
    for (size_t i = 0; i < in->n_views; i++) {
        const Mpc__Wire__SignerView *v = in->views[i];
        printf("--- signer %s\n    decision     %s\n    digest       ", v->signer_id, decision_name(v->decision));
        put_hex(v->digest.data, v->digest.len);
        printf("\n    fingerprint  %.*s\n", (int)v->fingerprint.len, (const char *)v->fingerprint.data);
        if (v->fingerprint_words[0] != '\0') {
            printf("    words        %s\n", v->fingerprint_words);
        }
        printf("    approvals    %u required\n", v->approvals_required);
        for (const char *p = v->summary; *p != '\0';) {
            const char *nl = strchr(p, '\n');
            int n = nl != NULL ? (int)(nl - p) : (int)strlen(p);
            printf("    | %.*s\n", n, p);
            p += n + (nl != NULL);
        }
    }
    if (digests_differ(in)) {
        printf("!!! DIGESTS DIFFER: the signers computed different digests for this request; do not approve it\n");
    }
}

static void print_labelled_hex(const char *label, const ProtobufCBinaryData *b) {
    printf("%-12s", label);
    put_hex(b->data, b->len);
    putchar('\n');
}

static void print_request(const ctl *x, const Mpc__Wire__RequestInfo *in, const Mpc__Wire__AddressReply *addr) {
    if (x->json) {
        print_request_json(in, addr);
        return;
    }
    print_labelled_hex("request", &in->request_id);
    printf("kind        %s\nstate       %s%s\n", kind_name(in->kind), state_name(in->state),
            in->existing ? " (existing request for this idempotency key)" : "");
    if (in->error[0] != '\0') {
        printf("error       %s\n", in->error);
    }
    if (in->key_id.len) {
        print_labelled_hex("key", &in->key_id);
    }
    if (in->kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN) {
        const char *type = requester_payload_type_name(in->payload_type);
        printf("type        %s\napprovals   %u received\n", type != NULL ? type : "unknown", in->approvals);
    }
    if (in->new_key_id.len) {
        printf("new key     ");
        put_hex(in->new_key_id.data, in->new_key_id.len);
        printf(" (the refreshed shares; the key above is retired)\n");
    }
    if (in->public_key.len) {
        print_labelled_hex("public key", &in->public_key);
    }
    if (in->chain_code.len) {
        print_labelled_hex("chain code", &in->chain_code);
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
    print_views(in);
    if (in->digest.len) {
        print_labelled_hex("digest", &in->digest);
    }
    if (in->signature.len == 64) {
        printf("signature   r=");
        put_hex(in->signature.data, 32);
        printf("\n            s=");
        put_hex(in->signature.data + 32, 32);
        printf("\n            v=%u (recovery id)\n", in->recovery_id);
    }
    if (in->output.len) {
        printf("output (%s): ", output_name(in->payload_type));
        put_hex(in->output.data, in->output.len);
        putchar('\n');
    }
    if (in->final_tx.len) {
        printf("final tx: ");
        put_hex(in->final_tx.data, in->final_tx.len);
        putchar('\n');
    }
    if (in->finished_ms > in->created_ms) {
        printf("took        %llu ms\n", (unsigned long long)(in->finished_ms - in->created_ms));
    }
}

static int write_file(const char *path, const ProtobufCBinaryData *b) {
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(b->data, 1, b->len, f) == b->len;
    if (f != NULL && fclose(f) != 0) {
        ok = 0;
    }
    if (!ok) {
        fprintf(stderr, "mpcctl: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_CONFIG;
    }
    return EXIT_OK;
}

/* --out and --final-tx-out of a finished sign request. */
static int write_outputs(const ctl *x, const Mpc__Wire__RequestInfo *in) {
    int code = EXIT_OK;
    if (in->kind != MPC__WIRE__REQUEST_KIND__REQUEST_KIND_SIGN ||
            in->state != MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE) {
        return EXIT_OK;
    }
    if (x->out_file != NULL) {
        if (in->output.len == 0) {
            fprintf(stderr, "mpcctl: the request is done but the coordinator sent no output; %s not written\n",
                    x->out_file);
            code = EXIT_FAILED;
        } else {
            code = write_file(x->out_file, &in->output);
        }
    }
    if (x->final_tx_file != NULL && code == EXIT_OK) {
        if (in->final_tx.len == 0) {
            fprintf(stderr, "mpcctl: no final transaction (not every input is ours, or not a PSBT); %s not written\n",
                    x->final_tx_file);
        } else {
            code = write_file(x->final_tx_file, &in->final_tx);
        }
    }
    return code;
}

/* ---- calls -------------------------------------------------------------------------------- */

/* The exit status of a requester failure, with its message. */
static int failure_exit(const ctl *x, requester *rq, int r) {
    if (r == REQ_E_TIMEOUT) {
        fprintf(stderr, "mpcctl: no final answer within %u s\n", x->timeout_s);
        return EXIT_TIMEOUT;
    }
    fprintf(stderr, "mpcctl: %s\n", requester_error(rq));
    return EXIT_CONNECT;
}

/* Sends one call and waits for its reply. Returns EXIT_OK with *reply, EXIT_REFUSED after printing
 * the coordinator's CallError, or the failure's exit status. */
static int call(const ctl *x, requester *rq, Mpc__Wire__Envelope **reply, Mpc__Wire__MsgType type, void *body,
        uint32_t call_id) {
    int r = requester_send(rq, type, body);
    *reply = NULL;
    if (r == REQ_OK) {
        r = requester_wait(rq, reply, call_id, x->deadline_ms);
    }
    if (r != REQ_OK) {
        return failure_exit(x, rq, r);
    }
    if ((*reply)->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_CALL_ERROR) {
        const Mpc__Wire__CallError *ce = (*reply)->call_error;
        if (x->json) {
            printf("{\"error\":");
            json_string(ce->message);
            printf(",\"code\":%u}\n", ce->code);
        } else {
            fprintf(stderr, "mpcctl: refused: %s\n", ce->message);
        }
        net_env_free(*reply);
        *reply = NULL;
        return EXIT_REFUSED;
    }
    return EXIT_OK;
}

/* call() expecting a reply of type want. */
static int call_expect(const ctl *x, requester *rq, Mpc__Wire__Envelope **reply, Mpc__Wire__MsgType type,
        void *body, uint32_t call_id, Mpc__Wire__MsgType want) {
    int code = call(x, rq, reply, type, body, call_id);
    if (code == EXIT_OK && (*reply)->type != want) {
        fprintf(stderr, "mpcctl: unexpected message type %d from the coordinator\n", (int)(*reply)->type);
        net_env_free(*reply);
        *reply = NULL;
        code = EXIT_CONNECT;
    }
    return code;
}

static int request_exit(const Mpc__Wire__RequestInfo *in) {
    switch (in->state) {
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE: return EXIT_OK;
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED: return EXIT_FAILED;
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED: return EXIT_BLOCKED;
    default: return -1;
    }
}

static int status_call(const ctl *x, requester *rq, Mpc__Wire__Envelope **reply, const unsigned char id[32]) {
    Mpc__Wire__StatusCall sc = MPC__WIRE__STATUS_CALL__INIT;
    sc.call_id = requester_next_call_id(rq);
    sc.request_id.data = (unsigned char *)id;
    sc.request_id.len = 32;
    return call_expect(x, rq, reply, MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL, &sc, sc.call_id,
            MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY);
}

/* Sends a call answered by a RequestReply (keygen, sign, refresh, status), follows the request
 * with status calls until it is final (unless --no-wait or status), and shows it. */
static int run_request(const ctl *x, requester *rq, Mpc__Wire__MsgType type, void *body, uint32_t call_id) {
    Mpc__Wire__Envelope *env = NULL, *last = NULL, *addr = NULL;
    const Mpc__Wire__RequestInfo *in = NULL;
    int code, state_code = -1, announced = 0;

    code = call_expect(x, rq, &env, type, body, call_id, MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY);
    for (;;) {
        if (code != EXIT_OK) {
            goto out;
        }
        if (env->request_reply->info == NULL || env->request_reply->info->request_id.len != 32) {
            fprintf(stderr, "mpcctl: malformed reply\n");
            code = EXIT_FAILED;
            goto out;
        }
        net_env_free(last);
        last = env;
        env = NULL;
        in = last->request_reply->info;
        state_code = request_exit(in);
        if (state_code >= 0 || !x->wait || strcmp(x->command, "status") == 0) {
            break;
        }
        if (in->state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_AWAITING_APPROVAL && !announced) {
            fprintf(stderr, "mpcctl: waiting for operator approvals (%u received)\n", in->approvals);
            announced = 1;
        }
        if (requester_pause(rq, requester_now_ms() + POLL_MS) != REQ_OK) {
            code = failure_exit(x, rq, REQ_E_CONNECT);
            goto out;
        }
        code = status_call(x, rq, &env, in->request_id.data);
    }
    if (state_code == EXIT_OK && in->kind == MPC__WIRE__REQUEST_KIND__REQUEST_KIND_KEYGEN && in->key_id.len == 32) {
        /* Show the new key's root address too. */
        Mpc__Wire__AddressCall ac = MPC__WIRE__ADDRESS_CALL__INIT;
        ac.call_id = requester_next_call_id(rq);
        ac.key_id = in->key_id;
        code = call_expect(x, rq, &addr, MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_CALL, &ac, ac.call_id,
                MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_REPLY);
        if (code != EXIT_OK) {
            goto out;
        }
    }
    print_request(x, in, addr != NULL ? addr->address_reply : NULL);
    code = state_code < 0 ? EXIT_OK : state_code;
    if (code == EXIT_OK) {
        code = write_outputs(x, in);
    }
out:
    if (code == EXIT_TIMEOUT && in != NULL) {
        print_request(x, in, NULL);
    }
    net_env_free(env);
    net_env_free(last);
    net_env_free(addr);
    return code;
}

static int run_address(const ctl *x, requester *rq) {
    Mpc__Wire__AddressCall ac = MPC__WIRE__ADDRESS_CALL__INIT;
    Mpc__Wire__Envelope *env = NULL;
    const Mpc__Wire__AddressReply *a;
    char p[256];
    int code;

    ac.call_id = requester_next_call_id(rq);
    ac.key_id.data = (unsigned char *)x->key_id;
    ac.key_id.len = 32;
    ac.path = (uint32_t *)x->path;
    ac.n_path = x->path_len;
    code = call_expect(x, rq, &env, MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_CALL, &ac, ac.call_id,
            MPC__WIRE__MSG_TYPE__MSG_TYPE_ADDRESS_REPLY);
    if (code != EXIT_OK) {
        return code;
    }
    a = env->address_reply;
    path_string(p, sizeof(p), a->path, a->n_path);
    if (x->json) {
        printf("{");
        json_hex("key_id", &a->key_id, 0);
        printf(",\"path\":");
        json_string(p);
        json_hex("public_key", &a->public_key, 1);
        printf(",\"eth_address\":");
        json_string(a->eth_address);
        printf("}\n");
    } else {
        printf("path        %s\n", p);
        print_labelled_hex("public key", &a->public_key);
        printf("address     %s\n", a->eth_address);
    }
    net_env_free(env);
    return EXIT_OK;
}

static int run_list(const ctl *x, requester *rq) {
    Mpc__Wire__ListCall lc = MPC__WIRE__LIST_CALL__INIT;
    Mpc__Wire__Envelope *env = NULL;
    const Mpc__Wire__ListReply *l;
    int code;

    lc.call_id = requester_next_call_id(rq);
    code = call_expect(x, rq, &env, MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_CALL, &lc, lc.call_id,
            MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_REPLY);
    if (code != EXIT_OK) {
        return code;
    }
    l = env->list_reply;
    if (x->json) {
        printf("{\"keys\":[");
    }
    for (size_t i = 0; i < l->n_keys; i++) {
        const Mpc__Wire__KeyInfo *k = l->keys[i];
        if (x->json) {
            printf("%s{", i ? "," : "");
            json_hex("key_id", &k->key_id, 0);
            printf(",\"n\":%u,\"t\":%u,\"epoch\":%u", k->n, k->t, k->epoch);
            json_hex("public_key", &k->public_key, 1);
            printf("}");
        } else {
            put_hex(k->key_id.data, k->key_id.len);
            printf("  %u-of-%u  epoch %u  ", k->t, k->n, k->epoch);
            put_hex(k->public_key.data, k->public_key.len);
            putchar('\n');
        }
    }
    if (x->json) {
        printf("]}\n");
    } else if (l->n_keys == 0) {
        printf("no keys\n");
    }
    net_env_free(env);
    return EXIT_OK;
}

static int run_command(ctl *x, requester *rq) {
    if (strcmp(x->command, "keygen") == 0) {
        Mpc__Wire__KeygenCall kc = MPC__WIRE__KEYGEN_CALL__INIT;
        kc.call_id = requester_next_call_id(rq);
        kc.n = x->n;
        kc.t = x->t;
        kc.idempotency_key = (char *)(x->idem != NULL ? x->idem : "");
        return run_request(x, rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_CALL, &kc, kc.call_id);
    }
    if (strcmp(x->command, "sign") == 0) {
        Mpc__Wire__SignCall sc = MPC__WIRE__SIGN_CALL__INIT;
        sc.call_id = requester_next_call_id(rq);
        sc.key_id.data = x->key_id;
        sc.key_id.len = 32;
        sc.payload_type = x->payload_type;
        sc.payload.data = x->payload;
        sc.payload.len = x->payload_len;
        sc.path = x->path;
        sc.n_path = x->path_len;
        sc.idempotency_key = (char *)x->idem;
        return run_request(x, rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_CALL, &sc, sc.call_id);
    }
    if (strcmp(x->command, "status") == 0) {
        Mpc__Wire__StatusCall st = MPC__WIRE__STATUS_CALL__INIT;
        st.call_id = requester_next_call_id(rq);
        st.request_id.data = x->request_id;
        st.request_id.len = 32;
        return run_request(x, rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL, &st, st.call_id);
    }
    if (strcmp(x->command, "refresh") == 0) {
        Mpc__Wire__RefreshCall rc = MPC__WIRE__REFRESH_CALL__INIT;
        rc.call_id = requester_next_call_id(rq);
        rc.key_id.data = x->key_id;
        rc.key_id.len = 32;
        rc.idempotency_key = (char *)x->idem;
        return run_request(x, rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_REFRESH_CALL, &rc, rc.call_id);
    }
    if (strcmp(x->command, "address") == 0) {
        return run_address(x, rq);
    }
    return run_list(x, rq);
}

/* ---- command line ------------------------------------------------------------------------- */

static void quiet_log(net_log_level level, const char *line, void *data) {
    (void)data;
    if (level == NET_LOG_WARN) {
        fprintf(stderr, "mpcctl: %s\n", line);
    }
}

/* Reads the payload file and decodes its form for x->payload_type (payload_file.h). */
static int read_payload(ctl *x) {
    FILE *f = fopen(x->file, "rb");
    unsigned char *raw = NULL;
    size_t len = 0, n;
    char err[200];
    int code = EXIT_CONFIG;

    if (f == NULL) {
        fprintf(stderr, "mpcctl: cannot read %s: %s\n", x->file, strerror(errno));
        return EXIT_CONFIG;
    }
    raw = malloc(REQ_PAYLOAD_FILE_MAX + 1);
    x->payload = malloc(REQ_PAYLOAD_FILE_MAX + 1);
    if (raw == NULL || x->payload == NULL) {
        fprintf(stderr, "mpcctl: out of memory\n");
        goto out;
    }
    while ((n = fread(raw + len, 1, REQ_PAYLOAD_FILE_MAX + 1 - len, f)) > 0) {
        len += n;
    }
    if (ferror(f)) {
        fprintf(stderr, "mpcctl: cannot read %s\n", x->file);
        goto out;
    }
    if (requester_payload_decode(x->payload, REQ_PAYLOAD_FILE_MAX + 1, &x->payload_len, err, sizeof(err),
                x->payload_type, raw, len) != 0) {
        fprintf(stderr, "mpcctl: %s: %s\n", x->file, err);
        goto out;
    }
    code = EXIT_OK;
out:
    free(raw);
    fclose(f);
    return code;
}

static int usage_error(const char *what) {
    fprintf(stderr, "mpcctl: %s (see mpcctl --help)\n", what);
    return EXIT_USAGE;
}

/* Checks the command's arguments; reads the payload of sign. */
static int check_command(ctl *x, const char *key, const char *path, const char *type) {
    int sign = strcmp(x->command, "sign") == 0;
    if (key != NULL) {
        if (wire_unhex(x->key_id, 32, key) != NET_OK) {
            return usage_error("--key needs a key id of 64 hex digits");
        }
        x->have_key = 1;
    }
    if (path != NULL && parse_path(x->path, &x->path_len, path) != 0) {
        return usage_error("--path must look like m/0/1 or 0/1 (non-hardened indices, at most 16 levels)");
    }
    if (x->idem != NULL && (strlen(x->idem) == 0 || strlen(x->idem) > WIRE_IDEMPOTENCY_MAX)) {
        return usage_error("--idempotency-key needs 1..128 characters");
    }
    if ((x->out_file != NULL || x->final_tx_file != NULL) && !sign && strcmp(x->command, "status") != 0) {
        return usage_error("--out and --final-tx-out belong to sign and status");
    }
    if (strcmp(x->command, "keygen") == 0) {
        if (x->n < 2 || x->t < 2 || x->t > x->n) {
            return usage_error("keygen needs --n N --t T with 2 <= T <= N");
        }
    } else if (sign) {
        if (!x->have_key || x->file == NULL || x->idem == NULL) {
            return usage_error("sign needs --key, --payload FILE (or --file FILE) and --idempotency-key");
        }
        x->payload_type = MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP191;
        if (type != NULL && requester_payload_type_parse(&x->payload_type, type) != 0) {
            return usage_error("--type must be one of eip191, eth-tx, erc20, eip712, safe-tx, psbt");
        }
        return read_payload(x);
    } else if (strcmp(x->command, "address") == 0) {
        if (!x->have_key) {
            return usage_error("address needs --key");
        }
    } else if (strcmp(x->command, "refresh") == 0) {
        if (!x->have_key || x->idem == NULL) {
            return usage_error("refresh needs --key and --idempotency-key");
        }
    } else if (strcmp(x->command, "status") != 0 && strcmp(x->command, "list") != 0) {
        return usage_error("unknown command");
    }
    if (type != NULL || x->file != NULL) {
        return usage_error("--type and --payload belong to sign");
    }
    return EXIT_OK;
}

int main(int argc, char **argv) {
    static ctl x;
    const char *config = "/etc/mpc/mpcctl.ini";
    const char *type = NULL, *key = NULL, *path = NULL;
    requester_config cfg;
    requester *rq = NULL;
    char err[512];
    char *end;
    int i, r, code;

    x.wait = 1;
    x.timeout_s = 120;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            x.json = 1;
        } else if (strcmp(argv[i], "--no-wait") == 0) {
            x.wait = 0;
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            x.timeout_s = (unsigned)strtoul(argv[++i], &end, 10);
            if (*end != '\0' || x.timeout_s == 0) {
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
    x.command = argv[i++];
    if (strcmp(x.command, "status") == 0) {
        if (i >= argc || wire_unhex(x.request_id, 32, argv[i]) != NET_OK) {
            return usage_error("status needs one request id (64 hex digits)");
        }
        i++;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            return usage_error("option without a value");
        }
        end = (char *)"";
        if (strcmp(a, "--n") == 0) {
            x.n = (uint32_t)strtoul(argv[++i], &end, 10);
        } else if (strcmp(a, "--t") == 0) {
            x.t = (uint32_t)strtoul(argv[++i], &end, 10);
        } else if (strcmp(a, "--key") == 0) {
            key = argv[++i];
        } else if (strcmp(a, "--type") == 0) {
            type = argv[++i];
        } else if ((strcmp(a, "--file") == 0 || strcmp(a, "--payload") == 0) && x.file == NULL) {
            x.file = argv[++i];
        } else if (strcmp(a, "--path") == 0) {
            path = argv[++i];
        } else if (strcmp(a, "--idempotency-key") == 0) {
            x.idem = argv[++i];
        } else if (strcmp(a, "--out") == 0) {
            x.out_file = argv[++i];
        } else if (strcmp(a, "--final-tx-out") == 0) {
            x.final_tx_file = argv[++i];
        } else {
            return usage_error("unknown or repeated argument");
        }
        if (*end != '\0') {
            return usage_error("not a number");
        }
    }
    code = check_command(&x, key, path, type);
    if (code != EXIT_OK) {
        goto out;
    }
    if (requester_config_load(&cfg, err, sizeof(err), config) != REQ_OK) {
        fprintf(stderr, "mpcctl: %s\n", err);
        code = EXIT_CONFIG;
        goto out;
    }
    signal(SIGPIPE, SIG_IGN);
    net_set_log(quiet_log, NULL);
    x.deadline_ms = requester_now_ms() + (uint64_t)x.timeout_s * 1000u;
    r = requester_open(&rq, err, sizeof(err), &cfg, "mpcctl 0.2.0", x.deadline_ms);
    if (r != REQ_OK) {
        if (r == REQ_E_TIMEOUT) {
            fprintf(stderr, "mpcctl: no final answer within %u s\n", x.timeout_s);
        } else {
            fprintf(stderr, "mpcctl: %s\n", err);
        }
        code = r == REQ_E_CONFIG ? EXIT_CONFIG : r == REQ_E_TIMEOUT ? EXIT_TIMEOUT : EXIT_CONNECT;
        goto out;
    }
    code = run_command(&x, rq);
out:
    requester_close(rq);
    free(x.payload);
    if (fflush(stdout) != 0 && code == EXIT_OK) {
        code = EXIT_CONFIG;
    }
    return code;
}
