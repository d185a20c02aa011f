/* mpc-bench: dispatch to a measurement mode (see bench.h for how to add one). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static const bench_mode modes[] = {
    {"primitives", bench_primitives,
     "ns per operation of libmpc's building blocks, relative to secp256k1_ecdsa_sign"},
    {"dkg", bench_dkg, "DKG of all parties in one process: --t T --n N [--runs R]"},
    {"sign", bench_sign, "threshold signing: --t T --n N [--signers K] [--runs R]"},
    {"cluster", bench_cluster,
     "a running cluster: --config REQUESTER.ini --key KEYID [--requests N] [--concurrency C]"},
};

#define MODE_COUNT (sizeof(modes) / sizeof(modes[0]))

static volatile unsigned char bench_sink;

void bench_consume(const void *p, size_t len)
{
    const unsigned char *b = p;
    unsigned char x = 0;

    for (size_t i = 0; i < len; i++)
        x ^= b[i];
    bench_sink ^= x;
}

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread: time the thread spends descheduled while other work shares
 * the machine is not counted, which keeps single-threaded figures stable on a busy host. */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

#define MAX_RUNS 101

double bench_measure(bench_fn fn, void *arg, int runs, uint64_t target_ns)
{
    double per_op[MAX_RUNS];
    size_t iters = 1;
    uint64_t elapsed;

    if (runs < 1)
        runs = 1;
    if (runs > MAX_RUNS)
        runs = MAX_RUNS;
    /* Calibrate: double the batch until it takes at least a tenth of the target (this also warms
     * caches and lazily initialised state), then scale it to the target. */
    for (;;) {
        uint64_t t0 = thread_cpu_ns();
        fn(arg, iters);
        elapsed = thread_cpu_ns() - t0;
        if (elapsed >= target_ns / 10 || iters >= ((size_t)1 << 30))
            break;
        iters *= 2;
    }
    if (elapsed > 0 && elapsed < target_ns)
        iters = (size_t)((double)iters * (double)target_ns / (double)elapsed) + 1;
    for (int r = 0; r < runs; r++) {
        uint64_t t0 = thread_cpu_ns();
        fn(arg, iters);
        per_op[r] = (double)(thread_cpu_ns() - t0) / (double)iters;
    }
    qsort(per_op, (size_t)runs, sizeof(per_op[0]), cmp_double);
    return runs % 2 ? per_op[runs / 2] : (per_op[runs / 2 - 1] + per_op[runs / 2]) / 2;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mpc-bench MODE [options]\nmodes:\n");
    for (size_t m = 0; m < MODE_COUNT; m++)
        fprintf(f, "  %-12s %s\n", modes[m].name, modes[m].help);
    fprintf(f, "'mpc-bench MODE --help' lists a mode's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t m = 0; m < MODE_COUNT; m++) {
        if (strcmp(argv[1], modes[m].name) == 0)
            return modes[m].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "mpc-bench: unknown mode '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
