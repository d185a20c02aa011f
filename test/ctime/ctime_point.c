/* Constant-time sections for the secret-scalar point multiplications. The point operand of
 * mpc_point_mul is public; only the scalar is marked secret. Each runs with a random scalar and
 * with zero, whose identity result is selected by mask rather than by a branch. */
#include "ctime.h"
#include "mpc/point.h"
#include "point_internal.h"

static void secret_scalar(ctime_env *env, mpc_scalar *k, int zero)
{
    ctime_random_scalar(env, k);
    if (zero)
        mpc_scalar_set_u32(k, 0);
    CHECKMEM_UNDEFINE(k, sizeof(*k));
}

static void section_base_mul(ctime_env *env)
{
    mpc_scalar k;
    mpc_point r;

    for (int zero = 0; zero <= 1; zero++) {
        secret_scalar(env, &k, zero);
        mpc_point_base_mul(env->ctx, &r, &k);
        CHECKMEM_DEFINE(&r, sizeof(r));
        mpc_scalar_clear(&k);
    }
}

static void section_mul(ctime_env *env)
{
    mpc_scalar k, p_dlog;
    mpc_point p, r;

    ctime_random_scalar(env, &p_dlog);
    mpc_point_base_mul(env->ctx, &p, &p_dlog);
    for (int zero = 0; zero <= 1; zero++) {
        secret_scalar(env, &k, zero);
        mpc_point_mul(env->ctx, &r, &p, &k);
        CHECKMEM_DEFINE(&r, sizeof(r));
        mpc_scalar_clear(&k);
    }
}

/* The constant-time encoding of a secret product (no parse or serialize of the product). */
static void section_mul_encode(ctime_env *env)
{
    mpc_scalar k, p_dlog;
    mpc_point p;
    unsigned char enc[MPC_POINT_BYTES];

    ctime_random_scalar(env, &p_dlog);
    mpc_point_base_mul(env->ctx, &p, &p_dlog);
    for (int zero = 0; zero <= 1; zero++) {
        secret_scalar(env, &k, zero);
        mpc__point_mul_encode(env->ctx, enc, &p, &k);
        CHECKMEM_DEFINE(enc, sizeof(enc));
        mpc_scalar_clear(&k);
    }
}

const ctime_section ctime_point_sections[] = {
    {"base_mul", section_base_mul},
    {"mul", section_mul},
    {"mul_encode", section_mul_encode},
    {NULL, NULL},
};
