/*
 * mpc-bench cluster --config REQUESTER.ini --key KEYID [--requests N] [--concurrency C] [--warmup W]
 *                   [--poll-ms P] [--timeout S] [--reference-runs R]
 *
 * Drives a running cluster (mpc-coordinatord and its signers) with an existing key over one
 * requester connection (tools/requester), signing EIP-191 messages, each with its own idempotency
 * key:
 *   1. N requests one at a time: end-to-end latency, from sending the SignCall to seeing the request
 *      done, median and p99. The coordinator offers no push of results, so the client sees "done"
 *      through status calls every P ms (the cheapest mechanism it has); the coordinator's own
 *      accepted -> signed time (RequestInfo created_ms/finished_ms) is shown next to it.
 *   2. N requests with C in flight on the same connection (pipelined calls): signatures per second
 *      over the whole phase, and failures. Each request is polled every C * P ms, so the
 *      connection still sends about one status call per P ms.
 *   3. The reference line: a t-of-n signing of libmpc with every party in this process
 *      (bench_sign_reference, the key's own t and n), and the ratio of the end-to-end median to it,
 *      which is what network, TLS, processes, enclaves and scheduling cost.
 * W warm-up requests (one at a time, not counted) come first.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "envelope.h"
#include "requester.h"
#include "wire.h"

#define MAX_CONCURRENCY 256u
#define MAX_REQUESTS 100000u
#define MAX_SHOWN_ERRORS 3u

typedef struct {
    requester *rq;
    unsigned char key_id[32];
    unsigned requests, concurrency, warmup, poll_ms, timeout_s, reference_runs;
    char prefix[48]; /* idempotency keys of this run: <prefix>-<phase>-<i> */
    unsigned shown_errors;
} cluster;

/* One request of a phase in flight. */
typedef struct {
    int active;
    uint32_t call_id;       /* the call whose reply is awaited; 0 while waiting to poll */
    unsigned char request_id[32];
    uint64_t start_ns;      /* SignCall sent */
    uint64_t next_poll_ms;  /* call_id == 0: when to send the next status call */
    uint64_t deadline_ms;
} slot;

typedef struct {
    const char *tag;
    unsigned count, concurrency;
    uint64_t poll_interval_ms; /* between two status calls for one request */
    /* results */
    uint64_t *latency_ns; /* end to end, per request done */
    uint64_t *coord_ms;   /* the coordinator's accepted -> signed, per request done */
    unsigned done, failed;
    uint64_t status_calls;
    uint64_t elapsed_ns;
} phase;

static void report_error(cluster *cl, const char *what) {
    if (cl->shown_errors++ < MAX_SHOWN_ERRORS) {
        fprintf(stderr, "mpc-bench: request failed: %s\n", what);
    }
}

static int submit(cluster *cl, phase *ph, slot *s, unsigned i) {
    Mpc__Wire__SignCall sc = MPC__WIRE__SIGN_CALL__INIT;
    char idem[96], message[128];
    int r;

    snprintf(idem, sizeof(idem), "%s-%s-%u", cl->prefix, ph->tag, i);
    snprintf(message, sizeof(message), "mpc-bench cluster %s", idem);
    sc.call_id = requester_next_call_id(cl->rq);
    sc.key_id.data = cl->key_id;
    sc.key_id.len = 32;
    sc.payload_type = MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP191;
    sc.payload.data = (unsigned char *)message;
    sc.payload.len = strlen(message);
    sc.idempotency_key = idem;
    s->active = 1;
    s->call_id = sc.call_id;
    s->start_ns = bench_now_ns();
    s->deadline_ms = requester_now_ms() + (uint64_t)cl->timeout_s * 1000u;
    r = requester_send(cl->rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_CALL, &sc);
    if (r != REQ_OK) {
        fprintf(stderr, "mpc-bench: %s\n", requester_error(cl->rq));
    }
    return r;
}

static int poll_status(cluster *cl, phase *ph, slot *s) {
    Mpc__Wire__StatusCall st = MPC__WIRE__STATUS_CALL__INIT;
    int r;
    st.call_id = requester_next_call_id(cl->rq);
    st.request_id.data = s->request_id;
    st.request_id.len = 32;
    s->call_id = st.call_id;
    ph->status_calls++;
    r = requester_send(cl->rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL, &st);
    if (r != REQ_OK) {
        fprintf(stderr, "mpc-bench: %s\n", requester_error(cl->rq));
    }
    return r;
}

static void finish_slot(phase *ph, slot *s, int ok, const Mpc__Wire__RequestInfo *in) {
    if (ok) {
        ph->latency_ns[ph->done] = bench_now_ns() - s->start_ns;
        ph->coord_ms[ph->done] = in->finished_ms - in->created_ms;
        ph->done++;
    } else {
        ph->failed++;
    }
    memset(s, 0, sizeof(*s));
}

/* A reply to the slot's outstanding call: the request is done, failed, or to be polled again. */
static void on_reply(cluster *cl, phase *ph, slot *s, const Mpc__Wire__Envelope *env) {
    const Mpc__Wire__RequestInfo *in;
    char why[300];

    s->call_id = 0;
    if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_CALL_ERROR) {
        snprintf(why, sizeof(why), "refused: %.250s", env->call_error->message);
        report_error(cl, why);
        finish_slot(ph, s, 0, NULL);
        return;
    }
    in = env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY ? env->request_reply->info : NULL;
    if (in == NULL || in->request_id.len != 32) {
        report_error(cl, "malformed reply");
        finish_slot(ph, s, 0, NULL);
        return;
    }
    memcpy(s->request_id, in->request_id.data, 32);
    switch (in->state) {
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_DONE: finish_slot(ph, s, 1, in); return;
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED:
    case MPC__WIRE__REQUEST_STATE__REQUEST_STATE_BLOCKED:
        snprintf(why, sizeof(why), "%s: %.250s",
                in->state == MPC__WIRE__REQUEST_STATE__REQUEST_STATE_FAILED ? "failed" : "blocked", in->error);
        report_error(cl, why);
        finish_slot(ph, s, 0, NULL);
        return;
    default: s->next_poll_ms = requester_now_ms() + ph->poll_interval_ms; return;
    }
}

/* Runs ph->count requests with ph->concurrency of them in flight. Returns 0, or -1 when the
 * connection failed. */
static int run_phase(cluster *cl, phase *ph) {
    slot *slots = calloc(ph->concurrency, sizeof(*slots));
    unsigned next = 0;
    uint64_t t0 = bench_now_ns();
    int rc = -1;

    /* The connection as a whole sends about one status call per poll_ms, so that polling for many
     * requests in flight does not load the coordinator more than polling for one. */
    ph->poll_interval_ms = (uint64_t)cl->poll_ms * ph->concurrency;
    ph->latency_ns = calloc(ph->count + 1, sizeof(*ph->latency_ns));
    ph->coord_ms = calloc(ph->count + 1, sizeof(*ph->coord_ms));
    if (slots == NULL || ph->latency_ns == NULL || ph->coord_ms == NULL) {
        fprintf(stderr, "mpc-bench: out of memory\n");
        goto out;
    }
    while (ph->done + ph->failed < ph->count) {
        Mpc__Wire__Envelope *env = NULL;
        uint64_t now = requester_now_ms(), wake = UINT64_MAX;
        int r;
        for (unsigned k = 0; k < ph->concurrency; k++) {
            slot *s = &slots[k];
            if (!s->active && next < ph->count && submit(cl, ph, s, next++) != REQ_OK) {
                goto out;
            }
            if (!s->active) {
                continue;
            }
            if (now >= s->deadline_ms) {
                report_error(cl, "no final state within --timeout");
                finish_slot(ph, s, 0, NULL);
                continue;
            }
            if (s->call_id == 0 && now >= s->next_poll_ms && poll_status(cl, ph, s) != REQ_OK) {
                goto out;
            }
            if (s->call_id == 0 && s->next_poll_ms < wake) {
                wake = s->next_poll_ms;
            }
            if (s->deadline_ms < wake) {
                wake = s->deadline_ms;
            }
        }
        if (ph->done + ph->failed >= ph->count) {
            break;
        }
        r = requester_wait_any(cl->rq, &env, wake);
        if (r == REQ_E_TIMEOUT) {
            continue;
        }
        if (r != REQ_OK) {
            fprintf(stderr, "mpc-bench: %s\n", requester_error(cl->rq));
            goto out;
        }
        for (unsigned k = 0; k < ph->concurrency; k++) {
            /* A reply for no slot answers a request already given up on (--timeout). */
            if (slots[k].active && slots[k].call_id == requester_reply_call_id(env)) {
                on_reply(cl, ph, &slots[k], env);
                break;
            }
        }
        net_env_free(env);
    }
    ph->elapsed_ns = bench_now_ns() - t0;
    rc = 0;
out:
    free(slots);
    return rc;
}

static void phase_free(phase *ph) {
    free(ph->latency_ns);
    free(ph->coord_ms);
}

/* Nearest-rank percentile (0 < pct <= 100) of n sorted values. */
static uint64_t percentile(const uint64_t *v, size_t n, unsigned pct) {
    size_t rank = (n * pct + 99) / 100;
    return v[rank > 0 ? rank - 1 : 0];
}

/* Prints median, p99, min and max of n values in units of scale (sorts v). Returns the median. */
static double report_latency(const char *what, uint64_t *v, size_t n, double scale) {
    double median;
    if (n == 0) {
        printf("    %-38s no request done\n", what);
        return 0;
    }
    qsort(v, n, sizeof(*v), bench_cmp_u64);
    median = (double)percentile(v, n, 50) / scale;
    printf("    %-38s median %8.2f ms   p99 %8.2f ms   min %8.2f ms   max %8.2f ms\n", what, median,
            (double)percentile(v, n, 99) / scale, (double)v[0] / scale, (double)v[n - 1] / scale);
    return median;
}

/* The key's t and n, from the coordinator's key list. */
static int key_shape(cluster *cl, unsigned *t, unsigned *n, uint64_t deadline_ms) {
    Mpc__Wire__ListCall lc = MPC__WIRE__LIST_CALL__INIT;
    Mpc__Wire__Envelope *env = NULL;
    int rc = -1, r;

    lc.call_id = requester_next_call_id(cl->rq);
    r = requester_send(cl->rq, MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_CALL, &lc);
    if (r == REQ_OK) {
        r = requester_wait(cl->rq, &env, lc.call_id, deadline_ms);
    }
    if (r != REQ_OK) {
        fprintf(stderr, "mpc-bench: listing keys: %s\n", requester_error(cl->rq));
        return -1;
    }
    if (env->type != MPC__WIRE__MSG_TYPE__MSG_TYPE_LIST_REPLY) {
        fprintf(stderr, "mpc-bench: the coordinator refused to list keys\n");
        goto out;
    }
    for (size_t i = 0; i < env->list_reply->n_keys; i++) {
        const Mpc__Wire__KeyInfo *k = env->list_reply->keys[i];
        if (k->key_id.len == 32 && memcmp(k->key_id.data, cl->key_id, 32) == 0) {
            *t = k->t;
            *n = k->n;
            rc = 0;
        }
    }
    if (rc != 0) {
        fprintf(stderr, "mpc-bench: the coordinator has no key with that id\n");
    }
out:
    net_env_free(env);
    return rc;
}

static void bench_log(net_log_level level, const char *line, void *data) {
    (void)data;
    if (level == NET_LOG_WARN) {
        fprintf(stderr, "mpc-bench: %s\n", line);
    }
}

static const char cluster_usage[] =
    "usage: mpc-bench cluster --config REQUESTER.ini --key KEYID [--requests N] [--concurrency C]\n"
    "                         [--warmup W] [--poll-ms P] [--timeout S] [--reference-runs R]\n"
    "  --config          the requester configuration of mpcctl (its requester may sign)\n"
    "  --key             an existing key of the cluster (64 hex digits)\n"
    "  --requests N      requests per phase [100]\n"
    "  --concurrency C   requests in flight in the second phase, 1..256 [16]\n"
    "  --warmup W        requests before measuring, not counted [5]\n"
    "  --poll-ms P       one status call every P >= 1 ms on the connection: each of C requests\n"
    "                    in flight is polled every C * P ms [2]\n"
    "  --timeout S       give a request up after S seconds [60]\n"
    "  --reference-runs R  in-process signings for the reference line [30]\n";

static int parse_options(cluster *cl, const char **config, int argc, char **argv) {
    const char *key = NULL;
    for (int k = 1; k < argc; k += 2) {
        unsigned long v = 0;
        char *end = (char *)"";
        unsigned *dst = NULL;
        if (k + 1 >= argc) {
            return -1;
        }
        if (strcmp(argv[k], "--config") == 0) {
            *config = argv[k + 1];
            continue;
        }
        if (strcmp(argv[k], "--key") == 0) {
            key = argv[k + 1];
            continue;
        }
        if (strcmp(argv[k], "--requests") == 0) {
            dst = &cl->requests;
        } else if (strcmp(argv[k], "--concurrency") == 0) {
            dst = &cl->concurrency;
        } else if (strcmp(argv[k], "--warmup") == 0) {
            dst = &cl->warmup;
        } else if (strcmp(argv[k], "--poll-ms") == 0) {
            dst = &cl->poll_ms;
        } else if (strcmp(argv[k], "--timeout") == 0) {
            dst = &cl->timeout_s;
        } else if (strcmp(argv[k], "--reference-runs") == 0) {
            dst = &cl->reference_runs;
        } else {
            return -1;
        }
        v = strtoul(argv[k + 1], &end, 10);
        if (argv[k + 1][0] < '0' || argv[k + 1][0] > '9' || *end != '\0' || v > MAX_REQUESTS) {
            return -1;
        }
        *dst = (unsigned)v;
    }
    if (*config == NULL || key == NULL || wire_unhex(cl->key_id, 32, key) != NET_OK || cl->requests < 1 ||
            cl->concurrency < 1 || cl->concurrency > MAX_CONCURRENCY || cl->poll_ms < 1 || cl->timeout_s < 1 ||
            cl->reference_runs < 1 || cl->reference_runs > 101) {
        return -1;
    }
    return 0;
}

int bench_cluster(int argc, char **argv) {
    cluster cl;
    const char *config = NULL;
    requester_config cfg;
    phase warm, seq, par;
    char err[512], keyhex[65];
    unsigned t = 0, n = 0;
    double e2e_ms, ref_wall_ms, ref_cpu_ms;
    int rc = 1;

    memset(&cl, 0, sizeof(cl));
    memset(&warm, 0, sizeof(warm));
    memset(&seq, 0, sizeof(seq));
    memset(&par, 0, sizeof(par));
    cl.requests = 100;
    cl.concurrency = 16;
    cl.warmup = 5;
    cl.poll_ms = 2;
    cl.timeout_s = 60;
    cl.reference_runs = 30;
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(cluster_usage, stdout);
        return 0;
    }
    if (parse_options(&cl, &config, argc, argv) != 0) {
        fputs(cluster_usage, stderr);
        return 2;
    }
    if (requester_config_load(&cfg, err, sizeof(err), config) != REQ_OK) {
        fprintf(stderr, "mpc-bench: %s\n", err);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    net_set_log(bench_log, NULL);
    snprintf(cl.prefix, sizeof(cl.prefix), "bench-%ld-%llu", (long)getpid(), (unsigned long long)wire_now_ms());
    if (requester_open(&cl.rq, err, sizeof(err), &cfg, "mpc-bench cluster", requester_now_ms() + 30000u) != REQ_OK) {
        fprintf(stderr, "mpc-bench: %s\n", err);
        return 1;
    }
    if (key_shape(&cl, &t, &n, requester_now_ms() + 30000u) != 0) {
        goto out;
    }
    wire_hex(keyhex, cl.key_id, 32);
    printf("cluster: key %.16s... (%u-of-%u) via %s:%u, EIP-191 messages, a status call every %u ms\n", keyhex,
            t, n, cfg.address, cfg.port, cl.poll_ms);

    warm.tag = "warm";
    warm.count = cl.warmup;
    warm.concurrency = 1;
    if (cl.warmup > 0 && run_phase(&cl, &warm) != 0) {
        goto out;
    }
    printf("  warm-up: %u requests (%u failed)\n", warm.count, warm.failed);

    seq.tag = "seq";
    seq.count = cl.requests;
    seq.concurrency = 1;
    if (run_phase(&cl, &seq) != 0) {
        goto out;
    }
    printf("  one at a time: %u requests, %u failed, %llu status calls\n", seq.count, seq.failed,
            (unsigned long long)seq.status_calls);
    e2e_ms = report_latency("end to end (submit -> done seen)", seq.latency_ns, seq.done, 1e6);
    report_latency("coordinator (accepted -> signed)", seq.coord_ms, seq.done, 1.0);

    par.tag = "par";
    par.count = cl.requests;
    par.concurrency = cl.concurrency;
    if (run_phase(&cl, &par) != 0) {
        goto out;
    }
    printf("  %u in flight on one connection: %u requests, %u failed, %llu status calls\n", par.concurrency,
            par.count, par.failed, (unsigned long long)par.status_calls);
    printf("    throughput %.1f signatures/s (%u done in %.0f ms)\n",
            (double)par.done * 1e9 / (double)par.elapsed_ns, par.done, (double)par.elapsed_ns / 1e6);
    report_latency("end to end (submit -> done seen)", par.latency_ns, par.done, 1e6);

    if (bench_sign_reference(&ref_wall_ms, &ref_cpu_ms, t, n, cl.reference_runs) != 0) {
        goto out;
    }
    printf("  reference: in-process %u-of-%u signing, all parties in this process one after another\n"
           "    (libmpc, median of %u runs)            %.2f ms wall, %.2f ms CPU\n",
            t, n, cl.reference_runs, ref_wall_ms, ref_cpu_ms);
    if (seq.done > 0 && ref_wall_ms > 0) {
        printf("  ratio end to end / in-process (medians): %.1fx\n", e2e_ms / ref_wall_ms);
    }
    rc = seq.failed + par.failed > 0 ? 1 : 0;
out:
    requester_close(cl.rq);
    phase_free(&warm);
    phase_free(&seq);
    phase_free(&par);
    return rc;
}
