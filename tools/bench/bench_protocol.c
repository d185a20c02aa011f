/*
 * mpc-bench dkg --t T --n N [--runs R]
 * mpc-bench sign --t T --n N [--signers K] [--runs R]
 *
 * Runs every party of a DKG or signing session in this process, one round after another, over
 * an in-memory relay, and reports over R runs: median/min/max wall time of all parties together
 * (the sum of every party's computation, as if run sequentially) and per party, bytes and
 * messages each party sends per round, and a reference line: single-key secp256k1_ecdsa_sign in
 * the same process. The total is also given in process CPU time, which is less disturbed than
 * wall time when other processes load the machine. bench_sign_reference gives mpc-bench cluster
 * the same signing measurement as its reference line.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>

#include "bench.h"
#include "mpc/protocol.h"

#define MAX_CALLS 6

static uint64_t cpu_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef int (*step_fn)(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count);

typedef struct {
    size_t count;
    uint32_t idx[MPC_MAX_PARTIES];
    void *st[MPC_MAX_PARTIES];
    step_fn step;
    uint64_t ns[MPC_MAX_PARTIES];                   /* computation time of each party */
    uint64_t cpu_ns;                                /* CPU time of all parties */
    uint64_t bytes[MPC_MAX_PARTIES][MAX_CALLS + 1]; /* bytes sent per round (copies counted) */
    uint64_t msgs[MPC_MAX_PARTIES][MAX_CALLS + 1];
    /* the last call's outputs, copied (the next call of a party invalidates its buffers) */
    size_t out_n[MPC_MAX_PARTIES];
    mpc_msg_out out[MPC_MAX_PARTIES][MPC_MAX_PARTIES];
    unsigned char *buf[MPC_MAX_PARTIES][MPC_MAX_PARTIES];
} relay;

static int dkg_step(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count)
{
    return mpc_dkg_next(ctx, out, out_count, blame, st, in, in_count);
}

static int sign_step(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count)
{
    return mpc_sign_next(ctx, out, out_count, blame, st, in, in_count);
}

static void relay_clear(relay *r)
{
    for (size_t k = 0; k < r->count; k++)
        for (size_t q = 0; q < r->out_n[k]; q++) {
            free(r->buf[k][q]);
            r->buf[k][q] = NULL;
        }
    memset(r->out_n, 0, sizeof(r->out_n));
}

/* Run calls 1..calls; returns 0 or the first error code. */
static int relay_run(const mpc_context *ctx, relay *r, unsigned calls)
{
    mpc_msg_in in[MPC_MAX_PARTIES];
    const mpc_msg_out *o;
    mpc_blame blame;
    size_t oc, n, k, d, q;
    uint64_t t0, c0;
    int rc;

    for (unsigned c = 1; c <= calls; c++) {
        unsigned char *nbuf[MPC_MAX_PARTIES][MPC_MAX_PARTIES];
        mpc_msg_out nout[MPC_MAX_PARTIES][MPC_MAX_PARTIES];
        size_t nn[MPC_MAX_PARTIES];
        for (k = 0; k < r->count; k++) {
            for (d = 0, n = 0; d < r->count; d++)
                for (q = 0; q < r->out_n[d]; q++)
                    if (d != k && (r->out[d][q].to == MPC_BROADCAST ||
                                   r->out[d][q].to == r->idx[k])) {
                        in[n].from = r->idx[d];
                        in[n].data = r->out[d][q].data;
                        in[n].len = r->out[d][q].len;
                        n++;
                    }
            c0 = cpu_now_ns();
            t0 = bench_now_ns();
            rc = r->step(ctx, &o, &oc, &blame, r->st[k], in, n);
            r->ns[k] += bench_now_ns() - t0;
            r->cpu_ns += cpu_now_ns() - c0;
            if (rc != MPC_OK)
                return rc;
            nn[k] = oc;
            for (q = 0; q < oc; q++) {
                nbuf[k][q] = malloc(o[q].len);
                memcpy(nbuf[k][q], o[q].data, o[q].len);
                nout[k][q] = o[q];
                nout[k][q].data = nbuf[k][q];
                r->msgs[k][c] += o[q].to == MPC_BROADCAST ? r->count - 1 : 1;
                r->bytes[k][c] += o[q].len * (o[q].to == MPC_BROADCAST ? r->count - 1 : 1);
            }
        }
        relay_clear(r);
        for (k = 0; k < r->count; k++) {
            r->out_n[k] = nn[k];
            for (q = 0; q < nn[k]; q++) {
                r->out[k][q] = nout[k][q];
                r->buf[k][q] = nbuf[k][q];
            }
        }
    }
    return MPC_OK;
}

static void report_times(const char *what, uint64_t *v, size_t runs)
{
    qsort(v, runs, sizeof(*v), bench_cmp_u64);
    printf("  %-28s median %9.3f ms   min %9.3f ms   max %9.3f ms\n", what,
            (double)v[runs / 2] / 1e6, (double)v[0] / 1e6, (double)v[runs - 1] / 1e6);
}

static void report_traffic(const relay *r, unsigned rounds)
{
    for (unsigned c = 1; c <= rounds; c++) {
        uint64_t b = 0, m = 0;
        for (size_t k = 0; k < r->count; k++) {
            b += r->bytes[k][c];
            m += r->msgs[k][c];
        }
        printf("  round %u: %10.0f bytes sent per party (%.1f messages per party), %llu messages "
               "in total\n", c, (double)b / (double)r->count, (double)m / (double)r->count,
               (unsigned long long)m);
    }
}

static double reference_sign_ms(void)
{
    secp256k1_context *sctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_signature sig;
    unsigned char key[32], msg[32];
    const int iters = 2000;
    uint64_t t0;

    memset(key, 0x42, 32);
    memset(msg, 0x17, 32);
    t0 = bench_now_ns();
    for (int k = 0; k < iters; k++) {
        msg[0] = (unsigned char)k;
        if (!secp256k1_ecdsa_sign(sctx, &sig, msg, key, NULL, NULL))
            abort();
        bench_consume(&sig, sizeof(sig));
    }
    t0 = bench_now_ns() - t0;
    secp256k1_context_destroy(sctx);
    return (double)t0 / iters / 1e6;
}

typedef struct {
    unsigned t, n, signers, runs;
} opts;

static int parse_opts(opts *o, int argc, char **argv, int allow_signers)
{
    for (int k = 1; k < argc; k += 2) {
        unsigned long v;
        char *end;
        if (k + 1 >= argc)
            return -1;
        v = strtoul(argv[k + 1], &end, 10);
        if (*end != '\0' || v > 10000)
            return -1;
        if (strcmp(argv[k], "--t") == 0)
            o->t = (unsigned)v;
        else if (strcmp(argv[k], "--n") == 0)
            o->n = (unsigned)v;
        else if (allow_signers && strcmp(argv[k], "--signers") == 0)
            o->signers = (unsigned)v;
        else if (strcmp(argv[k], "--runs") == 0)
            o->runs = (unsigned)v;
        else
            return -1;
    }
    if (o->signers == 0)
        o->signers = o->t;
    if (o->t < 2 || o->t > o->n || o->n > MPC_MAX_PARTIES || o->signers < o->t ||
        o->signers > o->n || o->runs < 1)
        return -1;
    return 0;
}

static int run_dkg(const mpc_context *ctx, relay *r, mpc_keyshare **ks, unsigned n, unsigned t,
        unsigned seq)
{
    unsigned char inst[32] = { 0 };
    int rc = MPC_OK;

    memset(r, 0, sizeof(*r));
    memcpy(inst, &seq, sizeof(seq));
    r->count = n;
    r->step = dkg_step;
    for (unsigned k = 0; k < n; k++) {
        r->idx[k] = k + 1;
        if (mpc_dkg_create(ctx, (mpc_dkg **)&r->st[k], n, t, k + 1, inst) != MPC_OK)
            return MPC_E_INTERNAL;
    }
    rc = relay_run(ctx, r, MPC_DKG_ROUNDS + 1);
    for (unsigned k = 0; k < n; k++) {
        if (rc == MPC_OK && ks != NULL && mpc_dkg_finish(ctx, &ks[k], r->st[k]) != MPC_OK)
            rc = MPC_E_INTERNAL;
        mpc_dkg_destroy(r->st[k]);
    }
    relay_clear(r);
    return rc;
}

/* Per-run totals (wall clock and CPU) and per-party wall clock times of one benchmark. */
typedef struct {
    uint64_t *all, *cpu, *per;
    unsigned runs, parties;
} timings;

static int timings_alloc(timings *tm, unsigned runs, unsigned parties)
{
    tm->runs = runs;
    tm->parties = parties;
    tm->all = calloc(runs, sizeof(*tm->all));
    tm->cpu = calloc(runs, sizeof(*tm->cpu));
    tm->per = calloc((size_t)runs * parties, sizeof(*tm->per));
    if (tm->all == NULL || tm->cpu == NULL || tm->per == NULL) {
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    return 0;
}

/* Adds each party's time of one run to the run's total and records it per party. */
static void timings_add_parties(timings *tm, const relay *r, unsigned run)
{
    for (unsigned k = 0; k < tm->parties; k++) {
        tm->all[run] += r->ns[k];
        tm->per[run * tm->parties + k] = r->ns[k];
    }
}

static void timings_report(const timings *tm, const relay *r, unsigned rounds)
{
    report_times("all parties together", tm->all, tm->runs);
    report_times("all parties, CPU time", tm->cpu, tm->runs);
    report_times("per party", tm->per, tm->runs * tm->parties);
    report_traffic(r, rounds);
    printf("  reference: secp256k1_ecdsa_sign %.4f ms\n", reference_sign_ms());
}

static void timings_free(timings *tm)
{
    free(tm->all);
    free(tm->cpu);
    free(tm->per);
}

/* Options, context and relay of one benchmark. Returns 0, or the exit status: 2 after printing
 * usage, 1 when the context cannot be created. */
static int bench_setup(opts *o, mpc_context **ctx, relay **r, int argc, char **argv, int allow_signers,
        const char *usage)
{
    *r = calloc(1, sizeof(**r));
    if (*r == NULL || parse_opts(o, argc, argv, allow_signers) != 0) {
        fprintf(stderr, "usage: %s\n", usage);
        free(*r);
        return 2;
    }
    if ((*ctx = mpc_context_create()) == NULL) {
        free(*r);
        return 1;
    }
    return 0;
}

int bench_dkg(int argc, char **argv)
{
    opts o = { 2, 3, 0, 5 };
    mpc_context *ctx;
    relay *r;
    timings tm;
    int rc = bench_setup(&o, &ctx, &r, argc, argv, 0, "mpc-bench dkg --t T --n N [--runs R]");

    if (rc != 0)
        return rc;
    rc = 1;
    if (timings_alloc(&tm, o.runs, o.n) != 0)
        goto out;
    for (unsigned run = 0; run < o.runs; run++) {
        if (run_dkg(ctx, r, NULL, o.n, o.t, run) != MPC_OK) {
            fprintf(stderr, "dkg failed\n");
            goto out;
        }
        tm.cpu[run] = r->cpu_ns;
        timings_add_parties(&tm, r, run);
    }
    printf("dkg t=%u n=%u, %u runs\n", o.t, o.n, o.runs);
    timings_report(&tm, r, MPC_DKG_ROUNDS);
    rc = 0;
out:
    timings_free(&tm);
    free(r);
    mpc_context_destroy(ctx);
    return rc;
}

/* DKG of o->n parties, then o->runs signings by parties 1..o->signers, timed into tm (r holds the
 * last run's traffic). Returns 0, or 1 after printing what failed. */
static int sign_runs(const mpc_context *ctx, relay *r, timings *tm, const opts *o)
{
    mpc_keyshare *ks[MPC_MAX_PARTIES] = { NULL };
    uint32_t set[MPC_MAX_PARTIES];
    int rc = 1;

    if (run_dkg(ctx, r, ks, o->n, o->t, 0xffffu) != MPC_OK) {
        fprintf(stderr, "dkg failed\n");
        goto out;
    }
    for (unsigned k = 0; k < o->signers; k++)
        set[k] = k + 1;
    for (unsigned run = 0; run < o->runs; run++) {
        unsigned char digest[32], nonce[32], sigid[32], sig[64];
        mpc_msg_in in[MPC_MAX_PARTIES];
        mpc_sign_request req;
        mpc_sign_public pub;
        mpc_blame blame;
        uint64_t t0, c0;
        int recid;

        memset(digest, (int)run, 32);
        memset(nonce, 0, 32);
        memcpy(nonce, &run, sizeof(run));
        memset(&req, 0, sizeof(req));
        req.signers = set;
        req.signer_count = o->signers;
        req.msg_digest32 = digest;
        req.coord_nonce32 = nonce;
        memset(r, 0, sizeof(*r));
        r->count = o->signers;
        r->step = sign_step;
        for (unsigned k = 0; k < o->signers; k++) {
            r->idx[k] = set[k];
            c0 = cpu_now_ns();
            t0 = bench_now_ns();
            if (mpc_sign_create(ctx, (mpc_sign **)&r->st[k], sigid, ks[k], &req) != MPC_OK)
                goto out;
            r->ns[k] += bench_now_ns() - t0;
            r->cpu_ns += cpu_now_ns() - c0;
        }
        if (relay_run(ctx, r, MPC_SIGN_ROUNDS) != MPC_OK) {
            fprintf(stderr, "signing failed\n");
            goto out;
        }
        mpc_sign_get_public(&pub, r->st[0]);
        for (unsigned k = 0; k < o->signers; k++) {
            in[k].from = set[k];
            in[k].data = r->out[k][0].data;
            in[k].len = r->out[k][0].len;
        }
        /* the combiner runs once (any party or the coordinator): counted in "all" only */
        c0 = cpu_now_ns();
        t0 = bench_now_ns();
        if (mpc_sign_combine(ctx, sig, &recid, &blame, &pub, in, o->signers) != MPC_OK) {
            fprintf(stderr, "combine failed\n");
            goto out;
        }
        tm->all[run] = bench_now_ns() - t0;
        tm->cpu[run] = r->cpu_ns + cpu_now_ns() - c0;
        timings_add_parties(tm, r, run);
        for (unsigned k = 0; k < o->signers; k++)
            mpc_sign_destroy(r->st[k]);
        relay_clear(r);
    }
    rc = 0;
out:
    for (unsigned k = 0; k < o->n; k++)
        mpc_keyshare_destroy(ks[k]);
    return rc;
}

int bench_sign(int argc, char **argv)
{
    opts o = { 2, 3, 0, 50 };
    mpc_context *ctx;
    relay *r;
    timings tm;
    int rc = bench_setup(&o, &ctx, &r, argc, argv, 1, "mpc-bench sign --t T --n N [--signers K] [--runs R]");

    if (rc != 0)
        return rc;
    rc = 1;
    if (timings_alloc(&tm, o.runs, o.signers) != 0 || sign_runs(ctx, r, &tm, &o) != 0)
        goto out;
    printf("sign t=%u n=%u signers=%u, %u runs (combiner included in the total)\n", o.t, o.n,
            o.signers, o.runs);
    timings_report(&tm, r, MPC_SIGN_ROUNDS);
    rc = 0;
out:
    timings_free(&tm);
    free(r);
    mpc_context_destroy(ctx);
    return rc;
}

int bench_sign_reference(double *wall_ms, double *cpu_ms, unsigned t, unsigned n, unsigned runs)
{
    opts o = { t, n, t, runs };
    mpc_context *ctx = NULL;
    relay *r = calloc(1, sizeof(*r));
    timings tm = { NULL, NULL, NULL, 0, 0 };
    int rc = -1;

    if (r == NULL || t < 2 || t > n || n > MPC_MAX_PARTIES || runs < 1 || (ctx = mpc_context_create()) == NULL) {
        fprintf(stderr, "reference signing %u-of-%u: cannot set up\n", t, n);
        goto out;
    }
    if (timings_alloc(&tm, runs, t) != 0 || sign_runs(ctx, r, &tm, &o) != 0)
        goto out;
    qsort(tm.all, runs, sizeof(*tm.all), bench_cmp_u64);
    qsort(tm.cpu, runs, sizeof(*tm.cpu), bench_cmp_u64);
    *wall_ms = (double)tm.all[runs / 2] / 1e6;
    *cpu_ms = (double)tm.cpu[runs / 2] / 1e6;
    rc = 0;
out:
    timings_free(&tm);
    free(r);
    mpc_context_destroy(ctx);
    return rc;
}
