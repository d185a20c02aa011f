/* Constant-time sections for mpc_scalar: every operation on secret (undefined) operands. */
#include "ctime.h"

/* Two random secret operands. */
static void secret_pair(ctime_env *env, mpc_scalar *a, mpc_scalar *b)
{
    ctime_random_scalar(env, a);
    ctime_random_scalar(env, b);
    CHECKMEM_UNDEFINE(a, sizeof(*a));
    CHECKMEM_UNDEFINE(b, sizeof(*b));
}

static void done(mpc_scalar *r)
{
    CHECKMEM_DEFINE(r, sizeof(*r));
    mpc_scalar_clear(r);
}

static void section_mul(ctime_env *env)
{
    mpc_scalar a, b, r;

    secret_pair(env, &a, &b);
    mpc_scalar_mul(&r, &a, &b);
    done(&r);
}

static void section_add(ctime_env *env)
{
    mpc_scalar a, b, r;

    secret_pair(env, &a, &b);
    mpc_scalar_add(&r, &a, &b);
    done(&r);
}

static void section_sub(ctime_env *env)
{
    mpc_scalar a, b, r;

    secret_pair(env, &a, &b);
    mpc_scalar_sub(&r, &a, &b);
    done(&r);
}

static void section_neg(ctime_env *env)
{
    mpc_scalar a, b, r;

    secret_pair(env, &a, &b);
    mpc_scalar_neg(&r, &a);
    done(&r);
}

static void section_inverse(ctime_env *env)
{
    mpc_scalar a, b, r;

    secret_pair(env, &a, &b);
    mpc_scalar_inverse(&r, &a);
    done(&r);
}

/* The flag of cmov and select is secret too (it is how secret choices are made). */
static void section_cmov(ctime_env *env)
{
    mpc_scalar a, b;
    int flag = 1;

    secret_pair(env, &a, &b);
    CHECKMEM_UNDEFINE(&flag, sizeof(flag));
    mpc_scalar_cmov(&a, &b, flag);
    done(&a);
}

static void section_select(ctime_env *env)
{
    mpc_scalar a, b, r;
    int flag = 0;

    secret_pair(env, &a, &b);
    CHECKMEM_UNDEFINE(&flag, sizeof(flag));
    mpc_scalar_select(&r, &a, &b, flag);
    done(&r);
}

static void section_eq(ctime_env *env)
{
    mpc_scalar a, b;
    int eq;

    secret_pair(env, &a, &b);
    eq = mpc_scalar_eq(&a, &b);
    CHECKMEM_DEFINE(&eq, sizeof(eq));
}

static void section_is_zero(ctime_env *env)
{
    mpc_scalar a, b;
    int zero;

    secret_pair(env, &a, &b);
    zero = mpc_scalar_is_zero(&a);
    CHECKMEM_DEFINE(&zero, sizeof(zero));
}

/* parse and reduce32 on secret bytes both below and at or above n. */
static void section_parse(ctime_env *env)
{
    unsigned char in[32];
    mpc_scalar r;
    int ret;

    for (int high = 0; high <= 1; high++) {
        test_rng_bytes(&env->input_rng, in, sizeof(in));
        in[0] = high ? 0xFF : 0x7F;
        CHECKMEM_UNDEFINE(in, sizeof(in));
        ret = mpc_scalar_parse(&r, in);
        /* Whether a received scalar was canonical is public (the message is rejected). */
        CHECKMEM_DEFINE(&ret, sizeof(ret));
        done(&r);
    }
}

static void section_reduce32(ctime_env *env)
{
    unsigned char in[32];
    mpc_scalar r;

    for (int high = 0; high <= 1; high++) {
        test_rng_bytes(&env->input_rng, in, sizeof(in));
        in[0] = high ? 0xFF : 0x7F;
        CHECKMEM_UNDEFINE(in, sizeof(in));
        mpc_scalar_reduce32(&r, in);
        done(&r);
    }
}

static void section_serialize(ctime_env *env)
{
    mpc_scalar a, b;
    unsigned char out[32];

    secret_pair(env, &a, &b);
    mpc_scalar_serialize(out, &a);
    CHECKMEM_DEFINE(out, sizeof(out));
}

const ctime_section ctime_scalar_sections[] = {
    {"mul", section_mul},
    {"add", section_add},
    {"sub", section_sub},
    {"neg", section_neg},
    {"inverse", section_inverse},
    {"cmov", section_cmov},
    {"select", section_select},
    {"eq", section_eq},
    {"is_zero", section_is_zero},
    {"parse", section_parse},
    {"reduce32", section_reduce32},
    {"serialize", section_serialize},
    {NULL, NULL},
};
