/*
 * mpc-bench primitives: nanoseconds per operation for libmpc's building blocks, each also given as
 * a ratio to libsecp256k1's own secp256k1_ecdsa_sign measured in the same run, so that figures from
 * different machines can be compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>

#include "bench.h"
#include "mpc/gf128.h"
#include "mpc/hash.h"
#include "mpc/point.h"
#include "mpc/scalar.h"
#include "mpc/zk.h"

typedef struct {
    mpc_context *ctx;
    secp256k1_context *secp;
    unsigned char seckey[32];
    unsigned char msg32[32];
    mpc_scalar a, b;
    mpc_point P, Q;
    unsigned char enc33[33];
    unsigned char buf[80];
    mpc_hash prefix;
    mpc_gf128 g, h;
    unsigned char sid[32];
    mpc_scalar x;
    mpc_point X;
    mpc_schnorr_context sctx;
    mpc_schnorr_proof proof;
    unsigned failures; /* calls that returned an error: the figures would be meaningless */
} prim_state;

static void op_ecdsa_sign(void *arg, size_t iters)
{
    prim_state *s = arg;
    secp256k1_ecdsa_signature sig;

    for (size_t i = 0; i < iters; i++) {
        s->failures += !secp256k1_ecdsa_sign(s->secp, &sig, s->msg32, s->seckey, NULL, NULL);
        s->msg32[i % 32] ^= sig.data[0];
    }
    bench_consume(&sig, sizeof(sig));
}

static void op_scalar_add(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        mpc_scalar_add(&s->a, &s->a, &s->b);
    bench_consume(&s->a, sizeof(s->a));
}

static void op_scalar_mul(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        mpc_scalar_mul(&s->a, &s->a, &s->b);
    bench_consume(&s->a, sizeof(s->a));
}

static void op_scalar_inverse(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        mpc_scalar_inverse(&s->a, &s->a);
    bench_consume(&s->a, sizeof(s->a));
}

static void op_scalar_reduce32(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++) {
        mpc_scalar_reduce32(&s->a, s->buf);
        s->buf[i % 32] ^= (unsigned char)s->a.d[0];
    }
    bench_consume(&s->a, sizeof(s->a));
}

static void op_point_base_mul(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++) {
        mpc_point_base_mul(s->ctx, &s->Q, &s->a);
        mpc_scalar_add(&s->a, &s->a, &s->b);
    }
    bench_consume(&s->Q, sizeof(s->Q));
}

static void op_point_mul(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++) {
        mpc_point_mul(s->ctx, &s->Q, &s->P, &s->a);
        mpc_scalar_add(&s->a, &s->a, &s->b);
    }
    bench_consume(&s->Q, sizeof(s->Q));
}

static void op_point_mul_var(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++) {
        mpc_point_mul_var(s->ctx, &s->Q, &s->P, &s->a);
        mpc_scalar_add(&s->a, &s->a, &s->b);
    }
    bench_consume(&s->Q, sizeof(s->Q));
}

static void op_point_add_var(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        mpc_point_add_var(s->ctx, &s->Q, &s->Q, &s->P);
    bench_consume(&s->Q, sizeof(s->Q));
}

static void op_point_parse(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        s->failures += mpc_point_parse(s->ctx, &s->Q, s->enc33) != MPC_OK;
    bench_consume(&s->Q, sizeof(s->Q));
}

static void op_point_serialize(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        s->failures += mpc_point_serialize(s->ctx, s->enc33, &s->P) != MPC_OK;
    bench_consume(s->enc33, sizeof(s->enc33));
}

static void op_hash_to_curve(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++) {
        mpc_hash h = s->prefix;
        mpc_hash_field_u32(&h, (uint32_t)i);
        mpc_hash_to_curve_var(s->ctx, &s->Q, &h);
    }
    bench_consume(&s->Q, sizeof(s->Q));
}

static void op_hash_64(void *arg, size_t iters)
{
    prim_state *s = arg;
    unsigned char out[32];

    for (size_t i = 0; i < iters; i++) {
        mpc_hash h;
        mpc_hash_init(&h, MPC_TAG_SIGN_MUL);
        mpc_hash_field(&h, s->buf, 64);
        mpc_hash_final(&h, out);
        s->buf[i % 64] ^= out[0];
    }
    bench_consume(out, sizeof(out));
}

static void op_prg_80(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++) {
        mpc_prg(s->buf, 80, &s->prefix);
        bench_consume(s->buf, 1);
    }
}

static void op_commit(void *arg, size_t iters)
{
    prim_state *s = arg;
    unsigned char c[32], salt[32];

    for (size_t i = 0; i < iters; i++)
        s->failures += mpc_commit(s->ctx, c, salt, &s->prefix) != MPC_OK;
    bench_consume(c, sizeof(c));
}

static void op_schnorr_prove(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        s->failures += mpc_schnorr_prove(s->ctx, &s->proof, &s->x, &s->X, &s->sctx) != MPC_OK;
    bench_consume(&s->proof, sizeof(s->proof));
}

static void op_schnorr_verify(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        s->failures += mpc_schnorr_verify(s->ctx, &s->proof, &s->X, &s->sctx) != MPC_OK;
}

static void op_gf128_mul(void *arg, size_t iters)
{
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++)
        mpc_gf128_mul(&s->g, &s->g, &s->h);
    bench_consume(&s->g, sizeof(s->g));
}

static void op_lagrange_3(void *arg, size_t iters)
{
    static const uint32_t set[3] = {1, 2, 3};
    prim_state *s = arg;

    for (size_t i = 0; i < iters; i++) {
        for (uint32_t p = 1; p <= 3; p++)
            s->failures += mpc_lagrange_coeff(s->ctx, &s->a, set, 3, 3, p) != MPC_OK;
    }
    bench_consume(&s->a, sizeof(s->a));
}

typedef struct {
    const char *name;
    bench_fn fn;
} prim_op;

static const prim_op ops[] = {
    {"scalar_add", op_scalar_add},
    {"scalar_mul", op_scalar_mul},
    {"scalar_inverse", op_scalar_inverse},
    {"scalar_reduce32", op_scalar_reduce32},
    {"point_base_mul", op_point_base_mul},
    {"point_mul (ecdh path)", op_point_mul},
    {"point_mul_var", op_point_mul_var},
    {"point_add_var", op_point_add_var},
    {"point_parse", op_point_parse},
    {"point_serialize", op_point_serialize},
    {"hash_to_curve_var", op_hash_to_curve},
    {"tagged hash, 64-byte field", op_hash_64},
    {"prg, 80 bytes", op_prg_80},
    {"commit", op_commit},
    {"schnorr_prove", op_schnorr_prove},
    {"schnorr_verify", op_schnorr_verify},
    {"gf128_mul", op_gf128_mul},
    {"lagrange_coeff, 3 parties (all 3)", op_lagrange_3},
};

#define OP_COUNT (sizeof(ops) / sizeof(ops[0]))

static int setup(prim_state *s)
{
    unsigned char seed[32], g16[32];
    mpc_scalar p_dlog;

    memset(s, 0, sizeof(*s));
    if ((s->ctx = mpc_context_create()) == NULL)
        return -1;
    if ((s->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE)) == NULL)
        return -1;
    if (mpc_random_bytes(s->ctx, seed, sizeof(seed)) != MPC_OK ||
        !secp256k1_context_randomize(s->secp, seed) ||
        mpc_random_bytes(s->ctx, s->msg32, sizeof(s->msg32)) != MPC_OK ||
        mpc_random_bytes(s->ctx, s->buf, sizeof(s->buf)) != MPC_OK ||
        mpc_random_bytes(s->ctx, s->sid, sizeof(s->sid)) != MPC_OK ||
        mpc_random_bytes(s->ctx, g16, sizeof(g16)) != MPC_OK ||
        mpc_scalar_random(s->ctx, &s->a) != MPC_OK ||
        mpc_scalar_random(s->ctx, &s->b) != MPC_OK ||
        mpc_scalar_random(s->ctx, &p_dlog) != MPC_OK ||
        mpc_scalar_random(s->ctx, &s->x) != MPC_OK)
        return -1;
    mpc_scalar_serialize(s->seckey, &p_dlog);
    mpc_point_base_mul(s->ctx, &s->P, &p_dlog);
    s->Q = s->P;
    if (mpc_point_serialize(s->ctx, s->enc33, &s->P) != MPC_OK)
        return -1;
    mpc_hash_init(&s->prefix, MPC_TAG_SSO_EXPAND);
    mpc_hash_field(&s->prefix, s->sid, sizeof(s->sid));
    mpc_gf128_load(&s->g, g16);
    mpc_gf128_load(&s->h, g16 + 16);
    mpc_point_base_mul(s->ctx, &s->X, &s->x);
    s->sctx.label = MPC_TAG_DKG_COEF;
    s->sctx.sid = s->sid;
    s->sctx.prover = 1;
    s->sctx.statement = 0;
    if (mpc_schnorr_prove(s->ctx, &s->proof, &s->x, &s->X, &s->sctx) != MPC_OK)
        return -1;
    mpc_scalar_clear(&p_dlog);
    return 0;
}

static void teardown(prim_state *s)
{
    mpc_context_destroy(s->ctx);
    if (s->secp != NULL)
        secp256k1_context_destroy(s->secp);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mpc-bench primitives [--runs N] [--target-ms MS]\n"
               "  --runs N        timed batches per operation; the median is reported (default 5)\n"
               "  --target-ms MS  length of one batch in milliseconds (default 40)\n");
}

int bench_primitives(int argc, char **argv)
{
    prim_state s;
    int runs = 5;
    long target_ms = 40;
    double ref;
    int ret = 1;

    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 1 || v > 101) {
                fprintf(stderr, "mpc-bench primitives: --runs takes 1..101\n");
                return 2;
            }
            runs = (int)v;
        } else if (strcmp(argv[i], "--target-ms") == 0 && i + 1 < argc) {
            target_ms = strtol(argv[++i], &end, 10);
            if (*end != '\0' || target_ms < 1 || target_ms > 10000) {
                fprintf(stderr, "mpc-bench primitives: --target-ms takes 1..10000\n");
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (setup(&s) != 0) {
        fprintf(stderr, "mpc-bench primitives: setup failed\n");
        goto out;
    }
    printf("mpc-bench primitives: median of %d runs of ~%ld ms CPU time each; "
           "ratio = time / ecdsa_sign\n", runs, target_ms);
    printf("%-36s %12s %10s\n", "operation", "ns/op", "ratio");
    ref = bench_measure(op_ecdsa_sign, &s, runs, (uint64_t)target_ms * 1000000u);
    printf("%-36s %12.1f %10.3g\n", "secp256k1_ecdsa_sign (reference)", ref, 1.0);
    for (size_t o = 0; o < OP_COUNT; o++) {
        double ns = bench_measure(ops[o].fn, &s, runs, (uint64_t)target_ms * 1000000u);
        printf("%-36s %12.1f %10.3g\n", ops[o].name, ns, ns / ref);
        fflush(stdout);
    }
    if (s.failures != 0) {
        fprintf(stderr, "mpc-bench primitives: %u calls failed; the figures are not valid\n",
                s.failures);
        goto out;
    }
    ret = 0;
out:
    mpc_scalar_clear(&s.x);
    teardown(&s);
    return ret;
}
