/*
 * mpc-bench: one executable, one subcommand ("mode") per kind of measurement.
 *
 * Adding a mode (e.g. dkg, sign, cluster):
 *   1. tools/bench/bench_<mode>.c defines `int bench_<mode>(int argc, char **argv)`; argv[0] is the
 *      mode name and the rest are its own options. Return 0 on success, non-zero on failure.
 *   2. Declare it below and add a row {"<mode>", bench_<mode>, "one-line help"} to the mode table
 *      in mpc_bench.c.
 *   3. Add bench_<mode>.c to the mpc-bench sources in tools/CMakeLists.txt.
 * Modes should time with bench_measure (median of several runs) so figures are comparable.
 */
#ifndef MPC_BENCH_H
#define MPC_BENCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} bench_mode;

int bench_primitives(int argc, char **argv);
int bench_dkg(int argc, char **argv);  /* bench_protocol.c */
int bench_sign(int argc, char **argv); /* bench_protocol.c */
int bench_cluster(int argc, char **argv);

/* The in-process reference of bench_cluster (bench_protocol.c): a DKG of n parties, then runs
 * signings by t of them, every party and the combiner in this process one after another. Sets the
 * median over the runs of the wall-clock and CPU time of one whole signing, in ms. Returns 0, or
 * -1 after printing what failed. */
int bench_sign_reference(double *wall_ms, double *cpu_ms, unsigned t, unsigned n, unsigned runs);

/* Runs fn(arg, iters) to time iters operations; fn must make every operation's result observable
 * (e.g. through bench_consume) so the compiler cannot drop it. */
typedef void (*bench_fn)(void *arg, size_t iters);

/* Nanoseconds per operation: the median over runs (>= 1) of timed batches, each batch sized so
 * that it lasts about target_ns. Measured in CPU time of the calling thread (single-threaded
 * work only; modes that wait on I/O or other threads time with bench_now_ns instead). */
double bench_measure(bench_fn fn, void *arg, int runs, uint64_t target_ns);

/* Monotonic wall clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* qsort comparison of uint64_t values, ascending. */
int bench_cmp_u64(const void *a, const void *b);

/* Fold bytes of a result into a global sink the compiler must keep. */
void bench_consume(const void *p, size_t len);

#endif
