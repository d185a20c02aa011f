/* Constant-time sections for hashing secret data: only lengths and tags are public. */
#include "ctime.h"
#include "mpc/hash.h"

static void section_field_final(ctime_env *env)
{
    unsigned char secret[80], out[32];
    mpc_hash h;

    test_rng_bytes(&env->input_rng, secret, sizeof(secret));
    mpc_hash_init(&h, MPC_TAG_SSO_EXPAND);
    CHECKMEM_UNDEFINE(secret, sizeof(secret));
    mpc_hash_field(&h, secret, sizeof(secret));
    mpc_hash_final(&h, out);
    CHECKMEM_DEFINE(out, sizeof(out));
}

static void section_scalar_final_scalar(ctime_env *env)
{
    mpc_scalar s, out;
    mpc_hash h;

    ctime_random_scalar(env, &s);
    mpc_hash_init(&h, MPC_TAG_SCHNORR);
    CHECKMEM_UNDEFINE(&s, sizeof(s));
    mpc_hash_field_scalar(&h, &s);
    mpc_hash_final_scalar(&h, &out);
    CHECKMEM_DEFINE(&out, sizeof(out));
}

static void section_prg(ctime_env *env)
{
    unsigned char seed[32], out[80];
    mpc_hash h;

    test_rng_bytes(&env->input_rng, seed, sizeof(seed));
    mpc_hash_init(&h, MPC_TAG_SSO_EXPAND);
    CHECKMEM_UNDEFINE(seed, sizeof(seed));
    mpc_hash_field(&h, seed, sizeof(seed));
    mpc_prg(out, sizeof(out), &h);
    CHECKMEM_DEFINE(out, sizeof(out));
    CHECKMEM_DEFINE(&h, sizeof(h));
}

/* Opening compares the recomputed commitment in constant time; the verdict itself is public. */
static void section_commit_open(ctime_env *env)
{
    unsigned char c[32], salt[32];
    mpc_hash h;
    int ok;

    mpc_hash_init(&h, MPC_TAG_DKG_COM);
    mpc_hash_field_u32(&h, 1);
    if (mpc_commit(env->ctx, c, salt, &h) != MPC_OK)
        return;
    CHECKMEM_UNDEFINE(c, sizeof(c));
    CHECKMEM_UNDEFINE(salt, sizeof(salt));
    ok = mpc_commit_open(c, salt, &h);
    CHECKMEM_DEFINE(&ok, sizeof(ok));
}

const ctime_section ctime_hash_sections[] = {
    {"field_final", section_field_final},
    {"scalar_final_scalar", section_scalar_final_scalar},
    {"prg", section_prg},
    {"commit_open", section_commit_open},
    {NULL, NULL},
};
