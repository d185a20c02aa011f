#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>
#ifdef MPC_VALGRIND_FOUND
#include <valgrind/memcheck.h>
#endif

#include "context.h"

static int default_rng(unsigned char *out, size_t len, void *data)
{
    (void)data;
    randombytes_buf(out, len);
    return 1;
}

static void default_illegal(const char *message, void *data)
{
    (void)data;
    fprintf(stderr, "libmpc: illegal argument: %s\n", message);
    abort();
}

void mpc__illegal(const mpc_context *ctx, const char *message)
{
    ctx->illegal_fn(message, ctx->illegal_data);
}

/* Blinding of libsecp256k1's fixed-base multiplication, refreshed whenever the source changes. */
static int randomize_secp(mpc_context *ctx)
{
    unsigned char seed[32];
    int r = MPC_E_RANDOM;

    if (mpc_random_bytes(ctx, seed, sizeof(seed)) != MPC_OK)
        goto out;
    if (!secp256k1_context_randomize(ctx->secp, seed)) {
        r = MPC_E_INTERNAL;
        goto out;
    }
    r = MPC_OK;
out:
    mpc_memclear(seed, sizeof(seed));
    return r;
}

mpc_context *mpc_context_create(void)
{
    mpc_context *ctx;

    if (sodium_init() < 0)
        return NULL;
    if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
        return NULL;
    ctx->rng = default_rng;
    ctx->illegal_fn = default_illegal;
    if ((ctx->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE)) == NULL ||
        randomize_secp(ctx) != MPC_OK) {
        mpc_context_destroy(ctx);
        return NULL;
    }
    return ctx;
}

void mpc_context_destroy(mpc_context *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->secp != NULL)
        secp256k1_context_destroy(ctx->secp);
    mpc_memclear(ctx, sizeof(*ctx));
    free(ctx);
}

int mpc_context_set_rng(mpc_context *ctx, mpc_rng_fn fn, void *data)
{
    ctx->rng = fn;
    ctx->rng_data = data;
    return randomize_secp(ctx);
}

void mpc_context_set_illegal_callback(mpc_context *ctx,
        void (*fn)(const char *message, void *data), void *data)
{
    ctx->illegal_fn = fn != NULL ? fn : default_illegal;
    ctx->illegal_data = fn != NULL ? data : NULL;
}

void mpc_context_set_declassify(mpc_context *ctx, int enable)
{
    ctx->declassify = enable != 0;
}

void mpc__declassify(const mpc_context *ctx, const void *p, size_t len)
{
#ifdef MPC_VALGRIND_FOUND
    if (ctx->declassify)
        (void)VALGRIND_MAKE_MEM_DEFINED(p, len);
#else
    (void)ctx;
    (void)p;
    (void)len;
#endif
}

int mpc_random_bytes(const mpc_context *ctx, unsigned char *out, size_t len)
{
    if (!ctx->rng(out, len, ctx->rng_data)) {
        mpc_memclear(out, len);
        return MPC_E_RANDOM;
    }
    return MPC_OK;
}

void mpc_memclear(void *p, size_t len)
{
    sodium_memzero(p, len);
}

int mpc_memeq(const void *a, const void *b, size_t len)
{
    return sodium_memcmp(a, b, len) == 0;
}

void *mpc_secure_alloc(size_t len)
{
    return sodium_malloc(len);
}

void mpc_secure_free(void *p)
{
    sodium_free(p);
}

const char *mpc_strerror(int err)
{
    switch (err) {
    case MPC_OK: return "success";
    case MPC_E_ILLEGAL: return "illegal argument";
    case MPC_E_INTERNAL: return "internal error";
    case MPC_E_RANDOM: return "randomness source failed";
    case MPC_E_ENCODING: return "malformed encoding";
    case MPC_E_SESSION: return "wrong session, round, sender or receiver, or a duplicate or missing message";
    case MPC_E_STATE: return "call out of order or object already used";
    case MPC_E_PROOF: return "a party's proof, commitment or share did not verify";
    case MPC_E_EQUIVOCATION: return "broadcast equivocation detected";
    case MPC_E_BAN: return "cheating detected in a check that protects secrets: ban the blamed party";
    case MPC_E_INCONSISTENT: return "inconsistent result not attributable to one party";
    default: return "unknown error";
    }
}
